import { RAT_ZERO, ratAdd, ratCmp, ratMulInt, type Rational } from '@lpts/pm';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import { RecipientBrokerCommands as R, SenderBrokerCommands as S, decodePaymentHeader, isLptsError, type LptsError, type ReplyOf } from '@lpts/protocol';
import { startNats, startRedis, uniquePrefix, type StartedNats, type StartedRedis } from '@lpts/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import type { TicketBrokerApp } from '../bootstrap';
import { ratFromJson, ratToJson } from '../common/rational-json';
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
} from '../test-support/broker-fixture';
import { SenderService } from './sender.service';

jest.setTimeout(60_000);

const PRICE = { pricePerUnit: 1000n, pixelsPerUnit: 1n };
/** One work unit: 10^10 wei ≈ 1.25 tickets of EV 8·10^9, so a unit leaves credit behind. */
const UNIT_FEE: Rational = { num: 10_000_000_000n, den: 1n };

type Created = ReplyOf<typeof S.createPayment>;

async function rejection(p: Promise<unknown>): Promise<LptsError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isLptsError(e)) throw new Error(`expected a typed error, got ${String(e)}`);
  return e;
}

const noncesOf = (c: Created) => decodePaymentHeader(c.payment).ticketSenderParams.map((t) => t.senderNonce);

describe('sender broker state in Redis: survives a restart, shared by replicas of one key (real nats-server + redis-server + recipient broker)', () => {
  let nats: StartedNats;
  let redisServer: StartedRedis;
  let nc: NatsConnection;
  let rpc: NatsRpcClient;
  let chain: ChainStateWriter;
  let recipient: TicketBrokerApp;
  const senders: TicketBrokerApp[] = [];
  let ks: Awaited<ReturnType<typeof writeKeystore>>;
  const prefix = uniquePrefix('tbsnd');
  let S_ADDR: string;

  const startSender = async (instance: string) => {
    const app = await senderApp(nats.url, redisServer.url, prefix, instance, ks);
    senders.push(app);
    await eventually(() => app.parts.chain.snapshot().senderState(S_ADDR) !== undefined);
    return app;
  };
  const stopSender = async (app: TicketBrokerApp) => {
    senders.splice(senders.indexOf(app), 1);
    await app.close();
  };
  const info = async (price = PRICE) => orchestratorInfo(await rpc.request(R.quoteParams, { sender: S_ADDR, price: { pricePerUnit: String(price.pricePerUnit), pixelsPerUnit: String(price.pixelsPerUnit) } }), price);
  const create = (orchestratorInfo: string, session: string, fee: Rational = UNIT_FEE) =>
    rpc.request(S.createPayment, { orchestratorInfo, session, feeEstimate: ratToJson(fee) });
  const receive = (c: Created, session: string) => rpc.request(R.receivePayment, { payment: c.payment, session });
  const settle = (session: string, staged: Rational, outcome: 'completed' | 'not-sent', debit: Rational = RAT_ZERO) =>
    rpc.request(S.settle, { recipient: O_ADDRESS, session, staged: ratToJson(staged), outcome, debit: ratToJson(debit) }).then((r) => ratFromJson(r.balance));

  beforeAll(async () => {
    [nats, redisServer] = await Promise.all([startNats(), startRedis()]);
    nc = await connectNats(nats.url, 'spec');
    rpc = new NatsRpcClient(nc, prefix, 10_000);
    ks = await writeKeystore();
    S_ADDR = ks.address;
    chain = await ChainStateWriter.open(nc, prefix);
    await chain.latest(chainState());
    await chain.sender(senderState(S_ADDR));
    await chain.transcoder(transcoderState(O_ADDRESS));
    recipient = await recipientApp(nats.url, redisServer.url, prefix, 'rcp');
    await eventually(() => recipient.parts.chain.snapshot().senderState(S_ADDR) !== undefined);
    await startSender('snd-1');
  });

  afterAll(async () => {
    await Promise.all([recipient?.close(), ...senders.map((s) => s.close())]);
    await drainNats(nc);
    await redisServer?.stop();
    await nats?.stop();
    ks?.cleanup();
  });

  it('a restarted sender broker continues the nonces of the same ticket params, keeps the credit and the session’s initial price', async () => {
    const params = await info();
    const session = 'restart';
    const before: number[] = [];
    for (let unit = 0; unit < 3; unit++) {
      const c = await create(params, session);
      before.push(...noncesOf(c));
      const got = await receive(c, session);
      expect(got.error).toBeUndefined();
      expect(got.creditedTickets).toBe(c.numTickets);
      await settle(session, ratFromJson(c.staged), 'completed', UNIT_FEE);
    }
    const credit = await settle(session, RAT_ZERO, 'not-sent');
    expect(ratCmp(credit, RAT_ZERO)).toBeGreaterThan(0); // 3 units leave part of a ticket's EV unspent

    await stopSender(senders[0] as TicketBrokerApp);
    await startSender('snd-2');

    const c = await create(params, session); // the SAME OrchestratorInfo (ticket params) as before the restart
    const after = noncesOf(c);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
    const got = await receive(c, session);
    expect(got.error).toBeUndefined(); // no "already seen"
    expect(got.creditedTickets).toBe(c.numTickets);
    // the credit left before the restart was used: staged = that credit + the new tickets' EV
    expect(ratCmp(ratFromJson(c.staged), ratAdd(credit, ratMulInt(ratFromJson(c.ev), BigInt(c.numTickets))))).toBe(0);
    await settle(session, ratFromJson(c.staged), 'not-sent');

    // the session's initial price (1000) survived: 2001 is more than double
    const e = await rejection(create(await info({ pricePerUnit: 2001n, pixelsPerUnit: 1n }), session));
    expect(e.code).toBe('PRICE_MORE_THAN_DOUBLED');
    // and the refusal gave the credit back
    expect(ratCmp(await settle(session, RAT_ZERO, 'not-sent'), ratFromJson(c.staged))).toBe(0);

    // all of it lives under the sender's address; the nonce counter has a TTL
    const redis = new Redis(redisServer.url);
    try {
      const keys = await redis.keys(`${prefix}:broker:sender:${S_ADDR.toLowerCase()}:*`);
      const nonceKey = keys.find((k) => k.includes(':nonce:'));
      expect(nonceKey).toBeDefined();
      expect(await redis.pttl(nonceKey as string)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('two sender brokers with one key on one Redis, concurrent payments for the same params → every nonce distinct, every ticket credited', async () => {
    const a = senders[0] as TicketBrokerApp;
    const b = await startSender('snd-3');
    const params = await info();
    const services = [a.app.get(SenderService), b.app.get(SenderService)];
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const req = { orchestratorInfo: params, session: `multi-${i % 4}`, feeEstimate: ratToJson(UNIT_FEE) };
        // half in process on each replica, a quarter through NATS (the queue group picks one)
        return i % 4 === 3 ? create(params, req.session) : Promise.resolve((services[i % 2] as SenderService).createPayment(req));
      }),
    );
    const nonces = created.flatMap(noncesOf);
    expect(nonces.length).toBeGreaterThanOrEqual(40);
    expect(new Set(nonces).size).toBe(nonces.length);
    const got = await Promise.all(created.map((c, i) => receive(c, `multi-${i % 4}`)));
    expect(got.map((g) => g.error?.code)).toEqual(created.map(() => undefined));
    expect(got.map((g) => g.creditedTickets)).toEqual(created.map((c) => c.numTickets));
  });

  it('a negative credit needs more tickets than the fee alone: the extra nonces are reserved too', async () => {
    const params = await info();
    const session = 'negative';
    const first = await create(params, session);
    expect((await receive(first, session)).error).toBeUndefined();
    // the O debited three units against two tickets: the credit is negative
    const debt = await settle(session, ratFromJson(first.staged), 'completed', ratMulInt(UNIT_FEE, 3n));
    expect(debt.num < 0n).toBe(true);
    const next = await create(params, session);
    expect(next.numTickets).toBeGreaterThan(first.numTickets);
    expect(Math.min(...noncesOf(next))).toBeGreaterThan(Math.max(...noncesOf(first)));
    const got = await receive(next, session);
    expect(got.error).toBeUndefined();
    expect(got.creditedTickets).toBe(next.numTickets);
  });

  it('Redis down → createPayment fails with the retryable STATE_UNAVAILABLE and creates no payment', async () => {
    const params = await info();
    const createdTotal = async () => {
      let sum = 0;
      for (const s of senders) {
        const text = await (await fetch(`http://127.0.0.1:${s.runtime.opsPort}/metrics`)).text();
        const m = /^lpts_broker_payments_created_total(?:\{[^}]*\})? (\d+)/m.exec(text);
        sum += Number(m?.[1] ?? 0);
      }
      return sum;
    };
    const total = await createdTotal();
    await redisServer.stop();
    const e = await rejection(create(params, 'down'));
    expect([e.family, e.code, e.retryable]).toEqual(['BrokerError', 'STATE_UNAVAILABLE', true]);
    expect(await createdTotal()).toBe(total);
  });
});
