import { ChainStateKeys, SettlementCommands, SettlementEvents, chainStateBucket, zChainState, zSenderState, zTranscoderState } from '@lpts/protocol';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Wallet } from 'ethers';
import { createApp, type SettlementApp } from './bootstrap';
import { ETH, startHarness, waitFor, type Harness } from './spec/harness.test';

jest.setTimeout(60_000);

describe('settlement (anvil + NATS + Redis AOF + PGlite)', () => {
  let h: Harness;
  let app: SettlementApp;
  let nc: NatsConnection;
  let rpc: NatsRpcClient;

  beforeAll(async () => {
    h = await startHarness();
    app = await createApp(h.env());
    nc = await connectNats(h.nats.url, 'spec');
    rpc = new NatsRpcClient(nc, h.prefix, 30_000);
  });
  afterAll(async () => {
    if (nc) await drainNats(nc);
    await app?.close();
    await h?.stop();
  });

  it('answers ping', async () => {
    const r = await rpc.request(SettlementCommands.ping, {});
    expect(r.service).toBe('settlement');
  });

  it('redeems N winning tickets exactly once; fees on chain equal the face values', async () => {
    const bm = h.devnet.contracts.bondingManager;
    const feesBefore = (await bm.getFunction('pendingFees')(h.orchestrator.address, 0n)) as bigint;
    const start = await h.blockNumber();
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await h.ticket({ faceValue: ETH(0.01) * BigInt(i + 1) }));
    for (const t of tickets) await h.enqueue(t);
    await h.enqueue(tickets[0] as (typeof tickets)[number]); // a duplicate add is a no-op (job id = hash)
    await waitFor('5 redemptions', async () => (await app.core.ledger.countByState())['redeemed'] === 5, 30_000);
    const transfers = await h.transfers(Number(start));
    expect(transfers).toHaveLength(5);
    const sum = tickets.reduce((a, t) => a + BigInt(t.faceValue), 0n);
    expect(transfers.reduce((a, t) => a + t.amount, 0n)).toBe(sum);
    const feesAfter = (await bm.getFunction('pendingFees')(h.orchestrator.address, 0n)) as bigint;
    // Self-delegated orchestrator: it receives every fee; only the fee-factor rounding (a few wei per ticket) is lost.
    expect(sum - (feesAfter - feesBefore)).toBeGreaterThanOrEqual(0n);
    expect(sum - (feesAfter - feesBefore)).toBeLessThanOrEqual(50n);
    for (const t of tickets) {
      const row = await app.core.ledger.get(t.ticketHash);
      expect(row?.state).toBe('redeemed');
      expect(row?.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(row?.attempts).toBe(1);
      const states = (await app.core.ledger.events(t.ticketHash)).map((e) => e.state);
      expect(states[0]).toBe('queued');
      expect(states.slice(-2)).toEqual(['submitting', 'redeemed']);
    }
    const list = await rpc.request(SettlementCommands.redemptions, { state: 'redeemed', limit: 10 });
    expect(list.tickets).toHaveLength(5);
    const metrics = await (await fetch(`http://127.0.0.1:${app.runtime.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/lpts_settlement_redemptions_total\{[^}]*state="redeemed"/);
  });

  it('waits for params expiry, skips an under-funded ticket with the numbers and redeems it after a top-up', async () => {
    const poor = new Wallet(h.anvil.accounts[3]?.privateKey as string, h.devnet.provider);
    await h.devnet.contracts.ticketBroker.connect(poor).getFunction('fundDeposit')({ value: ETH(0.01) }).then((tx) => tx.wait());
    const t = await h.ticket({ sender: poor, faceValue: ETH(0.05), paramsExpirationBlock: (await h.blockNumber()) + 3n });
    await h.enqueue(t);
    await waitFor('waiting-expiry', async () => (await app.core.ledger.get(t.ticketHash))?.state === 'waiting-expiry');
    await h.mine(3);
    const skipped = await waitFor('skipped', async () => {
      const r = await app.core.ledger.get(t.ticketHash);
      return r?.state === 'skipped' && r.reason?.includes('insufficient') ? r : undefined;
    });
    expect(skipped.reason).toContain('insufficient sender funds');
    expect(skipped.reason).toContain(`faceValue ${ETH(0.05)}`);
    expect(skipped.reason).toContain(`deposit ${ETH(0.01)}`);
    await h.mine(1);
    await new Promise((r) => setTimeout(r, 600));
    expect((await app.core.ledger.get(t.ticketHash))?.state).toBe('skipped'); // retried each block, still short
    expect((await app.core.ledger.get(t.ticketHash))?.attempts).toBe(0);
    await h.devnet.contracts.ticketBroker.connect(poor).getFunction('fundDeposit')({ value: ETH(0.1) }).then((tx) => tx.wait());
    await waitFor('redeemed after top-up', async () => (await app.core.ledger.get(t.ticketHash))?.state === 'redeemed');
    const events = await app.core.ledger.events(t.ticketHash);
    const states = events.map((e) => e.state);
    expect(states.slice(0, 2)).toEqual(['queued', 'waiting-expiry']);
    expect(states.slice(-2)).toEqual(['submitting', 'redeemed']);
    expect(events.some((e) => e.state === 'skipped' && e.reason?.includes('insufficient sender funds'))).toBe(true);
  });

  it('fails an expired ticket for good and never submits a used one', async () => {
    const used = await h.ticket();
    // Someone else (here: the orchestrator key outside settlement) redeems it first.
    await h.roundReady();
    const tb = h.devnet.contracts.ticketBroker.connect(h.orchestrator);
    const aux = '0x' + BigInt(used.creationRound).toString(16).padStart(64, '0') + used.creationRoundBlockHash.slice(2);
    await tb
      .getFunction('redeemWinningTicket')(
        [used.recipient, used.sender, used.faceValue, used.winProb, used.senderNonce, used.recipientRandHash, aux],
        used.sig,
        used.recipientRand,
      )
      .then((tx) => tx.wait());
    await h.enqueue(used);
    const row = await waitFor('failed used', async () => {
      const r = await app.core.ledger.get(used.ticketHash);
      return r?.state === 'failed' ? r : undefined;
    });
    expect(row.reason).toBe('ticket already used');
    expect(row.attempts).toBe(0);
  });

  it('publishes chain state into the KV bucket and events on a new round', async () => {
    const kv = await new Kvm(nc).open(chainStateBucket(h.prefix));
    await h.roundReady();
    const latest = await waitFor('initialised round in KV', async () => {
      const s = zChainState.parse((await kv.get(ChainStateKeys.latest))?.json());
      return s.currentRoundInitialized ? s : undefined;
    });
    expect(latest.activePoolSize).toBe(1);
    expect(latest.expirationParams.creationRoundBlockHash).not.toBe(`0x${'00'.repeat(32)}`);
    const tr = zTranscoderState.parse((await kv.get(ChainStateKeys.transcoder(h.orchestrator.address)))?.json());
    expect(tr).toMatchObject({ registered: true, active: true, serviceUri: 'https://127.0.0.1:8935' });
    const snd = zSenderState.parse((await kv.get(ChainStateKeys.sender(h.sender.address)))?.json());
    expect(BigInt(snd.deposit)).toBeGreaterThan(0n);
    expect(snd.pendingAmount).toBe('0');

    const rounds: unknown[] = [];
    const sub = nc.subscribe(SettlementEvents.round.subject(h.prefix), { callback: (_e, m) => void rounds.push(m.json()) });
    const before = BigInt(latest.lastInitializedRound);
    await h.mine(Number(latest.roundLength));
    // settlement initialises the round itself (SETTLEMENT_INIT_ROUNDS=true, no delay)
    await waitFor('round event', async () => rounds.length > 0);
    sub.unsubscribe();
    expect(rounds[0]).toMatchObject({ round: (before + 1n).toString() });
    const state = await rpc.request(SettlementCommands.state, {});
    expect(state.lastInitializedRound).toBe((before + 1n).toString());
    const again = await waitFor('kv updated', async () => {
      const s = zChainState.parse((await kv.get(ChainStateKeys.latest))?.json());
      return s.lastInitializedRound === (before + 1n).toString() ? s : undefined;
    });
    expect(again.currentRoundInitialized).toBe(true);
  });

  it('runs the funding, unlock, withdraw, bond, transcoder and service-URI commands over NATS', async () => {
    const me = h.orchestrator.address;
    const tb = h.devnet.contracts.ticketBroker;
    await rpc.request(SettlementCommands.fund, { deposit: ETH(1).toString(), reserve: ETH(0.5).toString() });
    let s = await rpc.request(SettlementCommands.sender, { sender: me });
    expect(s.deposit).toBe(ETH(1).toString());
    await rpc.request(SettlementCommands.unlock, {});
    expect(await tb.getFunction('isUnlockInProgress')(me)).toBe(true);
    await rpc.request(SettlementCommands.cancelUnlock, {});
    expect(await tb.getFunction('isUnlockInProgress')(me)).toBe(false);
    await rpc.request(SettlementCommands.unlock, {});
    const withdrawRound = ((await tb.getFunction('getSenderInfo')(me)) as [[bigint, bigint]])[0][1];
    const rm = h.devnet.contracts.roundsManager;
    const len = (await rm.getFunction('roundLength')()) as bigint;
    while (((await rm.getFunction('currentRound')()) as bigint) < withdrawRound) {
      await h.mine(Number(len));
      await h.roundReady();
    }
    const balBefore = await h.devnet.provider.getBalance(me);
    await rpc.request(SettlementCommands.withdraw, {});
    expect(await h.devnet.provider.getBalance(me)).toBeGreaterThan(balBefore + ETH(1.4));
    s = await rpc.request(SettlementCommands.sender, { sender: me });
    await waitFor('sender refreshed', async () => (await rpc.request(SettlementCommands.sender, { sender: me })).deposit === '0');

    const bm = h.devnet.contracts.bondingManager;
    await h.roundReady();
    const stakeBefore = ((await bm.getFunction('getDelegator')(me)) as bigint[])[0] as bigint;
    await rpc.request(SettlementCommands.bond, { amount: ETH(10).toString() });
    expect(((await bm.getFunction('getDelegator')(me)) as bigint[])[0]).toBe(stakeBefore + ETH(10));
    // An active transcoder must call reward in the round before changing its parameters (rounds are 10 blocks here).
    for (let i = 0; ; i++) {
      try {
        await h.roundReady();
        const r = await rpc.request(SettlementCommands.reward, {}).catch((e: Error) => e);
        if (r instanceof Error) expect(r.message).toContain('already called reward');
        else expect(r.txHash).toMatch(/^0x/);
        await rpc.request(SettlementCommands.setTranscoder, { rewardCut: '100000', feeShare: '900000' });
        break;
      } catch (e) {
        if (i >= 6) throw e;
        await h.mine(2); // the last block of a round is locked: move on
      }
    }
    const t = (await bm.getFunction('getTranscoder')(me)) as bigint[];
    expect([t[1], t[2]]).toEqual([100000n, 900000n]);
    await rpc.request(SettlementCommands.setServiceUri, { uri: 'https://o.example:8935' });
    expect(await h.devnet.contracts.serviceRegistry.getFunction('getServiceURI')(me)).toBe('https://o.example:8935');
  });

  it('answers a failing write with a typed chain error carrying the revert reason', async () => {
    const err = await rpc.request(SettlementCommands.cancelUnlock, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(JSON.stringify(err) + String((err as Error).message)).toMatch(/REVERTED|not in progress|reverted/i);
  });
});
