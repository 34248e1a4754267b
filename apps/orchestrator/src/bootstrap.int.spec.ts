import { NatsRpcClient, isConfigError } from '@lpts/platform';
import { ChainStateKeys, SettlementCommands, chainStateBucket } from '@lpts/protocol';
import { Kvm } from '@nats-io/kv';
import { OrchestratorCommands } from './service/orchestrator.commands';
import { createApp } from './bootstrap';
import { Harness } from './testing/orchestrator.testkit';

jest.setTimeout(60_000);

describe('orchestrator bootstrap', () => {
  const h = new Harness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('answers ping over NATS', async () => {
    const reply = await new NatsRpcClient(h.nc, h.prefix).request(OrchestratorCommands.ping, { from: 'spec' });
    expect(reply).toMatchObject({ service: 'orchestrator', version: '0.1.0' });
  });

  it('serves /healthz, /readyz and /metrics with the orchestrator metrics', async () => {
    await h.getOrchestrator();
    const base = `http://127.0.0.1:${h.orch.runtime.opsPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const m of ['lpts_orchestrator_get_orchestrator_total{', 'livepeer_max_sessions_total', 'livepeer_transcode_time_seconds']) expect(text).toContain(m);
  });

  it('refuses a bad environment naming every bad key', async () => {
    const err = await createApp({ ORCH_ADDRESS: 'nope', ORCH_SERVICE_URI: 'http://x', ORCH_PRICE_PER_GATEWAY: '{', LOG_LEVEL: 'silent' }).catch((e: unknown) => e);
    expect(isConfigError(err, 'INVALID_CONFIG')).toBe(true);
    for (const key of ['ORCH_ADDRESS', 'ORCH_SERVICE_URI', 'ORCH_PRICE_PER_GATEWAY', 'ORCH_KEYSTORE_FILE']) expect((err as Error).message).toContain(key);
  });

  it('refuses a keystore that does not hold ORCH_ADDRESS', async () => {
    const err = await createApp({ ...h.env, ORCH_ADDRESS: '0x00000000000000000000000000000000000000aa' }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('not ORCH_ADDRESS');
  });
});

describe('service URI registration through settlement', () => {
  const h = new Harness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const startWith = async (chainUri: string) => {
    const kv = await new Kvm(h.nc).open(chainStateBucket(h.prefix));
    await kv.put(
      ChainStateKeys.transcoder(h.orchWallet.address),
      JSON.stringify({ address: h.orchWallet.address, registered: true, active: true, activationRound: '1', deactivationRound: '0', stake: '1', serviceUri: chainUri, updatedAt: 1 }),
    );
    const calls: string[] = [];
    const sub = h.nc.subscribe(SettlementCommands.setServiceUri.subject(h.prefix), {
      callback: (_e, msg) => {
        calls.push(msg.json<{ uri: string }>().uri);
        msg.respond(JSON.stringify({ txHash: `0x${'ab'.repeat(32)}`, blockNumber: '7' }));
      },
    });
    const app = await createApp({ ...h.env, ORCH_REGISTER_SERVICE_URI: 'true' });
    await app.registered();
    await app.close();
    sub.unsubscribe();
    return calls;
  };

  it('asks settlement to set the URI when the chain differs', async () => {
    expect(await startWith('https://old.example:8935')).toEqual(['https://localhost:8935']);
  });

  it('does nothing when the chain already has it', async () => {
    expect(await startWith('https://localhost:8935')).toEqual([]);
  });
});
