/**
 * NATS API between an orchestrator and its workers (docs/nats-api.md, docs/adr/005).
 * Control rides NATS; media bytes never do: a worker serves a private HTTP endpoint
 * (`POST <transcodeUrl>`: segment bytes in, multipart renditions out) that it advertises here.
 */
import { z } from 'zod';
import { defineCommand, defineEvent } from './registry';
import { zSerializedError } from './payments.messages';

export const zRendition = z.object({
  name: z.string().min(1).max(128),
  width: z.number().int().min(2).max(8192),
  height: z.number().int().min(2).max(8192),
  bitrateBps: z.number().int().positive(),
  fps: z.number().int().nonnegative(),
  fpsDen: z.number().int().nonnegative(),
  format: z.enum(['mpegts', 'mp4']),
  h264Profile: z.enum(['default', 'baseline', 'main', 'high', 'constrained-high']),
  gopMs: z.number().int().min(-1),
});
export type RenditionJson = z.output<typeof zRendition>;

/** A worker's advertisement; also its heartbeat. A worker whose lease lapses is dropped. */
export const zWorkerStatus = z.object({
  workerId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
  /** Private HTTP endpoint for segment transcodes (e.g. http://10.0.0.7:9480/transcode). */
  transcodeUrl: z.string().url(),
  /** Livepeer capability ids this worker can serve (probed at start). */
  capabilities: z.array(z.number().int().nonnegative()),
  /** Concurrent segment jobs it accepts, and how many are running now. */
  capacity: z.number().int().nonnegative(),
  inUse: z.number().int().nonnegative(),
  /** 'nvenc' when NVENC passed its test encode on at least one GPU, else 'libx264'. */
  encoder: z.enum(['nvenc', 'libx264']),
  gpus: z.array(z.object({ index: z.number().int().nonnegative(), sessions: z.number().int().nonnegative() })),
  leaseMs: z.number().int().positive(),
  version: z.string(),
  at: z.number().int(),
});
export type WorkerStatusJson = z.output<typeof zWorkerStatus>;

export const WorkerEvents = {
  /** Heartbeat every leaseMs/3 (subject id = workerId). */
  status: defineEvent({ domain: 'worker', entity: 'status', action: 'report', payload: zWorkerStatus, withId: true }),
  /** Sent on clean shutdown so the orchestrator drops the worker at once. */
  gone: defineEvent({ domain: 'worker', entity: 'status', action: 'gone', payload: z.object({ workerId: z.string() }), withId: true }),
} as const;

export const WorkerCommands = {
  /** Orchestrator start-up: every live worker answers with its status at once. */
  discover: defineCommand({ domain: 'worker', entity: 'status', action: 'get', request: z.object({}), reply: zWorkerStatus }),
} as const;

/**
 * The worker's HTTP transcode call: `POST <transcodeUrl>` with the segment bytes as the body and
 * header `Lpts-Transcode-Job: base64(JSON TranscodeJob)`. Success: 200, header
 * `Lpts-Transcode-Result: base64(JSON TranscodeResult)`, body = the rendition bytes concatenated
 * in job order (lengths in the result). Failure: non-200 with a JSON SerializedError body.
 */
export const TranscodeHttpHeader = { JOB: 'Lpts-Transcode-Job', RESULT: 'Lpts-Transcode-Result' } as const;
export const zTranscodeJob = z.object({
  jobId: z.string().min(1).max(128),
  /** Sessions stick to one GPU on the worker. */
  sessionId: z.string().min(1).max(128),
  renditions: z.array(zRendition).min(1).max(16),
  timeoutMs: z.number().int().positive().max(600_000),
});
export type TranscodeJobJson = z.output<typeof zTranscodeJob>;

/** Per-rendition result metadata (the bytes come in the multipart body, in the same order). */
export const zTranscodeResult = z.object({
  jobId: z.string(),
  renditions: z.array(z.object({ name: z.string(), pixels: z.number().int().nonnegative(), bytes: z.number().int().nonnegative(), frames: z.number().int().nonnegative() })),
  error: zSerializedError.optional(),
});
export type TranscodeResultJson = z.output<typeof zTranscodeResult>;
