import { LptsError, familyPredicate, registerErrorFamily } from '../errors/lpts-error';

/** Failure modes of encoding/decoding Livepeer wire messages and headers. */
export const WireErrorCode = {
  /** A header is not valid standard base64 (RFC 4648 §4, `=` padded). */
  BASE64_DECODE: 'BASE64_DECODE',
  /** The bytes are not a valid protobuf encoding of the named message. */
  PROTOBUF_DECODE: 'PROTOBUF_DECODE',
  /** The message could not be serialised (e.g. an int64 outside its range). */
  PROTOBUF_ENCODE: 'PROTOBUF_ENCODE',
  /** A field holds a value the wire cannot carry (address not 20 bytes, negative big integer, …). */
  INVALID_FIELD: 'INVALID_FIELD',
} as const;
export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

/**
 * Wire encoding/decoding failure. `details` always names the message (`message`, e.g. `net.Payment`),
 * the input size (`byteLength`, or `textLength` for base64 text) and the underlying `problem`.
 */
export class WireError extends LptsError<WireErrorCode> {}
registerErrorFamily(WireError);
export const isWireError = familyPredicate(WireError);
