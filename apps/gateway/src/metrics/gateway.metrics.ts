import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's metrics (catalogue in README "Metrics"). Labels stay low-cardinality: no stream ids, no URIs. */
export class GatewayMetrics {
  readonly selectionDecisions: Counter<'strategy' | 'mode' | 'outcome'>;
  readonly selectionScore: Histogram<'component'>;
  readonly selectionCandidates: Histogram<'set'>;
  readonly segmentLatency: Histogram<'outcome'>;
  readonly segmentsTotal: Counter<'outcome'>;
  readonly attemptFailures: Counter<'kind'>;
  readonly retries: Counter<never>;
  readonly swaps: Counter<'reason'>;
  readonly suspensions: Counter<'kind'>;
  readonly verificationFailures: Counter<'check'>;
  readonly discoveryRefreshSeconds: Histogram<'source'>;
  readonly discoveryOrchestrators: Gauge<'state'>;
  readonly discoveryCalls: Counter<'outcome'>;
  readonly paymentRequests: Counter<'outcome'>;
  readonly storageBytes: Gauge<never>;
  readonly streams: Gauge<never>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.selectionDecisions = new Counter({
      name: 'lpts_gateway_selection_decisions_total',
      help: 'Orchestrator selection decisions by strategy, mode (exploit|explore|sticky) and outcome (selected|none).',
      labelNames: ['strategy', 'mode', 'outcome'],
      registers,
    });
    this.selectionScore = new Histogram({
      name: 'lpts_gateway_selection_score',
      help: 'Score breakdown of the selected orchestrator per component (stake, price, latency, success, total), 0..1.',
      labelNames: ['component'],
      buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      registers,
    });
    this.selectionCandidates = new Histogram({
      name: 'lpts_gateway_selection_candidates',
      help: 'Orchestrators considered per decision (set=eligible|rejected).',
      labelNames: ['set'],
      buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200],
      registers,
    });
    this.segmentLatency = new Histogram({
      name: 'lpts_gateway_segment_latency_seconds',
      help: 'Push-to-renditions latency of one segment through the gateway (all attempts).',
      labelNames: ['outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers,
    });
    this.segmentsTotal = new Counter({ name: 'lpts_gateway_segments_total', help: 'Segments pushed, by outcome (ok|failed).', labelNames: ['outcome'], registers });
    this.attemptFailures = new Counter({
      name: 'lpts_gateway_attempt_failures_total',
      help: 'Failed orchestrator attempts by failure kind (network|timeout|capacity|payment|verification|transcode|protocol).',
      labelNames: ['kind'],
      registers,
    });
    this.retries = new Counter({ name: 'lpts_gateway_segment_retries_total', help: 'Segment attempts after the first (on another orchestrator).', registers });
    this.swaps = new Counter({
      name: 'lpts_gateway_session_swaps_total',
      help: 'Stream moved to another orchestrator, by reason (failure|slow|suspended|gone).',
      labelNames: ['reason'],
      registers,
    });
    this.suspensions = new Counter({ name: 'lpts_gateway_suspensions_total', help: 'Orchestrator suspensions by failure kind.', labelNames: ['kind'], registers });
    this.verificationFailures = new Counter({
      name: 'lpts_gateway_verification_failures_total',
      help: 'Results that failed verification, by check (signature|pixels|count).',
      labelNames: ['check'],
      registers,
    });
    this.discoveryRefreshSeconds = new Histogram({
      name: 'lpts_gateway_discovery_refresh_seconds',
      help: 'Duration of one registry refresh (list + GetOrchestrator to every entry).',
      labelNames: ['source'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers,
    });
    this.discoveryOrchestrators = new Gauge({
      name: 'lpts_gateway_registry_orchestrators',
      help: 'Orchestrators in the registry by state (ok|failed|suspended|blocklisted).',
      labelNames: ['state'],
      registers,
    });
    this.discoveryCalls = new Counter({ name: 'lpts_gateway_get_orchestrator_total', help: 'GetOrchestrator calls by outcome (ok|error).', labelNames: ['outcome'], registers });
    this.paymentRequests = new Counter({ name: 'lpts_gateway_payments_total', help: 'createPayment requests to the sender broker by outcome.', labelNames: ['outcome'], registers });
    this.storageBytes = new Gauge({ name: 'lpts_gateway_storage_bytes', help: 'Rendition bytes held in memory.', registers });
    this.streams = new Gauge({ name: 'lpts_gateway_streams', help: 'Live streams known to the gateway.', registers });
  }
}
