/**
 * zod fragments for the environment, composed per app:
 *   const schema = z.object({ ...natsEnv, ...opsEnv, ...logEnv, SERVICE_SPECIFIC: ... })
 * Every key has a documented default where a sensible one exists.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const url = (protocols: string[]) =>
  z
    .string()
    .refine((v) => v.split(',').every((u) => protocols.some((p) => u.trim().startsWith(p + '://'))), {
      message: `expected ${protocols.join(' or ')} URL(s)`,
    });

export const logEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const opsEnv = {
  /** Ops HTTP port (/metrics, /healthz, /readyz). 0 = pick a free port. */
  OPS_PORT: port.default(9464),
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
};

export const natsEnv = {
  NATS_URL: url(['nats', 'tls', 'ws', 'wss']).default('nats://127.0.0.1:4222'),
  /** Subject prefix: lets several deployments (or test files) share one NATS server. */
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/, 'lower-case subject tokens separated by dots')
    .default('lp'),
  NATS_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().max(600_000).default(5_000),
};

export const redisEnv = {
  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().min(1).default('lp:'),
};

export const chainEnv = {
  /** One or more JSON-RPC endpoints, comma separated; failover in order of health. */
  ETH_RPC_URLS: url(['http', 'https', 'ws', 'wss']),
  ETH_CONTROLLER_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address').optional(),
  /** Path of a devnet address book written by the deployer. */
  ETH_ADDRESS_BOOK: z.string().min(1).optional(),
};

export const telemetryEnv = {
  /** OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. Unset = tracing stays in-process. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
};

export const serviceEnv = {
  /** Instance name in logs, metrics and NATS; defaults to the host name + pid. */
  LPTS_INSTANCE: z.string().min(1).max(64).optional(),
};
