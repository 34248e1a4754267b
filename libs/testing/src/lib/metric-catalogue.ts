import { readFileSync } from 'node:fs';

/** Metric names a service defines itself (the platform's own, such as `lpts_service_info`, and process metrics are not). */
const SERVICE_METRIC = /^(lpts|livepeer)_[a-z0-9_]+$/;
const PLATFORM_METRICS = new Set(['lpts_service_info']);

export interface MetricCatalogueDrift {
  /** Registered by the service, missing from its catalogue. */
  undocumented: string[];
  /** In the catalogue, registered by nothing. */
  stale: string[];
}

/** Every `lpts_…` / `livepeer_…` metric name a Markdown file names in backticks (an app README's "Metrics" table). */
export function documentedMetricNames(markdownPath: string): Set<string> {
  return new Set([...readFileSync(markdownPath, 'utf8').matchAll(/`((?:lpts|livepeer)_[a-z0-9_]+)`/g)].map((m) => m[1] as string));
}

/**
 * Compares the metrics a registry holds with the ones a Markdown catalogue names (every `lpts_…` or
 * `livepeer_…` in backticks, e.g. an app README's "Metrics" table). Both lists empty = in step.
 */
export async function metricCatalogueDrift(registry: { getMetricsAsJSON(): Promise<{ name: string }[]> }, markdownPath: string): Promise<MetricCatalogueDrift> {
  const registered = new Set((await registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => SERVICE_METRIC.test(n)));
  const documented = documentedMetricNames(markdownPath);
  return {
    undocumented: [...registered].filter((n) => !documented.has(n) && !PLATFORM_METRICS.has(n)).sort(),
    stale: [...documented].filter((n) => !registered.has(n)).sort(),
  };
}
