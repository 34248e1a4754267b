import { type TransactionReceipt, ZeroAddress, id, parseEther, type Wallet } from 'ethers';
import { REGISTERED_NAMES, fundActors, mineTo, registerOrchestrator } from './index';
import {
  type Harness,
  call,
  currentRound,
  eventsOf,
  expectEvent,
  expectRevert,
  mineToLock,
  nextRound,
  revertTo,
  send,
  snapshot,
  startHarness,
} from './spec/harness';

const LPT = (n: number | string): bigint => parseEther(String(n));
const MAX_ROUND = (1n << 256n) - 1n;

describe('devnet contracts: registry, rounds, bonding (CONTRACTS.md §6)', () => {
  let h: Harness;
  let snap: string;
  let O1: Wallet, O2: Wallet, O3: Wallet, N: Wallet, X: Wallet;

  beforeAll(async () => {
    h = await startHarness();
    [O1, O2, O3, N, X] = h.wallets as [Wallet, Wallet, Wallet, Wallet, Wallet];
    await fundActors(h.devnet, [O1, O2, O3, N, X].map((w) => w.address), { lpt: LPT(1000) });
  }, 60_000);
  afterAll(async () => h?.stop());
  beforeEach(async () => {
    snap = await snapshot(h);
    // every test starts right after a fresh round boundary (automine: one block per transaction)
    await nextRound(h);
  });
  afterEach(async () => revertTo(h, snap));

  const c = (): Harness['devnet']['contracts'] => h.devnet.contracts;
  const bond = async (w: Wallet, amount: bigint, to = w.address) => {
    await send(c().token, w, 'approve', [c().bondingManager.target, amount]);
    return send(c().bondingManager, w, 'bond', [amount, to]);
  };
  const pool = async (): Promise<string[]> => {
    const out: string[] = [];
    let a = await call<string>(c().bondingManager, 'getFirstTranscoderInPool');
    while (a !== ZeroAddress) {
      out.push(a);
      a = await call<string>(c().bondingManager, 'getNextTranscoderInPool', a);
    }
    return out;
  };

  it('AC-01 resolves every registered name; unknown id → zero; JobsManager == TicketBroker', async () => {
    for (const name of REGISTERED_NAMES) {
      expect(await call(c().controller, 'getContract', id(name))).toBe(h.devnet.book.contracts[name]);
    }
    expect(await call(c().controller, 'getContract', id('NoSuchContract'))).toBe(ZeroAddress);
    expect(h.devnet.book.contracts.JobsManager).toBe(h.devnet.book.contracts.TicketBroker);
    expect(h.devnet.book.contracts.AIServiceRegistry).not.toBe(h.devnet.book.contracts.ServiceRegistry);
    expect(await call(c().controller, 'paused')).toBe(false);
    expect(await call(c().controller, 'owner')).toBe(h.owner.address);
    expect(await call(c().token, 'totalSupply')).toBe(LPT(10_000_000));
    expect(await call(c().token, 'hasRole', id('MINTER_ROLE'), c().minter.target)).toBe(true);
    expect(await call(c().token, 'hasRole', id('MINTER_ROLE'), h.owner.address)).toBe(false);
  });

  it('AC-02 fundDeposit while paused → system is paused (Pause/Unpause events)', async () => {
    const r = await send(c().controller, h.owner, 'pause');
    expectEvent(r, c().controller, 'Pause()', {});
    await expectRevert(send(c().ticketBroker, X, 'fundDeposit', [], { value: 1n }), 'system is paused');
    await expectRevert(send(c().bondingManager, O1, 'bond', [1n, O1.address]), 'system is paused');
    const r2 = await send(c().controller, h.owner, 'unpause');
    expectEvent(r2, c().controller, 'Unpause()', {});
  });

  it('AC-03 owner setters from a non-owner → caller must be Controller owner; SetContractInfo event', async () => {
    await expectRevert(send(c().roundsManager, X, 'setRoundLength', [20n]), 'caller must be Controller owner');
    await expectRevert(send(c().bondingManager, X, 'setUnbondingPeriod', [5n]), 'caller must be Controller owner');
    await expectRevert(send(c().ticketBroker, X, 'setUnlockPeriod', [5n]), 'caller must be Controller owner');
    await expectRevert(send(c().minter, X, 'setInflationChange', [5n]), 'caller must be Controller owner');
    const r = await send(c().controller, h.owner, 'setContractInfo', [id('Foo'), X.address, `0x${'11'.repeat(20)}`]);
    expectEvent(r, c().controller, 'SetContractInfo(bytes32,address,bytes20)', {
      id: id('Foo'),
      contractAddress: X.address,
      gitCommitHash: `0x${'11'.repeat(20)}`,
    });
    const p = await send(c().bondingManager, h.owner, 'setUnbondingPeriod', [2n]);
    expectEvent(p, c().bondingManager, 'ParameterUpdate(string)', { param: 'unbondingPeriod' });
    await expectRevert(send(c().bondingManager, h.owner, 'setNumActiveTranscoders', [3n]), 'new max size must be greater than old max size');
  });

  it('AC-04 internal-only functions from an EOA', async () => {
    await expectRevert(send(c().bondingManager, X, 'updateTranscoderWithFees', [O1.address, 1n, 1n]), 'caller must be TicketBroker');
    await expectRevert(send(c().bondingManager, X, 'setCurrentRoundTotalActiveStake'), 'caller must be RoundsManager');
    await expectRevert(send(c().minter, X, 'depositETH', [], { value: 1n }), 'msg.sender not Minter or JobsManager');
    await expectRevert(send(c().minter, X, 'trustedWithdrawETH', [X.address, 1n]), 'msg.sender not BondingManager or JobsManager');
    await expectRevert(send(c().minter, X, 'createReward', [1n, 1n]), 'msg.sender not BondingManager');
    await expectRevert(send(c().minter, X, 'setCurrentRewardTokens'), 'msg.sender not RoundsManager');
    await expectRevert(send(c().bondingManager, X, 'setController', [X.address]), 'caller must be Controller');
  });

  it('AC-05 initializeRound twice; NewRound hash = blockHashForRound ≠ 0', async () => {
    const rm = c().roundsManager;
    const start = await call<bigint>(rm, 'currentRoundStartBlock');
    await mineTo(h.provider, start + 10n);
    const r = await send(rm, X, 'initializeRound');
    const round = await currentRound(h);
    const ev = expectEvent(r, rm, 'NewRound(uint256,bytes32)', { round });
    expect(ev['blockHash']).not.toBe(`0x${'00'.repeat(32)}`);
    expect(await call(rm, 'blockHashForRound', round)).toBe(ev['blockHash']);
    const prev = await h.provider.getBlock(r.blockNumber - 1);
    expect(ev['blockHash']).toBe(prev?.hash);
    await expectRevert(send(rm, X, 'initializeRound'), 'round already initialized');
    expect(await call(rm, 'currentRoundInitialized')).toBe(true);
  });

  it('AC-06 round arithmetic across 3 boundaries; skipped round has no hash', async () => {
    const rm = c().roundsManager;
    const L = await call<bigint>(rm, 'roundLength');
    const baseRound = await call<bigint>(rm, 'lastRoundLengthUpdateRound');
    const baseStart = await call<bigint>(rm, 'lastRoundLengthUpdateStartBlock');
    const r0 = await currentRound(h);
    const s0 = await call<bigint>(rm, 'currentRoundStartBlock');
    for (let i = 1n; i <= 3n; i++) {
      await mineTo(h.provider, s0 + i * L + 3n);
      const bn = BigInt(await h.provider.getBlockNumber());
      expect(await call(rm, 'blockNum')).toBe(bn);
      const q = (bn - baseStart) / L;
      expect(await currentRound(h)).toBe(baseRound + q);
      expect(await currentRound(h)).toBe(r0 + i);
      expect(await call(rm, 'currentRoundStartBlock')).toBe(baseStart + q * L);
      expect(await call(rm, 'currentRoundInitialized')).toBe(false);
    }
    await send(rm, X, 'initializeRound');
    expect(await call(rm, 'blockHashForRound', r0 + 1n)).toBe(`0x${'00'.repeat(32)}`);
    expect(await call(rm, 'blockHashForRound', r0 + 2n)).toBe(`0x${'00'.repeat(32)}`);
    expect(await call(rm, 'blockHashForRound', r0 + 3n)).not.toBe(`0x${'00'.repeat(32)}`);
    const bn = BigInt(await h.provider.getBlockNumber());
    await expectRevert(call(rm, 'blockHash', bn + 5n), 'can only retrieve past block hashes');
  });

  it('AC-07 transcoder() in the lock window', async () => {
    await bond(O1, LPT(100));
    await mineToLock(h);
    expect(await call(c().roundsManager, 'currentRoundLocked')).toBe(false);
    // estimateGas runs on the pending block = the round's last block
    await expectRevert(send(c().bondingManager, O1, 'transcoder', [1n, 1n]), "can't update transcoder params, current round is locked");
    await h.provider.send('anvil_mine', ['0x1']);
    expect(await call(c().roundsManager, 'currentRoundLocked')).toBe(true);
  });

  it('AC-08 initializeRound effects: total bonded and reward tokens', async () => {
    await bond(O1, LPT(300));
    const nextTotal = await call<bigint>(c().bondingManager, 'nextRoundTotalActiveStake');
    expect(nextTotal).toBe(LPT(300));
    const m = c().minter;
    const inflation = await call<bigint>(m, 'inflation');
    const change = await call<bigint>(m, 'inflationChange');
    const supply = await call<bigint>(c().token, 'totalSupply');
    const rm = c().roundsManager;
    const start = await call<bigint>(rm, 'currentRoundStartBlock');
    await mineTo(h.provider, start + 10n);
    const r = await send(rm, X, 'initializeRound');
    expect(await call(c().bondingManager, 'getTotalBonded')).toBe(nextTotal);
    // bonding rate 300 / 10M < 50 % target → inflation grows by inflationChange
    const newInflation = inflation + change;
    expectEvent(r, m, 'SetCurrentRewardTokens(uint256,uint256)', {
      currentMintableTokens: (supply * newInflation) / 1_000_000_000n,
      currentInflation: newInflation,
    });
    expect(await call(m, 'currentMintableTokens')).toBe((supply * newInflation) / 1_000_000_000n);
    expect(await call(m, 'currentMintedTokens')).toBe(0n);
  });

  it('AC-10 self-bond + transcoder(): activation next round', async () => {
    const R = await currentRound(h);
    const r = await bond(O1, LPT(100));
    expectEvent(r, c().bondingManager, 'TranscoderActivated(address,uint256)', { transcoder: O1.address, activationRound: R + 1n });
    expectEvent(r, c().bondingManager, 'Bond(address,address,address,uint256,uint256)', {
      newDelegate: O1.address,
      oldDelegate: ZeroAddress,
      delegator: O1.address,
      additionalAmount: LPT(100),
      bondedAmount: LPT(100),
    });
    const t = await send(c().bondingManager, O1, 'transcoder', [100000n, 500000n]);
    expectEvent(t, c().bondingManager, 'TranscoderUpdate(address,uint256,uint256)', { transcoder: O1.address, rewardCut: 100000n, feeShare: 500000n });
    expect(eventsOf(t, c().bondingManager, 'TranscoderActivated(address,uint256)')).toHaveLength(0);
    expect(await call(c().bondingManager, 'transcoderStatus', O1.address)).toBe(1n);
    expect(await call(c().bondingManager, 'isActiveTranscoder', O1.address)).toBe(false);
    expect(await call(c().bondingManager, 'delegatorStatus', O1.address)).toBe(0n);
    expect(await pool()).toEqual([O1.address]);
    await nextRound(h);
    expect(await call(c().bondingManager, 'isActiveTranscoder', O1.address)).toBe(true);
    expect(await call(c().bondingManager, 'delegatorStatus', O1.address)).toBe(1n);
    expect(await call(c().bondingManager, 'getTotalBonded')).toBe(LPT(100));
    const tr = await call<bigint[]>(c().bondingManager, 'getTranscoder', O1.address);
    expect([tr[1], tr[2], tr[4], tr[5]]).toEqual([100000n, 500000n, R + 1n, MAX_ROUND]);
  });

  it('AC-11 pool order 300 → 200 → 100', async () => {
    await bond(O3, LPT(100));
    await bond(O1, LPT(300));
    await bond(O2, LPT(200));
    expect(await pool()).toEqual([O1.address, O2.address, O3.address]);
    expect(await call(c().bondingManager, 'getTranscoderPoolSize')).toBe(3n);
    expect(await call(c().bondingManager, 'getTranscoderPoolMaxSize')).toBe(3n);
    expect(await call(c().bondingManager, 'getNextTranscoderInPool', O3.address)).toBe(ZeroAddress);
  });

  it('AC-12 full pool: equal stake does not evict, greater stake evicts the tail', async () => {
    await bond(O1, LPT(300));
    await bond(O2, LPT(200));
    await bond(O3, LPT(100));
    await nextRound(h);
    const R = await currentRound(h);
    const first = await bond(N, LPT(100));
    expect(eventsOf(first, c().bondingManager, 'TranscoderActivated(address,uint256)')).toHaveLength(0);
    expect(eventsOf(first, c().bondingManager, 'TranscoderDeactivated(address,uint256)')).toHaveLength(0);
    expect(await pool()).toEqual([O1.address, O2.address, O3.address]);
    const second = await bond(N, LPT(50));
    expectEvent(second, c().bondingManager, 'TranscoderDeactivated(address,uint256)', { transcoder: O3.address, deactivationRound: R + 1n });
    expectEvent(second, c().bondingManager, 'TranscoderActivated(address,uint256)', { transcoder: N.address, activationRound: R + 1n });
    expect(await pool()).toEqual([O1.address, O2.address, N.address]);
    expect(await call(c().bondingManager, 'isActiveTranscoder', O3.address)).toBe(true);
    await nextRound(h);
    expect(await call(c().bondingManager, 'isActiveTranscoder', O3.address)).toBe(false);
    expect(await call(c().bondingManager, 'isActiveTranscoder', N.address)).toBe(true);
    expect(await call(c().bondingManager, 'getTotalBonded')).toBe(LPT(650));
  });

  it('AC-13 reward amount, second call, inactive caller', async () => {
    await bond(O1, LPT(300));
    await bond(O2, LPT(100));
    await send(c().bondingManager, O1, 'transcoder', [100000n, 500000n]);
    await nextRound(h);
    const R = await currentRound(h);
    const mintable = await call<bigint>(c().minter, 'currentMintableTokens');
    const total = await call<bigint>(c().bondingManager, 'getTotalBonded');
    const S = (await call<bigint[]>(c().bondingManager, 'getTranscoderEarningsPoolForRound', O1.address, R))[0] as bigint;
    expect(S).toBe(LPT(300));
    const amt = (mintable * ((S * 1_000_000_000n) / total)) / 1_000_000_000n;
    const r = await send(c().bondingManager, O1, 'rewardWithHint', [ZeroAddress, ZeroAddress]);
    expectEvent(r, c().bondingManager, 'Reward(address,uint256)', { transcoder: O1.address, amount: amt });
    expect(await call(c().minter, 'currentMintedTokens')).toBe(amt);
    expect(await call(c().bondingManager, 'transcoderTotalStake', O1.address)).toBe(LPT(300) + amt);
    expect(await call(c().bondingManager, 'pendingStake', O1.address, R)).toBe(LPT(300) + amt);
    await expectRevert(send(c().bondingManager, O1, 'reward'), 'caller has already called reward for the current round');
    await expectRevert(send(c().bondingManager, X, 'reward'), 'caller must be an active transcoder');
    // earnings claim books the reward
    await nextRound(h);
    const claim = await send(c().bondingManager, O1, 'claimEarnings', [0n]);
    expectEvent(claim, c().bondingManager, 'EarningsClaimed(address,address,uint256,uint256,uint256,uint256)', {
      delegate: O1.address,
      delegator: O1.address,
      rewards: amt,
      fees: 0n,
      endRound: R + 1n,
    });
  });

  it('AC-14 unbond, withdraw timing', async () => {
    await bond(O1, LPT(100));
    await nextRound(h);
    const R = await currentRound(h);
    const u = await send(c().bondingManager, O1, 'unbond', [LPT(10)]);
    expectEvent(u, c().bondingManager, 'Unbond(address,address,uint256,uint256,uint256)', {
      delegate: O1.address,
      delegator: O1.address,
      unbondingLockId: 0n,
      amount: LPT(10),
      withdrawRound: R + 2n,
    });
    expect(await call(c().bondingManager, 'getDelegatorUnbondingLock', O1.address, 0n)).toEqual([LPT(10), R + 2n]);
    await nextRound(h);
    await expectRevert(send(c().bondingManager, O1, 'withdrawStake', [0n]), 'withdraw round must be before or equal to the current round');
    await nextRound(h);
    const before = await call<bigint>(c().token, 'balanceOf', O1.address);
    const w = await send(c().bondingManager, O1, 'withdrawStake', [0n]);
    expectEvent(w, c().bondingManager, 'WithdrawStake(address,uint256,uint256,uint256)', {
      delegator: O1.address,
      unbondingLockId: 0n,
      amount: LPT(10),
      withdrawRound: R + 2n,
    });
    expect(await call(c().token, 'balanceOf', O1.address)).toBe(before + LPT(10));
    await expectRevert(send(c().bondingManager, O1, 'withdrawStake', [0n]), 'invalid unbonding lock ID');
  });

  it('AC-15 full unbond resigns; rebondFromUnbonded re-activates', async () => {
    await bond(O1, LPT(100));
    await bond(O2, LPT(50));
    await nextRound(h);
    const R = await currentRound(h);
    const u = await send(c().bondingManager, O1, 'unbond', [LPT(100)]);
    expectEvent(u, c().bondingManager, 'TranscoderDeactivated(address,uint256)', { transcoder: O1.address, deactivationRound: R + 1n });
    expect(await call(c().bondingManager, 'getTranscoderPoolSize')).toBe(1n);
    expect(await call(c().bondingManager, 'delegatorStatus', O1.address)).toBe(2n);
    await expectRevert(send(c().bondingManager, O1, 'rebond', [0n]), 'caller must be bonded');
    await expectRevert(send(c().bondingManager, O2, 'rebondFromUnbonded', [O2.address, 0n]), 'caller must be unbonded');
    const rb = await send(c().bondingManager, O1, 'rebondFromUnbonded', [O1.address, 0n]);
    expectEvent(rb, c().bondingManager, 'Rebond(address,address,uint256,uint256)', {
      delegate: O1.address,
      delegator: O1.address,
      unbondingLockId: 0n,
      amount: LPT(100),
    });
    expectEvent(rb, c().bondingManager, 'TranscoderActivated(address,uint256)', { transcoder: O1.address, activationRound: R + 1n });
    expect(await call(c().bondingManager, 'getTranscoderPoolSize')).toBe(2n);
  });

  it('AC-15b partial unbond then rebond; revert texts of bond/unbond', async () => {
    await bond(O1, LPT(100));
    await nextRound(h);
    await expectRevert(send(c().bondingManager, O1, 'unbond', [0n]), 'unbond amount must be greater than 0');
    await expectRevert(send(c().bondingManager, O1, 'unbond', [LPT(101)]), 'amount is greater than bonded amount');
    await expectRevert(send(c().bondingManager, X, 'unbond', [1n]), 'caller must be bonded');
    await expectRevert(send(c().bondingManager, X, 'bond', [0n, O1.address]), 'delegation amount must be greater than 0');
    await send(c().bondingManager, O1, 'unbond', [LPT(10)]);
    await expectRevert(send(c().bondingManager, O1, 'rebond', [5n]), 'invalid unbonding lock ID');
    const rb = await send(c().bondingManager, O1, 'rebondWithHint', [0n, ZeroAddress, ZeroAddress]);
    expectEvent(rb, c().bondingManager, 'Rebond(address,address,uint256,uint256)', { delegator: O1.address, amount: LPT(10) });
    expect(await call(c().bondingManager, 'transcoderTotalStake', O1.address)).toBe(LPT(100));
    await bond(O2, LPT(10));
    await expectRevert(bond(O1, LPT(1), O2.address), "registered transcoders can't delegate towards other addresses");
  });

  it('AC-50 service registries', async () => {
    const uri = 'https://127.0.0.1:8935';
    const r = await send(c().serviceRegistry, O1, 'setServiceURI', [uri]);
    expectEvent(r, c().serviceRegistry, 'ServiceURIUpdate(address,string)', { addr: O1.address, serviceURI: uri });
    expect(await call(c().serviceRegistry, 'getServiceURI', O1.address)).toBe(uri);
    expect(await call(c().serviceRegistry, 'getServiceURI', X.address)).toBe('');
    expect(await call(c().aiServiceRegistry, 'getServiceURI', O1.address)).toBe('');
    await send(c().aiServiceRegistry, O1, 'setServiceURI', ['https://ai:1']);
    expect(await call(c().aiServiceRegistry, 'getServiceURI', O1.address)).toBe('https://ai:1');
    expect(await call(c().serviceRegistry, 'getServiceURI', O1.address)).toBe(uri);
  });

  it('deployer helper registerOrchestrator (steps 15–16)', async () => {
    const R = await currentRound(h);
    const receipts = await registerOrchestrator(h.devnet, O1, { stake: LPT(100), rewardCut: 0n, feeShare: 1_000_000n, serviceURI: 'https://o1:8935' });
    expectEvent(receipts[1] as TransactionReceipt, c().bondingManager, 'TranscoderActivated(address,uint256)', { transcoder: O1.address, activationRound: R + 1n });
    await nextRound(h);
    expect(await call(c().bondingManager, 'isActiveTranscoder', O1.address)).toBe(true);
  });
});
