import { logEnv, natsEnv, opsEnv, serviceEnv, telemetryEnv } from '@lpts/platform';
import { z } from 'zod';

/** The ticket-broker's environment. Later issues add the payment keys (sender keystore, recipient secret). */
export const ticketBrokerEnv = z.object({
  ...natsEnv,
  ...opsEnv,
  ...logEnv,
  ...telemetryEnv,
  ...serviceEnv,
  OPS_PORT: opsEnv.OPS_PORT.default(9471),
});

export type TicketBrokerConfig = z.output<typeof ticketBrokerEnv>;

/** The only place the broker reads process.env. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
