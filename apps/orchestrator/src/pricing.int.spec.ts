import { ChainStateKeys, chainStateBucket } from '@lpts/protocol';
import { Kvm } from '@nats-io/kv';
import { createApp, type OrchestratorApp } from './bootstrap';
import { Harness, postHttps } from './testing/orchestrator.testkit';

jest.setTimeout(60_000);

describe('pricing and shared auth tokens', () => {
  const h = new Harness();
  let replica: OrchestratorApp | undefined;

  beforeAll(() =>
    h.start({
      env: {
        ORCH_PRICE_PER_GATEWAY: JSON.stringify({ [h.gatewayAddress]: { pricePerUnit: '5', pixelsPerUnit: '1' } }),
        ORCH_TRANSCODER: 'local',
      },
    }),
  );
  afterAll(async () => {
    await replica?.close();
    await h.stop();
  });

  it('quotes the per-gateway price, auto-adjusted by txCost/faceValue once settlement publishes a gas price', async () => {
    expect((await h.getOrchestrator()).priceInfo).toMatchObject({ pricePerUnit: 5n, pixelsPerUnit: 1n });
    const kv = await new Kvm(h.nc).open(chainStateBucket(h.prefix));
    const zero = `0x${'00'.repeat(32)}`;
    // txCost = 1,200,000 gas × 250,000 wei = 3e11; the fake broker's faceValue is 1e12 → overhead 1.3
    await kv.put(
      ChainStateKeys.latest,
      JSON.stringify({
        chainId: 1,
        blockNumber: '1',
        l1BlockNumber: '1',
        blockHash: zero,
        currentRound: '5',
        lastInitializedRound: '5',
        currentRoundInitialized: true,
        currentRoundLocked: false,
        currentRoundStartBlock: '1',
        roundLength: '100',
        expirationParams: { creationRound: '5', creationRoundBlockHash: zero },
        activePoolSize: 1,
        gasPrice: '250000',
        updatedAt: Date.now(),
      }),
    );
    let info = await h.getOrchestrator();
    for (let i = 0; i < 50 && info.priceInfo?.pricePerUnit === 5n; i++) {
      await new Promise((r) => setTimeout(r, 20));
      info = await h.getOrchestrator();
    }
    // 5 × 1.3 = 6.5 → {13, 2}
    expect(info.priceInfo).toMatchObject({ pricePerUnit: 13n, pixelsPerUnit: 2n });
  });

  it('a replica with the same Redis accepts the first replica’s auth token (shared HMAC key)', async () => {
    replica = await createApp({ ...h.env, OPS_PORT: '0', ORCH_WIRE_PORT: '0' });
    const info = await h.getOrchestrator(); // issued by the first replica
    const body = Buffer.alloc(3000, 1);
    const seg = h.segData(body, info, { hash: new Uint8Array(32) }); // hash mismatch: stops right after the token check
    const r = await postHttps(replica.wirePort, '/segment', h.headers(seg, h.payment(info)), body);
    expect([r.status, r.body.toString()]).toEqual([403, 'Forbidden\n']); // got past auth (step 6) and capacity (7) to the hash (12)
  });
});
