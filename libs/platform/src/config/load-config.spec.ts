import { z } from 'zod';
import { isConfigError } from './config.errors';
import { logEnv, natsEnv, opsEnv } from './fragments';
import { loadConfig } from './load-config';

const schema = z.object({ ...natsEnv, ...opsEnv, ...logEnv, BROKER_SECRET_KEY: z.string().min(32) });

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const cfg = loadConfig(schema, { BROKER_SECRET_KEY: 'x'.repeat(32) });
    expect(cfg.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(cfg.OPS_PORT).toBe(9464);
    expect(cfg.LOG_LEVEL).toBe('info');
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('reports every bad key at once and masks secrets', () => {
    let err: unknown;
    try {
      loadConfig(schema, { NATS_URL: 'http://x', OPS_PORT: '70000', LOG_LEVEL: 'loud', BROKER_SECRET_KEY: 'hunter2' });
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err, 'INVALID_CONFIG')).toBe(true);
    const msg = (err as Error).message;
    for (const key of ['NATS_URL', 'OPS_PORT', 'LOG_LEVEL', 'BROKER_SECRET_KEY']) expect(msg).toContain(key);
    expect(msg).toContain('4 bad keys');
    expect(msg).not.toContain('hunter2');
    expect(msg).toContain('BROKER_SECRET_KEY=***');
    expect(msg).toContain('OPS_PORT="70000"');
  });
});
