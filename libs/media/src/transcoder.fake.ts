import { createHash } from 'node:crypto';
import { JobError, MIN_SEGMENT_BYTES } from './job.errors';
import { CPU_DEVICE } from './ffmpeg-args';
import { outputSize, validateRendition } from './rendition';
import type { Size } from './rendition';
import type { RenditionOutput, TranscodeRequest, TranscodeResult, Transcoder } from './transcoder';

export interface FakeTranscoderOptions {
  /** Source size assumed for every input (default 1920×1080). */
  readonly source?: Size;
  /** Source frame rate used for passthrough renditions (default 30). */
  readonly sourceFps?: number;
  /** Segment duration assumed (default 2 s). */
  readonly durationSec?: number;
}

/**
 * Stand-in for FfmpegTranscoder in unit specs of services: no process; each rendition's bytes are
 * a deterministic function of input and spec, sizes follow `outputSize`, frames = duration × fps.
 * `failNext(error)` makes the next call reject; `calls` records requests.
 */
export class FakeTranscoder implements Transcoder {
  readonly calls: TranscodeRequest[] = [];
  private failures: Error[] = [];

  constructor(private readonly o: FakeTranscoderOptions = {}) {}

  failNext(error: Error = new JobError('INVALID_MEDIA', 'Invalid data found when processing input')): void {
    this.failures.push(error);
  }

  async transcode(req: TranscodeRequest): Promise<TranscodeResult> {
    this.calls.push(req);
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (req.signal?.aborted) throw new JobError('ABORTED', 'Transcode aborted');
    req.renditions.forEach((r, i) => validateRendition(r, i));
    const source = this.o.source ?? { width: 1920, height: 1080 };
    const seconds = this.o.durationSec ?? 2;
    const inputHash = createHash('sha256').update(req.input).digest('hex');
    const renditions = req.renditions.map((spec): RenditionOutput => {
      const { width, height } = outputSize(spec, source);
      const rate = spec.fps > 0 ? spec.fps / (spec.fpsDen > 1 ? spec.fpsDen : 1) : (this.o.sourceFps ?? 30);
      const frames = Math.round(seconds * rate);
      const text = `fake ${spec.format} ${spec.name} ${width}x${height} ${frames} ${inputHash}`;
      const data = Buffer.from(text.padEnd(MIN_SEGMENT_BYTES, '.'));
      return { name: spec.name, format: spec.format, data, width, height, frames, pixels: frames * width * height };
    });
    return { renditions, pixels: renditions.reduce((t, r) => t + r.pixels, 0), elapsedMs: 0, device: req.device ?? CPU_DEVICE };
  }
}
