import { ServicePing, defineCommand } from '@lpts/protocol';

/**
 * The orchestrator's NATS commands. Defined here until libs/protocol's catalogue (messages.ts) gets
 * an OrchestratorCommands block; the subject is `<prefix>.orchestrator.cmd.service.ping`.
 */
export const OrchestratorCommands = {
  ping: defineCommand({ domain: 'orchestrator', entity: 'service', action: 'ping', ...ServicePing }),
} as const;
