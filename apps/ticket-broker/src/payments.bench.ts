import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PmSession, createTicketBatch, rat, ticketSigner } from '@lpts/pm';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import {
  RecipientBrokerCommands as R,
  WireCodecs,
  addressToBytes,
  bytesToBigInt,
  encodePaymentHeader,
  fromHex,
  personalSign,
  ticketParamsToWire,
  toHex,
} from '@lpts/protocol';
import { spawnTs, startNats, startRedis, uniquePrefix, type TsProcess } from '@lpts/testing';
import { Wallet } from 'ethers';
import { ChainStateWriter, O_ADDRESS, baseEnv, chainState, eventually, senderState, transcoderState } from './test-support/broker-fixture';

/*
 * Payment validation through NATS: the orchestrator-side call (NatsRpcClient receivePayment) → the real
 * ticket-broker service in its own process (from source, as `nx serve` runs it) → Redis → reply, one
 * one-ticket payment per call, against raw NATS request/reply to a responder in its own process that
 * echoes the same bytes, through the same nats-server in the same run. Target: broker/raw ≥ 0.5.
 *
 * A third line, the floor, is the same responder doing only what no broker can skip: one secp256k1
 * recovery of a ticket signature and one Redis round trip. floor/raw is the best ratio any
 * implementation that checks a signature and keeps its state in Redis could reach on this machine,
 * printed beside the target so a miss can be read as ours or the machine's.
 *
 * machineCpuMicrosPerCall is the whole machine's busy CPU per call of each kind (every process: caller,
 * nats-server, responder or broker, Redis), and cpuBoundPerSecond the rate that would allow with every
 * core busy: a ceiling no scheduling or threading can beat on this machine.
 * brokerCpuMicrosPerPayment is the broker process's CPU time (all threads, /proc) over every payment
 * of the run: the cost an operator pays per payment, whatever the latency.
 *
 * The caller runs in its own process too (test-support/payment-bench-peer.ts driver): Jest's module sandbox makes
 * client-side code (zod, nats.js) several times slower than in a service, which would distort both
 * sides. Rounds alternate raw/floor/broker; the best round of each is reported. Never asserts timing.
 */
jest.setTimeout(600_000);

const KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const ROUNDS = 4;
const PER_ROUND = 1200; // 2 PM sessions (600 nonces each) per round
const WARM = 600;
const CORES = availableParallelism();
const IN_FLIGHT = [1, 16];
const TARGET = 0.5;
const PEER = join(__dirname, 'test-support', 'payment-bench-peer.ts');
const MAIN = join(__dirname, 'main.ts');

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

it('payment validation through NATS vs raw NATS request/reply', async () => {
  const nats = await startNats();
  const redis = await startRedis();
  const prefix = uniquePrefix('tbbench');
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  const nc = await connectNats(nats.url, 'bench-setup');
  const procs: TsProcess[] = [];
  const signer = ticketSigner(fromHex(KEY));
  const sender = new Wallet(KEY).address;
  try {
    const chain = await ChainStateWriter.open(nc, prefix);
    await chain.latest(chainState());
    await chain.sender(senderState(sender));
    await chain.transcoder(transcoderState(O_ADDRESS));

    const broker = spawnTs(MAIN, {
      env: {
        ...(baseEnv(nats.url, prefix, 'bench-broker') as Record<string, string>),
        LOG_LEVEL: 'warn',
        BROKER_MODE: 'recipient',
        BROKER_RECIPIENT_ADDRESS: O_ADDRESS,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `${prefix}:`,
      },
    });
    procs.push(broker);
    const message = fromHex(toHex(new Uint8Array(32).fill(0x42)));
    const sigFile = join(dir, 'sig.json');
    writeFileSync(sigFile, JSON.stringify({ message: toHex(message), sig: toHex(personalSign(fromHex(KEY), message)), signer: sender }));
    const responder = spawnTs(PEER, { args: ['responder'], env: { NATS_URL: nats.url, REDIS_URL: redis.url, PREFIX: prefix, SIG_FILE: sigFile } });
    procs.push(responder);
    await responder.waitForLine(/^responder ready/);

    // the broker answers once it has read the chain state (its process start is the slow part)
    const rpc = new NatsRpcClient(nc, prefix, 10_000);
    const quote = () => rpc.request(R.quoteParams, { sender, price: { pricePerUnit: '1000', pixelsPerUnit: '1' } });
    await eventually(quote, 60_000).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\nbroker output:\n${broker.output().slice(-3000)}`);
    });

    const view = { lastSeenL1Block: 1000n, lastInitializedRound: 100n, lastInitializedL1BlockHash: new Uint8Array(32).fill(9), senderInfo: { deposit: 10n ** 18n, withdrawRound: 0n, reserve: { fundsRemaining: 10n ** 18n, claimedInCurrentRound: 0n } } };
    const price = { pricePerUnit: 1000n, pixelsPerUnit: 1n };
    /** n one-ticket payments (base64), a fresh quote per 600 nonces (the broker's nonce cap). */
    const payments = async (n: number): Promise<string[]> => {
      const out: string[] = [];
      while (out.length < n) {
        const q = (await quote()).ticketParams;
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
    const rounds: string[][] = [];
    for (let i = 0; i < IN_FLIGHT.length * ROUNDS; i++) rounds.push(await payments(PER_ROUND));
    const paymentsFile = join(dir, 'payments.json');
    writeFileSync(paymentsFile, JSON.stringify({ warm: await payments(WARM), rounds }));

    const brokerCpuBefore = cpuMs(broker.child.pid);
    const driver = spawnTs(PEER, {
      args: ['driver'],
      env: { NATS_URL: nats.url, PREFIX: prefix, PAYMENTS_FILE: paymentsFile, IN_FLIGHT: IN_FLIGHT.join(','), ROUNDS: String(ROUNDS), PER_ROUND: String(PER_ROUND) },
    });
    procs.push(driver);
    const code = await driver.exited;
    // every payment the broker validated in the run: the warm-up and each level's rounds
    const brokerCpuPerPayment = ((cpuMs(broker.child.pid) - brokerCpuBefore) * 1000) / (WARM + IN_FLIGHT.length * ROUNDS * PER_ROUND);
    if (code !== 0) throw new Error(`bench driver exited ${code}:\n${driver.output().slice(-3000)}\nbroker:\n${broker.output().slice(-2000)}`);
    const lines = driver
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { inFlight: number; broker: number; raw: number; floor: number; cpuMicros: { raw: number; floor: number; broker: number } });
    expect(lines.map((l) => l.inFlight)).toEqual(IN_FLIGHT);
    for (const l of lines) {
      process.stdout.write(
        JSON.stringify({
          bench: 'ticket-broker.receivePayment-over-nats',
          inFlight: l.inFlight,
          perSecond: l.broker,
          baselinePerSecond: l.raw,
          ratio: +(l.broker / l.raw).toFixed(3),
          target: TARGET,
          met: l.broker / l.raw >= TARGET,
          floorPerSecond: l.floor,
          floorRatio: +(l.floor / l.raw).toFixed(3),
          brokerVsFloor: +(l.broker / l.floor).toFixed(3),
          brokerCpuMicrosPerPayment: Math.round(brokerCpuPerPayment),
          machineCpuMicrosPerCall: l.cpuMicros,
          // the most calls/s the busy-CPU figures allow if every core were kept busy
          cpuBoundPerSecond: Object.fromEntries(Object.entries(l.cpuMicros).map(([k, v]) => [k, v > 0 ? Math.round((CORES * 1e6) / v) : null])),
          baseline: 'raw NATS request/reply to an echo responder in its own process, same bytes, same server, same run',
          floor: 'the echo responder after one secp256k1 recovery and one Redis EVALSHA round trip: the best any signature-checking, Redis-backed broker can do here',
        }) + '\n',
      );
    }
  } finally {
    for (const p of procs.reverse()) await p.kill('SIGTERM');
    await drainNats(nc);
    await redis.stop();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
