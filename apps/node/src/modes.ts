/**
 * The modes one lpts process can run, in start-up order (chain state and payments before the
 * services that depend on them). Each is the same createApp the service's own deployable uses.
 */
export const MODES = ['settlement', 'ticket-broker', 'worker', 'orchestrator', 'gateway'] as const;
export type Mode = (typeof MODES)[number];

/** A started service: whatever its createApp returned, reduced to what the node needs. */
export interface RunningMode {
  mode: Mode;
  close(): Promise<void>;
}

export type ModeStarter = (env: NodeJS.ProcessEnv) => Promise<{ close(): Promise<void> }>;

export class ModesError extends Error {
  override readonly name = 'ModesError';
}

/** Parses `--modes a,b,c` text: known names only, no duplicates, returned in start-up order. */
export function parseModes(text: string): Mode[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new ModesError(`--modes needs at least one of: ${MODES.join(', ')}`);
  const unknown = names.filter((n) => !(MODES as readonly string[]).includes(n));
  if (unknown.length) throw new ModesError(`unknown mode${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${MODES.join(', ')})`);
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (dupes.length) throw new ModesError(`mode ${dupes.join(', ')} given twice`);
  return MODES.filter((m) => names.includes(m));
}

/**
 * The environment of one mode: the process environment, with `<MODE>__KEY` variables overriding
 * `KEY` for that mode only (e.g. `ORCHESTRATOR__OPS_PORT=9472`, `TICKET_BROKER__BROKER_MODE=sender`).
 */
export function envForMode(mode: Mode, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefix = mode.toUpperCase().replace(/-/g, '_') + '__';
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!/^[A-Z_]+__/.test(k)) out[k] = v;
  for (const [k, v] of Object.entries(env)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}
