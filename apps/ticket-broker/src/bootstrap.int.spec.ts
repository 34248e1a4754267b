import { BrokerCommands } from '@lpts/protocol';
import { NatsRpcClient, connectNats, drainNats, isConfigError } from '@lpts/platform';
import { startNats, uniquePrefix, type StartedNats } from '@lpts/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { createApp, type TicketBrokerApp } from './bootstrap';

describe('ticket-broker bootstrap (real nats-server)', () => {
  let nats: StartedNats;
  let broker: TicketBrokerApp;
  let nc: NatsConnection;
  const prefix = uniquePrefix('tb');

  beforeAll(async () => {
    nats = await startNats();
    broker = await createApp({ NATS_URL: nats.url, NATS_SUBJECT_PREFIX: prefix, OPS_PORT: '0', LOG_LEVEL: 'silent', LPTS_INSTANCE: 'tb-spec' });
    nc = await connectNats(nats.url, 'spec');
  });

  afterAll(async () => {
    await drainNats(nc);
    await broker?.close();
    await nats?.stop();
  });

  it('answers ping over NATS', async () => {
    const reply = await new NatsRpcClient(nc, prefix).request(BrokerCommands.ping, { from: 'spec' });
    expect(reply).toMatchObject({ service: 'ticket-broker', instance: 'tb-spec', version: '0.1.0' });
    expect(reply.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  it('serves /healthz, /readyz and /metrics on its ops port', async () => {
    const base = `http://127.0.0.1:${broker.runtime.opsPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('lpts_service_info');
  });

  it('refuses a bad environment naming every bad key', async () => {
    const err = await createApp({ NATS_URL: 'http://nope', OPS_PORT: '-1', LOG_LEVEL: 'loud' }).catch((e: unknown) => e);
    expect(isConfigError(err, 'INVALID_CONFIG')).toBe(true);
    for (const key of ['NATS_URL', 'OPS_PORT', 'LOG_LEVEL']) expect((err as Error).message).toContain(key);
  });

  it('fails fast with a typed error when NATS is unreachable', async () => {
    const err = await createApp({ NATS_URL: 'nats://127.0.0.1:1', OPS_PORT: '0', LOG_LEVEL: 'silent' }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('cannot connect to NATS');
  });
});
