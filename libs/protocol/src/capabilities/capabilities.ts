import { create } from '@bufbuild/protobuf';
import {
  CapabilitiesSchema,
  Capabilities_CapabilityConstraintsSchema,
  Capabilities_CapabilityConstraints_ModelConstraintSchema,
  Capabilities_ConstraintsSchema,
  VideoProfile_Format,
  VideoProfile_Profile,
  VideoProfile_VideoCodec,
} from '../gen/net/lp_rpc_pb';
import type { Capabilities, Capabilities_CapabilityConstraints_ModelConstraint, VideoProfile } from '../gen/net/lp_rpc_pb';
import { Capability } from './capability-ids';

/* ---------- bitstring (§4.2) ---------- */

/** Capability N sets bit N mod 64 of word floor(N/64); the array grows to the highest word needed. */
export function capabilitiesToBitstring(caps: Iterable<number>): bigint[] {
  const words: bigint[] = [];
  for (const c of caps) {
    if (!Number.isInteger(c) || c < 0) continue; // Unused/Invalid are never encoded
    const w = Math.floor(c / 64);
    while (words.length <= w) words.push(0n);
    words[w] = (words[w] as bigint) | (1n << BigInt(c % 64));
  }
  return words;
}

/** The capability ids set in a bitstring, ascending. */
export function bitstringToCapabilities(words: readonly bigint[]): number[] {
  const out: number[] = [];
  words.forEach((word, w) => {
    for (let bit = 0; bit < 64 && word >> BigInt(bit) !== 0n; bit++) {
      if ((word >> BigInt(bit)) & 1n) out.push(w * 64 + bit);
    }
  });
  return out;
}

export function bitstringHas(words: readonly bigint[], cap: number): boolean {
  if (cap < 0) return false;
  const word = words[Math.floor(cap / 64)];
  return word !== undefined && ((word >> BigInt(cap % 64)) & 1n) === 1n;
}

/** a ⊆ b word by word, with a no longer than b (Go's CapabilityString.CompatibleWith). */
export function bitstringSubset(a: readonly bigint[], b: readonly bigint[]): boolean {
  if (a.length > b.length) return false;
  return a.every((w, i) => (w & (b[i] as bigint)) === w);
}

/** Capabilities in `a` that `b` lacks. */
export function bitstringMissing(a: readonly bigint[], b: readonly bigint[]): number[] {
  return bitstringToCapabilities(a).filter((c) => !bitstringHas(b, c));
}

/* ---------- sets (§4.4) ---------- */

/** Default transcoder set: 0–12, 14, 26 (one word 0x4005FFF). */
export const DEFAULT_CAPABILITIES: readonly Capability[] = Object.freeze([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, Capability.MPEG7VideoSignature, Capability.SegmentSlicing,
] as Capability[]);
/** Legacy set: 0–11 (one word 0xFFF). */
export const LEGACY_CAPABILITIES: readonly Capability[] = Object.freeze([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as Capability[]);
/** Optional capabilities a Go node probes at start (decoders and encoders). */
export const OPTIONAL_TRANSCODE_CAPABILITIES: readonly Capability[] = Object.freeze([15, 16, 17, 18, 21, 22, 23, 24, 25] as Capability[]);
/** Capabilities an O requires of every job (Go does not put them into `mandatories`). */
export const MANDATORY_CAPABILITIES: readonly Capability[] = Object.freeze([Capability.AuthToken] as Capability[]);

export const DEFAULT_BITSTRING: readonly bigint[] = Object.freeze(capabilitiesToBitstring(DEFAULT_CAPABILITIES));
export const LEGACY_BITSTRING: readonly bigint[] = Object.freeze(capabilitiesToBitstring(LEGACY_CAPABILITIES));

/** True when every capability of the bitstring is in the legacy set. */
export function isLegacyOnly(words: readonly bigint[]): boolean {
  return bitstringMissing(words, LEGACY_BITSTRING).length === 0;
}

/* ---------- building Capabilities messages ---------- */

export interface ModelConstraintSpec {
  warm?: boolean;
  capacity?: number;
  runnerVersion?: string;
  capacityInUse?: number;
}

export interface CapabilitiesSpec {
  capabilities: Iterable<number>;
  /** Capacity per capability; capabilities not listed get 1 (§4.4). */
  capacities?: Readonly<Record<number, number>>;
  mandatories?: Iterable<number>;
  /** Node software version (an O advertises e.g. `0.9.1`). */
  version?: string;
  /** Gateway's minimum O version. */
  minVersion?: string;
  /** Per-capability model constraints: `models[cap][modelId]`. */
  models?: Readonly<Record<number, Readonly<Record<string, ModelConstraintSpec>>>>;
}

/** Builds the wire Capabilities message. */
export function buildCapabilities(spec: CapabilitiesSpec): Capabilities {
  const ids = [...new Set(spec.capabilities)].filter((c) => c >= 0).sort((a, b) => a - b);
  const capacities: Record<number, number> = {};
  for (const c of ids) capacities[c] = spec.capacities?.[c] ?? 1;
  const perCapability: Record<number, ReturnType<typeof capabilityConstraints>> = {};
  for (const [cap, models] of Object.entries(spec.models ?? {})) perCapability[Number(cap)] = capabilityConstraints(models);
  const hasConstraints = spec.minVersion !== undefined || Object.keys(perCapability).length > 0;
  return create(CapabilitiesSchema, {
    bitstring: capabilitiesToBitstring(ids),
    mandatories: capabilitiesToBitstring(spec.mandatories ?? []),
    capacities,
    version: spec.version ?? '',
    constraints: hasConstraints
      ? create(Capabilities_ConstraintsSchema, { minVersion: spec.minVersion ?? '', PerCapability: perCapability })
      : undefined,
  });
}

function capabilityConstraints(models: Readonly<Record<string, ModelConstraintSpec>>) {
  const out: Record<string, Capabilities_CapabilityConstraints_ModelConstraint> = {};
  for (const [model, m] of Object.entries(models)) {
    out[model] = create(Capabilities_CapabilityConstraints_ModelConstraintSchema, {
      warm: m.warm ?? false,
      capacity: m.capacity ?? 0,
      runnerVersion: m.runnerVersion ?? '',
      capacityInUse: m.capacityInUse ?? 0,
    });
  }
  return create(Capabilities_CapabilityConstraintsSchema, { models: out });
}

/** The capability ids a Capabilities message advertises. */
export function capabilityIds(caps: Capabilities | undefined): number[] {
  return caps ? bitstringToCapabilities(caps.bitstring) : [];
}

/** Model constraints of one capability, undefined when the message constrains none. */
export function modelConstraints(
  caps: Capabilities | undefined,
  cap: number,
): Readonly<Record<string, Capabilities_CapabilityConstraints_ModelConstraint>> | undefined {
  return caps?.constraints?.PerCapability[cap]?.models;
}

/** Capacity advertised for a capability (0 when absent). */
export function capabilityCapacity(caps: Capabilities | undefined, cap: number): number {
  return caps?.capacities[cap] ?? 0;
}

/* ---------- job capabilities of a transcoding job (§4.4) ---------- */

export interface TranscodeJobInput {
  /** Output renditions (only format, encoder, fpsDen, profile and gop matter). */
  profiles: readonly Pick<VideoProfile, 'format' | 'encoder' | 'fpsDen' | 'profile' | 'gop'>[];
  /** Source stream; H.264 input adds 0 plus the decode capability for its chroma/bit depth. */
  input?: { codec: 'H264' | 'HEVC' | 'VP8' | 'VP9'; chroma?: '420' | '422' | '444'; bitDepth?: 8 | 10 };
  /** Fast verification on: MPEG-7 signature needed. */
  fastVerification?: boolean;
  /** A clip window is requested (SegParameters from/to). */
  clipping?: boolean;
  /** The gateway's external storage for results. */
  storage?: 'direct' | 's3' | 'gcs';
}

function h264DecodeCapability(chroma: '420' | '422' | '444', bitDepth: 8 | 10): Capability | undefined {
  if (bitDepth === 8) return chroma === '444' ? Capability.H264Decode444_8bit : chroma === '422' ? Capability.H264Decode422_8bit : undefined;
  return chroma === '444' ? Capability.H264Decode444_10bit : chroma === '422' ? Capability.H264Decode422_10bit : Capability.H264Decode420_10bit;
}

/** Capability ids a transcoding job needs, ascending. */
export function transcodingJobCapabilities(job: TranscodeJobInput): Capability[] {
  const caps = new Set<Capability>([Capability.AuthToken]);
  if (job.fastVerification) caps.add(Capability.MPEG7VideoSignature);
  if (job.clipping) caps.add(Capability.SegmentSlicing);
  switch (job.input?.codec) {
    case 'H264': {
      caps.add(Capability.H264);
      const dec = h264DecodeCapability(job.input.chroma ?? '420', job.input.bitDepth ?? 8);
      if (dec !== undefined) caps.add(dec);
      break;
    }
    case 'HEVC':
      caps.add(Capability.HEVCDecode);
      break;
    case 'VP8':
      caps.add(Capability.VP8Decode);
      break;
    case 'VP9':
      caps.add(Capability.VP9Decode);
      break;
    default:
      break;
  }
  for (const p of job.profiles) {
    if (p.format === VideoProfile_Format.MPEGTS) caps.add(Capability.MPEGTS);
    else if (p.format === VideoProfile_Format.MP4) caps.add(Capability.MP4);
    const enc = ENCODER_CAPABILITY[p.encoder];
    if (enc !== undefined) caps.add(enc);
    if (p.fpsDen > 0) caps.add(Capability.FractionalFramerates);
    const prof = PROFILE_CAPABILITY[p.profile];
    if (prof !== undefined) caps.add(prof);
    if (p.gop !== 0) caps.add(Capability.GOP);
  }
  if (job.storage === 'direct') caps.add(Capability.StorageDirect);
  else if (job.storage === 's3') caps.add(Capability.StorageS3);
  else if (job.storage === 'gcs') caps.add(Capability.StorageGCS);
  return [...caps].sort((a, b) => a - b);
}

const ENCODER_CAPABILITY: Partial<Record<number, Capability>> = {
  [VideoProfile_VideoCodec.H264]: Capability.H264,
  [VideoProfile_VideoCodec.H265]: Capability.HEVCEncode,
  [VideoProfile_VideoCodec.VP8]: Capability.VP8Encode,
  [VideoProfile_VideoCodec.VP9]: Capability.VP9Encode,
};

const PROFILE_CAPABILITY: Partial<Record<number, Capability>> = {
  [VideoProfile_Profile.H264_BASELINE]: Capability.ProfileH264Baseline,
  [VideoProfile_Profile.H264_MAIN]: Capability.ProfileH264Main,
  [VideoProfile_Profile.H264_HIGH]: Capability.ProfileH264High,
  [VideoProfile_Profile.H264_CONSTRAINED_HIGH]: Capability.ProfileH264ConstrainedHigh,
};
