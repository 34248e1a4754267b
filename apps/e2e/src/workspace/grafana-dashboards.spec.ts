import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedMetricNames } from '@lpts/testing';

const ROOT = join(__dirname, '../../../..');
const DIR = join(ROOT, 'deploy/grafana');
const SERVICES = ['gateway', 'orchestrator', 'ticket-broker', 'settlement', 'worker'];
/** prom-client's default process metrics, on every service's registry. */
const PROCESS_METRICS = new Set(['process_cpu_seconds_total', 'process_resident_memory_bytes']);

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string }[];
}

/** Every metric the services register: their README catalogues, which each service's metrics-catalogue spec keeps in step with its registry. */
const catalogue = new Set(SERVICES.flatMap((s) => [...documentedMetricNames(join(ROOT, 'apps', s, 'README.md'))]));
catalogue.add('lpts_service_info');

/** Metric names an expression reads (a histogram's _bucket series count as the histogram). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:lpts|livepeer|process)_[a-z0-9_]+)/g)].map((m) => (m[1] as string).replace(/_bucket$/, ''));
}

const dashboards = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('Grafana dashboards (deploy/grafana)', () => {
  it('there is at least one', () => {
    expect(dashboards.length).toBeGreaterThan(0);
  });

  it.each(dashboards)('%s reads only metrics the services register, with unique panel ids inside the 24-column grid', (file) => {
    const d = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; query: string }[] } };
    expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(d.title).not.toBe('');
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    const exprs = [...d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...d.templating.list.map((v) => v.query)];
    const read = exprs.flatMap(metricsIn);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((m) => !catalogue.has(m) && !PROCESS_METRICS.has(m))).toEqual([]);
    // every service's catalogue has at least one panel
    for (const prefix of ['lpts_gateway_', 'lpts_orchestrator_', 'lpts_broker_', 'lpts_settlement_', 'lpts_worker_']) {
      expect(read.some((m) => m.startsWith(prefix))).toBe(true);
    }
  });
});
