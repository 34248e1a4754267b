import { createLogger } from '@lpts/platform';
import { GatewayIdentity } from '../identity/gateway-identity';
import { transcodeJobSpec } from '../sessions/transcode-job';
import { FakeOrchestrator } from '../testing/fake-orchestrator.fake';
import { OrchestratorWireClient } from '../wire/orchestrator-client';
import { StaticSource } from './discovery-sources';
import { OrchestratorRegistry } from './orchestrator-registry';

jest.setTimeout(120_000);

/** Discovery refresh time for 20 orchestrator endpoints (20 in-process TLS wire servers). */
it('registry refresh of 20 orchestrators', async () => {
  const orchs = await Promise.all(Array.from({ length: 20 }, () => FakeOrchestrator.start({ noTranscode: true })));
  const wire = new OrchestratorWireClient({ dialTimeoutMs: 2000 });
  try {
    const job = transcodeJobSpec('P240p30fps16x9,P360p30fps16x9');
    const registry = new OrchestratorRegistry(
      new StaticSource(orchs.map((o) => o.uri)),
      wire,
      GatewayIdentity.fromPrivateKey(new Uint8Array(32).fill(9)),
      { timeoutMs: 3000, concurrency: 32, blocklist: [], jobCapabilities: job.capabilities },
      createLogger({ service: 'bench', instance: 'bench', level: 'silent' }),
      undefined,
    );
    const cold = await registry.refresh(); // TLS + HTTP/2 handshakes to 20 endpoints
    const warm: number[] = [];
    for (let i = 0; i < 10; i++) warm.push((await registry.refresh()).durationMs);
    warm.sort((a, b) => a - b);
    const out = {
      benchmark: 'gateway.discovery-refresh',
      orchestrators: orchs.length,
      ok: cold.ok,
      coldMs: Number(cold.durationMs.toFixed(1)),
      warmMedianMs: Number((warm[5] as number).toFixed(1)),
      warmMaxMs: Number((warm[9] as number).toFixed(1)),
      limit: { name: 'go-livepeer per-round discovery timeout (discoveryTimeout)', ms: 500 },
    };
    process.stdout.write(JSON.stringify(out) + '\n');
    expect(cold.ok).toBe(20);
  } finally {
    await wire.close();
    await Promise.all(orchs.map((o) => o.close()));
  }
});
