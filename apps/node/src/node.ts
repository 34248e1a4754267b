/* eslint-disable @nx/enforce-module-boundaries -- apps/node composes the service apps (docs/adr/006) */
import { createApp as createGateway } from '@lpts/gateway';
import { createApp as createOrchestrator } from '@lpts/orchestrator';
import { createApp as createSettlement } from '@lpts/settlement';
import { createApp as createTicketBroker } from '@lpts/ticket-broker';
import { createApp as createWorker } from '@lpts/worker';
/* eslint-enable @nx/enforce-module-boundaries */
import { envForMode, type Mode, type ModeStarter, type RunningMode } from './modes';

const STARTERS: Record<Mode, ModeStarter> = {
  settlement: createSettlement,
  'ticket-broker': createTicketBroker,
  worker: createWorker,
  orchestrator: createOrchestrator,
  gateway: createGateway,
};

/**
 * Starts the given modes in one process, in order; if one fails, the ones already started are
 * closed again before the error is rethrown. Returns the running modes (close them in reverse).
 */
export async function startModes(modes: readonly Mode[], env: NodeJS.ProcessEnv, starters: Record<Mode, ModeStarter> = STARTERS): Promise<RunningMode[]> {
  const running: RunningMode[] = [];
  try {
    for (const mode of modes) {
      const app = await starters[mode](envForMode(mode, env));
      running.push({ mode, close: () => app.close() });
    }
    return running;
  } catch (e) {
    await stopModes(running);
    throw e;
  }
}

export async function stopModes(running: readonly RunningMode[]): Promise<void> {
  for (const r of [...running].reverse()) await r.close().catch(() => undefined);
}
