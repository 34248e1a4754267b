import { JobError, JobErrorText, MIN_SEGMENT_BYTES } from './job.errors';
import { buildTranscodeArgs, CPU_DEVICE } from './ffmpeg-args';
import type { AudioMode, TranscodeDevice } from './ffmpeg-args';
import { classifyFfmpegFailure, lastLines, parseFfmpegStats } from './ffmpeg-stats';
import { runProcess } from './process-runner';
import type { OutputFormat, RenditionSpec, ScaleMode } from './rendition';

export interface TranscodeRequest {
  /** One segment (MPEG-TS usually; anything ffmpeg can probe from a pipe). */
  readonly input: Uint8Array;
  readonly renditions: readonly RenditionSpec[];
  /** Default: CPU (libx264). */
  readonly device?: TranscodeDevice;
  /** Overrides the transcoder's default deadline. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface RenditionOutput {
  readonly name: string;
  readonly format: OutputFormat;
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  /** Encoded video frames. */
  readonly frames: number;
  /** Encoded pixels: frames × width × height (what the O charges for, PROTOCOL.md §2.5 step 15). */
  readonly pixels: number;
}

export interface TranscodeResult {
  /** Same order as the request's renditions. */
  readonly renditions: readonly RenditionOutput[];
  /** Σ pixels over all renditions. */
  readonly pixels: number;
  readonly elapsedMs: number;
  readonly device: TranscodeDevice;
}

/** The media port: the worker depends on this; `FakeTranscoder` stands in for it in tests. */
export interface Transcoder {
  transcode(request: TranscodeRequest): Promise<TranscodeResult>;
}

export interface FfmpegTranscoderOptions {
  /** ffmpeg binary (default `ffmpeg` on PATH). */
  readonly ffmpegPath?: string;
  /** Default deadline per segment (default 60 s). */
  readonly timeoutMs?: number;
  /** Largest input accepted (default 300,000,000 bytes, Livepeer's body limit). */
  readonly maxInputBytes?: number;
  /** Largest total output (default 512 MiB). */
  readonly maxOutputBytes?: number;
  readonly scaleMode?: ScaleMode;
  readonly audio?: AudioMode;
  readonly x264Preset?: string;
  readonly nvencPreset?: string;
  readonly inputFormat?: string;
}

export const DEFAULT_TRANSCODE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_INPUT_BYTES = 300_000_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

function deviceDetails(d: TranscodeDevice): Record<string, string | number> {
  return d.kind === 'gpu' ? { device: 'gpu', gpu: d.index } : { device: 'cpu' };
}

/**
 * Transcodes a segment to a ladder with one ffmpeg process: segment bytes on stdin, each rendition on
 * its own pipe, frame counts and sizes read from ffmpeg's log. Failures become JobError: broken input
 * INVALID_MEDIA / NO_KEYFRAMES / NO_VIDEO / DECODER_NOT_FOUND / UNSUPPORTED_PIXEL_FORMAT, encoder
 * problems ENCODER_FAILED, TIMEOUT and ABORTED (ffmpeg SIGKILLed and reaped), TOO_LARGE, and the
 * Livepeer result checks ZERO_SEGMENTS and MISMATCHED_SEGMENTS.
 */
export class FfmpegTranscoder implements Transcoder {
  constructor(private readonly options: FfmpegTranscoderOptions = {}) {}

  async transcode(req: TranscodeRequest): Promise<TranscodeResult> {
    const o = this.options;
    const device = req.device ?? CPU_DEVICE;
    const maxIn = o.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
    if (req.input.length === 0) {
      throw new JobError('INVALID_MEDIA', JobErrorText.INVALID_MEDIA, { details: { inputBytes: 0 } });
    }
    if (req.input.length > maxIn) {
      throw new JobError('TOO_LARGE', `segment of ${req.input.length} bytes is over the ${maxIn} byte limit`, {
        details: { inputBytes: req.input.length, maxInputBytes: maxIn },
      });
    }
    const { args, outputFds } = buildTranscodeArgs(req.renditions, {
      device,
      ...(o.scaleMode ? { scaleMode: o.scaleMode } : {}),
      ...(o.audio ? { audio: o.audio } : {}),
      ...(o.x264Preset ? { x264Preset: o.x264Preset } : {}),
      ...(o.nvencPreset ? { nvencPreset: o.nvencPreset } : {}),
      ...(o.inputFormat ? { inputFormat: o.inputFormat } : {}),
    });
    const timeoutMs = req.timeoutMs ?? o.timeoutMs ?? DEFAULT_TRANSCODE_TIMEOUT_MS;
    const maxOut = o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const r = await runProcess({
      command: o.ffmpegPath ?? 'ffmpeg',
      args,
      input: req.input,
      outputFds: outputFds.length,
      timeoutMs,
      maxOutputBytes: maxOut,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const base = { inputBytes: req.input.length, renditions: req.renditions.length, ...deviceDetails(device) };
    if (r.killed === 'timeout') {
      throw new JobError('TIMEOUT', JobErrorText.TIMEOUT, { retryable: true, details: { ...base, timeoutMs, elapsedMs: Math.round(r.elapsedMs) } });
    }
    if (r.killed === 'abort') {
      throw new JobError('ABORTED', JobErrorText.ABORTED, { cause: req.signal?.reason, details: { ...base, elapsedMs: Math.round(r.elapsedMs) } });
    }
    if (r.killed === 'output-limit') {
      throw new JobError('TOO_LARGE', `renditions exceeded the ${maxOut} byte output limit`, { details: { ...base, maxOutputBytes: maxOut, outputBytes: r.outputBytes } });
    }
    if (r.exitCode !== 0) {
      const code = classifyFfmpegFailure(r.stderr);
      const message = code in JobErrorText ? JobErrorText[code as keyof typeof JobErrorText] : JobErrorText.ENCODER_FAILED;
      throw new JobError(code, message, {
        retryable: code === 'ENCODER_FAILED',
        details: { ...base, exitCode: r.exitCode, signal: r.signal, stderrTail: lastLines(r.stderr) },
      });
    }
    const stats = parseFfmpegStats(r.stderr);
    if (stats.length !== req.renditions.length || r.outputs.length !== req.renditions.length) {
      // ffmpeg succeeded but some output never got a video stream summary: mostly an input without video.
      const code = classifyFfmpegFailure(r.stderr) === 'NO_VIDEO' ? 'NO_VIDEO' : 'MISMATCHED_SEGMENTS';
      throw new JobError(code, JobErrorText[code], { details: { ...base, outputs: stats.length, stderrTail: lastLines(r.stderr) } });
    }
    const renditions = req.renditions.map((spec, i): RenditionOutput => {
      const s = stats[i];
      const data = r.outputs[i] ?? Buffer.alloc(0);
      if (s === undefined || s.frames === 0) {
        throw new JobError('NO_KEYFRAMES', JobErrorText.NO_KEYFRAMES, { details: { ...base, renditionIndex: i, stderrTail: lastLines(r.stderr) } });
      }
      if (data.length < MIN_SEGMENT_BYTES) {
        throw new JobError('ZERO_SEGMENTS', JobErrorText.ZERO_SEGMENTS, { details: { ...base, renditionIndex: i, outputBytes: data.length, minBytes: MIN_SEGMENT_BYTES } });
      }
      return { name: spec.name, format: spec.format, data, width: s.width, height: s.height, frames: s.frames, pixels: s.frames * s.width * s.height };
    });
    return { renditions, pixels: renditions.reduce((t, x) => t + x.pixels, 0), elapsedMs: r.elapsedMs, device };
  }
}
