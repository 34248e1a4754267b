import { isLptsError, type LptsError, type TranscodeJobJson, type TranscodeResultJson } from '@lpts/protocol';
import { DispatchError, DispatchErrorText } from './errors';
import { JOB_HEADER, RESULT_HEADER, TRANSCODE_CONTENT_TYPE, decodeErrorBody, decodeResultHeader, encodeJobHeader, httpStatusOf, splitRenditions } from './codec';

const statusOf = new WeakMap<object, number>();

/** HTTP status a worker answered a failed job with (undefined: no answer, e.g. connection reset). */
export function workerHttpStatus(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null ? statusOf.get(e) : undefined;
}

/**
 * Whether a failed job may succeed on another worker: no answer at all (died, reset, deadline), or
 * a 5xx (worker failed, busy, draining). A 4xx (broken input, bad job) would fail again anywhere.
 */
export function isRetryableOnAnotherWorker(e: unknown): boolean {
  if (isLptsError(e) && e.code === 'ABORTED' && workerHttpStatus(e) === undefined) return false;
  const status = workerHttpStatus(e);
  if (status === undefined) return isLptsError(e) && ['WORKER_UNREACHABLE', 'WORKER_TIMEOUT', 'INVALID_RESPONSE'].includes(e.code);
  return status >= 500;
}

function tagged<E extends LptsError>(e: E, status: number): E {
  statusOf.set(e, status);
  return e;
}

export interface WorkerHttpClientOptions {
  /** Deadline when neither the job nor the caller gives one (default 60 s). */
  readonly defaultTimeoutMs?: number;
}

/**
 * The orchestrator side of `POST <transcodeUrl>`: segment bytes out, renditions back. Failures are
 * typed: the worker's own error (JobError for broken input, …) rebuilt from its JSON body, or
 * DispatchError WORKER_UNREACHABLE / WORKER_TIMEOUT / INVALID_RESPONSE / ABORTED.
 */
export class WorkerHttpClient {
  constructor(private readonly options: WorkerHttpClientOptions = {}) {}

  async transcode(url: string, job: TranscodeJobJson, segment: Uint8Array, signal?: AbortSignal): Promise<{ result: TranscodeResultJson; renditions: Buffer[] }> {
    // Allow the worker its own deadline plus a margin to answer with a typed TIMEOUT first.
    const deadlineMs = (job.timeoutMs ?? this.options.defaultTimeoutMs ?? 60_000) + 2_000;
    const timeout = AbortSignal.timeout(deadlineMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const details = { url, jobId: job.jobId, sessionId: job.sessionId, inputBytes: segment.length };
    let res: Response;
    let body: Uint8Array;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': TRANSCODE_CONTENT_TYPE, [JOB_HEADER]: encodeJobHeader(job) },
        body: segment,
        signal: combined,
      });
      body = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      if (signal?.aborted) throw new DispatchError('ABORTED', 'transcode aborted by the caller', { cause: e, details });
      if (timeout.aborted) {
        throw new DispatchError('WORKER_TIMEOUT', DispatchErrorText.WORKER_TIMEOUT, { retryable: true, cause: e, details: { ...details, timeoutMs: deadlineMs } });
      }
      const cause = (e as Error).cause as { code?: string; message?: string } | undefined;
      throw new DispatchError('WORKER_UNREACHABLE', `worker at ${url} failed: ${cause?.message ?? (e as Error).message}`, {
        retryable: true,
        cause: e,
        details: { ...details, reason: cause?.code ?? (e as Error).name },
      });
    }
    if (res.status !== 200) throw tagged(decodeErrorBody(res.status, body), res.status);
    try {
      const result = decodeResultHeader(res.headers.get(RESULT_HEADER));
      if (result.jobId !== job.jobId) {
        throw new DispatchError('INVALID_RESPONSE', `result for job ${result.jobId}, expected ${job.jobId}`, { details });
      }
      if (result.error) throw errorFromResultError(result);
      if (result.renditions.length !== job.renditions.length) {
        throw new DispatchError('INVALID_RESPONSE', `worker returned ${result.renditions.length} renditions for ${job.renditions.length} requested`, {
          details: { ...details, returned: result.renditions.length, requested: job.renditions.length },
        });
      }
      return { result, renditions: splitRenditions(body, result) };
    } catch (e) {
      throw workerHttpStatus(e) === undefined ? tagged(e as LptsError, 502) : e;
    }
  }
}

function errorFromResultError(result: TranscodeResultJson): LptsError {
  // A 200 with an error in the result is not what our workers send, but the schema allows it.
  const err = decodeErrorBody(200, Buffer.from(JSON.stringify(result.error)));
  return tagged(err, httpStatusOf(err));
}
