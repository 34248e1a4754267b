import { ROUNDS_MANAGER_ABI } from '../abi/livepeer-abis';
import type { TxResult } from '../tx/tx-manager';
import { ContractClient, type ContractClientDeps } from './contract-client';

export interface RoundInfo {
  currentRound: bigint;
  initialized: boolean;
  locked: boolean;
  startBlock: bigint;
  roundLength: bigint;
  lastInitializedRound: bigint;
}

export class RoundsManagerClient extends ContractClient {
  constructor(address: string, deps: ContractClientDeps) {
    super('RoundsManager', address, ROUNDS_MANAGER_ABI, deps);
  }

  currentRound(): Promise<bigint> {
    return this.readOne('currentRound');
  }
  currentRoundInitialized(): Promise<boolean> {
    return this.readOne('currentRoundInitialized');
  }
  currentRoundLocked(): Promise<boolean> {
    return this.readOne('currentRoundLocked');
  }
  currentRoundStartBlock(): Promise<bigint> {
    return this.readOne('currentRoundStartBlock');
  }
  lastInitializedRound(): Promise<bigint> {
    return this.readOne('lastInitializedRound');
  }
  blockHashForRound(round: bigint): Promise<string> {
    return this.readOne('blockHashForRound', [round]);
  }
  roundLength(): Promise<bigint> {
    return this.readOne('roundLength');
  }
  roundLockAmount(): Promise<bigint> {
    return this.readOne('roundLockAmount');
  }
  /** `block.number` as contracts see it (the L1 number on Arbitrum). */
  blockNum(): Promise<bigint> {
    return this.readOne('blockNum');
  }

  /** The round state in one go (reads in parallel). */
  async roundInfo(): Promise<RoundInfo> {
    const [currentRound, initialized, locked, startBlock, roundLength, lastInitializedRound] = await Promise.all([
      this.currentRound(),
      this.currentRoundInitialized(),
      this.currentRoundLocked(),
      this.currentRoundStartBlock(),
      this.roundLength(),
      this.lastInitializedRound(),
    ]);
    return { currentRound, initialized, locked, startBlock, roundLength, lastInitializedRound };
  }

  initializeRound(): Promise<TxResult> {
    return this.write('initializeRound');
  }
}
