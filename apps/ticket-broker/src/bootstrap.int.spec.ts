import { BrokerCommands, RecipientBrokerCommands, isLptsError, type LptsError } from '@lpts/protocol';
import { NatsRpcClient, connectNats, drainNats, isConfigError } from '@lpts/platform';
import { startNats, startRedis, uniquePrefix, type StartedNats, type StartedRedis } from '@lpts/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { createApp, type TicketBrokerApp } from './bootstrap';
import { ChainStateWriter, O_ADDRESS, chainState } from './test-support/broker-fixture';

jest.setTimeout(30_000);

describe('ticket-broker bootstrap (real nats-server)', () => {
  let nats: StartedNats;
  let redis: StartedRedis;
  let broker: TicketBrokerApp;
  let nc: NatsConnection;
  const prefix = uniquePrefix('tb');

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    broker = await createApp({
      NATS_URL: nats.url,
      NATS_SUBJECT_PREFIX: prefix,
      OPS_PORT: '0',
      LOG_LEVEL: 'silent',
      LPTS_INSTANCE: 'tb-spec',
      BROKER_RECIPIENT_ADDRESS: O_ADDRESS,
      REDIS_URL: redis.url,
    });
    nc = await connectNats(nats.url, 'spec');
  });

  afterAll(async () => {
    await drainNats(nc);
    await broker?.close();
    await nats?.stop();
    await redis?.stop();
  });

  it('answers ping over NATS', async () => {
    const reply = await new NatsRpcClient(nc, prefix).request(BrokerCommands.ping, { from: 'spec' });
    expect(reply).toMatchObject({ service: 'ticket-broker', instance: 'tb-spec', version: '0.1.0' });
    expect(reply.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses payment work as retryable CHAIN_STATE_MISSING until settlement has published chain state', async () => {
    const err = await new NatsRpcClient(nc, prefix).request(RecipientBrokerCommands.maxFloat, { sender: O_ADDRESS }).catch((e: unknown) => e);
    expect(isLptsError(err, 'CHAIN_STATE_MISSING')).toBe(true);
    expect((err as LptsError).retryable).toBe(true);
  });

  it('serves /healthz, /readyz (only once chain state is in the KV) and /metrics on its ops port', async () => {
    const base = `http://127.0.0.1:${broker.runtime.opsPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    await (await ChainStateWriter.open(nc, prefix)).latest(chainState());
    await expect(eventuallyOk(`${base}/readyz`)).resolves.toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const name of ['lpts_service_info', 'lpts_broker_payments_received_total', 'lpts_broker_winning_tickets_queued_total']) expect(metrics).toContain(name);
  });

  it('recipient mode needs its address, sender mode its keystore', async () => {
    const err = await createApp({ NATS_URL: nats.url, OPS_PORT: '0', LOG_LEVEL: 'silent', BROKER_MODE: 'both' }).catch((e: unknown) => e);
    expect(isConfigError(err, 'INVALID_CONFIG')).toBe(true);
    for (const key of ['BROKER_RECIPIENT_ADDRESS', 'BROKER_KEYSTORE_FILE', 'BROKER_KEYSTORE_PASSWORD_FILE']) expect((err as Error).message).toContain(key);
  });

  it('refuses a bad environment naming every bad key', async () => {
    const err = await createApp({ NATS_URL: 'http://nope', OPS_PORT: '-1', LOG_LEVEL: 'loud' }).catch((e: unknown) => e);
    expect(isConfigError(err, 'INVALID_CONFIG')).toBe(true);
    for (const key of ['NATS_URL', 'OPS_PORT', 'LOG_LEVEL']) expect((err as Error).message).toContain(key);
  });

  it('fails fast with a typed error when NATS is unreachable', async () => {
    const err = await createApp({ NATS_URL: 'nats://127.0.0.1:1', OPS_PORT: '0', LOG_LEVEL: 'silent', BROKER_RECIPIENT_ADDRESS: O_ADDRESS }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('cannot connect to NATS');
  });
});

async function eventuallyOk(url: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const status = (await fetch(url)).status;
    if (status === 200) return status;
    await new Promise((r) => setTimeout(r, 25));
  }
  return (await fetch(url)).status;
}
