import { H264Profile, ScaleMode, evenFloor, frameRate, frameRateText, gopFrames, validateRendition } from './rendition';
import type { RenditionSpec } from './rendition';
import { JobError } from './job.errors';

/** Where a job runs: libx264 on the CPU, or NVENC (optionally with NVDEC decode) on one GPU. */
export type TranscodeDevice = { readonly kind: 'cpu' } | { readonly kind: 'gpu'; readonly index: number; readonly nvdec?: boolean };

export const CPU_DEVICE: TranscodeDevice = Object.freeze({ kind: 'cpu' });

/** Audio of each rendition: re-encoded to AAC (default), stream-copied, or dropped. */
export type AudioMode = 'aac' | 'copy' | 'drop';

export interface TranscodeArgsOptions {
  readonly device?: TranscodeDevice;
  readonly scaleMode?: ScaleMode;
  readonly audio?: AudioMode;
  /** libx264 `-preset` (default `veryfast`). */
  readonly x264Preset?: string;
  /** h264_nvenc `-preset` (default `p4`). */
  readonly nvencPreset?: string;
  /** Input container when it must not be probed (e.g. `mpegts`); ffmpeg probes it by default. */
  readonly inputFormat?: string;
}

export interface TranscodeCommand {
  readonly args: readonly string[];
  /** Child fd each rendition is written to (`pipe:<fd>`), in rendition order: 3, 4, … */
  readonly outputFds: readonly number[];
}

/** First child fd used for outputs (0–2 are stdin, stdout, stderr). */
export const FIRST_OUTPUT_FD = 3;

function scaleFilter(spec: RenditionSpec, mode: ScaleMode): string {
  if (mode === ScaleMode.LPMS) {
    return `scale=w='if(gte(iw,ih),${spec.width},-2)':h='if(lt(iw,ih),${spec.height},-2)'`;
  }
  const W = evenFloor(spec.width);
  const H = evenFloor(spec.height);
  const wide = `gte(iw*${H},ih*${W})`;
  return `scale=w='if(${wide},${W},max(2,2*round(${H}*iw/ih/2)))':h='if(${wide},max(2,2*round(${W}*ih/iw/2)),${H})'`;
}

/** `-force_key_frames` expression: a keyframe on the first frame, then whenever gopMs has passed since the last forced one. */
export function keyframeExpr(gopMs: number): string {
  return `expr:if(isnan(prev_forced_t),1,gte(t-prev_forced_t,${(gopMs / 1000).toFixed(3)}))`;
}

function videoCodecArgs(spec: RenditionSpec, device: TranscodeDevice, o: TranscodeArgsOptions): string[] {
  const args: string[] = [];
  const b = spec.bitrateBps;
  if (device.kind === 'gpu') {
    args.push('-c:v', 'h264_nvenc', '-gpu', String(device.index), '-preset', o.nvencPreset ?? 'p4');
  } else {
    args.push('-c:v', 'libx264', '-preset', o.x264Preset ?? 'veryfast');
  }
  args.push('-b:v', String(b), '-maxrate', String(b), '-bufsize', String(2 * b));
  switch (spec.h264Profile) {
    case H264Profile.BASELINE:
    case H264Profile.MAIN:
    case H264Profile.HIGH:
      args.push('-profile:v', spec.h264Profile);
      break;
    case H264Profile.CONSTRAINED_HIGH:
      args.push('-profile:v', 'high', '-bf', '0');
      break;
    default:
      break;
  }
  if (spec.gopMs === -1) {
    args.push('-g', '1');
  } else if (spec.gopMs > 0) {
    // Keyframes are forced by time (exact with any frame rate, also passthrough); -g is set well
    // above the interval so the encoder never adds its own, and scene-cut keyframes are off.
    const frames = gopFrames(spec);
    args.push('-force_key_frames', keyframeExpr(spec.gopMs), '-g', String(frames !== undefined ? 2 * frames + 1 : 600));
    if (device.kind === 'gpu') args.push('-no-scenecut', '1', '-forced-idr', '1');
    else args.push('-sc_threshold', '0');
  }
  return args;
}

function audioArgs(mode: AudioMode): string[] {
  if (mode === 'drop') return ['-an'];
  return ['-map', '0:a:0?', '-c:a', mode === 'copy' ? 'copy' : 'aac'];
}

function muxerArgs(spec: RenditionSpec, fd: number): string[] {
  if (spec.format === 'mp4') {
    // A pipe is not seekable, so MP4 is written fragmented: an empty moov first, then one
    // moof+mdat per keyframe (frag_keyframe); default_base_moof makes fragments self-contained.
    return ['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', `pipe:${fd}`];
  }
  // MPEG-TS streams to a pipe as is; no mux delay so output timestamps equal the source's.
  return ['-muxdelay', '0', '-muxpreload', '0', '-f', 'mpegts', `pipe:${fd}`];
}

/**
 * One ffmpeg invocation that reads a segment from stdin (`pipe:0`) and writes every rendition to
 * its own pipe (`pipe:3`, `pipe:4`, …): no temp files. The decoded video is split once and each
 * branch gets fps → scale → yuv420p; source timestamps are kept (`-copyts`) so renditions line up
 * with the source and with each other. Logs at `verbose` so the runner can read each output's
 * encoded frame count and size from stderr (`parseFfmpegStats`). Pure: no I/O.
 */
export function buildTranscodeArgs(renditions: readonly RenditionSpec[], options: TranscodeArgsOptions = {}): TranscodeCommand {
  if (renditions.length === 0) {
    throw new JobError('INVALID_RENDITION', 'no renditions requested', { details: { renditions: 0 } });
  }
  renditions.forEach((r, i) => validateRendition(r, i));
  const device = options.device ?? CPU_DEVICE;
  if (device.kind === 'gpu' && (!Number.isSafeInteger(device.index) || device.index < 0)) {
    throw new JobError('INVALID_ARGUMENT', 'Invalid argument', { details: { gpu: device.index } });
  }
  const mode = options.scaleMode ?? ScaleMode.FIT;
  const audio = options.audio ?? 'aac';

  const args: string[] = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'verbose'];
  if (device.kind === 'gpu' && device.nvdec !== false) {
    args.push('-hwaccel', 'cuda', '-hwaccel_device', String(device.index));
  }
  if (options.inputFormat !== undefined) args.push('-f', options.inputFormat);
  args.push('-copyts', '-i', 'pipe:0');

  const n = renditions.length;
  const branches = renditions.map((r, i) => {
    const filters: string[] = [];
    const rate = frameRateText(r);
    if (rate !== undefined) filters.push(`fps=fps=${rate}`);
    filters.push(scaleFilter(r, mode), 'setsar=1', 'format=yuv420p');
    return `[${n > 1 ? `s${i}` : '0:v:0'}]${filters.join(',')}[v${i}]`;
  });
  const split = n > 1 ? [`[0:v:0]split=${n}${renditions.map((_, i) => `[s${i}]`).join('')}`] : [];
  args.push('-filter_complex', [...split, ...branches].join(';'));

  const outputFds: number[] = [];
  renditions.forEach((r, i) => {
    const fd = FIRST_OUTPUT_FD + i;
    outputFds.push(fd);
    args.push('-map', `[v${i}]`, ...videoCodecArgs(r, device, options), '-fps_mode', 'passthrough', ...audioArgs(audio), ...muxerArgs(r, fd));
  });
  return { args, outputFds };
}

/** Nominal frame count of a rendition for a duration (for fakes and estimates; passthrough uses sourceFps). */
export function expectedFrames(spec: RenditionSpec, durationSec: number, sourceFps: number): number {
  return Math.round(durationSec * (frameRate(spec) ?? sourceFps));
}
