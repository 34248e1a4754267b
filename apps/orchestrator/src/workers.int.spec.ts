import { FfmpegTranscoder, makeTestSegment } from '@lpts/media';
import { Capability, WorkerEvents, type WorkerStatusJson } from '@lpts/protocol';
import { JOB_HEADER, concatRenditions, decodeJobHeader, encodeErrorBody, encodeResultHeader, httpStatusOf, RESULT_HEADER } from '@lpts/workers';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { renditionSpecFromJson } from './transcode/local-backend';
import { Harness, decodeResult } from './testing/orchestrator.testkit';
import { isLptsError } from '@lpts/protocol';

jest.setTimeout(120_000);

/**
 * A worker as apps/worker presents itself on the private side (NATS heartbeats + the HTTP transcode
 * endpoint of media.messages.ts), backed by @lpts/media's real ffmpeg transcoder. The orchestrator
 * reaches it through @lpts/workers' registry and dispatcher (ORCH_TRANSCODER=workers).
 */
class SpecWorker {
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  jobs = 0;
  url = '';
  constructor(
    private readonly h: Harness,
    readonly workerId: string,
    private readonly capacity: number,
  ) {}

  status(): WorkerStatusJson {
    return {
      workerId: this.workerId,
      transcodeUrl: this.url,
      capabilities: [Capability.H264, Capability.MPEGTS, Capability.MP4, Capability.ProfileH264Main, Capability.GOP],
      capacity: this.capacity,
      inUse: 0,
      encoder: 'libx264',
      gpus: [],
      leaseMs: 3000,
      version: 'spec',
      at: Date.now(),
    };
  }

  async start(): Promise<void> {
    const transcoder = new FfmpegTranscoder({ scaleMode: 'lpms' });
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          this.jobs++;
          try {
            const job = decodeJobHeader(req.headers[JOB_HEADER]);
            const r = await transcoder.transcode({ input: Buffer.concat(chunks), renditions: job.renditions.map(renditionSpecFromJson) });
            res.setHeader(RESULT_HEADER, encodeResultHeader({ jobId: job.jobId, renditions: r.renditions.map((x) => ({ name: x.name, pixels: x.pixels, bytes: x.data.length, frames: x.frames })) }));
            res.end(concatRenditions(r.renditions.map((x) => x.data)));
          } catch (e) {
            res.statusCode = httpStatusOf(e);
            res.setHeader('Content-Type', 'application/json');
            res.end(isLptsError(e) ? encodeErrorBody(e) : JSON.stringify({ family: 'JobError', code: 'ENCODER_FAILED', message: String(e), retryable: false, details: {} }));
          }
        })();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/transcode`;
    const beat = () => this.h.nc.publish(WorkerEvents.status.subject(this.h.prefix, this.workerId), JSON.stringify(this.status()));
    beat();
    this.timer = setInterval(beat, 500);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.h.nc.publish(WorkerEvents.gone.subject(this.h.prefix, this.workerId), JSON.stringify({ workerId: this.workerId }));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe('dispatch to workers (@lpts/workers registry + dispatcher, real ffmpeg)', () => {
  const h = new Harness();
  let worker: SpecWorker;
  let segment: Buffer;

  beforeAll(async () => {
    [segment] = await Promise.all([makeTestSegment({ seconds: 2, width: 1920, height: 1080, fps: 30 }), h.start({ env: { ORCH_TRANSCODER: 'workers' } })]);
  });
  afterAll(async () => {
    await worker?.stop();
    await h.stop();
  });

  it('answers `no transcoders available` in the result while no worker is live, debiting nothing', async () => {
    const info = await h.getOrchestrator();
    const r = await h.postSegment(segment, h.segData(segment, info), h.payment(info));
    expect(r.status).toBe(200);
    expect(decodeResult(r.body).result).toEqual({ case: 'error', value: 'no transcoders available' });
    expect(h.broker.debits).toHaveLength(0);
  });

  it('advertises the live worker’s capacity and transcodes through it', async () => {
    worker = new SpecWorker(h, 'spec-w1', 3);
    await worker.start();
    let info = await h.getOrchestrator();
    for (let i = 0; i < 50 && info.capabilities?.capacities[Capability.H264] !== 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      info = await h.getOrchestrator();
    }
    expect(info.capabilities?.capacities[Capability.H264]).toBe(3);
    expect(info.capabilities?.capacities[Capability.MP4]).toBe(3);
    const r = await h.postSegment(segment, h.segData(segment, info, { seq: 9n }), h.payment(info));
    const res = decodeResult(r.body);
    expect(res.result.case).toBe('data');
    if (res.result.case !== 'data') return;
    expect(res.result.value.segments).toHaveLength(3);
    expect(worker.jobs).toBe(1);
    const pixels = res.result.value.segments.reduce((t, s) => t + s.pixels, 0n);
    const d = h.broker.debits.find((x) => x.session === info.authToken?.sessionId);
    expect(d && d.num * 1000n).toBe(pixels * (d?.den ?? 0n));
  });
});

const WORKER_MAIN = resolve(__dirname, '../../worker/dist/main.js');

describe('dispatch to the real apps/worker (spawned process)', () => {
  const h = new Harness();
  let worker: ChildProcess | undefined;
  let segment: Buffer;
  let log = '';

  beforeAll(async () => {
    if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: build it first (nx build worker)`);
    [segment] = await Promise.all([makeTestSegment({ seconds: 2, width: 1920, height: 1080, fps: 30 }), h.start({ env: { ORCH_TRANSCODER: 'workers' } })]);
    worker = spawn(process.execPath, [WORKER_MAIN], {
      env: {
        PATH: process.env['PATH'],
        NATS_URL: h.nats.url,
        NATS_SUBJECT_PREFIX: h.prefix,
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
        WORKER_ID: 'spec-real-worker',
        WORKER_CAPACITY: '2',
        WORKER_HTTP_PORT: '0',
        WORKER_LEASE_MS: '3000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    worker.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker?.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await h.stop();
  });

  it('sees the worker’s capacity once it has probed, and transcodes the 1080p ladder on it', async () => {
    let info = await h.getOrchestrator();
    const deadline = Date.now() + 60_000;
    while (info.capabilities?.capacities[Capability.H264] !== 2) {
      if (Date.now() > deadline || worker?.exitCode !== null) throw new Error(`worker never advertised: ${log}`);
      await new Promise((r) => setTimeout(r, 200));
      info = await h.getOrchestrator();
    }
    const r = await h.postSegment(segment, h.segData(segment, info), h.payment(info));
    const res = decodeResult(r.body);
    expect(res.result.case).toBe('data');
    if (res.result.case !== 'data') return;
    expect(res.result.value.segments.map((s) => s.pixels > 0n)).toEqual([true, true, true]);
    expect(h.broker.debits.filter((d) => d.session === info.authToken?.sessionId)).toHaveLength(1);
  });
});
