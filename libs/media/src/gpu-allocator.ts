import { JobError, JobErrorText } from './job.errors';

export interface GpuLoad {
  readonly gpu: number;
  readonly sessions: number;
}

/**
 * Pins each transcode session to one GPU: a new session goes to the GPU with the fewest active
 * sessions (ties → the first listed), and keeps it until released. With `maxSessionsPerGpu`, a new
 * session when every GPU is full is JobError NO_TRANSCODERS (`no transcoders available`).
 */
export class GpuAllocator {
  private readonly load = new Map<number, number>();
  private readonly pins = new Map<string, number>();

  constructor(
    gpus: readonly number[],
    private readonly maxSessionsPerGpu = Number.POSITIVE_INFINITY,
  ) {
    for (const g of gpus) this.load.set(g, 0);
  }

  get gpus(): number[] {
    return [...this.load.keys()];
  }

  /** GPU of the session (pinning it on first use). */
  acquire(sessionId: string): number {
    const pinned = this.pins.get(sessionId);
    if (pinned !== undefined) return pinned;
    let best: number | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const [gpu, n] of this.load) {
      if (n < bestLoad) {
        best = gpu;
        bestLoad = n;
      }
    }
    if (best === undefined || bestLoad >= this.maxSessionsPerGpu) {
      throw new JobError('NO_TRANSCODERS', JobErrorText.NO_TRANSCODERS, {
        retryable: true,
        details: { gpus: this.load.size, maxSessionsPerGpu: this.maxSessionsPerGpu, sessions: this.pins.size },
      });
    }
    this.load.set(best, bestLoad + 1);
    this.pins.set(sessionId, best);
    return best;
  }

  /** GPU the session is pinned to, if any. */
  gpuOf(sessionId: string): number | undefined {
    return this.pins.get(sessionId);
  }

  /** Unpins a session; true if it was pinned. */
  release(sessionId: string): boolean {
    const gpu = this.pins.get(sessionId);
    if (gpu === undefined) return false;
    this.pins.delete(sessionId);
    this.load.set(gpu, Math.max(0, (this.load.get(gpu) ?? 1) - 1));
    return true;
  }

  /** Active sessions per GPU, in listing order. */
  snapshot(): GpuLoad[] {
    return [...this.load].map(([gpu, sessions]) => ({ gpu, sessions }));
  }
}
