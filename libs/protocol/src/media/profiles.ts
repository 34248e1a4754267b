import { create } from '@bufbuild/protobuf';
import { keccak256Utf8 } from '../crypto/keccak';
import { toHex } from '../bytes/bytes';
import {
  VideoProfileSchema,
  VideoProfile_ChromaSubsampling,
  VideoProfile_Format,
  VideoProfile_Profile,
  VideoProfile_VideoCodec,
} from '../gen/net/lp_rpc_pb';
import type { SegData, VideoProfile } from '../gen/net/lp_rpc_pb';
import { MediaError, MediaErrorText } from './media.errors';

/** Profile id = first 4 bytes of keccak256(UTF-8 name), as 8 lower-case hex chars (§3.5). */
export function profileId(name: string): string {
  return toHex(keccak256Utf8(name).subarray(0, 4), false);
}

export interface VideoPreset {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Bitrate string as in lpms, `<N>k`. */
  readonly bitrate: string;
  readonly fps: number;
  readonly aspect: '16:9' | '4:3';
  /** Expected profile id (checked against `profileId(name)` by the tests). */
  readonly id: string;
}

const preset = (name: string, width: number, height: number, bitrate: string, fps: number, aspect: '16:9' | '4:3', id: string): VideoPreset =>
  Object.freeze({ name, width, height, bitrate, fps, aspect, id });

/** lpms presets (§3.5). */
export const VIDEO_PRESETS = Object.freeze({
  P720p60fps16x9: preset('P720p60fps16x9', 1280, 720, '6000k', 60, '16:9', 'a7ac137a'),
  P720p30fps16x9: preset('P720p30fps16x9', 1280, 720, '4000k', 30, '16:9', '49d54ea9'),
  P720p25fps16x9: preset('P720p25fps16x9', 1280, 720, '3500k', 25, '16:9', 'e4a64019'),
  P720p30fps4x3: preset('P720p30fps4x3', 960, 720, '3500k', 30, '4:3', '79332fe7'),
  P576p30fps16x9: preset('P576p30fps16x9', 1024, 576, '1500k', 30, '16:9', '5ecf4b52'),
  P576p25fps16x9: preset('P576p25fps16x9', 1024, 576, '1500k', 25, '16:9', '8b1843d6'),
  P360p30fps16x9: preset('P360p30fps16x9', 640, 360, '1200k', 30, '16:9', '93c717e7'),
  P360p25fps16x9: preset('P360p25fps16x9', 640, 360, '1000k', 25, '16:9', '7cd40fc7'),
  P360p30fps4x3: preset('P360p30fps4x3', 480, 360, '1000k', 30, '4:3', 'b60382a0'),
  P240p30fps16x9: preset('P240p30fps16x9', 426, 240, '600k', 30, '16:9', 'c0a6517a'),
  P240p25fps16x9: preset('P240p25fps16x9', 426, 240, '600k', 25, '16:9', '1301a7d0'),
  P240p30fps4x3: preset('P240p30fps4x3', 320, 240, '600k', 30, '4:3', 'd435c53a'),
  P144p30fps16x9: preset('P144p30fps16x9', 256, 144, '400k', 30, '16:9', 'fca40bf9'),
  P144p25fps16x9: preset('P144p25fps16x9', 256, 144, '400k', 25, '16:9', '03f01d1f'),
});
export type VideoPresetName = keyof typeof VIDEO_PRESETS;

/** Presets findable by name (lpms's lookup table leaves out P144p25fps16x9). */
export const PRESET_LOOKUP: Readonly<Record<string, VideoPreset>> = Object.freeze(
  Object.fromEntries(Object.values(VIDEO_PRESETS).filter((p) => p.name !== 'P144p25fps16x9').map((p) => [p.name, p])),
);

/** Gateway default ladder. */
export const DEFAULT_TRANSCODING_PROFILES = 'P240p30fps16x9,P360p30fps16x9';

/** Parses a comma list of preset names (e.g. `-transcodingOptions`). */
export function parsePresetList(list: string): VideoPreset[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((name) => {
      const p = PRESET_LOOKUP[name];
      if (p === undefined) {
        throw new MediaError('UNKNOWN_PRESET', `unknown video profile ${name}`, { details: { name, known: Object.keys(PRESET_LOOKUP).length } });
      }
      return p;
    });
}

/** `Nk` → N×1000 bits/s; a bare number is bits/s. */
export function parseBitrate(text: string): number {
  const m = /^(\d+)(k?)$/i.exec(text.trim());
  const n = m ? Number(m[1]) * (m[2] ? 1000 : 1) : NaN;
  if (!Number.isSafeInteger(n) || n > 0x7fffffff) {
    throw new MediaError('INVALID_BITRATE', `invalid bitrate ${JSON.stringify(text)}`, { details: { bitrate: text, max: 0x7fffffff } });
  }
  return n;
}

/** bits/s → `Nk` (bits/s as-is when not a multiple of 1000). */
export function formatBitrate(bitsPerSecond: number): string {
  return bitsPerSecond % 1000 === 0 ? `${bitsPerSecond / 1000}k` : String(bitsPerSecond);
}

/** Wire VideoProfile of a preset (H.264, MPEG-TS, default profile and GOP unless overridden). */
export function presetToVideoProfile(p: VideoPreset, overrides: Partial<Omit<VideoProfile, '$typeName' | '$unknown'>> = {}): VideoProfile {
  return create(VideoProfileSchema, { name: p.name, width: p.width, height: p.height, bitrate: parseBitrate(p.bitrate), fps: p.fps, ...overrides });
}

/* ---------- fullProfiles / fullProfiles2 / fullProfiles3 (§1.3) ---------- */

export const SegDataProfilesField = {
  FULL_PROFILES: 'fullProfiles',
  FULL_PROFILES_2: 'fullProfiles2',
  FULL_PROFILES_3: 'fullProfiles3',
} as const;
export type SegDataProfilesField = (typeof SegDataProfilesField)[keyof typeof SegDataProfilesField];

/** True when a profile uses only what the oldest Os understand (apart from the output format). */
function isLegacyShaped(p: VideoProfile): boolean {
  return (
    p.fpsDen === 0 &&
    p.profile === VideoProfile_Profile.ENCODER_DEFAULT &&
    p.gop === 0 &&
    p.encoder === VideoProfile_VideoCodec.H264 &&
    p.colorDepth === 0 &&
    p.chromaFormat === VideoProfile_ChromaSubsampling.CHROMA_420 &&
    p.quality === 0
  );
}

/**
 * Which SegData field a gateway puts its profiles into: `fullProfiles` when all outputs are
 * MPEG-TS with integer fps (fpsDen 0), default H.264 profile and default GOP; `fullProfiles2` for the
 * same with some MP4 output; `fullProfiles3` for anything else (also for any newer field such as
 * encoder, colour depth, chroma format or quality, which an old O would silently ignore).
 */
export function chooseProfilesField(profiles: readonly VideoProfile[]): SegDataProfilesField {
  if (!profiles.every(isLegacyShaped)) return 'fullProfiles3';
  if (profiles.every((p) => p.format === VideoProfile_Format.MPEGTS)) return 'fullProfiles';
  if (profiles.every((p) => p.format === VideoProfile_Format.MPEGTS || p.format === VideoProfile_Format.MP4)) return 'fullProfiles2';
  return 'fullProfiles3';
}

/** Puts the profiles into the right SegData field (clearing the other two); returns the field used. */
export function setSegDataProfiles(seg: SegData, profiles: readonly VideoProfile[]): SegDataProfilesField {
  const field = chooseProfilesField(profiles);
  seg.fullProfiles = [];
  seg.fullProfiles2 = [];
  seg.fullProfiles3 = [];
  seg[field] = [...profiles];
  return field;
}

/** Name an O gives a profile that arrived without one. */
export function defaultProfileName(p: Pick<VideoProfile, 'width' | 'height' | 'bitrate'>): string {
  return `net_${p.width}x${p.height}_${p.bitrate}`;
}

/**
 * Reads the profiles an O must produce: fullProfiles3, then fullProfiles2, then fullProfiles (the first
 * non-empty wins); validates the enums with Livepeer's texts and names unnamed profiles.
 */
export function readSegDataProfiles(seg: SegData): VideoProfile[] {
  const list = seg.fullProfiles3.length > 0 ? seg.fullProfiles3 : seg.fullProfiles2.length > 0 ? seg.fullProfiles2 : seg.fullProfiles;
  return list.map((p, index) => {
    validateVideoProfileEnums(p, index);
    return p.name === '' ? create(VideoProfileSchema, { ...p, name: defaultProfileName(p) }) : p;
  });
}

const FORMATS = new Set<number>([VideoProfile_Format.MPEGTS, VideoProfile_Format.MP4]);
const PROFILES = new Set<number>([
  VideoProfile_Profile.ENCODER_DEFAULT,
  VideoProfile_Profile.H264_BASELINE,
  VideoProfile_Profile.H264_MAIN,
  VideoProfile_Profile.H264_HIGH,
  VideoProfile_Profile.H264_CONSTRAINED_HIGH,
]);
const CODECS = new Set<number>([VideoProfile_VideoCodec.H264, VideoProfile_VideoCodec.H265, VideoProfile_VideoCodec.VP8, VideoProfile_VideoCodec.VP9]);

/** Throws MediaError with Livepeer's text when a profile carries an enum value this build does not know. */
export function validateVideoProfileEnums(p: VideoProfile, index = 0): void {
  if (!FORMATS.has(p.format)) {
    throw new MediaError('UNRECOGNIZED_FORMAT', MediaErrorText.UNRECOGNIZED_FORMAT, { details: { profileIndex: index, format: p.format } });
  }
  if (!PROFILES.has(p.profile)) {
    throw new MediaError('UNRECOGNIZED_PROFILE', MediaErrorText.UNRECOGNIZED_PROFILE, { details: { profileIndex: index, profile: p.profile } });
  }
  if (!CODECS.has(p.encoder)) {
    throw new MediaError('UNRECOGNIZED_CODEC', MediaErrorText.UNRECOGNIZED_CODEC, { details: { profileIndex: index, encoder: p.encoder } });
  }
}

/** Default segment duration an O assumes when SegData.duration is 0. */
export const DEFAULT_SEGMENT_DURATION_MS = 2000;
/** Longest segment an O accepts. */
export const MAX_SEGMENT_DURATION_MS = 300_000;

/** SegData.duration → milliseconds (0 → 2000; < 0 or > 300000 → `invalid duration`). */
export function segmentDurationMs(seg: Pick<SegData, 'duration'>): number {
  if (seg.duration === 0) return DEFAULT_SEGMENT_DURATION_MS;
  if (seg.duration < 0 || seg.duration > MAX_SEGMENT_DURATION_MS) {
    throw new MediaError('INVALID_DURATION', MediaErrorText.INVALID_DURATION, {
      details: { durationMs: seg.duration, maxMs: MAX_SEGMENT_DURATION_MS },
    });
  }
  return seg.duration;
}

/**
 * Output size of a profile for a source, keeping the source aspect ratio (lpms's ffmpeg scale
 * `w=if(gte(iw,ih),W,-2):h=if(lt(iw,ih),H,-2)`): a landscape or square source gets the profile's
 * width and an even height; a portrait source gets the profile's height and an even width.
 */
export function outputResolution(
  profile: { width: number; height: number },
  source: { width: number; height: number },
): { width: number; height: number } {
  const { width: W, height: H } = profile;
  const { width: iw, height: ih } = source;
  if (![W, H, iw, ih].every((n) => Number.isSafeInteger(n) && n > 0)) {
    throw new MediaError('INVALID_RESOLUTION', `cannot scale ${iw}x${ih} to ${W}x${H}`, {
      details: { sourceWidth: iw, sourceHeight: ih, width: W, height: H },
    });
  }
  // even(a*b/c): ffmpeg rounds a*b/(2c) to nearest, then doubles.
  const even = (a: number, b: number, c: number): number => Number(((2n * BigInt(a) * BigInt(b) + 2n * BigInt(c)) / (4n * BigInt(c))) * 2n);
  if (iw >= ih) return { width: W, height: Math.max(2, even(W, ih, iw)) };
  return { width: Math.max(2, even(H, iw, ih)), height: H };
}
