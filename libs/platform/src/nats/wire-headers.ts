import { LptsError, errorFromWire, type SerializedError } from '@lpts/protocol';
import type { MsgHdrs } from '@nats-io/transport-node';
import { NatsRpcError } from './nats.errors';

/**
 * A failed request is answered with an empty body and these headers; the caller rebuilds the
 * typed error (same family, code, retryable flag and details) with `errorFromHeaders`.
 */
export const ERROR_HEADER = {
  FAMILY: 'Lpts-Error-Family',
  CODE: 'Lpts-Error-Code',
  RETRYABLE: 'Lpts-Error-Retryable',
  MESSAGE: 'Lpts-Error-Message',
  DETAILS: 'Lpts-Error-Details',
} as const;

/** Anything thrown by a handler is serialised; non-lpts errors are reported without leaking internals. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof LptsError) return e.toWire();
  if (isSerializedError(e)) return e;
  return new NatsRpcError('HANDLER_FAILED', 'internal error in request handler', {
    details: { error: e instanceof Error ? e.name : typeof e },
  }).toWire();
}

export function isSerializedError(e: unknown): e is SerializedError {
  return typeof e === 'object' && e !== null && 'family' in e && 'code' in e && 'message' in e && 'details' in e;
}

export function setErrorHeaders(h: MsgHdrs, wire: SerializedError): void {
  h.set(ERROR_HEADER.FAMILY, wire.family);
  h.set(ERROR_HEADER.CODE, wire.code);
  h.set(ERROR_HEADER.RETRYABLE, wire.retryable ? '1' : '0');
  // Header values must be single-line: JSON-encode the message and details.
  h.set(ERROR_HEADER.MESSAGE, JSON.stringify(wire.message));
  h.set(ERROR_HEADER.DETAILS, JSON.stringify(wire.details));
}

export function errorFromHeaders(h: MsgHdrs | undefined): LptsError | undefined {
  const code = h?.get(ERROR_HEADER.CODE);
  if (!h || !code) return undefined;
  let message = code;
  let details = {};
  try {
    message = JSON.parse(h.get(ERROR_HEADER.MESSAGE)) as string;
    details = JSON.parse(h.get(ERROR_HEADER.DETAILS)) as Record<string, never>;
  } catch {
    // A malformed header still yields a typed error carrying the code.
  }
  return errorFromWire({
    family: h.get(ERROR_HEADER.FAMILY) || 'LptsError',
    code,
    message,
    retryable: h.get(ERROR_HEADER.RETRYABLE) === '1',
    details,
  });
}
