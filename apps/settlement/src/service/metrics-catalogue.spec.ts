import { join } from 'node:path';
import { createMetricsRegistry } from '@lpts/platform';
import { metricCatalogueDrift } from '@lpts/testing';
import { SettlementMetrics } from './settlement.metrics';

it('the README "Metrics" table lists exactly the metrics the settlement registers', async () => {
  const registry = createMetricsRegistry({ service: 'settlement', instance: 'spec', version: '0' });
  new SettlementMetrics(registry);
  await expect(metricCatalogueDrift(registry, join(__dirname, '../../README.md'))).resolves.toEqual({ undocumented: [], stale: [] });
});
