import { DEFAULT_CAPABILITIES, type RenditionJson } from '@lpts/protocol';
import { FfmpegTranscoder, rendition, type RenditionSpec, type Transcoder } from '@lpts/media';
import type { TranscodeBackend, TranscodeOutcome, TranscodeRequest } from './transcode-backend';

export function renditionSpecFromJson(r: RenditionJson): RenditionSpec {
  return rendition({
    name: r.name,
    width: r.width,
    height: r.height,
    bitrateBps: r.bitrateBps,
    fps: r.fps,
    fpsDen: r.fpsDen,
    format: r.format,
    h264Profile: r.h264Profile,
    gopMs: r.gopMs,
  });
}

/**
 * In-process transcoding with @lpts/media's ffmpeg transcoder (`ORCH_TRANSCODER=local`; also what the
 * orchestrator's own specs use). `capacity` segments run at once; more wait.
 */
export class LocalTranscodeBackend implements TranscodeBackend {
  private inUse = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly capacityTotal: number,
    private readonly transcoder: Transcoder = new FfmpegTranscoder({ scaleMode: 'lpms' }),
    private readonly caps: readonly number[] = DEFAULT_CAPABILITIES,
  ) {}

  /** Nothing to start: ffmpeg runs per segment. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** Sessions hold no per-session state here (no GPU pinning). */
  endSession(): void {
    return;
  }

  capacity() {
    return { total: this.capacityTotal, inUse: this.inUse, workers: 1 };
  }

  capabilities(): Map<number, number> {
    return new Map(this.caps.map((c) => [c, this.capacityTotal]));
  }

  async transcode(req: TranscodeRequest): Promise<TranscodeOutcome> {
    if (this.inUse >= this.capacityTotal) await new Promise<void>((r) => this.waiters.push(r));
    this.inUse++;
    try {
      const r = await this.transcoder.transcode({
        input: req.segment,
        renditions: req.renditions.map(renditionSpecFromJson),
        ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
        ...(req.signal !== undefined ? { signal: req.signal } : {}),
      });
      return { workerId: 'local', attempts: 1, renditions: r.renditions.map((x) => ({ name: x.name, data: x.data, pixels: x.pixels, frames: x.frames })) };
    } finally {
      this.inUse--;
      this.waiters.shift()?.();
    }
  }
}
