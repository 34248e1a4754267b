/** Livepeer capability ids (PROTOCOL.md §4.1). */
export const Capability = {
  Unused: -1,
  Invalid: -2,
  H264: 0,
  MPEGTS: 1,
  MP4: 2,
  FractionalFramerates: 3,
  StorageDirect: 4,
  StorageS3: 5,
  StorageGCS: 6,
  ProfileH264Baseline: 7,
  ProfileH264Main: 8,
  ProfileH264High: 9,
  ProfileH264ConstrainedHigh: 10,
  GOP: 11,
  AuthToken: 12,
  SceneClassification: 13,
  MPEG7VideoSignature: 14,
  HEVCDecode: 15,
  HEVCEncode: 16,
  VP8Decode: 17,
  VP9Decode: 18,
  VP8Encode: 19,
  VP9Encode: 20,
  H264Decode444_8bit: 21,
  H264Decode422_8bit: 22,
  H264Decode444_10bit: 23,
  H264Decode422_10bit: 24,
  H264Decode420_10bit: 25,
  SegmentSlicing: 26,
  TextToImage: 27,
  ImageToImage: 28,
  ImageToVideo: 29,
  Upscale: 30,
  AudioToText: 31,
  SegmentAnything2: 32,
  LLM: 33,
  ImageToText: 34,
  LiveVideoToVideo: 35,
  TextToSpeech: 36,
  BYOC: 37,
} as const;
export type Capability = (typeof Capability)[keyof typeof Capability];

/** Human names of the capabilities (the name column of §4.1). */
export const CapabilityName: Readonly<Record<Capability, string>> = {
  [-1]: 'Unused',
  [-2]: 'Invalid',
  0: 'H.264',
  1: 'MPEGTS',
  2: 'MP4',
  3: 'Fractional framerates',
  4: 'Storage direct',
  5: 'Storage S3',
  6: 'Storage GCS',
  7: 'H264 Baseline',
  8: 'H264 Main',
  9: 'H264 High',
  10: 'H264 Constrained High',
  11: 'GOP',
  12: 'Auth token',
  13: 'Scene classification',
  14: 'MPEG7 video signature',
  15: 'HEVC decode',
  16: 'HEVC encode',
  17: 'VP8 decode',
  18: 'VP9 decode',
  19: 'VP8 encode',
  20: 'VP9 encode',
  21: 'H264 decode 4:4:4 8-bit',
  22: 'H264 decode 4:2:2 8-bit',
  23: 'H264 decode 4:4:4 10-bit',
  24: 'H264 decode 4:2:2 10-bit',
  25: 'H264 decode 4:2:0 10-bit',
  26: 'Segment slicing',
  27: 'Text to image',
  28: 'Image to image',
  29: 'Image to video',
  30: 'Upscale',
  31: 'Audio to text',
  32: 'Segment anything 2',
  33: 'LLM',
  34: 'Image to text',
  35: 'Live video to video',
  36: 'Text to speech',
  37: 'BYOC',
};

/** Highest capability id this build knows. */
export const MAX_CAPABILITY = Capability.BYOC;

/** The AI pipelines and their capabilities (`-` names as used in routes and config). */
export const AiPipeline = {
  'text-to-image': Capability.TextToImage,
  'image-to-image': Capability.ImageToImage,
  'image-to-video': Capability.ImageToVideo,
  upscale: Capability.Upscale,
  'audio-to-text': Capability.AudioToText,
  'segment-anything-2': Capability.SegmentAnything2,
  llm: Capability.LLM,
  'image-to-text': Capability.ImageToText,
  'live-video-to-video': Capability.LiveVideoToVideo,
  'text-to-speech': Capability.TextToSpeech,
} as const;
export type AiPipeline = keyof typeof AiPipeline;

export function isAiPipeline(name: string): name is AiPipeline {
  return Object.prototype.hasOwnProperty.call(AiPipeline, name);
}

/**
 * Pipeline name → capability by Go's rule: upper-case the first letter, `-` → space, match the
 * capability name (case-insensitively, so `llm` finds `LLM`). Undefined when nothing matches.
 */
export function pipelineToCapability(pipeline: string): Capability | undefined {
  if (pipeline.length === 0) return undefined;
  const wanted = (pipeline[0]?.toUpperCase() + pipeline.slice(1)).replace(/-/g, ' ').toLowerCase();
  for (const [id, name] of Object.entries(CapabilityName)) {
    const n = Number(id);
    if (n >= 0 && name.toLowerCase() === wanted) return n as Capability;
  }
  return undefined;
}

/** Capability → pipeline name (lower case, spaces → `-`), e.g. 27 → `text-to-image`. */
export function capabilityToPipeline(cap: Capability): string {
  return CapabilityName[cap].toLowerCase().replace(/ /g, '-');
}

/** Name of a capability id, `Capability(<n>)` for ids this build does not know. */
export function capabilityName(cap: number): string {
  return (CapabilityName as Record<number, string | undefined>)[cap] ?? `Capability(${cap})`;
}
