/*
 * The two helper processes of payments.bench.ts (run from source by spawnTs, never by the service):
 *
 *   responder  the baselines' responders, in their own process like the broker:
 *                <prefix>.bench.raw    replies with the request bytes (raw NATS request/reply);
 *                <prefix>.bench.floor  first does one secp256k1 recovery of a real ticket signature and
 *                                      one Redis EVALSHA round trip, then replies with the request bytes:
 *                                      the least any broker can do that checks a signature and keeps its
 *                                      state in Redis (no decoding, validation, bookkeeping or JSON).
 *   driver     the caller (the orchestrator's side): for each in-flight level and round, sends the same
 *              number of requests to raw, floor and the real broker (NatsRpcClient receivePayment, as the
 *              orchestrator calls it), and prints one JSON line per level with the best round of each and
 *              the machine's busy CPU per call of each (all processes and cores, /proc/stat, mean of rounds).
 *
 * Env: NATS_URL, PREFIX, and REDIS_URL + SIG_FILE (responder) or PAYMENTS_FILE + IN_FLIGHT + ROUNDS +
 * PER_ROUND (driver). PAYMENTS_FILE holds JSON: { warm: string[], rounds: string[][] } (base64 payments).
 */
import { readFileSync } from 'node:fs';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import { RecipientBrokerCommands as R, fromHex, recoverPersonalSigner } from '@lpts/protocol';
import { Redis } from 'ioredis';

function env(name: string): string {
  // eslint-disable-next-line no-restricted-properties
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`payment-bench-peer: ${name} is not set`);
  return v;
}

/** CPU time (ms) all processors have been busy since boot, from /proc/stat (Linux); 0 elsewhere. */
function machineBusyMs(): number {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return 0;
  }
  const ticks = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return (ticks.reduce((a, b) => a + b, 0) - idle) * 10; // USER_HZ = 100
}

/** Calls per second with `inFlight` callers, and the machine's busy CPU per call (µs, every process and core). */
async function measure(n: number, inFlight: number, call: (i: number) => Promise<unknown>): Promise<{ perSecond: number; cpuMicros: number }> {
  let next = 0;
  const busy = machineBusyMs();
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await call(next++);
    }),
  );
  const perSecond = n / (Number(process.hrtime.bigint() - start) / 1e9);
  return { perSecond, cpuMicros: ((machineBusyMs() - busy) * 1000) / n };
}

async function responder(): Promise<void> {
  const prefix = env('PREFIX');
  const nc = await connectNats(env('NATS_URL'), 'bench-responder');
  const redis = new Redis(env('REDIS_URL'));
  const sig = JSON.parse(readFileSync(env('SIG_FILE'), 'utf8')) as { message: string; sig: string; signer: string };
  const message = fromHex(sig.message);
  const signature = fromHex(sig.sig);
  const sha = (await redis.script('LOAD', 'return 1')) as string;
  // fail loudly if the floor's recovery would not be the real work
  if (Buffer.from(recoverPersonalSigner(message, signature)).toString('hex') !== sig.signer.slice(2).toLowerCase()) throw new Error('floor signature does not recover its signer');
  nc.subscribe(`${prefix}.bench.raw`, { callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  nc.subscribe(`${prefix}.bench.floor`, {
    callback: (_e, m) => {
      recoverPersonalSigner(message, signature);
      redis.evalsha(sha, 0).then(
        () => m.respond(m.data),
        () => m.respond(new Uint8Array(0)),
      );
    },
  });
  await nc.flush();
  process.stdout.write('responder ready\n');
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  redis.disconnect();
  await drainNats(nc);
}

async function driver(): Promise<void> {
  const prefix = env('PREFIX');
  const levels = env('IN_FLIGHT').split(',').map(Number);
  const rounds = Number(env('ROUNDS'));
  const perRound = Number(env('PER_ROUND'));
  const file = JSON.parse(readFileSync(env('PAYMENTS_FILE'), 'utf8')) as { warm: string[]; rounds: string[][] };
  const nc = await connectNats(env('NATS_URL'), 'bench-driver');
  const rpc = new NatsRpcClient(nc, prefix, 10_000);
  const enc = new TextEncoder();
  const pay = async (payment: string, session: string) => {
    const r = await rpc.request(R.receivePayment, { payment, session });
    if (r.error !== undefined || r.creditedTickets !== 1) throw new Error(`payment not credited: ${r.error?.message ?? `${r.creditedTickets} tickets`}`);
  };
  // warm-up of every path (JIT, Lua script cache, connections)
  const warmBody = enc.encode(JSON.stringify({ payment: file.warm[0], session: 'warm' }));
  await measure(file.warm.length, 8, (i) => pay(file.warm[i] as string, 'warm'));
  await measure(2000, 8, () => nc.request(`${prefix}.bench.raw`, warmBody, { timeout: 10_000 }));
  await measure(2000, 8, () => nc.request(`${prefix}.bench.floor`, warmBody, { timeout: 10_000 }));
  let batch = 0;
  for (const inFlight of levels) {
    const best = { raw: 0, floor: 0, broker: 0 };
    const cpu = { raw: 0, floor: 0, broker: 0 };
    const keep = (k: keyof typeof best, m: { perSecond: number; cpuMicros: number }) => {
      best[k] = Math.max(best[k], m.perSecond);
      cpu[k] += m.cpuMicros / rounds;
    };
    for (let round = 0; round < rounds; round++) {
      const payments = file.rounds[batch++];
      if (payments === undefined || payments.length < perRound) throw new Error(`payments file has too few rounds of ${perRound}`);
      const session = `bench-${inFlight}-${round}`;
      // the baselines carry the very bytes the broker call sends
      const bodies = payments.map((p) => enc.encode(JSON.stringify({ payment: p, session })));
      keep('raw', await measure(perRound, inFlight, (i) => nc.request(`${prefix}.bench.raw`, bodies[i] as Uint8Array, { timeout: 10_000 })));
      keep('floor', await measure(perRound, inFlight, (i) => nc.request(`${prefix}.bench.floor`, bodies[i] as Uint8Array, { timeout: 10_000 })));
      keep('broker', await measure(perRound, inFlight, (i) => pay(payments[i] as string, session)));
    }
    const rounded = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
    process.stdout.write(JSON.stringify({ inFlight, ...rounded(best), cpuMicros: rounded(cpu) }) + '\n');
  }
  await drainNats(nc);
}

const mode = process.argv[2];
(mode === 'responder' ? responder() : mode === 'driver' ? driver() : Promise.reject(new Error(`usage: payment-bench-peer responder|driver (got ${mode})`))).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`payment-bench-peer ${mode}: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
