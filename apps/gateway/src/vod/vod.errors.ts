import { familyPredicate, LptsError, registerErrorFamily } from '@lpts/protocol';

export const VodErrorCode = {
  /** The input is not media ffprobe can read, or has no video stream. */
  INPUT_NOT_MEDIA: 'INPUT_NOT_MEDIA',
  /** The input (upload or download) is over GATEWAY_VOD_MAX_INPUT_BYTES. */
  INPUT_TOO_LARGE: 'INPUT_TOO_LARGE',
  /** The input URL could not be fetched (DNS, refused, non-2xx status, timeout). */
  INPUT_UNREACHABLE: 'INPUT_UNREACHABLE',
  /** The uploaded input is gone from GATEWAY_VOD_DIR (another host's disk, or deleted). */
  INPUT_MISSING: 'INPUT_MISSING',
  /** ffmpeg could not cut (or re-encode) the input into segments. */
  SEGMENTING_FAILED: 'SEGMENTING_FAILED',
  /** The gateway runs without REDIS_URL: no VOD queue. */
  VOD_DISABLED: 'VOD_DISABLED',
  /** Anything else that failed a job (the message says what). */
  INTERNAL: 'INTERNAL',
} as const;
export type VodErrorCode = (typeof VodErrorCode)[keyof typeof VodErrorCode];

/** Why a VOD job failed (stored with the bullmq job; segment transcoding failures keep their GatewayError code). */
export class VodError extends LptsError<VodErrorCode> {}
registerErrorFamily(VodError);

export const isVodError = familyPredicate(VodError);
