import { createMetricsRegistry } from '../metrics/metrics';
import { OpsServer } from './ops-server';

describe('OpsServer', () => {
  const ops = new OpsServer(createMetricsRegistry({ service: 'demo', instance: 'i1', version: '9.9.9' }));
  let base = '';
  let dbUp = false;

  beforeAll(async () => {
    ops.addReadinessCheck('db', () => (dbUp ? true : 'db unreachable'));
    base = `http://127.0.0.1:${await ops.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => ops.close());

  it('serves /healthz, /metrics and a /readyz that names failing checks', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('lpts_service_info{version="9.9.9",service="demo",instance="i1"} 1');
    expect(metrics).toContain('process_cpu_user_seconds_total');
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', checks: { db: 'db unreachable' } });
    dbUp = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
