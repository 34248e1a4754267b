import { join } from 'node:path';
import { createMetricsRegistry } from '@lpts/platform';
import { metricCatalogueDrift } from '@lpts/testing';
import { OrchestratorMetrics } from './orchestrator.metrics';

it('the README "Metrics" table lists exactly the metrics the orchestrator registers', async () => {
  const registry = createMetricsRegistry({ service: 'orchestrator', instance: 'spec', version: '0' });
  new OrchestratorMetrics(registry);
  await expect(metricCatalogueDrift(registry, join(__dirname, '../../README.md'))).resolves.toEqual({ undocumented: [], stale: [] });
});
