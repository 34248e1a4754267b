import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTestSegment } from '@lpts/media';
import { startNats, startRedis, uniquePrefix, type StartedNats, type StartedRedis } from '@lpts/testing';
import { createApp, type GatewayApp } from '../bootstrap';
import { GatewayIdentity } from '../identity/gateway-identity';
import { FakeOrchestrator } from '../testing/fake-orchestrator.fake';
import type { VodJobView } from './vod-jobs.service';

jest.setTimeout(90_000);
const run = promisify(execFile);

let nats: StartedNats;
let redis: StartedRedis;
let orch: FakeOrchestrator;
let media: Buffer;
let files: Server;
let filesUrl: string;
let vodDir: string;
const apps: GatewayApp[] = [];

beforeAll(async () => {
  [nats, redis, orch] = await Promise.all([startNats(), startRedis(), FakeOrchestrator.start()]);
  // 8 s of H.264 + AAC in MP4, a keyframe every 2 s: four 2 s segments, cut with stream copy.
  media = await makeTestSegment({ seconds: 8, width: 320, height: 180, format: 'mp4' });
  vodDir = mkdtempSync(join(tmpdir(), 'lpts-vod-spec-'));
  files = createServer((req, res) => {
    if (req.url === '/clip.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': media.length });
      res.end(media);
    } else if (req.url === '/text.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('this is not a video\n'.repeat(100));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => files?.close(() => resolve()));
  await orch?.close();
  await redis?.stop();
  await nats?.stop();
  if (vodDir) rmSync(vodDir, { recursive: true, force: true });
});

async function gateway(prefix = uniquePrefix('vod'), env: Record<string, string | undefined> = {}): Promise<GatewayApp> {
  const app = await createApp(
    {
      NATS_URL: nats.url,
      NATS_SUBJECT_PREFIX: prefix,
      REDIS_URL: redis.url,
      OPS_PORT: '0',
      GATEWAY_HTTP_PORT: '0',
      GATEWAY_OFFCHAIN: 'true',
      GATEWAY_EXPLORATION_SHARE: '0',
      GATEWAY_ORCH_ADDRS: orch.uri,
      GATEWAY_TRANSCODING_PROFILES: 'P144p30fps16x9',
      GATEWAY_VOD_DIR: vodDir,
      LOG_LEVEL: 'silent',
      ...env,
    },
    { identity: GatewayIdentity.fromPrivateKey(new Uint8Array(32).fill(7)) },
  );
  apps.push(app);
  return app;
}

async function upload(app: GatewayApp, data: Buffer, name = 'clip.mp4'): Promise<Response> {
  const form = new FormData();
  form.append('title', 'a clip');
  form.append('file', new Blob([new Uint8Array(data)], { type: 'video/mp4' }), name);
  return fetch(`${app.url}/vod/jobs`, { method: 'POST', body: form });
}

async function submitUrl(app: GatewayApp, url: string): Promise<Response> {
  return fetch(`${app.url}/vod/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
}

interface SseEvent {
  event: string;
  data: VodJobView;
}

/** Reads a whole SSE response (it ends after completed/failed). */
async function readEvents(app: GatewayApp, id: string): Promise<SseEvent[]> {
  const res = await fetch(`${app.url}/vod/jobs/${id}/events`, { signal: AbortSignal.timeout(60_000) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: (eventLine as string).slice('event: '.length), data: JSON.parse((dataLine as string).slice('data: '.length)) as VodJobView };
    });
}

async function waitForState(app: GatewayApp, id: string, states: string[]): Promise<VodJobView> {
  for (let i = 0; i < 600; i++) {
    const job = (await (await fetch(`${app.url}/vod/jobs/${id}`)).json()) as VodJobView;
    if (states.includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} never reached ${states.join('/')}`);
}

async function probeDuration(url: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', url]);
  return Number((JSON.parse(stdout) as { format: { duration: string } }).format.duration);
}

describe('VOD jobs (bullmq, real Redis and ffmpeg)', () => {
  it('an uploaded 8 s file: SSE shows progress then completed, and the HLS output has every segment', async () => {
    const app = await gateway();
    const res = await upload(app, media);
    expect(res.status).toBe(202);
    const job = (await res.json()) as VodJobView;
    expect(job).toMatchObject({ statusUrl: `/vod/jobs/${job.id}`, eventsUrl: `/vod/jobs/${job.id}/events`, playlistUrl: `/stream/vod-${job.id}.m3u8` });
    expect(['waiting', 'active', 'prioritized']).toContain(job.state);
    expect(res.headers.get('location')).toBe(job.statusUrl);

    const events = await readEvents(app, job.id);
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.progress);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toEqual({ segmentsDone: 4, segmentsTotal: 4, percent: 100 });
    const done = progress.map((p) => p.segmentsDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const last = events.at(-1) as SseEvent;
    expect(last.event).toBe('completed');
    expect(last.data).toMatchObject({ state: 'completed', result: { segments: 4 } });
    expect(last.data.error).toBeUndefined();

    const polled = (await (await fetch(`${app.url}${job.statusUrl}`)).json()) as VodJobView;
    expect(polled.state).toBe('completed');
    expect(polled.progress.percent).toBe(100);

    const master = await (await fetch(`${app.url}${job.playlistUrl}`)).text();
    const variant = master.split('\n').find((l) => l.endsWith('.m3u8')) as string;
    const media1 = await (await fetch(`${app.url}/stream/${variant}`)).text();
    expect(media1.match(/\.ts$/gm)).toHaveLength(4);
    expect(media1).toContain('#EXT-X-ENDLIST');
    const duration = await probeDuration(`${app.url}/stream/${variant}`);
    expect(duration).toBeGreaterThan(7.5);
    expect(duration).toBeLessThan(8.5);

    const list = (await (await fetch(`${app.url}/vod/jobs`)).json()) as { jobs: VodJobView[] };
    expect(list.jobs.map((j) => j.id)).toContain(job.id);
  });

  it('a URL input is downloaded and completes; a text URL and an unreachable URL fail with their codes', async () => {
    const app = await gateway();
    const ok = (await (await submitUrl(app, `${filesUrl}/clip.mp4`)).json()) as VodJobView;
    const text = (await (await submitUrl(app, `${filesUrl}/text.txt`)).json()) as VodJobView;
    const missing = (await (await submitUrl(app, `${filesUrl}/nope.mp4`)).json()) as VodJobView;
    expect((await waitForState(app, ok.id, ['completed', 'failed'])).state).toBe('completed');
    const t = await waitForState(app, text.id, ['completed', 'failed']);
    expect(t).toMatchObject({ state: 'failed', error: { family: 'VodError', code: 'INPUT_NOT_MEDIA' } });
    const m = await waitForState(app, missing.id, ['completed', 'failed']);
    expect(m).toMatchObject({ state: 'failed', error: { family: 'VodError', code: 'INPUT_UNREACHABLE', details: { status: 404 } } });
    // The SSE of a finished job sends its state and ends.
    const events = await readEvents(app, t.id);
    expect(events.map((e) => e.event)).toEqual(['failed']);
    expect(events[0]?.data.error?.code).toBe('INPUT_NOT_MEDIA');
    const duration = await probeDuration(`${app.url}${ok.playlistUrl}`);
    expect(duration).toBeGreaterThan(7.5);
  });

  it('a broken upload fails with INPUT_NOT_MEDIA; an oversized URL input with INPUT_TOO_LARGE; bad bodies are 400', async () => {
    const app = await gateway(uniquePrefix('vod'), { GATEWAY_VOD_MAX_INPUT_BYTES: String(media.length - 1) });
    const broken = (await (await upload(app, Buffer.from('garbage'.repeat(1000)))).json()) as VodJobView;
    expect(await waitForState(app, broken.id, ['completed', 'failed'])).toMatchObject({ state: 'failed', error: { code: 'INPUT_NOT_MEDIA' } });
    const big = (await (await submitUrl(app, `${filesUrl}/clip.mp4`)).json()) as VodJobView;
    expect(await waitForState(app, big.id, ['completed', 'failed'])).toMatchObject({ state: 'failed', error: { code: 'INPUT_TOO_LARGE' } });
    const tooBig = await upload(app, media);
    expect(tooBig.status).toBe(413);

    for (const body of ['{"url": "ftp://example.com/x.mp4"}', '{"file": 1}', 'not json']) {
      const r = await fetch(`${app.url}/vod/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    const raw = await fetch(`${app.url}/vod/jobs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(raw.status).toBe(400);
    const empty = await upload(app, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect((await fetch(`${app.url}/vod/jobs/0123456789abcdef`)).status).toBe(404);
    expect((await fetch(`${app.url}/vod/jobs/0123456789abcdef/events`)).status).toBe(404);
  });

  it('a job submitted before a restart runs after it (the queue is in Redis)', async () => {
    const prefix = uniquePrefix('vod');
    // This gateway only accepts jobs (no worker), then goes away before anything runs them.
    const first = await gateway(prefix, { GATEWAY_VOD_CONCURRENCY: '0' });
    const job = (await (await upload(first, media)).json()) as VodJobView;
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    const second = await gateway(prefix);
    const before = (await (await fetch(`${second.url}/vod/jobs/${job.id}`)).json()) as VodJobView;
    expect(['waiting', 'active', 'completed']).toContain(before.state);
    const done = await waitForState(second, job.id, ['completed', 'failed']);
    expect(done).toMatchObject({ state: 'completed', progress: { segmentsDone: 4, segmentsTotal: 4, percent: 100 } });
    expect(await probeDuration(`${second.url}${job.playlistUrl}`)).toBeGreaterThan(7.5);
  });

  it('without REDIS_URL the VOD API answers VOD_DISABLED', async () => {
    const app = await gateway(uniquePrefix('vod'), { REDIS_URL: undefined });
    const r = await fetch(`${app.url}/vod/jobs`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('VOD_DISABLED');
  });
});
