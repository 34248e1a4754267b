import { randomUUID } from 'node:crypto';
import { isLptsError, type RenditionJson, type WorkerStatusJson } from '@lpts/protocol';
import { DispatchError, DispatchErrorText } from './errors';
import { WorkerHttpClient, isRetryableOnAnotherWorker } from './http-client';
import type { WorkerRegistry } from './registry';

export interface TranscodeRequest {
  sessionId: string;
  segment: Uint8Array;
  renditions: RenditionJson[];
  /** Livepeer capability ids the worker must have (all of them). */
  capabilities?: number[];
  /** Per-attempt deadline on the worker (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TranscodedRendition {
  name: string;
  data: Buffer;
  pixels: number;
  frames: number;
}

export interface TranscodeOutcome {
  workerId: string;
  renditions: TranscodedRendition[];
  /** 1, or 2 when the first worker failed or vanished and another one finished the segment. */
  attempts: number;
}

export interface DispatcherOptions {
  /** Workers tried per segment (default 2 = one retry on another worker). */
  maxAttempts?: number;
  /**
   * How long a segment may wait for a worker slot when every matching worker is full (default 0:
   * fail at once with `no transcoders available`, as Livepeer does). Capacity is never exceeded.
   */
  queueTimeoutMs?: number;
  /** Default per-attempt deadline (default 60 s). */
  defaultTimeoutMs?: number;
  /** The HTTP side (tests). */
  client?: WorkerHttpClient;
}

interface Waiter {
  wake: () => void;
}

/**
 * Picks a worker for each segment and runs it there over HTTP:
 * - only workers that have every required capability and a free slot: capacity − max(reported
 *   inUse, jobs this dispatcher has in flight to it) > 0 — it never sends more than a worker
 *   advertised (the worker also refuses with 503 if it would be exceeded);
 * - a session stays on its worker while that worker is live and has room; otherwise the worker
 *   with the most free slots;
 * - a worker that died, timed out, or answered 5xx: the segment is retried once on another worker;
 *   a typed media error (4xx: broken input) is not retried and surfaces as the worker's JobError;
 * - nothing fits: DispatchError NO_TRANSCODERS (`no transcoders available`) with the numbers.
 */
export class Dispatcher {
  private readonly inflight = new Map<string, number>();
  private readonly sessions = new Map<string, string>();
  /** workerId → local time it failed at the transport level; skipped until it reports again. */
  private readonly suspect = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private readonly client: WorkerHttpClient;
  private readonly maxAttempts: number;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly registry: WorkerRegistry,
    private readonly opts: DispatcherOptions = {},
  ) {
    this.client = opts.client ?? new WorkerHttpClient({ defaultTimeoutMs: opts.defaultTimeoutMs ?? 60_000 });
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 2);
    this.unsubscribe = registry.onChange(() => this.wakeAll());
  }

  /** Stops listening to the registry and wakes queued segments (they fail with no transcoders). */
  close(): void {
    this.unsubscribe();
    this.closed = true;
    this.wakeAll();
  }

  async transcode(req: TranscodeRequest): Promise<TranscodeOutcome> {
    const excluded = new Set<string>();
    const required = req.capabilities ?? [];
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      let worker: WorkerStatusJson;
      try {
        worker = await this.acquire(req.sessionId, required, excluded, req.signal);
      } catch (e) {
        // Nothing left to retry on: the first worker's failure says more than "no transcoders".
        if (lastError !== undefined) throw lastError;
        throw e;
      }
      try {
        const job = {
          jobId: randomUUID(),
          sessionId: req.sessionId,
          renditions: req.renditions,
          timeoutMs: req.timeoutMs ?? this.opts.defaultTimeoutMs ?? 60_000,
        };
        const { result, renditions } = await this.client.transcode(worker.transcodeUrl, job, req.segment, req.signal);
        this.sessions.set(req.sessionId, worker.workerId);
        return {
          workerId: worker.workerId,
          attempts: attempt,
          renditions: result.renditions.map((r, i) => ({ name: r.name, pixels: r.pixels, frames: r.frames, data: renditions[i] ?? Buffer.alloc(0) })),
        };
      } catch (e) {
        lastError = e;
        if (isLptsError(e) && ['WORKER_UNREACHABLE', 'WORKER_TIMEOUT'].includes(e.code)) this.suspect.set(worker.workerId, this.now());
        if (this.sessions.get(req.sessionId) === worker.workerId) this.sessions.delete(req.sessionId);
        if (!isRetryableOnAnotherWorker(e) || req.signal?.aborted) throw e;
        excluded.add(worker.workerId);
      } finally {
        this.release(worker.workerId);
      }
    }
    throw lastError;
  }

  /** Forgets a session's worker (the next segment of that id is placed afresh). */
  endSession(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** Σ over live workers: advertised slots, slots in use (max of reported and ours), worker count. */
  capacity(): { total: number; inUse: number; workers: number } {
    const live = this.registry.workers();
    let total = 0;
    let inUse = 0;
    for (const w of live) {
      total += w.capacity;
      inUse += Math.min(w.capacity, this.used(w));
    }
    return { total, inUse, workers: live.length };
  }

  private now(): number {
    return Date.now();
  }

  private used(w: WorkerStatusJson): number {
    return Math.max(w.inUse, this.inflight.get(w.workerId) ?? 0);
  }

  private free(w: WorkerStatusJson): number {
    return w.capacity - this.used(w);
  }

  private usable(w: WorkerStatusJson, required: readonly number[], excluded: ReadonlySet<string>): boolean {
    if (excluded.has(w.workerId)) return false;
    const failedAt = this.suspect.get(w.workerId);
    if (failedAt !== undefined) {
      const seen = this.registry.lastSeen(w.workerId) ?? 0;
      if (seen <= failedAt) return false;
      this.suspect.delete(w.workerId);
    }
    return required.every((c) => w.capabilities.includes(c));
  }

  private pick(sessionId: string, required: readonly number[], excluded: ReadonlySet<string>): WorkerStatusJson | undefined {
    const candidates = this.registry.workers().filter((w) => this.usable(w, required, excluded));
    const sticky = this.sessions.get(sessionId);
    const home = sticky === undefined ? undefined : candidates.find((w) => w.workerId === sticky);
    if (home && this.free(home) > 0) return home;
    let best: WorkerStatusJson | undefined;
    for (const w of candidates) {
      if (this.free(w) <= 0) continue;
      if (!best || this.free(w) > this.free(best) || (this.free(w) === this.free(best) && this.used(w) < this.used(best))) best = w;
    }
    return best;
  }

  private async acquire(sessionId: string, required: readonly number[], excluded: ReadonlySet<string>, signal?: AbortSignal): Promise<WorkerStatusJson> {
    const deadline = this.now() + (this.opts.queueTimeoutMs ?? 0);
    for (;;) {
      if (signal?.aborted) throw new DispatchError('ABORTED', 'transcode aborted by the caller', { cause: signal.reason });
      const w = this.pick(sessionId, required, excluded);
      if (w) {
        this.inflight.set(w.workerId, (this.inflight.get(w.workerId) ?? 0) + 1);
        return w;
      }
      const left = deadline - this.now();
      const matching = this.registry.workers().filter((x) => this.usable(x, required, excluded) && x.capacity > 0);
      if (left <= 0 || matching.length === 0 || this.closed) throw this.noTranscoders(required, excluded);
      await this.waitForChange(left, signal);
    }
  }

  private release(workerId: string): void {
    const n = (this.inflight.get(workerId) ?? 1) - 1;
    if (n <= 0) this.inflight.delete(workerId);
    else this.inflight.set(workerId, n);
    this.wakeAll();
  }

  private waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.wake);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      signal?.addEventListener('abort', waiter.wake, { once: true });
      this.waiters.add(waiter);
    });
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) w.wake();
  }

  private noTranscoders(required: readonly number[], excluded: ReadonlySet<string>): DispatchError {
    const live = this.registry.workers();
    const { total, inUse } = this.capacity();
    const capable = live.filter((w) => required.every((c) => w.capabilities.includes(c)));
    return new DispatchError('NO_TRANSCODERS', DispatchErrorText.NO_TRANSCODERS, {
      retryable: true,
      details: {
        workers: live.length,
        capableWorkers: capable.length,
        excludedWorkers: excluded.size,
        capacity: total,
        inUse,
        requiredCapabilities: required.join(','),
      },
    });
  }
}
