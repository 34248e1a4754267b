import { LptsError, familyPredicate, registerErrorFamily } from '../errors/lpts-error';

/** Segment/profile/credential failures; messages are Livepeer's exact texts where it has one. */
export const MediaErrorCode = {
  /** `unrecognized profile output format` */
  UNRECOGNIZED_FORMAT: 'UNRECOGNIZED_FORMAT',
  /** `unrecognized encoder profile` */
  UNRECOGNIZED_PROFILE: 'UNRECOGNIZED_PROFILE',
  /** `unrecognized video codec` */
  UNRECOGNIZED_CODEC: 'UNRECOGNIZED_CODEC',
  /** `invalid duration` */
  INVALID_DURATION: 'INVALID_DURATION',
  /** `ErrSegSig`: segment credentials signature does not verify against the sender. */
  SEGMENT_SIGNATURE: 'SEGMENT_SIGNATURE',
  /** A bitrate string that is not `<N>k` / a number. */
  INVALID_BITRATE: 'INVALID_BITRATE',
  /** A profile name not in the preset table. */
  UNKNOWN_PRESET: 'UNKNOWN_PRESET',
  /** Source/output dimensions that cannot be scaled. */
  INVALID_RESOLUTION: 'INVALID_RESOLUTION',
} as const;
export type MediaErrorCode = (typeof MediaErrorCode)[keyof typeof MediaErrorCode];

export const MediaErrorText = {
  UNRECOGNIZED_FORMAT: 'unrecognized profile output format',
  UNRECOGNIZED_PROFILE: 'unrecognized encoder profile',
  UNRECOGNIZED_CODEC: 'unrecognized video codec',
  INVALID_DURATION: 'invalid duration',
  SEGMENT_SIGNATURE: 'ErrSegSig',
} as const;

export class MediaError extends LptsError<MediaErrorCode> {}
registerErrorFamily(MediaError);
export const isMediaError = familyPredicate(MediaError);
