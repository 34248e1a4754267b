import { envPort, logEnv, natsEnv, opsEnv, serviceEnv, telemetryEnv } from '@lpts/platform';
import { z } from 'zod';

/** The worker's environment (README.md lists every key). */
export const workerEnv = z.object({
  ...natsEnv,
  ...opsEnv,
  ...logEnv,
  ...telemetryEnv,
  ...serviceEnv,
  OPS_PORT: opsEnv.OPS_PORT.default(9481),
  /** Name in the orchestrator's registry and in NATS subjects; default `<host>-<pid>`. */
  WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, _ and -, at most 64')
    .optional(),
  /** GPU indices to probe for NVENC/NVDEC, comma separated (empty = CPU only). */
  WORKER_GPUS: z
    .string()
    .default('')
    .refine((v) => v.trim() === '' || v.split(',').every((s) => /^\s*\d{1,3}\s*$/.test(s)), 'comma-separated GPU indices, e.g. 0,1')
    .transform((v) => (v.trim() === '' ? [] : [...new Set(v.split(',').map((s) => Number(s.trim())))])),
  /** Concurrent segment jobs; default 2 on the CPU, 4 per working GPU. */
  WORKER_CAPACITY: z.coerce.number().int().min(1).max(1024).optional(),
  /** Private transcode endpoint (POST /transcode). Port 0 = a free envPort. */
  WORKER_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_HTTP_PORT: envPort.default(9480),
  /** URL advertised to orchestrators instead of http://<host>:<port>/transcode (NAT, proxies). */
  WORKER_ADVERTISE_URL: z.string().url().optional(),
  /** Lease of each heartbeat; heartbeats go out every leaseMs/3 and on every load change. */
  WORKER_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(6_000),
  /** Largest segment body accepted (default 300,000,000 bytes, Livepeer's limit). */
  WORKER_MAX_BODY_BYTES: z.coerce.number().int().positive().max(2_000_000_000).default(300_000_000),
  /** ffmpeg binary (ffprobe is not needed by the worker). */
  WORKER_FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  /** A session's GPU pin is released after this long without a segment. */
  WORKER_SESSION_IDLE_MS: z.coerce.number().int().positive().default(60_000),
  /** On SIGTERM, how long in-flight jobs may run before the worker exits anyway. */
  WORKER_DRAIN_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(60_000),
});

export type WorkerConfig = z.output<typeof workerEnv>;

/** The only place the worker reads process.env. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
