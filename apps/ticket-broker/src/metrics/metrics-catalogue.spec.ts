import { join } from 'node:path';
import { createMetricsRegistry } from '@lpts/platform';
import { metricCatalogueDrift } from '@lpts/testing';
import { BrokerMetrics } from './broker.metrics';

it('the README "Metrics" table lists exactly the metrics the ticket-broker registers', async () => {
  const registry = createMetricsRegistry({ service: 'ticket-broker', instance: 'spec', version: '0' });
  new BrokerMetrics(registry);
  await expect(metricCatalogueDrift(registry, join(__dirname, '../../README.md'))).resolves.toEqual({ undocumented: [], stale: [] });
});
