import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

const M3U8 = 'application/vnd.apple.mpegurl';
const PROFILE = 'P144p30fps16x9';

/** A folder of its own under vodDir (not a job id, so no retention sweep touches it). */
function ownVodDir(): string {
  return mkdtempSync(join(vodDir, 'own-'));
}

interface Served {
  master: string;
  /** media playlist text per variant URI */
  media: Map<string, string>;
  /** segment bytes per URL path */
  segments: Map<string, Buffer>;
}

/** GETs the master playlist, every media playlist and every segment they list, checking status and content type. */
async function fetchOutput(app: GatewayApp, playlistUrl: string): Promise<Served> {
  const get = async (path: string, type: string): Promise<Buffer> => {
    const r = await fetch(`${app.url}${path}`);
    expect({ path, status: r.status }).toEqual({ path, status: 200 });
    expect(r.headers.get('content-type')).toBe(type);
    return Buffer.from(await r.arrayBuffer());
  };
  const master = (await get(playlistUrl, M3U8)).toString('utf8');
  const media = new Map<string, string>();
  const segments = new Map<string, Buffer>();
  for (const variant of master.split('\n').filter((l) => l.endsWith('.m3u8'))) {
    const text = (await get(`/stream/${variant}`, M3U8)).toString('utf8');
    media.set(variant, text);
    const base = variant.slice(0, variant.lastIndexOf('/'));
    for (const seg of text.split('\n').filter((l) => l.endsWith('.ts'))) {
      const path = `/stream/${base}/${seg}`;
      const data = await get(path, 'video/mp2t');
      expect(data.length).toBeGreaterThan(0);
      segments.set(path, data);
    }
  }
  return { master, media, segments };
}

async function errorOf(res: Response): Promise<{ status: number; family: string; code: string }> {
  const body = (await res.json()) as { error: { family: string; code: string } };
  return { status: res.status, family: body.error.family, code: body.error.code };
}

async function completedUpload(app: GatewayApp): Promise<VodJobView> {
  const job = (await (await upload(app, media)).json()) as VodJobView;
  const done = await waitForState(app, job.id, ['completed', 'failed']);
  expect(done.state).toBe('completed');
  return done;
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

  it('a completed job is on disk and still served in full by a new gateway after a restart', async () => {
    const prefix = uniquePrefix('vod');
    const dir = ownVodDir();
    const first = await gateway(prefix, { GATEWAY_VOD_DIR: dir });
    const job = await completedUpload(first);
    // <dir>/<id>/out/<rendition>/<seq>.ts + playlists + completion record; the upload is gone, no temp file is left.
    expect(readdirSync(join(dir, job.id)).sort()).toEqual(['out']);
    expect(readdirSync(join(dir, job.id, 'out')).sort()).toEqual([PROFILE, `${PROFILE}.m3u8`, 'completed.json', 'master.m3u8']);
    expect(readdirSync(join(dir, job.id, 'out', PROFILE)).sort()).toEqual(['0.ts', '1.ts', '2.ts', '3.ts']);
    const before = await fetchOutput(first, job.playlistUrl);
    expect(before.segments.size).toBe(4);
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    // A new gateway on the same Redis and GATEWAY_VOD_DIR (no worker: serving needs none).
    const second = await gateway(prefix, { GATEWAY_VOD_DIR: dir, GATEWAY_VOD_CONCURRENCY: '0' });
    const status = (await (await fetch(`${second.url}/vod/jobs/${job.id}`)).json()) as VodJobView;
    expect(status).toMatchObject({ state: 'completed', playlistUrl: job.playlistUrl, result: { segments: 4 } });
    expect(status.expiresAt).toBe((status.finishedAt as number) + 7 * 24 * 3600 * 1000);
    const after = await fetchOutput(second, job.playlistUrl);
    expect(after.master).toBe(before.master);
    expect(after.media).toEqual(before.media);
    expect([...after.media.values()].every((m) => m.includes('#EXT-X-ENDLIST'))).toBe(true);
    expect([...after.segments.keys()]).toEqual([...before.segments.keys()]);
    for (const [path, data] of after.segments) expect(data.equals(before.segments.get(path) as Buffer)).toBe(true);
    const duration = await probeDuration(`${second.url}${job.playlistUrl}`);
    expect(duration).toBeGreaterThan(7.5);
    expect(duration).toBeLessThan(8.5);
  });

  it('a job longer than the live window and byte budget keeps every segment, and the idle sweep leaves it alone', async () => {
    const app = await gateway(uniquePrefix('vod'), {
      GATEWAY_STORAGE_WINDOW_SEGMENTS: '2',
      GATEWAY_STORAGE_MAX_BYTES: '1000',
      GATEWAY_STREAM_IDLE_S: '1',
    });
    const job = await completedUpload(app);
    await new Promise((r) => setTimeout(r, 1100));
    app.services.live.sweep();
    const served = await fetchOutput(app, job.playlistUrl);
    expect([...served.media.values()][0]?.match(/\.ts$/gm)).toHaveLength(4);
    expect(served.segments.size).toBe(4);
    expect(await probeDuration(`${app.url}${job.playlistUrl}`)).toBeGreaterThan(7.5);
  });

  it('a run after a crash mid-job starts from an empty out folder (no stale segment of the earlier attempt)', async () => {
    const prefix = uniquePrefix('vod');
    const dir = ownVodDir();
    const accept = await gateway(prefix, { GATEWAY_VOD_DIR: dir, GATEWAY_VOD_CONCURRENCY: '0' });
    const job = (await (await upload(accept, media)).json()) as VodJobView;
    await accept.close();
    apps.splice(apps.indexOf(accept), 1);
    // What an attempt that died mid-job leaves: segments (one the new run will not produce) and a playlist listing them.
    const out = join(dir, job.id, 'out');
    mkdirSync(join(out, PROFILE), { recursive: true });
    for (const seq of [0, 7]) writeFileSync(join(out, PROFILE, `${seq}.ts`), 'stale');
    writeFileSync(join(out, `${PROFILE}.m3u8`), `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.000,\n${PROFILE}/0.ts\n#EXTINF:2.000,\n${PROFILE}/7.ts\n`);

    const app = await gateway(prefix, { GATEWAY_VOD_DIR: dir });
    expect((await waitForState(app, job.id, ['completed', 'failed'])).state).toBe('completed');
    expect(readdirSync(join(out, PROFILE)).sort()).toEqual(['0.ts', '1.ts', '2.ts', '3.ts']);
    expect((await fetch(`${app.url}/stream/vod-${job.id}/${PROFILE}/7.ts`)).status).toBe(404);
    const served = await fetchOutput(app, job.playlistUrl);
    expect([...served.segments.keys()].map((k) => k.slice(k.lastIndexOf('/') + 1))).toEqual(['0.ts', '1.ts', '2.ts', '3.ts']);
    for (const data of served.segments.values()) expect(data.toString('latin1')).not.toBe('stale');
  });

  it('the retention sweep removes a job past GATEWAY_VOD_KEEP_S (record and files), and keeps waiting jobs and fresh folders', async () => {
    const prefix = uniquePrefix('vod');
    const dir = ownVodDir();
    const first = await gateway(prefix, { GATEWAY_VOD_DIR: dir });
    const done = await completedUpload(first);
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    // Folders no job owns: one left two hours ago by a crash during an upload, one being written now.
    const oldOrphan = join(dir, '00000000000000aa');
    const freshOrphan = join(dir, '00000000000000bb');
    for (const d of [oldOrphan, freshOrphan]) {
      mkdirSync(d);
      writeFileSync(join(d, 'input.part'), 'partial');
    }
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(oldOrphan, 'input.part'), twoHoursAgo, twoHoursAgo);
    utimesSync(oldOrphan, twoHoursAgo, twoHoursAgo);

    // Restarted with a 1 s retention and no worker: a new upload waits (its input must survive the sweeps).
    const app = await gateway(prefix, { GATEWAY_VOD_DIR: dir, GATEWAY_VOD_KEEP_S: '1', GATEWAY_VOD_CONCURRENCY: '0' });
    const waiting = (await (await upload(app, media)).json()) as VodJobView;
    for (let i = 0; i < 100 && existsSync(join(dir, done.id)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(dir, done.id))).toBe(false);
    expect(await errorOf(await fetch(`${app.url}/vod/jobs/${done.id}`))).toEqual({ status: 404, family: 'GatewayError', code: 'NOT_FOUND' });
    expect(await errorOf(await fetch(`${app.url}${done.playlistUrl}`))).toEqual({ status: 404, family: 'GatewayError', code: 'NOT_FOUND' });
    expect((await fetch(`${app.url}/stream/vod-${done.id}/${PROFILE}/0.ts`)).status).toBe(404);
    await app.services.vod.sweep(); // one more full pass after the one that removed it
    expect(existsSync(oldOrphan)).toBe(false);
    expect(existsSync(freshOrphan)).toBe(true);
    expect(existsSync(join(dir, waiting.id, 'input'))).toBe(true);
    expect(((await (await fetch(`${app.url}/vod/jobs/${waiting.id}`)).json()) as VodJobView).state).toBe('waiting');
  });

  it('DELETE /vod/jobs/:id: 409 while the job runs, then 204 removes the job and its files; a second DELETE is a typed 404', async () => {
    const slow = await FakeOrchestrator.start({ delayMs: 700 });
    try {
      const dir = ownVodDir();
      const app = await gateway(uniquePrefix('vod'), { GATEWAY_VOD_DIR: dir, GATEWAY_ORCH_ADDRS: slow.uri });
      const job = (await (await upload(app, media)).json()) as VodJobView;
      await waitForState(app, job.id, ['active']);
      expect(await errorOf(await fetch(`${app.url}/vod/jobs/${job.id}`, { method: 'DELETE' }))).toEqual({ status: 409, family: 'GatewayError', code: 'CONFLICT' });
      expect((await waitForState(app, job.id, ['completed', 'failed'])).state).toBe('completed');
      expect((await fetch(`${app.url}${job.playlistUrl}`)).status).toBe(200);

      const del = await fetch(`${app.url}/vod/jobs/${job.id}`, { method: 'DELETE' });
      expect(del.status).toBe(204);
      expect(existsSync(join(dir, job.id))).toBe(false);
      expect(await errorOf(await fetch(`${app.url}/vod/jobs/${job.id}`))).toEqual({ status: 404, family: 'GatewayError', code: 'NOT_FOUND' });
      expect(await errorOf(await fetch(`${app.url}${job.playlistUrl}`))).toEqual({ status: 404, family: 'GatewayError', code: 'NOT_FOUND' });
      expect((await fetch(`${app.url}/stream/vod-${job.id}/${PROFILE}.m3u8`)).status).toBe(404);
      expect((await fetch(`${app.url}/stream/vod-${job.id}/${PROFILE}/0.ts`)).status).toBe(404);
      const again = await fetch(`${app.url}/vod/jobs/${job.id}`, { method: 'DELETE' });
      expect(await errorOf(again)).toEqual({ status: 404, family: 'GatewayError', code: 'NOT_FOUND' });
      expect(await errorOf(await fetch(`${app.url}/vod/jobs/not-a-job`, { method: 'DELETE' }))).toEqual({ status: 404, family: 'GatewayError', code: 'NOT_FOUND' });
      // Live pushes cannot take a VOD output's name.
      const push = await fetch(`${app.url}/live/vod-${job.id}/0.ts`, { method: 'PUT', body: new Uint8Array(10) });
      expect(await errorOf(push)).toEqual({ status: 400, family: 'GatewayError', code: 'BAD_REQUEST' });
    } finally {
      await Promise.all(apps.splice(0).map((a) => a.close()));
      await slow.close();
    }
  });

  it('without REDIS_URL the VOD API answers VOD_DISABLED', async () => {
    const app = await gateway(uniquePrefix('vod'), { REDIS_URL: undefined });
    const r = await fetch(`${app.url}/vod/jobs`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('VOD_DISABLED');
  });
});
