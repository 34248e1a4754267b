import {
  FfmpegTranscoder,
  GpuAllocator,
  describeProbeFailures,
  probeCapabilities,
  type MediaCapabilities,
  type RenditionSpec,
  type TranscodeDevice,
  type TranscodeResult,
  type Transcoder,
} from '@lpts/media';
import type { Logger, NatsRpcClient } from '@lpts/platform';
import { WorkerEvents, type RenditionJson, type WorkerStatusJson } from '@lpts/protocol';
import { DispatchError } from '@lpts/workers';
import type { WorkerConfig } from '../config/worker.env';
import type { WorkerMetrics } from './worker.metrics';

export interface WorkerServiceDeps {
  workerId: string;
  version: string;
  config: WorkerConfig;
  client: NatsRpcClient;
  /** Resolves when everything published so far has reached the NATS server. */
  flush: () => Promise<void>;
  logger: Logger;
  metrics: WorkerMetrics;
  /** Tests: a fixed probe result instead of running ffmpeg. */
  probe?: () => Promise<MediaCapabilities>;
  /** Tests: another transcoder (the default is FfmpegTranscoder). */
  transcoder?: Transcoder;
}

/**
 * A slot held by one running job. `release()` is idempotent; it resolves once the new load has
 * reached the NATS server, so a worker answers a job only after its capacity report went out
 * (an orchestrator never sees the answer before the freed slot).
 */
export interface JobSlot {
  release(): Promise<void>;
}

/**
 * The worker's state: what the probe found, the job slots (never more than `capacity` at once),
 * GPU pins per session, and the heartbeats that advertise all of it over NATS.
 */
export class WorkerService {
  private caps: MediaCapabilities | undefined;
  private probeError: string | undefined;
  private allocator: GpuAllocator | undefined;
  private capacityValue = 0;
  private running = 0;
  private draining = false;
  private transcodeUrl = '';
  private heartbeat: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly sessionSeen = new Map<string, number>();
  private readonly idleWaiters = new Set<() => void>();
  private readonly transcoder: Transcoder;
  readonly ready: Promise<void>;
  private resolveReady!: () => void;

  constructor(private readonly deps: WorkerServiceDeps) {
    this.transcoder = deps.transcoder ?? new FfmpegTranscoder({ ffmpegPath: deps.config.WORKER_FFMPEG_PATH, maxInputBytes: deps.config.WORKER_MAX_BODY_BYTES });
    this.ready = new Promise((r) => (this.resolveReady = r));
  }

  get workerId(): string {
    return this.deps.workerId;
  }

  /** The probe finished with a usable device. */
  isReady(): true | string {
    if (this.caps && this.caps.mode !== 'none') return true;
    return this.probeError ?? 'capability probe running';
  }

  get capabilities(): MediaCapabilities | undefined {
    return this.caps;
  }

  get capacity(): number {
    return this.capacityValue;
  }

  get inUse(): number {
    return this.running;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  setTranscodeUrl(url: string): void {
    this.transcodeUrl = url;
  }

  /** Probes ffmpeg, then starts advertising (heartbeats every leaseMs/3). */
  async start(): Promise<void> {
    const { config, logger } = this.deps;
    const started = performance.now();
    const caps = await (this.deps.probe ?? (() => probeCapabilities({ ffmpegPath: config.WORKER_FFMPEG_PATH, gpus: config.WORKER_GPUS })))();
    for (const line of describeProbeFailures(caps)) logger.warn({ probe: line }, 'device failed its probe');
    if (caps.mode === 'none') {
      this.probeError = 'no device passed the ffmpeg probe (see logs)';
      logger.error({ probes: caps.probes.length }, this.probeError);
      this.caps = caps;
      this.resolveReady();
      return;
    }
    this.caps = caps;
    this.allocator = caps.mode === 'gpu' ? new GpuAllocator(caps.gpus) : undefined;
    this.capacityValue = config.WORKER_CAPACITY ?? (caps.mode === 'gpu' ? 4 * caps.gpus.length : 2);
    this.deps.metrics.capacity.set(this.capacityValue);
    logger.info(
      { mode: caps.mode, gpus: caps.gpus, capabilities: caps.capabilities, capacity: this.capacityValue, ffmpeg: caps.ffmpegVersion, probeMs: Math.round(performance.now() - started) },
      'capability probe done',
    );
    this.publishStatus();
    this.heartbeat = setInterval(() => this.publishStatus(), Math.max(100, Math.floor(config.WORKER_LEASE_MS / 3)));
    this.heartbeat.unref();
    this.sweeper = setInterval(() => this.sweepSessions(), Math.min(config.WORKER_SESSION_IDLE_MS, 10_000));
    this.sweeper.unref();
    this.resolveReady();
  }

  /** What the worker advertises (heartbeat payload and discover reply). */
  status(): WorkerStatusJson {
    const caps = this.caps;
    return {
      workerId: this.deps.workerId,
      transcodeUrl: this.transcodeUrl,
      capabilities: caps ? [...caps.capabilities] : [],
      capacity: this.draining ? 0 : this.capacityValue,
      inUse: this.running,
      encoder: caps?.mode === 'gpu' ? 'nvenc' : 'libx264',
      gpus: (this.allocator?.snapshot() ?? []).map((g) => ({ index: g.gpu, sessions: g.sessions })),
      leaseMs: this.deps.config.WORKER_LEASE_MS,
      version: this.deps.version,
      at: Date.now(),
    };
  }

  publishStatus(): void {
    if (this.isReady() !== true) return;
    try {
      this.deps.client.publish(WorkerEvents.status, this.status(), this.deps.workerId);
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'status heartbeat failed');
    }
  }

  /**
   * Takes a job slot, or throws DispatchError (HTTP 503): WORKER_NOT_READY, WORKER_DRAINING or
   * WORKER_BUSY when every advertised slot is taken — the worker never runs more than it advertised.
   */
  acquireSlot(): JobSlot {
    const ready = this.isReady();
    if (ready !== true) throw new DispatchError('WORKER_NOT_READY', `worker ${this.workerId} is not ready: ${ready}`, { retryable: true, details: { workerId: this.workerId } });
    if (this.draining) throw new DispatchError('WORKER_DRAINING', `worker ${this.workerId} is shutting down`, { retryable: true, details: { workerId: this.workerId } });
    if (this.running >= this.capacityValue) {
      throw new DispatchError('WORKER_BUSY', `worker ${this.workerId} is at capacity`, {
        retryable: true,
        details: { workerId: this.workerId, capacity: this.capacityValue, inUse: this.running },
      });
    }
    this.running++;
    this.deps.metrics.inUse.set(this.running);
    this.publishStatus();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        this.running--;
        this.deps.metrics.inUse.set(this.running);
        this.publishStatus();
        if (this.running === 0) for (const w of [...this.idleWaiters]) w();
        await this.deps.flush().catch(() => undefined);
      },
    };
  }

  /** The device for a session: its pinned GPU (least-loaded on first use), or the CPU. */
  deviceFor(sessionId: string): TranscodeDevice {
    this.sessionSeen.set(sessionId, Date.now());
    if (!this.allocator || !this.caps) return { kind: 'cpu' };
    const index = this.allocator.acquire(sessionId);
    const probed = this.caps.devices.find((d) => d.kind === 'gpu' && d.index === index);
    return probed ?? { kind: 'gpu', index };
  }

  /** Runs one segment on the session's device. */
  async transcode(sessionId: string, input: Uint8Array, renditions: readonly RenditionJson[], timeoutMs: number, signal: AbortSignal): Promise<TranscodeResult> {
    const device = this.deviceFor(sessionId);
    const specs: RenditionSpec[] = renditions.map((r) => ({ ...r }));
    return this.transcoder.transcode({ input, renditions: specs, device, timeoutMs, signal });
  }

  /** Stops taking jobs (capacity 0 is advertised) and waits for running ones, up to `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    this.publishStatus();
    if (this.running === 0) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  /** Stops heartbeats and tells orchestrators the worker is gone. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.sweeper) clearInterval(this.sweeper);
    this.heartbeat = undefined;
    this.sweeper = undefined;
    if (this.isReady() === true) {
      try {
        this.deps.client.publish(WorkerEvents.gone, { workerId: this.deps.workerId }, this.deps.workerId);
      } catch (e) {
        this.deps.logger.warn({ err: e }, 'gone event failed');
      }
    }
    this.resolveReady();
  }

  private sweepSessions(): void {
    const cutoff = Date.now() - this.deps.config.WORKER_SESSION_IDLE_MS;
    for (const [id, seen] of this.sessionSeen) {
      if (seen < cutoff) {
        this.sessionSeen.delete(id);
        this.allocator?.release(id);
      }
    }
  }
}
