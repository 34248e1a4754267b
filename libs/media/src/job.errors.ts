import { LptsError, familyPredicate, registerErrorFamily } from '@lpts/protocol';

/**
 * Transcode-job failures. Where Livepeer (lpms/go-livepeer, PROTOCOL.md §2.5) has a text that
 * gateways see, the message is that text (`JobErrorText`); the numbers go into `details`.
 */
export const JobErrorCode = {
  /** ffmpeg could not demux/decode the input (garbage, truncated, unknown container). */
  INVALID_MEDIA: 'INVALID_MEDIA',
  /** The input has a video stream but no decodable keyframe / no frame came out. */
  NO_KEYFRAMES: 'NO_KEYFRAMES',
  /** The input has no video stream at all. */
  NO_VIDEO: 'NO_VIDEO',
  /** The input's pixel format cannot be handled by the selected decoder/encoder. */
  UNSUPPORTED_PIXEL_FORMAT: 'UNSUPPORTED_PIXEL_FORMAT',
  /** No decoder for the input codec. */
  DECODER_NOT_FOUND: 'DECODER_NOT_FOUND',
  /** ffmpeg rejected an option/value (a bad rendition spec that passed validation). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A rendition spec that cannot be encoded (checked before ffmpeg starts). */
  INVALID_RENDITION: 'INVALID_RENDITION',
  /** ffmpeg failed for another reason (encoder init, GPU error, crash). */
  ENCODER_FAILED: 'ENCODER_FAILED',
  /** The ffmpeg/ffprobe binary could not be started. */
  BINARY_NOT_FOUND: 'BINARY_NOT_FOUND',
  /** The job ran past its deadline and was killed. */
  TIMEOUT: 'TIMEOUT',
  /** The caller aborted the job (AbortSignal); ffmpeg was killed. */
  ABORTED: 'ABORTED',
  /** Input or output bytes over the configured cap; ffmpeg was killed. */
  TOO_LARGE: 'TOO_LARGE',
  /** An output under 25 bytes (`ZeroSegments`). */
  ZERO_SEGMENTS: 'ZERO_SEGMENTS',
  /** Output count differs from the requested profile count (`MismatchedSegments`). */
  MISMATCHED_SEGMENTS: 'MISMATCHED_SEGMENTS',
  /** Every GPU is at its session limit (`no transcoders available`). */
  NO_TRANSCODERS: 'NO_TRANSCODERS',
} as const;
export type JobErrorCode = (typeof JobErrorCode)[keyof typeof JobErrorCode];

/** Messages: Livepeer's wire texts where it has one, ffmpeg's own text otherwise. */
export const JobErrorText = {
  INVALID_MEDIA: 'Invalid data found when processing input',
  NO_KEYFRAMES: 'No keyframes in input',
  NO_VIDEO: 'No video stream in input',
  UNSUPPORTED_PIXEL_FORMAT: 'Unsupported input pixel format',
  DECODER_NOT_FOUND: 'Decoder not found',
  INVALID_ARGUMENT: 'Invalid argument',
  ENCODER_FAILED: 'Transcoder failed',
  TIMEOUT: 'Transcode took too long',
  ABORTED: 'Transcode aborted',
  ZERO_SEGMENTS: 'ZeroSegments',
  MISMATCHED_SEGMENTS: 'MismatchedSegments',
  NO_TRANSCODERS: 'no transcoders available',
} as const satisfies Partial<Record<JobErrorCode, string>>;

export class JobError extends LptsError<JobErrorCode> {}
registerErrorFamily(JobError);
export const isJobError = familyPredicate(JobError);

/** Smallest output Livepeer accepts as a real segment (PROTOCOL.md §2.5). */
export const MIN_SEGMENT_BYTES = 25;
