import { VideoProfile_Format, VideoProfile_Profile, VideoProfile_VideoCodec } from '@lpts/protocol';
import type { VideoProfile } from '@lpts/protocol';
import { JobError } from './job.errors';

/** Container of a rendition. */
export const OutputFormat = { MPEGTS: 'mpegts', MP4: 'mp4' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** H.264 profile of a rendition; `default` lets the encoder choose (x264: High for 4:2:0 8-bit). */
export const H264Profile = {
  DEFAULT: 'default',
  BASELINE: 'baseline',
  MAIN: 'main',
  HIGH: 'high',
  /** High without B-frames (encoded as `-profile:v high -bf 0`). */
  CONSTRAINED_HIGH: 'constrained-high',
} as const;
export type H264Profile = (typeof H264Profile)[keyof typeof H264Profile];

/**
 * What the engine encodes for one output. The orchestrator maps a wire VideoProfile onto it
 * (`renditionFromVideoProfile`).
 */
export interface RenditionSpec {
  /** Profile name (for errors, logs and storage paths). */
  readonly name: string;
  /** Box the output fits into (aspect preserved, even dimensions). */
  readonly width: number;
  readonly height: number;
  /** Target bitrate in bits/s (also the VBV max rate; buffer = 2 × bitrate). */
  readonly bitrateBps: number;
  /** Output frame rate numerator; 0 = pass the source rate through. */
  readonly fps: number;
  /** Frame rate denominator; 0 or 1 = integer rate (30000/1001 needs fps 30000, fpsDen 1001). */
  readonly fpsDen: number;
  readonly format: OutputFormat;
  readonly h264Profile: H264Profile;
  /** GOP length in ms: 0 = encoder default, -1 = intra only, > 0 = a keyframe every gopMs. */
  readonly gopMs: number;
}

/** How the output size is derived from the rendition box and the source size. */
export const ScaleMode = {
  /** Fit inside W×H keeping the source aspect; both sides even (the default). */
  FIT: 'fit',
  /** lpms: landscape/square sources get width W, portrait sources get height H; the other side even. */
  LPMS: 'lpms',
} as const;
export type ScaleMode = (typeof ScaleMode)[keyof typeof ScaleMode];

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A rendition with defaults for everything but the box and bitrate. */
export function rendition(spec: Pick<RenditionSpec, 'name' | 'width' | 'height' | 'bitrateBps'> & Partial<RenditionSpec>): RenditionSpec {
  return Object.freeze({ fps: 0, fpsDen: 0, format: OutputFormat.MPEGTS, h264Profile: H264Profile.DEFAULT, gopMs: 0, ...spec });
}

const FORMATS = new Set<string>(Object.values(OutputFormat));
const PROFILES = new Set<string>(Object.values(H264Profile));
/** libx264's and NVENC's largest H.264 frame side. */
export const MAX_DIMENSION = 8192;

/** Checks a rendition before any process starts; throws JobError INVALID_RENDITION with the bad field. */
export function validateRendition(spec: RenditionSpec, index = 0): void {
  const bad = (field: string, value: string | number, rule: string): never => {
    throw new JobError('INVALID_RENDITION', `rendition ${index} (${spec.name}): ${field} ${rule}`, {
      details: { renditionIndex: index, field, value },
    });
  };
  const int = (n: number): boolean => Number.isSafeInteger(n);
  if (typeof spec.name !== 'string' || spec.name.length === 0) bad('name', String(spec.name), 'must be a non-empty string');
  if (!int(spec.width) || spec.width < 2 || spec.width > MAX_DIMENSION) bad('width', spec.width, `must be an integer in 2..${MAX_DIMENSION}`);
  if (!int(spec.height) || spec.height < 2 || spec.height > MAX_DIMENSION) bad('height', spec.height, `must be an integer in 2..${MAX_DIMENSION}`);
  if (!int(spec.bitrateBps) || spec.bitrateBps <= 0) bad('bitrateBps', spec.bitrateBps, 'must be a positive integer');
  if (!int(spec.fps) || spec.fps < 0) bad('fps', spec.fps, 'must be an integer >= 0');
  if (!int(spec.fpsDen) || spec.fpsDen < 0) bad('fpsDen', spec.fpsDen, 'must be an integer >= 0');
  if (!FORMATS.has(spec.format)) bad('format', String(spec.format), `must be one of ${[...FORMATS].join(', ')}`);
  if (!PROFILES.has(spec.h264Profile)) bad('h264Profile', String(spec.h264Profile), `must be one of ${[...PROFILES].join(', ')}`);
  if (!int(spec.gopMs) || spec.gopMs < -1) bad('gopMs', spec.gopMs, 'must be an integer >= -1');
}

/** The output frame rate as a reduced-free fraction string (`30`, `30000/1001`), or undefined for passthrough. */
export function frameRateText(spec: Pick<RenditionSpec, 'fps' | 'fpsDen'>): string | undefined {
  if (spec.fps === 0) return undefined;
  return spec.fpsDen > 1 ? `${spec.fps}/${spec.fpsDen}` : String(spec.fps);
}

/** Output frames per second as a number (undefined for passthrough). */
export function frameRate(spec: Pick<RenditionSpec, 'fps' | 'fpsDen'>): number | undefined {
  if (spec.fps === 0) return undefined;
  return spec.fps / (spec.fpsDen > 1 ? spec.fpsDen : 1);
}

/** Largest even number <= n (at least 2). */
export function evenFloor(n: number): number {
  return Math.max(2, n - (n % 2));
}

/** 2 × round(x / 2) as ffmpeg's expression evaluator computes it (round half away from zero), at least 2. */
function evenRound(x: number): number {
  return Math.max(2, 2 * Math.round(x / 2));
}

/**
 * Output size for a source, exactly as the scale expressions of `buildTranscodeArgs` compute it.
 * FIT: the box is first made even; a source at least as wide as the box (iw×H ≥ ih×W) gets width W
 * and height 2·round(W·ih/iw/2); a narrower one gets height H and width 2·round(H·iw/ih/2).
 * LPMS: protocol's `outputResolution` rule (ffmpeg `-2`).
 */
export function outputSize(box: Size, source: Size, mode: ScaleMode = ScaleMode.FIT): Size {
  const { width: iw, height: ih } = source;
  if (!(iw > 0 && ih > 0)) {
    throw new JobError('INVALID_RENDITION', `cannot scale a ${iw}x${ih} source`, { details: { sourceWidth: iw, sourceHeight: ih } });
  }
  if (mode === ScaleMode.LPMS) {
    return iw >= ih ? { width: box.width, height: evenRound((box.width * ih) / iw) } : { width: evenRound((box.height * iw) / ih), height: box.height };
  }
  const W = evenFloor(box.width);
  const H = evenFloor(box.height);
  return iw * H >= ih * W ? { width: W, height: evenRound((W * ih) / iw) } : { width: evenRound((H * iw) / ih), height: H };
}

/** GOP in frames for a known output rate (at least 1); undefined when gopMs <= 0 or the rate passes through. */
export function gopFrames(spec: Pick<RenditionSpec, 'fps' | 'fpsDen' | 'gopMs'>): number | undefined {
  const rate = frameRate(spec);
  if (spec.gopMs <= 0 || rate === undefined) return undefined;
  return Math.max(1, Math.round((spec.gopMs / 1000) * rate));
}

const FORMAT_OF: Record<number, OutputFormat> = {
  [VideoProfile_Format.MPEGTS]: OutputFormat.MPEGTS,
  [VideoProfile_Format.MP4]: OutputFormat.MP4,
};
const PROFILE_OF: Record<number, H264Profile> = {
  [VideoProfile_Profile.ENCODER_DEFAULT]: H264Profile.DEFAULT,
  [VideoProfile_Profile.H264_BASELINE]: H264Profile.BASELINE,
  [VideoProfile_Profile.H264_MAIN]: H264Profile.MAIN,
  [VideoProfile_Profile.H264_HIGH]: H264Profile.HIGH,
  [VideoProfile_Profile.H264_CONSTRAINED_HIGH]: H264Profile.CONSTRAINED_HIGH,
};

/**
 * Maps a wire VideoProfile (PROTOCOL.md §1.3) onto a rendition. Only H.264 output is encoded by this
 * engine; any other codec is INVALID_RENDITION. Wire gop < -1 is treated as intra-only like -1.
 */
export function renditionFromVideoProfile(p: VideoProfile, index = 0): RenditionSpec {
  const format = FORMAT_OF[p.format];
  const h264Profile = PROFILE_OF[p.profile];
  if (p.encoder !== VideoProfile_VideoCodec.H264 || format === undefined || h264Profile === undefined) {
    throw new JobError('INVALID_RENDITION', `rendition ${index} (${p.name}): unsupported codec/format/profile`, {
      details: { renditionIndex: index, encoder: p.encoder, format: p.format, profile: p.profile },
    });
  }
  const spec = rendition({
    name: p.name,
    width: p.width,
    height: p.height,
    bitrateBps: p.bitrate,
    fps: p.fps,
    fpsDen: p.fpsDen,
    format,
    h264Profile,
    gopMs: p.gop < 0 ? -1 : p.gop,
  });
  validateRendition(spec, index);
  return spec;
}
