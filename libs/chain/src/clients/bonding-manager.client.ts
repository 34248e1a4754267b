import { BONDING_MANAGER_ABI } from '../abi/livepeer-abis';
import type { TxResult } from '../tx/tx-manager';
import { ContractClient, type ContractClientDeps } from './contract-client';

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** `transcoderStatus` values (CONTRACTS.md §2.6). */
export const TranscoderStatus = { NotRegistered: 0, Registered: 1 } as const;
export type TranscoderStatus = (typeof TranscoderStatus)[keyof typeof TranscoderStatus];

/** `delegatorStatus` values. */
export const DelegatorStatus = { Pending: 0, Bonded: 1, Unbonded: 2 } as const;
export type DelegatorStatus = (typeof DelegatorStatus)[keyof typeof DelegatorStatus];

export interface TranscoderInfo {
  lastRewardRound: bigint;
  rewardCut: bigint;
  feeShare: bigint;
  lastActiveStakeUpdateRound: bigint;
  activationRound: bigint;
  deactivationRound: bigint;
  activeCumulativeRewards: bigint;
  cumulativeRewards: bigint;
  cumulativeFees: bigint;
  lastFeeRound: bigint;
}

export interface DelegatorInfo {
  bondedAmount: bigint;
  fees: bigint;
  delegateAddress: string;
  delegatedAmount: bigint;
  startRound: bigint;
  lastClaimRound: bigint;
  nextUnbondingLockId: bigint;
}

export interface UnbondingLock {
  amount: bigint;
  withdrawRound: bigint;
}

export interface EarningsPool {
  totalStake: bigint;
  transcoderRewardCut: bigint;
  transcoderFeeShare: bigint;
  cumulativeRewardFactor: bigint;
  cumulativeFeeFactor: bigint;
}

/** Position hints in the pool; zero hints make the contract search linearly. */
export interface PoolHint {
  prev: string;
  next: string;
}
const NO_HINT: PoolHint = { prev: ZERO_ADDRESS, next: ZERO_ADDRESS };

export class BondingManagerClient extends ContractClient {
  constructor(address: string, deps: ContractClientDeps) {
    super('BondingManager', address, BONDING_MANAGER_ABI, deps);
  }

  // ---- reads ----
  async getTranscoder(addr: string): Promise<TranscoderInfo> {
    const r = await this.read('getTranscoder', [addr]);
    return {
      lastRewardRound: r[0],
      rewardCut: r[1],
      feeShare: r[2],
      lastActiveStakeUpdateRound: r[3],
      activationRound: r[4],
      deactivationRound: r[5],
      activeCumulativeRewards: r[6],
      cumulativeRewards: r[7],
      cumulativeFees: r[8],
      lastFeeRound: r[9],
    };
  }

  async getDelegator(addr: string): Promise<DelegatorInfo> {
    const r = await this.read('getDelegator', [addr]);
    return {
      bondedAmount: r[0],
      fees: r[1],
      delegateAddress: r[2],
      delegatedAmount: r[3],
      startRound: r[4],
      lastClaimRound: r[5],
      nextUnbondingLockId: r[6],
    };
  }

  async getDelegatorUnbondingLock(addr: string, lockId: bigint): Promise<UnbondingLock> {
    const r = await this.read('getDelegatorUnbondingLock', [addr, lockId]);
    return { amount: r[0], withdrawRound: r[1] };
  }

  async getTranscoderEarningsPoolForRound(addr: string, round: bigint): Promise<EarningsPool> {
    const r = await this.read('getTranscoderEarningsPoolForRound', [addr, round]);
    return { totalStake: r[0], transcoderRewardCut: r[1], transcoderFeeShare: r[2], cumulativeRewardFactor: r[3], cumulativeFeeFactor: r[4] };
  }

  getTranscoderPoolSize(): Promise<bigint> {
    return this.readOne('getTranscoderPoolSize');
  }
  getTranscoderPoolMaxSize(): Promise<bigint> {
    return this.readOne('getTranscoderPoolMaxSize');
  }
  getFirstTranscoderInPool(): Promise<string> {
    return this.readOne('getFirstTranscoderInPool');
  }
  getNextTranscoderInPool(addr: string): Promise<string> {
    return this.readOne('getNextTranscoderInPool', [addr]);
  }
  isActiveTranscoder(addr: string): Promise<boolean> {
    return this.readOne('isActiveTranscoder', [addr]);
  }
  async transcoderStatus(addr: string): Promise<TranscoderStatus> {
    return Number(await this.readOne<bigint>('transcoderStatus', [addr])) as TranscoderStatus;
  }
  async delegatorStatus(addr: string): Promise<DelegatorStatus> {
    return Number(await this.readOne<bigint>('delegatorStatus', [addr])) as DelegatorStatus;
  }
  transcoderTotalStake(addr: string): Promise<bigint> {
    return this.readOne('transcoderTotalStake', [addr]);
  }
  getTotalBonded(): Promise<bigint> {
    return this.readOne('getTotalBonded');
  }
  pendingStake(addr: string, endRound = 0n): Promise<bigint> {
    return this.readOne('pendingStake', [addr, endRound]);
  }
  pendingFees(addr: string, endRound = 0n): Promise<bigint> {
    return this.readOne('pendingFees', [addr, endRound]);
  }
  unbondingPeriod(): Promise<bigint> {
    return this.readOne('unbondingPeriod');
  }

  // ---- writes ----
  bondWithHint(amount: bigint, to: string, oldDelegate: PoolHint = NO_HINT, newDelegate: PoolHint = NO_HINT): Promise<TxResult> {
    return this.write('bondWithHint', [amount, to, oldDelegate.prev, oldDelegate.next, newDelegate.prev, newDelegate.next]);
  }
  unbondWithHint(amount: bigint, hint: PoolHint = NO_HINT): Promise<TxResult> {
    return this.write('unbondWithHint', [amount, hint.prev, hint.next]);
  }
  rebondWithHint(unbondingLockId: bigint, hint: PoolHint = NO_HINT): Promise<TxResult> {
    return this.write('rebondWithHint', [unbondingLockId, hint.prev, hint.next]);
  }
  rebondFromUnbondedWithHint(to: string, unbondingLockId: bigint, hint: PoolHint = NO_HINT): Promise<TxResult> {
    return this.write('rebondFromUnbondedWithHint', [to, unbondingLockId, hint.prev, hint.next]);
  }
  withdrawStake(unbondingLockId: bigint): Promise<TxResult> {
    return this.write('withdrawStake', [unbondingLockId]);
  }
  withdrawFees(recipient: string, amount: bigint): Promise<TxResult> {
    return this.write('withdrawFees', [recipient, amount]);
  }
  claimEarnings(endRound = 0n): Promise<TxResult> {
    return this.write('claimEarnings', [endRound]);
  }
  /** rewardCut and feeShare in PERC (1e6 = 100 %). */
  transcoder(rewardCut: bigint, feeShare: bigint): Promise<TxResult> {
    return this.write('transcoder', [rewardCut, feeShare]);
  }
  rewardWithHint(hint: PoolHint = NO_HINT): Promise<TxResult> {
    return this.write('rewardWithHint', [hint.prev, hint.next]);
  }
}
