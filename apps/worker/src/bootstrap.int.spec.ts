import { isJobError, makeTestSegment, probeVideo, type MediaCapabilities } from '@lpts/media';
import { isConfigError } from '@lpts/platform';
import { Capability, WorkerEvents } from '@lpts/protocol';
import { startNats, uniquePrefix, type StartedNats } from '@lpts/testing';
import { Dispatcher, JOB_HEADER, WorkerRegistry, encodeJobHeader, isDispatchError } from '@lpts/workers';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createApp, type WorkerApp } from './bootstrap';
import { must, rendition as r, until } from './spec/spec-support.test';

jest.setTimeout(60_000);

describe('worker app (real nats-server, real ffmpeg)', () => {
  let nats: StartedNats;
  let nc: NatsConnection;
  let a: WorkerApp;
  let b: WorkerApp | undefined;
  let registry: WorkerRegistry;
  let caps: MediaCapabilities;
  let seg360: Buffer;
  const prefix = uniquePrefix('wkr');
  const env = (id: string, extra: Record<string, string> = {}) => ({
    NATS_URL: nats.url,
    NATS_SUBJECT_PREFIX: prefix,
    OPS_PORT: '0',
    LOG_LEVEL: 'silent',
    WORKER_ID: id,
    WORKER_HTTP_PORT: '0',
    WORKER_LEASE_MS: '1500',
    WORKER_CAPACITY: '1',
    ...extra,
  });

  beforeAll(async () => {
    nats = await startNats({ jetstream: false });
    nc = await connect({ servers: nats.url });
    [a, seg360] = await Promise.all([createApp(env('wa')), makeTestSegment({ seconds: 2, width: 640, height: 360 })]);
  });

  afterAll(async () => {
    await registry?.stop();
    await b?.close();
    await a?.close();
    await nc?.drain();
    await nats?.stop();
  });

  it('fails /readyz until the CPU probe is done, then advertises what libx264 passed', async () => {
    const ops = `http://127.0.0.1:${a.runtime.opsPort}`;
    const before = await fetch(`${ops}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ checks: { probe: 'capability probe running' } });
    await a.ready;
    expect((await fetch(`${ops}/readyz`)).status).toBe(200);
    caps = a.worker.capabilities as MediaCapabilities;
    expect(caps.mode).toBe('cpu');
    expect(caps.capabilities).toEqual(expect.arrayContaining([Capability.H264, Capability.MPEGTS]));
    expect(a.worker.status()).toMatchObject({ workerId: 'wa', encoder: 'libx264', capacity: 1, inUse: 0, gpus: [], leaseMs: 1500 });
  });

  it('heartbeats and discover reach a WorkerRegistry', async () => {
    // A second worker (same probe result, to save time) that only answers discover before heartbeating.
    b = await createApp(env('wb'), { probe: async () => caps });
    await b.ready;
    registry = new WorkerRegistry(nc, prefix, { discoverWindowMs: 200 });
    await registry.start();
    expect(registry.workers().map((w) => w.workerId)).toEqual(['wa', 'wb']);
    const wa = registry.get('wa');
    expect(wa?.transcodeUrl).toBe(a.transcodeUrl);
    expect(wa?.capabilities).toEqual([...caps.capabilities]);
    // Heartbeats keep renewing the lease (1.5 s): still there after 2 leases.
    await new Promise((res) => setTimeout(res, 3_000));
    expect(registry.workers().map((w) => w.workerId)).toEqual(['wa', 'wb']);
  });

  it('transcodes a 2 s 640x360 segment through the Dispatcher; outputs are valid and pixels counted', async () => {
    const dispatcher = new Dispatcher(registry);
    const out = await dispatcher.transcode({ sessionId: 'sess-1', segment: seg360, renditions: [r('P240p', 426, 240, 400_000), r('P144p', 256, 144, 200_000)], capabilities: [Capability.H264] });
    expect(out.attempts).toBe(1);
    expect(out.renditions.map((x) => x.name)).toEqual(['P240p', 'P144p']);
    for (const [i, x] of out.renditions.entries()) {
      const v = await probeVideo(x.data);
      expect([v.width, v.height]).toEqual(i === 0 ? [426, 240] : [256, 144]);
      expect(x.frames).toBe(60);
      expect(x.pixels).toBe(x.frames * v.width * v.height);
    }
    // The session sticks to its worker.
    const again = await dispatcher.transcode({ sessionId: 'sess-1', segment: seg360, renditions: [r('P144p', 256, 144, 200_000)] });
    expect(again.workerId).toBe(out.workerId);
    const metrics = await (await fetch(`http://127.0.0.1:${(out.workerId === 'wa' ? a : must(b)).runtime.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/lpts_worker_jobs_total\{outcome="ok",code="",[^}]*\} 2/);
    expect(metrics).toContain('lpts_worker_pixels_total');
    expect(metrics).toContain('lpts_worker_transcode_seconds_bucket');
  });

  it('transcodes a 1080p segment to 720p/480p/360p', async () => {
    const seg1080 = await makeTestSegment({ seconds: 1, width: 1920, height: 1080 });
    const out = await new Dispatcher(registry).transcode({
      sessionId: 'sess-hd',
      segment: seg1080,
      renditions: [r('P720p', 1280, 720, 3_000_000), r('P480p', 854, 480, 1_200_000), r('P360p', 640, 360, 600_000)],
    });
    const sizes = await Promise.all(out.renditions.map(async (x) => probeVideo(x.data)));
    expect(sizes.map((v) => [v.width, v.height])).toEqual([
      [1280, 720],
      [854, 480],
      [640, 360],
    ]);
    expect(out.renditions.map((x) => x.pixels)).toEqual(sizes.map((v) => v.frames * v.width * v.height));
  });

  it('never runs more than its capacity: 4 concurrent segments on 2 workers of capacity 1', async () => {
    const seen: number[] = [];
    const off = registry.onChange(() => seen.push(...registry.workers().map((w) => w.inUse)));
    const dispatcher = new Dispatcher(registry, { queueTimeoutMs: 30_000 });
    const outs = await Promise.all(Array.from({ length: 4 }, (_, i) => dispatcher.transcode({ sessionId: `c${i}`, segment: seg360, renditions: [r('P144p', 256, 144, 200_000)] })));
    off();
    expect(outs.every((o) => o.attempts === 1 && o.renditions[0]?.frames === 60)).toBe(true);
    expect(new Set(outs.map((o) => o.workerId))).toEqual(new Set(['wa', 'wb']));
    expect(Math.max(...seen)).toBe(1);
    expect(seen).toContain(1);
  });

  it('refuses a job over capacity with 503 WORKER_BUSY, and a bad job header with 400', async () => {
    const job = { jobId: 'j', sessionId: 's', timeoutMs: 30_000, renditions: [r('P144p', 256, 144, 200_000)] };
    const post = (headers: Record<string, string>) => fetch(a.transcodeUrl, { method: 'POST', headers, body: seg360 });
    const first = post({ [JOB_HEADER]: encodeJobHeader(job) });
    await until(() => a.worker.inUse === 1);
    const busy = await post({ [JOB_HEADER]: encodeJobHeader({ ...job, jobId: 'j2' }) });
    expect(busy.status).toBe(503);
    expect(await busy.json()).toMatchObject({ family: 'DispatchError', code: 'WORKER_BUSY', details: { capacity: 1, inUse: 1 } });
    expect((await first).status).toBe(200);
    const bad = await post({ [JOB_HEADER]: 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_JOB' });
  });

  it('turns broken input into a typed JobError that is not retried', async () => {
    const dispatcher = new Dispatcher(registry);
    const garbage = Buffer.alloc(64 * 1024, 0x47);
    const err = await dispatcher.transcode({ sessionId: 'broken', segment: garbage, renditions: [r('P144p', 256, 144, 200_000)] }).catch((e: unknown) => e);
    expect(isJobError(err)).toBe(true);
    expect((err as { code: string }).code).toMatch(/INVALID_MEDIA|NO_VIDEO|NO_KEYFRAMES|MISMATCHED_SEGMENTS/);
    const metrics = await Promise.all([a, must(b)].map(async (w) => (await fetch(`http://127.0.0.1:${w.runtime.opsPort}/metrics`)).text()));
    const invalid = metrics.map((m) => /lpts_worker_jobs_total\{outcome="invalid"[^}]*\} (\d+)/.exec(m)?.[1]).filter(Boolean);
    expect(invalid).toEqual(['1']);
  });

  it('SIGTERM-style close drains, then says gone: the registry drops it at once', async () => {
    const gone: string[] = [];
    const sub = nc.subscribe(`${prefix}.${WorkerEvents.gone.pattern}.*`, { callback: (_e, m) => void gone.push(m.subject) });
    await nc.flush(); // the subscription is live at the server before the worker says gone
    const closing = must(b).close();
    b = undefined;
    await closing;
    await until(() => !registry.workers().some((w) => w.workerId === 'wb'), 1_000);
    await until(() => gone.length > 0, 2_000).catch(() => undefined); // delivered on this spec's own connection
    expect(gone).toHaveLength(1);
    sub.unsubscribe();
    const none = await new Dispatcher(registry).transcode({ sessionId: 'x', segment: seg360, renditions: [r('a', 256, 144, 1000)], capabilities: [Capability.H264, 9999] }).catch((e: unknown) => e);
    expect(isDispatchError(none, 'NO_TRANSCODERS')).toBe(true);
  });

  it('refuses a bad environment naming every bad key', async () => {
    const err = await createApp({ NATS_URL: nats.url, WORKER_GPUS: 'zero', WORKER_CAPACITY: '0', WORKER_ID: 'a.b' }).catch((e: unknown) => e);
    expect(isConfigError(err, 'INVALID_CONFIG')).toBe(true);
    for (const key of ['WORKER_GPUS', 'WORKER_CAPACITY', 'WORKER_ID']) expect((err as Error).message).toContain(key);
  });
});
