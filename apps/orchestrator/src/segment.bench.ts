import { buildTranscodeArgs, makeTestSegment } from '@lpts/media';
import { NatsRpcClient } from '@lpts/platform';
import { RecipientBrokerCommands, fromHex, signOrchestratorRequest } from '@lpts/protocol';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renditionFromProfile } from './orchestrator.core';
import { Harness, decodeResult, grpcCall, grpcClient, ladder, postHttps } from './testing/orchestrator.testkit';
import { renditionSpecFromJson } from './transcode/local-backend';

/**
 * 1. Per-segment time through the orchestrator (/segment over HTTPS: payment, checks, dispatch,
 *    signing, debit) — to the real apps/worker process, and to the in-process transcoder — vs the raw
 *    ffmpeg CLI doing the same ladder with the same arguments from a file to files, interleaved in
 *    the same run. Target ≤ 1.10×.
 * 2. GetOrchestrator calls/s with a grpc-js client (one channel, 50 in flight, 3 s).
 * Prints one JSON line per figure; never asserts timing.
 */
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function runCli(args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`ffmpeg exited ${code}`))));
  });
}

async function segmentBench(h: Harness, path: string, scaleMode: 'lpms' | 'fit'): Promise<void> {
  const segment = await makeTestSegment({ seconds: 2, width: 1920, height: 1080, fps: 30 });
  const dir = mkdtempSync(join(tmpdir(), 'lpts-orch-bench-'));
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  try {
    const input = join(dir, 'in.ts');
    writeFileSync(input, segment);
    const specs = ladder().map((p) => renditionSpecFromJson(renditionFromProfile(p)));
    const { args } = buildTranscodeArgs(specs, { scaleMode });
    const cliArgs = ['-y', ...args.map((a) => (a === 'pipe:0' ? input : /^pipe:\d+$/.test(a) ? join(dir, `out${a.slice(5)}.ts`) : a))];
    const info = await h.getOrchestrator();
    let seq = 0n;
    const viaOrch = async () => {
      seq++;
      const seg = h.segData(segment, info, { seq });
      const t0 = performance.now();
      const r = await postHttps(h.port, '/segment', h.headers(seg, h.payment(info, 1)), segment, agent);
      const ms = performance.now() - t0;
      const res = decodeResult(r.body);
      if (res.result.case !== 'data') throw new Error(`segment failed: ${String(res.result.value)}`);
      return ms;
    };
    await viaOrch(); // warm-up
    await runCli(cliArgs);
    const orch: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      orch.push(await viaOrch());
      cli.push(await runCli(cliArgs));
    }
    const o = median(orch);
    const c = median(cli);
    console.log(
      JSON.stringify({
        bench: 'orchestrator.segment',
        segment: '2s 1920x1080@30 testsrc2+sine, MPEG-TS',
        path,
        runs: RUNS,
        orchestratorMedianMs: Math.round(o),
        cliMedianMs: Math.round(c),
        ratio: Number((o / c).toFixed(3)),
        // Best-of-N per side: less sensitive to other load on a shared machine.
        minRatio: Number((Math.min(...orch) / Math.min(...cli)).toFixed(3)),
        target: 1.1,
        orchestratorMs: orch.map(Math.round),
        cliMs: cli.map(Math.round),
      }),
    );
  } finally {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const WORKER_MAIN = resolve(__dirname, '../../worker/dist/main.js');

describe('orchestrator + real apps/worker bench', () => {
  const h = new Harness();
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    await h.start({ env: { ORCH_TRANSCODER: 'workers' } });
    worker = spawn(process.execPath, [WORKER_MAIN], {
      env: { PATH: process.env['PATH'], NATS_URL: h.nats.url, NATS_SUBJECT_PREFIX: h.prefix, OPS_PORT: '0', LOG_LEVEL: 'warn', WORKER_ID: 'bench-worker', WORKER_CAPACITY: '2', WORKER_HTTP_PORT: '0' },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 60_000;
    while ((await h.getOrchestrator()).capabilities?.capacities[0] !== 2) {
      if (Date.now() > deadline) throw new Error('worker never advertised');
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker?.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await h.stop();
  });

  it('segment through orchestrator + worker vs raw ffmpeg CLI (2 s 1080p30 → 720p/480p/360p)', () =>
    segmentBench(h, 'HTTPS /segment → @lpts/workers dispatcher → apps/worker process (HTTP) → ffmpeg', 'fit'), 180_000);
});

describe('orchestrator bench', () => {
  const h = new Harness();
  beforeAll(() => h.start({ env: { ORCH_LOCAL_CAPACITY: '1' } }), 60_000);
  afterAll(() => h.stop());

  it('segment through the orchestrator vs raw ffmpeg CLI (2 s 1080p30 → 720p/480p/360p)', () =>
    segmentBench(h, 'HTTPS /segment → in-process @lpts/media ffmpeg (ORCH_TRANSCODER=local)', 'lpms'), 180_000);

  it('GetOrchestrator calls per second (grpc-js, 1 channel, 50 in flight, 3 s)', async () => {
    const client = grpcClient(h.port);
    const address = fromHex(h.gatewayAddress);
    const req = { address: Buffer.from(address), sig: Buffer.from(signOrchestratorRequest(fromHex(h.gateway.privateKey), address)) };
    await grpcCall(client, 'GetOrchestrator', req);
    const durationMs = 3_000;
    const end = performance.now() + durationMs;
    let ok = 0;
    let failed = 0;
    const lat: number[] = [];
    const worker = async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await grpcCall(client, 'GetOrchestrator', req);
          ok++;
          lat.push(performance.now() - t0);
        } catch {
          failed++;
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 50 }, worker));
    const secs = (performance.now() - t0) / 1000;
    client.close();
    // Context: the broker round trip alone (same process, same fake broker, same concurrency).
    const rpc = new NatsRpcClient(h.nc, h.prefix);
    let quotes = 0;
    const qEnd = performance.now() + 2_000;
    const qt0 = performance.now();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (performance.now() < qEnd) {
          await rpc.request(RecipientBrokerCommands.quoteParams, { sender: h.gatewayAddress, price: { pricePerUnit: '1', pixelsPerUnit: '1000' } });
          quotes++;
        }
      }),
    );
    const quotesPerSecond = Math.round(quotes / ((performance.now() - qt0) / 1000));
    lat.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        bench: 'orchestrator.getOrchestrator',
        client: 'grpc-js 1.14.7, TLS, 1 channel, concurrency 50',
        seconds: Number(secs.toFixed(2)),
        calls: ok,
        failed,
        callsPerSecond: Math.round(ok / secs),
        p50Ms: Number((lat[Math.floor(lat.length / 2)] ?? 0).toFixed(1)),
        p99Ms: Number((lat[Math.floor(lat.length * 0.99)] ?? 0).toFixed(1)),
        brokerQuoteParamsPerSecond: quotesPerSecond,
        note: 'each call: signature check, 1 NATS quoteParams round trip to the (in-process fake) broker, auth token HMAC; client, server and broker share this process',
      }),
    );
    expect(ok).toBeGreaterThan(0);
  }, 60_000);
});
