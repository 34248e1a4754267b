import { RAT_ZERO, ratAdd, ratCmp, ratSub, type Rational } from '@lpts/pm';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import {
  RecipientBrokerCommands as R,
  SenderBrokerCommands as S,
  decodePaymentHeader,
  encodePaymentHeader,
  isLptsError,
  redemptionQueueName,
  type LptsError,
} from '@lpts/protocol';
import { startNats, startRedis, uniquePrefix, type StartedNats, type StartedRedis } from '@lpts/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { TicketBrokerApp } from './bootstrap';
import { ratFromJson, ratToJson } from './common/rational-json';
import {
  ChainStateWriter,
  O_ADDRESS,
  chainState,
  eventually,
  orchestratorInfo,
  recipientApp,
  senderApp,
  senderState,
  transcoderState,
  writeKeystore,
} from './test-support/broker-fixture';

jest.setTimeout(60_000);

const PRICE = { pricePerUnit: 1000n, pixelsPerUnit: 1n };
const PRICE_JSON = { pricePerUnit: '1000', pixelsPerUnit: '1' };
/** One work unit: 10^7 pixels at 1000 wei/pixel = 10^10 wei (≈ 1.25 tickets of EV 8·10^9). */
const UNIT_FEE: Rational = { num: 10_000_000_000n, den: 1n };

async function rejection(p: Promise<unknown>): Promise<LptsError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isLptsError(e)) throw new Error(`expected a typed error, got ${String(e)}`);
  return e;
}

describe('ticket-broker payments: sender broker ↔ recipient broker over NATS (real nats-server + redis-server)', () => {
  let nats: StartedNats;
  let redisServer: StartedRedis;
  let nc: NatsConnection;
  let rpc: NatsRpcClient;
  let chain: ChainStateWriter;
  let recipientA: TicketBrokerApp;
  let recipientB: TicketBrokerApp;
  let sender: TicketBrokerApp;
  let ks: Awaited<ReturnType<typeof writeKeystore>>;
  let queue: Queue;
  let redis: Redis;
  const prefix = uniquePrefix('tbpay');
  let S_ADDR: string;

  const quote = (sender = S_ADDR, price = PRICE_JSON) => rpc.request(R.quoteParams, { sender, price });
  const pay = async (session: string, fee: Rational = UNIT_FEE, price = PRICE) => {
    const q = await quote();
    return rpc.request(S.createPayment, { orchestratorInfo: orchestratorInfo(q, price), session, feeEstimate: ratToJson(fee) });
  };
  const balanceOf = async (session: string, who = S_ADDR) => ratFromJson((await rpc.request(R.balance, { sender: who, session })).balance);
  const waiting = () => queue.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');

  beforeAll(async () => {
    nats = await startNats();
    redisServer = await startRedis({ appendonly: true });
    nc = await connectNats(nats.url, 'spec');
    rpc = new NatsRpcClient(nc, prefix, 10_000);
    ks = await writeKeystore();
    S_ADDR = ks.address;
    chain = await ChainStateWriter.open(nc, prefix);
    await chain.latest(chainState());
    await chain.sender(senderState(S_ADDR));
    await chain.transcoder(transcoderState(O_ADDRESS));
    [recipientA, recipientB, sender] = await Promise.all([
      recipientApp(nats.url, redisServer.url, prefix, 'rA', { BROKER_REDIS_TIMEOUT_MS: '1000' }),
      recipientApp(nats.url, redisServer.url, prefix, 'rB', { BROKER_REDIS_TIMEOUT_MS: '1000' }),
      senderApp(nats.url, redisServer.url, prefix, 'snd', ks),
    ]);
    for (const b of [recipientA, recipientB, sender]) await eventually(() => b.parts.chain.snapshot().senderState(S_ADDR) !== undefined);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    queue = new Queue(redemptionQueueName(prefix), { connection: redis });
    queue.on('error', () => undefined); // the last specs stop Redis on purpose
  });

  afterAll(async () => {
    redis?.disconnect();
    await Promise.all([recipientA?.close(), recipientB?.close(), sender?.close()]);
    await drainNats(nc);
    await redisServer?.stop();
    await nats?.stop();
    ks?.cleanup();
  });

  it('/readyz waits for chain state; both replicas share one recipient secret', async () => {
    const ready = await fetch(`http://127.0.0.1:${recipientA.runtime.opsPort}/readyz`);
    expect(ready.status).toBe(200);
    const a = recipientA.parts.recipient?.secret.hmac(new Uint8Array([1]));
    const b = recipientB.parts.recipient?.secret.hmac(new Uint8Array([1]));
    expect(Buffer.from(a as Uint8Array).equals(Buffer.from(b as Uint8Array))).toBe(true);
  });

  it('quotes params from live gas price and max float; answers max float', async () => {
    const q = await quote();
    // txCost = 1.2M gas × 1 wei < EV → faceValue = EV × 100; winProb = 1/100
    expect(q.ticketParams).toMatchObject({ recipient: O_ADDRESS, faceValue: '800000000000', expirationBlock: '1040' });
    expect(q.ticketParams.expirationParams).toEqual({ creationRound: '100', creationRoundBlockHash: '0x' + '09'.repeat(32) });
    const mf = await rpc.request(R.maxFloat, { sender: S_ADDR });
    expect(mf).toEqual({ maxFloat: String(10n ** 18n), reserveAlloc: String(10n ** 18n), pendingAmount: '0', deposit: String(10n ** 18n) });
  });

  it('pays for 1,000 work units: every winner is queued before its reply, and both sides agree on the balance to the wei fraction', async () => {
    const session = 'happy';
    let winners = 0;
    let tickets = 0;
    let lastReceived: Rational = RAT_ZERO;
    for (let unit = 0; unit < 1000; unit++) {
      const created = await pay(session);
      tickets += created.numTickets;
      const got = await rpc.request(R.receivePayment, { payment: created.payment, session });
      expect(got.error).toBeUndefined();
      expect(got.creditedTickets).toBe(created.numTickets);
      if (got.winners > 0) {
        winners += got.winners;
        expect(await waiting()).toBe(winners); // durable before the reply
      }
      const debited = await rpc.request(R.debit, { sender: S_ADDR, session, amount: ratToJson(UNIT_FEE) });
      lastReceived = ratFromJson(debited.balance);
      await rpc.request(S.settle, { recipient: O_ADDRESS, session, staged: created.staged, outcome: 'completed', debit: ratToJson(UNIT_FEE) });
    }
    const senderSide = ratFromJson((await rpc.request(S.settle, { recipient: O_ADDRESS, session, staged: ratToJson(RAT_ZERO), outcome: 'not-sent', debit: ratToJson(RAT_ZERO) })).balance);
    expect(ratCmp(senderSide, lastReceived)).toBe(0);
    expect(ratCmp(lastReceived, RAT_ZERO)).toBeGreaterThanOrEqual(0);
    expect(tickets).toBeGreaterThanOrEqual(1250);
    expect(winners).toBeGreaterThan(0); // winProb 1/100 over ≥ 1250 tickets
    const job = (await queue.getJobs(['waiting']))[0];
    expect(job?.name).toBe('redeem');
    expect(job?.id).toBe(job?.data.ticketHash);
    expect(job?.data).toMatchObject({ recipient: O_ADDRESS, sender: S_ADDR, faceValue: '800000000000' });
  });

  describe('every bad variant is refused with its own code and credits nothing', () => {
    const fresh = async (session: string) => {
      const created = await pay(session);
      return { created, p: decodePaymentHeader(created.payment) };
    };
    const expectRefused = async (session: string, payment: string, code: string) => {
      const got = await rpc.request(R.receivePayment, { payment, session });
      expect(got.error?.code).toBe(code);
      expect(got.credited.num).toBe('0');
      expect(await rpc.request(R.balance, { sender: S_ADDR, session }).then((b) => b.balance.num)).toBe('0');
      return got;
    };

    it('replayed payment → NONCE_ALREADY_SEEN with Livepeer text', async () => {
      const { created } = await fresh('replay');
      const first = await rpc.request(R.receivePayment, { payment: created.payment, session: 'replay-1' });
      expect(first.creditedTickets).toBe(created.numTickets);
      const again = await expectRefused('replay-2', created.payment, 'NONCE_ALREADY_SEEN');
      expect(again.error?.message).toMatch(/^invalid ticket senderNonce: already seen sender=0x[0-9a-fA-F]{40} nonce=\d+$/);
    });

    it('forged signature → INVALID_SIGNATURE', async () => {
      const { p } = await fresh('forged');
      const sig = p.ticketSenderParams[0]?.sig as Uint8Array;
      sig[10] = (sig[10] as number) ^ 0xff;
      const got = await expectRefused('forged', encodePaymentHeader(p), 'INVALID_SIGNATURE');
      expect(got.error?.message).toBe('invalid ticket signature');
    });

    it('tampered faceValue or expected price → INVALID_RECIPIENT_RAND (fatal)', async () => {
      const a = await fresh('tamper-fv');
      (a.p.ticketParams as { faceValue: Uint8Array }).faceValue = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
      await expectRefused('tamper-fv', encodePaymentHeader(a.p), 'INVALID_RECIPIENT_RAND');
      const b = await fresh('tamper-price');
      (b.p.expectedPrice as { pricePerUnit: bigint }).pricePerUnit = 1n;
      const got = await expectRefused('tamper-price', encodePaymentHeader(b.p), 'INVALID_RECIPIENT_RAND');
      expect(got.error?.message).toBe('invalid recipientRand for ticket recipientRandHash');
    });

    it('tickets naming another (inactive) recipient → RECIPIENT_INACTIVE; missing sender → MISSING_SENDER; no price → INVALID_EXPECTED_PRICE', async () => {
      const a = await fresh('tamper-recipient');
      (a.p.ticketParams as { recipient: Uint8Array }).recipient = new Uint8Array(20).fill(0x42);
      const r = await expectRefused('tamper-recipient', encodePaymentHeader(a.p), 'RECIPIENT_INACTIVE');
      expect(r.error?.message).toBe('orchestrator 0x4242424242424242424242424242424242424242 is inactive in round 100, cannot process payments');
      const b = await fresh('no-sender');
      b.p.sender = new Uint8Array(0);
      await expectRefused('no-sender', encodePaymentHeader(b.p), 'MISSING_SENDER');
      const c = await fresh('no-price');
      c.p.expectedPrice = undefined;
      const e = await expectRefused('no-price', encodePaymentHeader(c.p), 'INVALID_EXPECTED_PRICE');
      expect(e.error?.message).toBe('invalid expected price sent with payment err="expected price is nil"');
    });

    it('expired params: the recipient refuses PARAMS_EXPIRED, the sender asks for a refresh (retryable) instead of paying', async () => {
      const q = await quote();
      const created = await rpc.request(S.createPayment, { orchestratorInfo: orchestratorInfo(q, PRICE), session: 'expired', feeEstimate: ratToJson(UNIT_FEE) });
      await chain.latest(chainState({ l1BlockNumber: '1040' }));
      try {
        for (const b of [recipientA, recipientB, sender]) await eventually(() => b.parts.chain.snapshot().lastSeenL1Block === 1040n);
        const got = await expectRefused('expired', created.payment, 'PARAMS_EXPIRED');
        expect(got.error?.message).toBe('TicketParams expired');
        expect(got.error?.retryable).toBe(true);
        const e = await rejection(rpc.request(S.createPayment, { orchestratorInfo: orchestratorInfo(q, PRICE), session: 'expired', feeEstimate: ratToJson(UNIT_FEE) }));
        expect([e.code, e.message, e.retryable, e.details['side']]).toEqual(['PARAMS_EXPIRED', 'TicketParams expired', true, 'sender']);
      } finally {
        await chain.latest(chainState());
        for (const b of [recipientA, recipientB, sender]) await eventually(() => b.parts.chain.snapshot().lastSeenL1Block === 1000n);
      }
    });

    it('under-funded or unlocking senders: INSUFFICIENT_RESERVE quote, NO_SENDER_DEPOSIT at the sender, SENDER_UNLOCKING / SENDER_INFO_UNAVAILABLE at the recipient', async () => {
      const q = await quote();
      const info = orchestratorInfo(q, PRICE);
      const created = await rpc.request(S.createPayment, { orchestratorInfo: info, session: 'funding', feeEstimate: ratToJson(UNIT_FEE) });
      const all = [recipientA, recipientB, sender];
      try {
        await chain.sender(senderState(S_ADDR, { withdrawRound: '101' }));
        await Promise.all(all.map((b) => eventually(() => b.parts.chain.snapshot().senderState(S_ADDR)?.withdrawRound === '101')));
        const un = await expectRefused('funding', created.payment, 'SENDER_UNLOCKING');
        expect(un.error?.message).toBe(`deposit and reserve for sender ${S_ADDR} is set to unlock soon`);
        const soon = await rejection(rpc.request(S.createPayment, { orchestratorInfo: info, session: 'funding', feeEstimate: ratToJson(UNIT_FEE) }));
        expect(soon.code).toBe('SENDER_UNLOCKING_SOON');

        await chain.sender(senderState(S_ADDR, { deposit: '0', reserve: { fundsRemaining: '1000', claimedInCurrentRound: '0' } }));
        await Promise.all(all.map((b) => eventually(() => b.parts.chain.snapshot().senderState(S_ADDR)?.deposit === '0')));
        const noDeposit = await rejection(rpc.request(S.createPayment, { orchestratorInfo: info, session: 'funding', feeEstimate: ratToJson(UNIT_FEE) }));
        expect([noDeposit.code, noDeposit.message]).toEqual(['NO_SENDER_DEPOSIT', 'no sender deposit']);
        const lowReserve = await rejection(quote());
        expect([lowReserve.code, lowReserve.message]).toEqual(['INSUFFICIENT_RESERVE', 'insufficient sender reserve']);
        expect(lowReserve.details).toMatchObject({ maxFloat: '1000', ev: '8000000000', side: 'recipient' });

        await chain.kv.delete(`sender.${S_ADDR.toLowerCase()}`);
        await Promise.all(all.map((b) => eventually(() => b.parts.chain.snapshot().senderState(S_ADDR) === undefined)));
        await expectRefused('funding', created.payment, 'SENDER_INFO_UNAVAILABLE');
      } finally {
        await chain.sender(senderState(S_ADDR));
        await Promise.all(all.map((b) => eventually(() => b.parts.chain.snapshot().senderState(S_ADDR)?.deposit === String(10n ** 18n))));
      }
    });

    it('the sender refuses a price more than doubled within a session', async () => {
      await pay('doubling', UNIT_FEE, PRICE);
      const q = await quote(S_ADDR, { pricePerUnit: '2001', pixelsPerUnit: '1' });
      const e = await rejection(
        rpc.request(S.createPayment, { orchestratorInfo: orchestratorInfo(q, { pricePerUnit: 2001n, pixelsPerUnit: 1n }), session: 'doubling', feeEstimate: ratToJson(UNIT_FEE) }),
      );
      expect([e.code, e.message]).toEqual([
        'PRICE_MORE_THAN_DOUBLED',
        'Orchestrator price has more than doubled, Orchestrator price: 2001/1, Orchestrator initial price: 1000/1',
      ]);
    });
  });

  it('two replicas on one Redis, the same payment sent 20× concurrently → credited exactly once', async () => {
    const created = await pay('replicas', { num: 10n * UNIT_FEE.num, den: 1n });
    expect(created.numTickets).toBeGreaterThan(5);
    const replies = await Promise.all(Array.from({ length: 20 }, () => rpc.request(R.receivePayment, { payment: created.payment, session: 'replicas' })));
    const credited = replies.filter((r) => r.creditedTickets > 0);
    expect(credited).toHaveLength(1);
    expect(credited[0]?.creditedTickets).toBe(created.numTickets);
    const total = replies.reduce((acc, r) => ratAdd(acc, ratFromJson(r.credited)), RAT_ZERO);
    expect(ratCmp(total, ratFromJson(created.staged))).toBe(0);
    expect(ratCmp(await balanceOf('replicas'), total)).toBe(0);
  });

  it('a Redis restart (AOF on) keeps queued winners, balances and the shared secret', async () => {
    const before = { jobs: await waiting(), balance: await balanceOf('happy') };
    expect(before.jobs).toBeGreaterThan(0);
    await redisServer.restart();
    await eventually(() => balanceOf('happy'));
    expect(await waiting()).toBe(before.jobs);
    expect(ratCmp(await balanceOf('happy'), before.balance)).toBe(0);
    // payments flow again on the same secret
    const created = await pay('after-restart');
    const got = await rpc.request(R.receivePayment, { payment: created.payment, session: 'after-restart' });
    expect(got.error).toBeUndefined();
    expect(got.creditedTickets).toBe(created.numTickets);
  });

  it('Redis unresponsive → the payment is not acknowledged (retryable STATE_UNAVAILABLE) and nothing is credited', async () => {
    const created = await pay('stalled');
    await redis.call('CLIENT', 'PAUSE', '2500', 'ALL');
    const e = await rejection(rpc.request(R.receivePayment, { payment: created.payment, session: 'stalled' }));
    expect([e.code, e.retryable]).toEqual(['STATE_UNAVAILABLE', true]);
    await redis.call('CLIENT', 'UNPAUSE');
    await eventually(async () => (await balanceOf('stalled')).num === 0n);
    expect((await balanceOf('stalled')).num).toBe(0n);
  });

  it('Redis down → the payment is not acknowledged', async () => {
    const created = await pay('down');
    await redisServer.stop();
    const e = await rejection(rpc.request(R.receivePayment, { payment: created.payment, session: 'down' }));
    expect([e.code, e.retryable]).toEqual(['STATE_UNAVAILABLE', true]);
    const ready = await fetch(`http://127.0.0.1:${recipientA.runtime.opsPort}/readyz`);
    expect(ready.status).toBe(503);
  });

  it('balance arithmetic helper sanity (sender settle outcomes)', () => {
    expect(ratCmp(ratSub(UNIT_FEE, UNIT_FEE), RAT_ZERO)).toBe(0);
  });
});
