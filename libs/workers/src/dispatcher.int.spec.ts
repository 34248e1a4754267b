import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobError } from '@lpts/media';
import { WorkerCommands, WorkerEvents, type RenditionJson, type WorkerStatusJson } from '@lpts/protocol';
import { startNats, uniquePrefix, type StartedNats } from '@lpts/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ERROR_CONTENT_TYPE, JOB_HEADER, RESULT_HEADER, concatRenditions, decodeJobHeader, encodeErrorBody, encodeResultHeader } from './codec';
import { Dispatcher } from './dispatcher';
import { isDispatchError, isJobError } from './errors';
import { WorkerRegistry } from './registry';

jest.setTimeout(60_000);

const must = <T>(v: T | undefined | null): T => {
  if (v === undefined || v === null) throw new Error('expected a value');
  return v;
};

const R: RenditionJson[] = [{ name: 'P360p', width: 640, height: 360, bitrateBps: 600_000, fps: 0, fpsDen: 0, format: 'mpegts', h264Profile: 'default', gopMs: 0 }];
const enc = new TextEncoder();
const until = async (what: () => boolean, ms = 5_000): Promise<void> => {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

type Behaviour = 'ok' | 'broken-input' | 'fail-500' | 'hang-up';

/** A fake worker: HTTP endpoint speaking the transcode contract, heartbeats over NATS. */
class FakeWorker {
  server!: Server;
  url = '';
  running = 0;
  maxRunning = 0;
  jobs: string[] = [];
  behaviour: Behaviour = 'ok';
  delayMs = 50;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    readonly capacity = 2,
    readonly capabilities: number[] = [1, 2],
    readonly leaseMs = 3_000,
  ) {}

  async start(heartbeat = true): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/transcode`;
    this.nc.subscribe(WorkerCommands.discover.subject(this.prefix), {
      queue: this.id,
      callback: (_e, m) => {
        m.respond(enc.encode(JSON.stringify(this.status())));
      },
    });
    if (heartbeat) {
      this.publish();
      this.timer = setInterval(() => this.publish(), this.leaseMs / 3);
    }
    await this.nc.flush();
    return this;
  }

  status(): WorkerStatusJson {
    return {
      workerId: this.id,
      transcodeUrl: this.url,
      capabilities: this.capabilities,
      capacity: this.capacity,
      inUse: this.running,
      encoder: 'libx264',
      gpus: [],
      leaseMs: this.leaseMs,
      version: 'test',
      at: Date.now(),
    };
  }

  publish(): void {
    this.nc.publish(WorkerEvents.status.subject(this.prefix, this.id), enc.encode(JSON.stringify(this.status())));
  }

  silence(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async stop(): Promise<void> {
    this.silence();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const job = decodeJobHeader(req.headers[JOB_HEADER]);
    this.jobs.push(job.sessionId);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.running >= this.capacity) {
      res.writeHead(503, { 'content-type': ERROR_CONTENT_TYPE }).end('{}');
      return;
    }
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.publish();
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.running--;
    this.publish();
    await this.nc.flush();
    if (this.behaviour === 'hang-up') {
      res.socket?.destroy();
      return;
    }
    if (this.behaviour === 'broken-input' || this.behaviour === 'fail-500') {
      const e = this.behaviour === 'broken-input' ? new JobError('INVALID_MEDIA', 'Invalid data found when processing input') : new JobError('ENCODER_FAILED', 'Transcoder failed', { retryable: true });
      res.writeHead(this.behaviour === 'broken-input' ? 422 : 500, { 'content-type': ERROR_CONTENT_TYPE }).end(encodeErrorBody(e));
      return;
    }
    const data = job.renditions.map((r) => Buffer.from(`${this.id}:${r.name}`));
    const header = encodeResultHeader({ jobId: job.jobId, renditions: data.map((d, i) => ({ name: job.renditions[i]?.name ?? '', pixels: 100, bytes: d.length, frames: 2 })) });
    res.writeHead(200, { [RESULT_HEADER]: header }).end(concatRenditions(data));
  }
}

describe('WorkerRegistry + Dispatcher (real nats-server, fake HTTP workers)', () => {
  let nats: StartedNats;
  let nc: NatsConnection;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    nats = await startNats({ jetstream: false });
    nc = await connect({ servers: nats.url });
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  afterAll(async () => {
    await nc?.drain();
    await nats?.stop();
  });

  async function setup(workers: { id: string; capacity?: number; caps?: number[]; leaseMs?: number; heartbeat?: boolean }[], queueTimeoutMs = 0) {
    const prefix = uniquePrefix('wk');
    const fakes: FakeWorker[] = [];
    for (const w of workers) {
      const f = await new FakeWorker(w.id, nc, prefix, w.capacity, w.caps, w.leaseMs).start(w.heartbeat ?? true);
      fakes.push(f);
      cleanups.push(() => f.stop());
    }
    const registry = new WorkerRegistry(nc, prefix, { discoverWindowMs: 150 });
    await registry.start();
    cleanups.push(() => registry.stop());
    const dispatcher = new Dispatcher(registry, { queueTimeoutMs });
    return { prefix, fakes, registry, dispatcher };
  }

  it('discover finds every worker at start (not just one of a queue group)', async () => {
    const { registry } = await setup([{ id: 'w-a', heartbeat: false }, { id: 'w-b', heartbeat: false }]);
    expect(registry.workers().map((w) => w.workerId)).toEqual(['w-a', 'w-b']);
  });

  it('drops a silent worker when its lease lapses and a gone worker at once', async () => {
    const { registry, fakes, prefix } = await setup([{ id: 'w-a', leaseMs: 600 }, { id: 'w-b', leaseMs: 600 }]);
    let changes = 0;
    registry.onChange(() => changes++);
    fakes[0]?.silence();
    const t0 = Date.now();
    while (registry.workers().some((w) => w.workerId === 'w-a') && Date.now() - t0 < 3_000) await new Promise((r) => setTimeout(r, 50));
    expect(registry.workers().map((w) => w.workerId)).toEqual(['w-b']);
    expect(Date.now() - t0).toBeLessThan(1_500);
    nc.publish(WorkerEvents.gone.subject(prefix, 'w-b'), enc.encode('{"workerId":"w-b"}'));
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(registry.workers()).toEqual([]);
    expect(changes).toBeGreaterThan(0);
  });

  it('routes by capability, keeps a session on its worker, and releases it on endSession', async () => {
    const { dispatcher } = await setup([
      { id: 'w-a', caps: [1, 2] },
      { id: 'w-b', caps: [1, 2, 7] },
    ]);
    const needs7 = await dispatcher.transcode({ sessionId: 's7', segment: Buffer.from('x'), renditions: R, capabilities: [7] });
    expect(needs7.workerId).toBe('w-b');
    expect(needs7.renditions[0]?.data.toString()).toBe('w-b:P360p');
    const first = await dispatcher.transcode({ sessionId: 'sticky', segment: Buffer.from('x'), renditions: R });
    for (let i = 0; i < 4; i++) {
      expect((await dispatcher.transcode({ sessionId: 'sticky', segment: Buffer.from('x'), renditions: R })).workerId).toBe(first.workerId);
    }
    dispatcher.endSession('sticky');
    const none = await dispatcher.transcode({ sessionId: 'x', segment: Buffer.from('x'), renditions: R, capabilities: [99] }).catch((e: unknown) => e);
    expect(isDispatchError(none, 'NO_TRANSCODERS')).toBe(true);
    expect((none as Error).message).toBe('no transcoders available');
    expect((none as { details: object }).details).toMatchObject({ workers: 2, capableWorkers: 0, capacity: 4, requiredCapabilities: '99' });
  });

  it('never exceeds advertised capacity: queued segments wait, unqueued ones get no transcoders', async () => {
    const { dispatcher, fakes, registry } = await setup([{ id: 'w-a', capacity: 1 }, { id: 'w-b', capacity: 1 }], 10_000);
    for (const f of fakes) f.delayMs = 150;
    const outs = await Promise.all(Array.from({ length: 6 }, (_, i) => dispatcher.transcode({ sessionId: `s${i}`, segment: Buffer.from('x'), renditions: R })));
    expect(outs.every((o) => o.attempts === 1)).toBe(true);
    expect(fakes.map((f) => f.maxRunning)).toEqual([1, 1]);
    expect(fakes.reduce((t, f) => t + f.jobs.length, 0)).toBe(6);
    await until(() => registry.workers().every((w) => w.inUse === 0));
    const unqueued = new Dispatcher(registry);
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => unqueued.transcode({ sessionId: `u${i}`, segment: Buffer.from('x'), renditions: R })));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(2);
    expect(results.filter((r) => r.status === 'rejected').every((r) => isDispatchError((r as PromiseRejectedResult).reason, 'NO_TRANSCODERS'))).toBe(true);
  });

  it('retries a 5xx or a dropped connection once on another worker', async () => {
    const { dispatcher, fakes } = await setup([{ id: 'w-a' }, { id: 'w-b' }]);
    const first = await dispatcher.transcode({ sessionId: 'r', segment: Buffer.from('x'), renditions: R });
    const home = must(fakes.find((f) => f.id === first.workerId));
    home.behaviour = 'fail-500';
    const second = await dispatcher.transcode({ sessionId: 'r', segment: Buffer.from('x'), renditions: R });
    expect(second).toMatchObject({ attempts: 2 });
    expect(second.workerId).not.toBe(home.id);
    const other = must(fakes.find((f) => f.id !== home.id));
    home.behaviour = 'ok';
    other.behaviour = 'hang-up';
    const third = await dispatcher.transcode({ sessionId: 'r', segment: Buffer.from('x'), renditions: R });
    expect(third).toMatchObject({ attempts: 2, workerId: home.id });
    // Both fail: the second failure surfaces, not "no transcoders".
    home.behaviour = 'fail-500';
    const both = await dispatcher.transcode({ sessionId: 'r2', segment: Buffer.from('x'), renditions: R }).catch((e: unknown) => e);
    expect(isJobError(both, 'ENCODER_FAILED') || isDispatchError(both, 'WORKER_UNREACHABLE')).toBe(true);
  });

  it('does not retry broken input: the JobError surfaces after one attempt', async () => {
    const { dispatcher, fakes } = await setup([{ id: 'w-a' }, { id: 'w-b' }]);
    for (const f of fakes) f.behaviour = 'broken-input';
    const err = await dispatcher.transcode({ sessionId: 'b', segment: Buffer.from('x'), renditions: R }).catch((e: unknown) => e);
    expect(isJobError(err, 'INVALID_MEDIA')).toBe(true);
    expect(err).toBeInstanceOf(JobError);
    expect(fakes.reduce((t, f) => t + f.jobs.length, 0)).toBe(1);
  });
});
