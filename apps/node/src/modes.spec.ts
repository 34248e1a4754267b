import { envForMode, parseModes, MODES, type Mode, type ModeStarter } from './modes';
import { startModes } from './node';

describe('apps/node modes', () => {
  it('parses modes into start-up order and rejects unknown or repeated ones', () => {
    expect(parseModes('gateway,ticket-broker,settlement')).toEqual(['settlement', 'ticket-broker', 'gateway']);
    expect(parseModes(' orchestrator , worker ')).toEqual(['worker', 'orchestrator']);
    expect(() => parseModes('gateway,miner')).toThrow('unknown mode miner (known: settlement, ticket-broker, worker, orchestrator, gateway)');
    expect(() => parseModes('worker,worker')).toThrow('mode worker given twice');
    expect(() => parseModes('')).toThrow(/at least one/);
  });

  it('gives each mode the shared keys plus its own overrides', () => {
    const env = { NATS_URL: 'nats://x:1', OPS_PORT: '1', ORCHESTRATOR__OPS_PORT: '9472', TICKET_BROKER__BROKER_MODE: 'sender' };
    expect(envForMode('orchestrator', env)).toEqual({ NATS_URL: 'nats://x:1', OPS_PORT: '9472' });
    expect(envForMode('ticket-broker', env)).toEqual({ NATS_URL: 'nats://x:1', OPS_PORT: '1', BROKER_MODE: 'sender' });
  });

  it('closes the modes already started when a later one fails, in reverse order', async () => {
    const events: string[] = [];
    const ok = (m: string) => async () => {
      events.push(`start ${m}`);
      return { close: async () => void events.push(`close ${m}`) };
    };
    const starters = Object.fromEntries(MODES.map((m) => [m, ok(m)])) as unknown as Record<Mode, ModeStarter>;
    starters.orchestrator = async () => {
      throw new Error('bad config');
    };
    await expect(startModes(['settlement', 'ticket-broker', 'orchestrator'], {}, starters)).rejects.toThrow('bad config');
    expect(events).toEqual(['start settlement', 'start ticket-broker', 'close ticket-broker', 'close settlement']);
  });
});
