import { join } from 'node:path';
import { createMetricsRegistry } from '@lpts/platform';
import { metricCatalogueDrift } from '@lpts/testing';
import { WorkerMetrics } from './worker.metrics';

it('the README "Metrics" table lists exactly the metrics the worker registers', async () => {
  const registry = createMetricsRegistry({ service: 'worker', instance: 'spec', version: '0' });
  new WorkerMetrics(registry);
  await expect(metricCatalogueDrift(registry, join(__dirname, '../../README.md'))).resolves.toEqual({ undocumented: [], stale: [] });
});
