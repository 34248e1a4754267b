import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTestSegment, probeVideo } from '@lpts/media';
import { spawnTs, startNats, uniquePrefix, type StartedNats, type TsProcess } from '@lpts/testing';
import { Dispatcher, WorkerRegistry } from '@lpts/workers';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { must, rendition as r, until } from './spec/spec-support.test';

jest.setTimeout(90_000);

const APP_ROOT = resolve(__dirname, '..');
const LADDER = [r('P720p', 1280, 720, 3_000_000), r('P480p', 854, 480, 1_200_000), r('P360p', 640, 360, 600_000)];

/** ffmpeg processes whose parent is `pid` (from /proc). */
function ffmpegChildren(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(join('/proc', name, 'stat'), 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === 'ffmpeg' && Number(m[2]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
};

/**
 * Two real worker processes (run from source through the root scripts/register-ts.cjs). The acceptance test
 * of issue 6: kill -9 the worker that got the segment while its ffmpeg runs; the segment completes
 * on the other worker.
 */
describe('worker processes: kill -9 mid-segment and SIGTERM drain', () => {
  let nats: StartedNats;
  let nc: NatsConnection;
  let registry: WorkerRegistry;
  let segment: Buffer;
  const procs = new Map<string, TsProcess>();
  const prefix = uniquePrefix('k9');

  function spawnWorker(id: string): TsProcess {
    const worker = spawnTs(join(APP_ROOT, 'src/main.ts'), {
      cwd: APP_ROOT,
      env: {
        NATS_URL: nats.url,
        NATS_SUBJECT_PREFIX: prefix,
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
        WORKER_ID: id,
        WORKER_HTTP_PORT: '0',
        WORKER_CAPACITY: '1',
        WORKER_LEASE_MS: '3000',
      },
    });
    procs.set(id, worker);
    return worker;
  }

  beforeAll(async () => {
    nats = await startNats({ jetstream: false });
    nc = await connect({ servers: nats.url });
    registry = new WorkerRegistry(nc, prefix);
    await registry.start();
    spawnWorker('w1');
    spawnWorker('w2');
    [segment] = await Promise.all([
      makeTestSegment({ seconds: 2, width: 1920, height: 1080 }),
      until(() => registry.workers().length === 2, 60_000, 'two workers to advertise').catch((e: unknown) => {
        throw new Error(`${(e as Error).message}\n${[...procs].map(([k, w]) => `${k}: ${w.output()}`).join('\n')}`);
      }),
    ]);
  });

  afterAll(async () => {
    for (const w of procs.values()) await w.kill();
    await registry?.stop();
    await nc?.drain();
    await nats?.stop();
  });

  it('kill -9 of the worker mid-segment: the segment completes on the second worker (attempts = 2)', async () => {
    const dispatcher = new Dispatcher(registry);
    const pending = dispatcher.transcode({ sessionId: 'k9-session', segment, renditions: LADDER, timeoutMs: 60_000 });
    // The worker that took the job reports inUse 1 at once; wait until its ffmpeg is running.
    let victim = '';
    let ffmpegPid = 0;
    await until(
      () => {
        for (const [id, w] of procs) {
          const kids = w.child.pid ? ffmpegChildren(w.child.pid) : [];
          if (kids[0]) {
            victim = id;
            ffmpegPid = kids[0];
            return true;
          }
        }
        return false;
      },
      20_000,
      'ffmpeg to start on a worker',
    );
    const proc = must(procs.get(victim));
    await new Promise((res) => setTimeout(res, 150));
    expect(alive(ffmpegPid)).toBe(true);
    proc.child.kill('SIGKILL');
    const out = await pending;
    expect(out.attempts).toBe(2);
    expect(out.workerId).not.toBe(victim);
    expect(out.renditions.map((x) => x.name)).toEqual(['P720p', 'P480p', 'P360p']);
    for (const x of out.renditions) {
      const v = await probeVideo(x.data);
      expect(x.frames).toBe(60);
      expect(x.pixels).toBe(v.frames * v.width * v.height);
    }
    expect(await proc.exited).toBeNull();
    // The dead worker's orphaned ffmpeg does not linger (its pipes closed with the parent).
    await until(() => !alive(ffmpegPid), 10_000, 'the orphaned ffmpeg to exit');
    // Its lease lapses (3 s) and the registry drops it; new segments go to the survivor only.
    await until(() => registry.workers().length === 1, 8_000, 'the dead worker to leave the registry');
    const next = await dispatcher.transcode({ sessionId: 'k9-session', segment, renditions: [r('P360p', 640, 360, 600_000)] });
    expect(next).toMatchObject({ workerId: out.workerId, attempts: 1 });
  });

  it('SIGTERM mid-segment: the worker finishes the job, says gone and exits 0', async () => {
    const survivor = registry.workers()[0]?.workerId ?? '';
    const proc = must(procs.get(survivor));
    // the previous test's last segment ran here: its release is advertised just after its response
    await until(() => registry.workers().every((w) => w.inUse === 0), 5_000, 'the survivor to advertise its slot free');
    const pending = new Dispatcher(registry).transcode({ sessionId: 'drain', segment, renditions: LADDER }).catch((e: unknown) => {
      throw new Error(`${String(e)} ${JSON.stringify((e as { details?: unknown }).details)} ${JSON.stringify(registry.workers())}`);
    });
    await until(() => (proc.child.pid ? ffmpegChildren(proc.child.pid).length > 0 : false), 20_000, 'ffmpeg to start');
    proc.child.kill('SIGTERM');
    const out = await pending;
    expect(out).toMatchObject({ workerId: survivor, attempts: 1 });
    expect(await proc.exited).toBe(0);
    await until(() => registry.workers().length === 0, 1_000, 'the gone event');
  });
});
