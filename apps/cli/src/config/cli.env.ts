import { loadConfig, natsEnv } from '@lpts/platform';
import { z } from 'zod';

/** Where the operator commands find the services when no --nats / --prefix is given. */
export interface CliDefaults {
  natsUrl: string;
  prefix: string;
}

/** The services' own NATS_URL and NATS_SUBJECT_PREFIX settings (same defaults and checks). */
const cliEnv = z.object({ NATS_URL: natsEnv.NATS_URL, NATS_SUBJECT_PREFIX: natsEnv.NATS_SUBJECT_PREFIX });

/** The only place the CLI reads process.env (an empty value counts as unset). */
export function cliDefaults(): CliDefaults {
  const c = loadConfig(cliEnv, { NATS_URL: process.env['NATS_URL'] || undefined, NATS_SUBJECT_PREFIX: process.env['NATS_SUBJECT_PREFIX'] || undefined });
  return { natsUrl: c.NATS_URL, prefix: c.NATS_SUBJECT_PREFIX };
}
