import { existsSync } from 'node:fs';
import { startAnvil, startNats, startPostgres, startRedis } from './start';

describe('containers mode selection', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('rejects with a clear error when LPTS_INFRA=containers and no Docker is found', async () => {
    process.env['LPTS_INFRA'] = 'containers';
    delete process.env['DOCKER_HOST'];
    delete process.env['TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE'];
    process.env['HOME'] = '/nonexistent';
    delete process.env['XDG_RUNTIME_DIR'];
    if (existsSync('/var/run/docker.sock')) return; // a real Docker engine is here: nothing to assert about its absence
    for (const start of [startNats, startRedis, startPostgres, startAnvil]) {
      await expect(start()).rejects.toThrow(/LPTS_INFRA=containers but no Docker engine/);
    }
  });

  it('goes through testcontainers (loaded lazily) when Docker is declared', async () => {
    process.env['LPTS_INFRA'] = 'containers';
    // A Docker endpoint where nothing listens: testcontainers is loaded and fails fast.
    process.env['DOCKER_HOST'] = 'tcp://127.0.0.1:1';
    await expect(startNats()).rejects.toThrow(/nats container did not start \(LPTS_INFRA=containers\)/);
  }, 20_000);
});
