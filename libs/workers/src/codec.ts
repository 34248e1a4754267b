import {
  TranscodeHttpHeader,
  errorFromWire,
  isLptsError,
  zSerializedError,
  zTranscodeJob,
  zTranscodeResult,
  type LptsError,
  type SerializedError,
  type TranscodeJobJson,
  type TranscodeResultJson,
} from '@lpts/protocol';
import type { z } from 'zod';
import { DispatchError } from './errors';

/**
 * The worker's HTTP transcode format (protocol media.messages.ts), in one place for both sides:
 * `POST <transcodeUrl>`, body = segment bytes, header `Lpts-Transcode-Job: base64(JSON job)`;
 * 200 → header `Lpts-Transcode-Result: base64(JSON result)`, body = renditions concatenated in job
 * order (lengths in `result.renditions[i].bytes`); failure → non-200 + JSON SerializedError body.
 */
export const TRANSCODE_CONTENT_TYPE = 'application/octet-stream';
export const ERROR_CONTENT_TYPE = 'application/json';
/** Node lower-cases incoming header names. */
export const JOB_HEADER = TranscodeHttpHeader.JOB.toLowerCase();
export const RESULT_HEADER = TranscodeHttpHeader.RESULT.toLowerCase();

function encodeJsonHeader(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

function decodeJsonHeader<S extends z.ZodType>(
  schema: S,
  value: string | string[] | null | undefined,
  what: string,
  fail: (reason: string, details: Record<string, string | number>) => LptsError,
): z.output<S> {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) throw fail(`missing ${what} header`, {});
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw fail(`${what} header is not base64 JSON`, { headerBytes: text.length });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw fail(`invalid ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { issues: parsed.error.issues.length });
  }
  return parsed.data;
}

export function encodeJobHeader(job: TranscodeJobJson): string {
  return encodeJsonHeader(zTranscodeJob.parse(job));
}

/** Worker side: reads and validates the job header; throws DispatchError INVALID_JOB. */
export function decodeJobHeader(value: string | string[] | null | undefined): TranscodeJobJson {
  return decodeJsonHeader(zTranscodeJob, value, 'job', (m, d) => new DispatchError('INVALID_JOB', m, { details: d }));
}

export function encodeResultHeader(result: TranscodeResultJson): string {
  return encodeJsonHeader(zTranscodeResult.parse(result));
}

/** Client side: reads and validates the result header; throws DispatchError INVALID_RESPONSE. */
export function decodeResultHeader(value: string | string[] | null | undefined): TranscodeResultJson {
  return decodeJsonHeader(zTranscodeResult, value, 'result', (m, d) => new DispatchError('INVALID_RESPONSE', m, { details: d }));
}

/** Worker side: the result body, renditions back to back in job order. */
export function concatRenditions(renditions: readonly Uint8Array[]): Buffer {
  return Buffer.concat(renditions);
}

/** Client side: splits the body by the result's lengths; the lengths must cover it exactly. */
export function splitRenditions(body: Uint8Array, result: TranscodeResultJson): Buffer[] {
  const total = result.renditions.reduce((t, r) => t + r.bytes, 0);
  if (total !== body.length) {
    throw new DispatchError('INVALID_RESPONSE', `result lengths sum to ${total} bytes but the body has ${body.length}`, {
      details: { expectedBytes: total, bodyBytes: body.length, renditions: result.renditions.length },
    });
  }
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const out: Buffer[] = [];
  let at = 0;
  for (const r of result.renditions) {
    out.push(buf.subarray(at, at + r.bytes));
    at += r.bytes;
  }
  return out;
}

/** HTTP status of a failed job: broken input 422, too large 413, busy 503, deadline 504, the rest 500. */
export function httpStatusOf(e: unknown): number {
  if (!isLptsError(e)) return 500;
  switch (e.code) {
    case 'INVALID_MEDIA':
    case 'NO_KEYFRAMES':
    case 'NO_VIDEO':
    case 'UNSUPPORTED_PIXEL_FORMAT':
    case 'DECODER_NOT_FOUND':
    case 'INVALID_ARGUMENT':
    case 'INVALID_RENDITION':
    case 'ZERO_SEGMENTS':
    case 'MISMATCHED_SEGMENTS':
      return 422;
    case 'INVALID_JOB':
      return 400;
    case 'TOO_LARGE':
    case 'BODY_TOO_LARGE':
      return 413;
    case 'ABORTED':
      return 499;
    case 'NO_TRANSCODERS':
    case 'WORKER_BUSY':
    case 'WORKER_DRAINING':
    case 'WORKER_NOT_READY':
      return 503;
    case 'TIMEOUT':
    case 'WORKER_TIMEOUT':
      return 504;
    default:
      return 500;
  }
}

/** Worker side: the JSON error body. */
export function encodeErrorBody(e: LptsError): string {
  return JSON.stringify(e.toWire());
}

/** Client side: rebuilds the typed error of a non-200 answer (JobError, DispatchError, …). */
export function decodeErrorBody(status: number, body: Uint8Array): LptsError {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = zSerializedError.safeParse(json);
  if (!parsed.success) {
    return new DispatchError('INVALID_RESPONSE', `worker answered HTTP ${status} without a typed error body`, {
      details: { status, bodyBytes: body.length },
      retryable: status >= 500,
    });
  }
  const wire: SerializedError = parsed.data;
  const err = errorFromWire(wire);
  return err;
}
