import { LptsError, familyPredicate, registerErrorFamily } from '@lpts/protocol';

/**
 * Failures of moving a segment job between an orchestrator and its workers (the media itself failing
 * is a JobError from @lpts/media, rebuilt from the worker's JSON error body).
 */
export const DispatchErrorCode = {
  /** No live worker has the capabilities and free capacity (Livepeer text `no transcoders available`). */
  NO_TRANSCODERS: 'NO_TRANSCODERS',
  /** The worker could not be reached or the connection broke (it died, restarted, or the network failed). */
  WORKER_UNREACHABLE: 'WORKER_UNREACHABLE',
  /** The worker did not answer within the job's deadline (Livepeer text `Remote transcoder took too long`). */
  WORKER_TIMEOUT: 'WORKER_TIMEOUT',
  /** The worker answered with something that is not the transcode contract (bad header, lengths, body). */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  /** A job header the worker cannot read (bad base64/JSON/schema). */
  INVALID_JOB: 'INVALID_JOB',
  /** The worker is at its advertised capacity (HTTP 503). */
  WORKER_BUSY: 'WORKER_BUSY',
  /** The worker is shutting down and takes no new jobs (HTTP 503). */
  WORKER_DRAINING: 'WORKER_DRAINING',
  /** The worker has not finished its capability probe (HTTP 503). */
  WORKER_NOT_READY: 'WORKER_NOT_READY',
  /** The request body is over the worker's size limit (HTTP 413). */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** The caller aborted the job. */
  ABORTED: 'ABORTED',
} as const;
export type DispatchErrorCode = (typeof DispatchErrorCode)[keyof typeof DispatchErrorCode];

/** Livepeer's texts where gateways see one. */
export const DispatchErrorText = {
  NO_TRANSCODERS: 'no transcoders available',
  WORKER_TIMEOUT: 'Remote transcoder took too long',
} as const;

export class DispatchError extends LptsError<DispatchErrorCode> {}
registerErrorFamily(DispatchError);
export const isDispatchError = familyPredicate(DispatchError);

// Loading @lpts/media registers the JobError family, so a worker's JSON error body is rebuilt as a
// JobError (broken input) by `errorFromWire`; re-exported for callers that test for it.
export { JobError, isJobError } from '@lpts/media';
