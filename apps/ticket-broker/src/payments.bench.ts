import { PmSession, createTicketBatch, rat, ticketSigner } from '@lpts/pm';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import {
  RecipientBrokerCommands as R,
  WireCodecs,
  addressToBytes,
  bytesToBigInt,
  encodePaymentHeader,
  fromHex,
  ticketParamsToWire,
} from '@lpts/protocol';
import { startNats, startRedis, uniquePrefix } from '@lpts/testing';
import { Wallet } from 'ethers';
import { RecipientService } from './recipient/recipient.service';
import { ChainStateWriter, O_ADDRESS, chainState, eventually, recipientApp, senderState, transcoderState } from './test-support/broker-fixture';

/*
 * receivePayment through NATS (caller → real broker app → Redis → reply), one ticket per payment,
 * against raw NATS request/reply to an echo responder carrying the same bytes, on the same server in
 * the same run. Both sides run with the same number of requests in flight; rounds alternate and the
 * best round of each is reported (damps noise on a shared machine). Never asserts timing.
 */
jest.setTimeout(300_000);

const KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const ROUNDS = 4;
const PER_ROUND = 1200; // 2 PM sessions (600 nonces each) per round
const IN_FLIGHT = [1, 16];
const TARGET = 0.5;

async function measure(n: number, inFlight: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await call(next++);
    }),
  );
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

it('payment validation through NATS vs raw NATS request/reply', async () => {
  const nats = await startNats();
  const redis = await startRedis();
  const prefix = uniquePrefix('tbbench');
  const nc = await connectNats(nats.url, 'bench-caller');
  const echoNc = await connectNats(nats.url, 'bench-echo');
  const signer = ticketSigner(fromHex(KEY));
  const sender = new Wallet(KEY).address;
  const chain = await ChainStateWriter.open(nc, prefix);
  await chain.latest(chainState());
  await chain.sender(senderState(sender));
  await chain.transcoder(transcoderState(O_ADDRESS));
  const broker = await recipientApp(nats.url, redis.url, prefix, 'bench');
  await eventually(() => broker.parts.chain.snapshot().senderState(sender) !== undefined);
  const rpc = new NatsRpcClient(nc, prefix, 10_000);
  const echo = echoNc.subscribe(`${prefix}.bench.echo`, {
    callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  await echoNc.flush();

  const view = { lastSeenL1Block: 1000n, lastInitializedRound: 100n, lastInitializedL1BlockHash: new Uint8Array(32).fill(9), senderInfo: { deposit: 10n ** 18n, withdrawRound: 0n, reserve: { fundsRemaining: 10n ** 18n, claimedInCurrentRound: 0n } } };
  const price = { pricePerUnit: 1000n, pixelsPerUnit: 1n };
  /** n one-ticket payments (base64), a fresh quote per 600 nonces. */
  const payments = async (n: number): Promise<string[]> => {
    const out: string[] = [];
    while (out.length < n) {
      const q = (await rpc.request(R.quoteParams, { sender, price: { pricePerUnit: '1000', pixelsPerUnit: '1' } })).ticketParams;
      const tp = {
        recipient: addressToBytes(q.recipient),
        faceValue: BigInt(q.faceValue),
        winProb: BigInt(q.winProb),
        recipientRandHash: fromHex(q.recipientRandHash),
        seed: fromHex(q.seed),
        expirationBlock: BigInt(q.expirationBlock),
        price: rat(1000n),
        expirationParams: { creationRound: BigInt(q.expirationParams.creationRound), creationRoundBlockHash: fromHex(q.expirationParams.creationRoundBlockHash) },
      };
      const wire = ticketParamsToWire({ ...tp, seed: bytesToBigInt(tp.seed) });
      const session = new PmSession(tp);
      for (let i = 0; i < 600 && out.length < n; i++) {
        const b = createTicketBatch(session, signer, 1, view);
        out.push(
          encodePaymentHeader(
            WireCodecs.Payment.create({
              ticketParams: wire,
              sender: signer.address,
              expirationParams: b.expirationParams,
              ticketSenderParams: b.senderParams.map((t) => ({ senderNonce: t.senderNonce, sig: t.sig })),
              expectedPrice: price,
            }),
          ),
        );
      }
    }
    return out;
  };

  const results: Record<string, unknown>[] = [];
  const context: Record<string, number> = {};
  try {
    // warm-up: JIT, Lua script load, connections
    const warm = await payments(600);
    await measure(warm.length, 8, (i) => rpc.request(R.receivePayment, { payment: warm[i] as string, session: 'warm' }));
    for (const inFlight of IN_FLIGHT) {
      let best = 0;
      let bestRaw = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const batch = await payments(PER_ROUND);
        const session = `bench-${inFlight}-${round}`;
        const bodies = batch.map((p) => new TextEncoder().encode(JSON.stringify({ payment: p, session })));
        const raw = await measure(PER_ROUND, inFlight, (i) => nc.request(`${prefix}.bench.echo`, bodies[i] as Uint8Array, { timeout: 10_000 }));
        const paid = await measure(PER_ROUND, inFlight, async (i) => {
          const r = await rpc.request(R.receivePayment, { payment: batch[i] as string, session });
          if (r.error !== undefined || r.creditedTickets !== 1) throw new Error(`payment ${i} not credited: ${r.error?.message ?? ''}`);
        });
        best = Math.max(best, paid);
        bestRaw = Math.max(bestRaw, raw);
      }
      results.push({
        bench: 'ticket-broker.receivePayment-over-nats',
        inFlight,
        perSecond: Math.round(best),
        baselinePerSecond: Math.round(bestRaw),
        ratio: +(best / bestRaw).toFixed(3),
        target: TARGET,
        baseline: 'raw NATS request/reply to an echo responder, same payload, same server, same run',
      });
    }
    // context for the ratio: what one payment's critical path is made of, measured sequentially here
    const deps = broker.parts.recipient;
    if (deps !== undefined) {
      context['redisEvalRoundTripsPerSecond'] = Math.round(await measure(3000, 1, () => deps.redis.eval('return 1', 0)));
      const batch = await payments(600);
      const decoded = batch.map((p) => p);
      context['brokerInProcessPerSecond'] = Math.round(
        await measure(decoded.length, 1, async (i) => {
          const svc = broker.app.get(RecipientService);
          const r = await svc.receivePayment({ payment: decoded[i] as string, session: 'inproc' });
          if (r.creditedTickets !== 1) throw new Error('not credited');
        }),
      );
    }
  } finally {
    echo.unsubscribe();
    await broker.close();
    await drainNats(nc);
    await drainNats(echoNc);
    await redis.stop();
    await nats.stop();
  }
  for (const r of results) process.stdout.write(JSON.stringify({ ...r, context }) + '\n');
});
