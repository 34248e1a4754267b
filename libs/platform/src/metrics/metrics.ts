import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';

export interface ServiceIdentity {
  service: string;
  instance: string;
  version: string;
}

/**
 * One prom-client registry per service (never the global one, so several services can share a
 * process in apps/node). Default process metrics plus `lpts_service_info`.
 */
export function createMetricsRegistry(id: ServiceIdentity): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: id.service, instance: id.instance });
  collectDefaultMetrics({ register: registry });
  const info = new Gauge({
    name: 'lpts_service_info',
    help: 'Static information about this lpts service instance (always 1).',
    labelNames: ['version'],
    registers: [registry],
  });
  info.set({ version: id.version }, 1);
  return registry;
}
