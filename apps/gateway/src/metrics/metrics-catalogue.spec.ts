import { join } from 'node:path';
import { createMetricsRegistry } from '@lpts/platform';
import { metricCatalogueDrift } from '@lpts/testing';
import { GatewayMetrics } from './gateway.metrics';

it('the README "Metrics" table lists exactly the metrics the gateway registers', async () => {
  const registry = createMetricsRegistry({ service: 'gateway', instance: 'spec', version: '0' });
  new GatewayMetrics(registry);
  await expect(metricCatalogueDrift(registry, join(__dirname, '../../README.md'))).resolves.toEqual({ undocumented: [], stale: [] });
});
