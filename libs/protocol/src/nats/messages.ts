/**
 * The catalogue of internal NATS messages. Each service's API lives in its own block; a service
 * handles only the patterns listed for it (docs/nats-api.md lists them all).
 */
import { z } from 'zod';
import { defineCommand } from './registry';

/** Every service answers `<service>.cmd.service.ping` with its identity and uptime. */
export const ServicePing = {
  request: z.object({ from: z.string().min(1).max(64).optional() }).strict(),
  reply: z.object({
    service: z.string(),
    instance: z.string(),
    version: z.string(),
    uptimeMs: z.number().int().nonnegative(),
  }),
};

export const BrokerCommands = {
  ping: defineCommand({ domain: 'broker', entity: 'service', action: 'ping', ...ServicePing }),
} as const;
