import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { isLptsError } from '@lpts/protocol';
import type { Logger } from '@lpts/platform';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { GatewayError } from '../common/gateway.errors';
import type { SegmentDispatcher } from '../sessions/segment-dispatcher';
import { pipeMultipartFile } from './multipart-file';
import { downloadInput, probeInput, segmentInput } from './vod-media';
import { VOD_JOB_ID, vodStreamName, type VodOutputStore } from './vod-output';
import { VodError } from './vod.errors';

/** Where a job's input comes from: a file uploaded into GATEWAY_VOD_DIR, or a URL the worker downloads. */
export type VodInput = { kind: 'file'; bytes: number } | { kind: 'url'; url: string };

export interface VodJobError {
  family: string;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** What a bullmq job holds. */
export interface VodJobData {
  input: VodInput;
  /** Set by the worker just before it fails the job (bullmq keeps only a reason string). */
  error?: VodJobError;
}

export interface VodProgress {
  segmentsDone: number;
  segmentsTotal: number;
  /** 0..100 */
  percent: number;
}

export interface VodResult {
  segments: number;
  durationMs: number;
}

/** bullmq states (`waiting`, `active`, `completed`, `failed`, `delayed`, …). */
export type VodJobState = string;

/** A job as the API shows it. */
export interface VodJobView {
  id: string;
  state: VodJobState;
  progress: VodProgress;
  input: VodInput;
  createdAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  result: VodResult | undefined;
  error: VodJobError | undefined;
  /** When a completed job's output (and the job) is removed by the retention sweep (unset: kept until deleted). */
  expiresAt: number | undefined;
  statusUrl: string;
  eventsUrl: string;
  playlistUrl: string;
}

export interface VodOptions {
  /** Unset: VOD is disabled (the API answers VOD_DISABLED). */
  redisUrl: string | undefined;
  /** bullmq key prefix (REDIS_KEY_PREFIX without its trailing colon). */
  prefix: string;
  queueName: string;
  /** Uploaded inputs live in `<dir>/<jobId>/input` until their job ends; outputs in `<dir>/<jobId>/out` (VodOutputStore). */
  dir: string;
  segmentSeconds: number;
  maxInputBytes: number;
  downloadTimeoutMs: number;
  ffmpegTimeoutMs: number;
  /** Jobs processed at once by this gateway (0: accept jobs only; another gateway processes them). */
  concurrency: number;
  /** Finished jobs kept in Redis (each of completed and failed). */
  keepJobs: number;
  /** A completed job's output and record are removed this long after it finished (0: kept until deleted). */
  keepS: number;
}

/** What a job watcher is told: a state change or progress. */
export type VodJobEvent = 'waiting' | 'active' | 'progress' | 'completed' | 'failed';

export const VOD_TERMINAL_STATES: ReadonlySet<string> = new Set(['completed', 'failed']);
/** A folder without a completion record and without a job in Redis (a crash during an upload, a job removed by hand) is removed once it is this old, or older than the retention if that is longer. */
const ORPHAN_MIN_AGE_MS = 3600_000;
const EMPTY_PROGRESS: VodProgress = { segmentsDone: 0, segmentsTotal: 0, percent: 0 };

function progressOf(p: unknown): VodProgress {
  if (typeof p === 'object' && p !== null && 'segmentsDone' in p) return p as VodProgress;
  return EMPTY_PROGRESS;
}

function jobErrorOf(e: unknown): VodJobError {
  if (isLptsError(e)) return { family: e.family, code: e.code, message: e.message, details: e.details };
  return { family: 'VodError', code: 'INTERNAL', message: (e as Error)?.message ?? String(e), details: {} };
}

/**
 * VOD jobs on a bullmq queue in Redis: the input (an upload stored under GATEWAY_VOD_DIR, or a URL)
 * is cut into MPEG-TS segments at keyframes, each segment goes through the same dispatcher as live
 * segments (selection, payments, retries, verification), and the renditions are written to disk
 * (VodOutputStore) and served as an ended HLS stream `vod-<id>` until the job is deleted or passes
 * GATEWAY_VOD_KEEP_S. State and progress are bullmq's; watchers get QueueEvents.
 */
export class VodJobsService {
  private queue?: Queue<VodJobData, VodResult>;
  private worker?: Worker<VodJobData, VodResult>;
  private events?: QueueEvents;
  private readonly connections: Redis[] = [];
  private readonly closing = new AbortController();
  private sweeper?: NodeJS.Timeout;
  private sweeping?: Promise<string[]>;

  constructor(
    private readonly dispatcher: SegmentDispatcher,
    readonly output: VodOutputStore,
    private readonly options: VodOptions,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.options.redisUrl !== undefined;
  }

  /** One ioredis connection per bullmq component (the worker and QueueEvents block on theirs). */
  private connection(url: string): Redis {
    const c = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
    c.on('error', () => undefined); // reconnects on its own; bullmq reports what matters
    this.connections.push(c);
    return c;
  }

  async start(): Promise<void> {
    const url = this.options.redisUrl;
    if (url === undefined) {
      this.logger.info('VOD disabled (no REDIS_URL)');
      return;
    }
    const conn = (): Redis => this.connection(url);
    const { prefix, queueName } = this.options;
    this.queue = new Queue<VodJobData, VodResult>(queueName, { connection: conn(), prefix });
    this.queue.on('error', (e) => this.logger.warn({ err: e.message }, 'VOD queue error'));
    this.events = new QueueEvents(queueName, { connection: conn(), prefix });
    this.events.on('error', (e) => this.logger.warn({ err: e.message }, 'VOD queue events error'));
    this.events.setMaxListeners(0);
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
    await mkdir(this.options.dir, { recursive: true });
    const keepMs = this.options.keepS * 1000;
    if (keepMs > 0) {
      const tick = (): void => {
        this.sweeping ??= this.sweep()
          .catch((e: unknown) => {
            this.logger.warn({ err: (e as Error).message }, 'VOD retention sweep failed');
            return [];
          })
          .finally(() => (this.sweeping = undefined));
      };
      this.sweeper = setInterval(tick, Math.min(60_000, Math.max(1000, Math.floor(keepMs / 2))));
      this.sweeper.unref();
      tick();
    }
  }

  /** Starts processing jobs (bootstrap calls it once the first discovery refresh is done, so jobs find orchestrators). */
  async startWorker(): Promise<void> {
    const url = this.options.redisUrl;
    if (url === undefined || this.worker || this.closing.signal.aborted) return;
    const { prefix, queueName } = this.options;
    if (this.options.concurrency > 0) {
      this.worker = new Worker<VodJobData, VodResult>(queueName, (job) => this.process(job), {
        connection: this.connection(url),
        prefix,
        concurrency: this.options.concurrency,
        removeOnComplete: { count: this.options.keepJobs },
        removeOnFail: { count: this.options.keepJobs },
      });
      this.worker.on('error', (e) => this.logger.warn({ err: e.message }, 'VOD worker error'));
      await this.worker.waitUntilReady();
    }
  }

  /** Stops taking jobs; a job in progress is left to bullmq's stall check (another worker, or this gateway after a restart, takes it over). */
  async close(): Promise<void> {
    this.closing.abort();
    if (this.sweeper) clearInterval(this.sweeper);
    await this.sweeping;
    await this.worker?.close(true);
    await this.events?.close();
    await this.queue?.close();
    for (const c of this.connections) c.disconnect();
  }

  private q(): Queue<VodJobData, VodResult> {
    if (!this.queue) throw new VodError('VOD_DISABLED', 'VOD jobs need Redis: set REDIS_URL', { retryable: true });
    return this.queue;
  }

  /** Stores an upload (`multipart/form-data`, first file part) under GATEWAY_VOD_DIR and queues its job. */
  async submitUpload(body: Readable, boundary: string): Promise<VodJobView> {
    const queue = this.q();
    const id = randomBytes(8).toString('hex');
    const dir = join(this.options.dir, id);
    await mkdir(dir, { recursive: true });
    try {
      const part = join(dir, 'input.part');
      const out = createWriteStream(part);
      let bytes: number;
      try {
        bytes = await pipeMultipartFile(body, boundary, out, this.options.maxInputBytes);
      } finally {
        out.end();
        await new Promise<void>((done) => (out.closed ? done() : out.once('close', () => done())));
      }
      if (bytes === 0) throw new GatewayError('BAD_REQUEST', 'the uploaded file is empty');
      await rename(part, join(dir, 'input'));
      await queue.add('vod', { input: { kind: 'file', bytes } }, { jobId: id, attempts: 1 });
    } catch (e) {
      body.resume();
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return this.get(id);
  }

  /** Queues a job whose worker downloads `url`. */
  async submitUrl(url: string): Promise<VodJobView> {
    const queue = this.q();
    const id = randomBytes(8).toString('hex');
    await queue.add('vod', { input: { kind: 'url', url } }, { jobId: id, attempts: 1 });
    return this.get(id);
  }

  async get(id: string): Promise<VodJobView> {
    const queue = this.q();
    const job = VOD_JOB_ID.test(id) ? await queue.getJob(id) : undefined;
    if (!job) throw new GatewayError('NOT_FOUND', `unknown VOD job ${id}`, { details: { id } });
    return this.view(job, await job.getState());
  }

  /** The most recent jobs (any state), newest first. */
  async list(limit = 100): Promise<VodJobView[]> {
    const queue = this.q();
    const jobs = await queue.getJobs(['active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'], 0, limit - 1);
    const recent = jobs.filter((j) => j !== undefined && j !== null).sort((a, b) => b.timestamp - a.timestamp).slice(0, limit);
    return Promise.all(recent.map(async (j) => this.view(j, await j.getState())));
  }

  /**
   * Removes job `id` (its record in Redis) and its files (input and output). A running job cannot be
   * removed (CONFLICT); a completed job whose record Redis no longer keeps (GATEWAY_VOD_MAX_JOBS) can,
   * as long as its output is on disk.
   */
  async remove(id: string): Promise<void> {
    const queue = this.q();
    const job = VOD_JOB_ID.test(id) ? await queue.getJob(id) : undefined;
    if (job) {
      const state = await job.getState();
      if (state === 'active') {
        throw new GatewayError('CONFLICT', `VOD job ${id} is running: delete it once it has completed or failed`, { details: { id, state } });
      }
      // 0: locked by a worker that took it meanwhile, or already removed by a concurrent delete.
      if ((await queue.remove(id)) !== 1 && (await queue.getJob(id)) !== undefined) {
        throw new GatewayError('CONFLICT', `VOD job ${id} has just started: delete it once it has completed or failed`, { details: { id } });
      }
    }
    const hadFiles = await this.output.remove(id);
    if (!job && !hadFiles) throw new GatewayError('NOT_FOUND', `unknown VOD job ${id}`, { details: { id } });
    this.logger.info({ job: id }, 'VOD job deleted');
  }

  /**
   * Retention (GATEWAY_VOD_KEEP_S): removes completed jobs older than that, their record first (so no
   * job points at removed files) then their folder, and folders left by a crash that no job owns.
   * Runs periodically; returns the ids whose folders it removed.
   */
  async sweep(now = Date.now()): Promise<string[]> {
    const keepMs = this.options.keepS * 1000;
    const queue = this.queue;
    if (keepMs <= 0 || !queue) return [];
    const removed: string[] = [];
    for (const id of await this.output.jobIds()) {
      if (this.closing.signal.aborted) break;
      const done = await this.output.completion(id);
      if (done !== undefined) {
        if (done.finishedAt + keepMs > now) continue;
        // 0 with the job still there: a worker holds it (a re-run that is clearing this folder anyway).
        if ((await queue.remove(id)) !== 1 && (await queue.getJob(id)) !== undefined) continue;
      } else {
        if ((await queue.getJob(id)) !== undefined) continue;
        let last: number;
        try {
          last = await this.output.lastWriteMs(id);
        } catch {
          continue; // removed meanwhile
        }
        if (last + Math.max(keepMs, ORPHAN_MIN_AGE_MS) > now) continue;
      }
      await this.output.remove(id);
      removed.push(id);
    }
    // Records of completed jobs without files here (completed before outputs went to disk, or files removed by hand).
    if (!this.closing.signal.aborted) await queue.clean(keepMs, 1000, 'completed');
    if (removed.length > 0) this.logger.info({ jobs: removed }, 'VOD outputs past retention removed');
    return removed;
  }

  /** HLS master playlist of job `id`'s output (from disk: served after a restart, by any gateway sharing GATEWAY_VOD_DIR). */
  async master(id: string): Promise<string> {
    const m = await this.output.master(id);
    if (m === undefined) throw new GatewayError('NOT_FOUND', `unknown stream ${vodStreamName(id)}`, { details: { stream: vodStreamName(id) } });
    return m;
  }

  async media(id: string, profile: string): Promise<string> {
    const m = await this.output.media(id, profile);
    if (m === undefined) {
      throw new GatewayError('NOT_FOUND', `unknown stream or rendition ${vodStreamName(id)}/${profile}`, { details: { stream: vodStreamName(id), profile } });
    }
    return m;
  }

  async segment(id: string, profile: string, seq: number): Promise<Buffer> {
    const data = await this.output.segment(id, profile, seq);
    if (data === undefined) {
      throw new GatewayError('NOT_FOUND', `no segment ${seq} of ${vodStreamName(id)}/${profile}`, { details: { stream: vodStreamName(id), profile, seq } });
    }
    return data;
  }

  /** Calls `listener` on each state change or progress of job `id` (bullmq QueueEvents); returns the unsubscribe. */
  watch(id: string, listener: (event: VodJobEvent) => void): () => void {
    const events = this.events;
    if (!events) throw new VodError('VOD_DISABLED', 'VOD jobs need Redis: set REDIS_URL', { retryable: true });
    const names: VodJobEvent[] = ['waiting', 'active', 'progress', 'completed', 'failed'];
    const handlers = names.map((name) => {
      const h = (args: { jobId: string }): void => {
        if (args.jobId === id) listener(name);
      };
      events.on(name, h);
      return [name, h] as const;
    });
    return () => {
      for (const [name, h] of handlers) events.off(name, h);
    };
  }

  private view(job: Job<VodJobData, VodResult>, state: string): VodJobView {
    const id = job.id as string;
    const failed = state === 'failed';
    const keepMs = this.options.keepS * 1000;
    return {
      id,
      state,
      progress: progressOf(job.progress),
      input: job.data.input,
      createdAt: job.timestamp,
      startedAt: job.processedOn,
      finishedAt: job.finishedOn,
      result: state === 'completed' ? job.returnvalue : undefined,
      error: failed ? (job.data.error ?? { family: 'VodError', code: 'INTERNAL', message: job.failedReason, details: {} }) : undefined,
      expiresAt: state === 'completed' && keepMs > 0 && job.finishedOn !== undefined ? job.finishedOn + keepMs : undefined,
      statusUrl: `/vod/jobs/${id}`,
      eventsUrl: `/vod/jobs/${id}/events`,
      playlistUrl: `/stream/${vodStreamName(id)}.m3u8`,
    };
  }

  /** bullmq processor: download or find the input, segment it, dispatch every segment, write the HLS output to disk. */
  private async process(job: Job<VodJobData, VodResult>): Promise<VodResult> {
    const id = job.id as string;
    const stream = vodStreamName(id);
    const inputDir = this.output.jobDir(id);
    const work = await mkdtemp(join(tmpdir(), 'lpts-vod-'));
    const signal = this.closing.signal;
    let completed = false;
    try {
      // A run after a crash (bullmq stall takeover) starts from an empty out folder.
      const output = await this.output.begin(id);
      let input: string;
      if (job.data.input.kind === 'url') {
        input = join(work, 'input');
        await downloadInput(job.data.input.url, input, this.options.maxInputBytes, this.options.downloadTimeoutMs);
      } else {
        input = join(inputDir, 'input');
        try {
          await access(input);
        } catch {
          throw new VodError('INPUT_MISSING', `the uploaded input of job ${id} is not in ${resolve(this.options.dir)}`, { details: { id } });
        }
      }
      const info = await probeInput(input);
      const segments = await segmentInput(input, work, this.options.segmentSeconds, info, this.options.ffmpegTimeoutMs);
      const total = segments.length;
      await job.updateProgress({ segmentsDone: 0, segmentsTotal: total, percent: 0 } satisfies VodProgress);
      let durationMs = 0;
      for (const [seq, seg] of segments.entries()) {
        if (signal.aborted) throw new VodError('INTERNAL', 'gateway shutting down');
        const data = await readFile(seg.path);
        const out = await this.dispatcher.transcode(stream, seq, data, seg.durationMs);
        await output.put(seq, seg.durationMs, out.renditions.map((x) => ({ name: x.name, data: x.data, width: x.width, height: x.height })));
        durationMs += seg.durationMs;
        const done = seq + 1;
        await job.updateProgress({ segmentsDone: done, segmentsTotal: total, percent: Math.round((done / total) * 1000) / 10 } satisfies VodProgress);
      }
      await output.finish({ segments: total, durationMs });
      completed = true;
      return { segments: total, durationMs };
    } catch (e) {
      if (signal.aborted) throw e; // left to the stall check: the job runs again after the restart
      const error = jobErrorOf(e);
      this.logger.warn({ job: id, code: error.code, err: error.message }, 'VOD job failed');
      await job.updateData({ ...job.data, error });
      throw new Error(`${error.code}: ${error.message}`);
    } finally {
      this.dispatcher.forgetStream(stream);
      await rm(work, { recursive: true, force: true });
      // Completed: the output stays (until deleted or past retention), the upload goes. Failed: everything goes.
      // Shutting down: everything stays for the run after the restart.
      if (completed) await rm(join(inputDir, 'input'), { force: true });
      else if (!signal.aborted) await rm(inputDir, { recursive: true, force: true });
    }
  }
}
