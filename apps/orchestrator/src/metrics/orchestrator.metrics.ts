import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The orchestrator's metrics (README "Metrics"); livepeer_* where go-livepeer has an equivalent. */
export class OrchestratorMetrics {
  readonly segments: Counter<'outcome' | 'status'>;
  readonly transcoded: Counter;
  readonly transcodeFailed: Counter<'error'>;
  readonly transcodeSeconds: Histogram;
  readonly overallSeconds: Histogram;
  readonly currentSessions: Gauge;
  readonly maxSessions: Gauge;
  readonly payments: Counter<'outcome'>;
  readonly ticketValueRecv: Counter;
  readonly feesDebited: Counter;
  readonly pixelsTranscoded: Counter;
  readonly getOrchestrator: Counter<'outcome'>;

  constructor(registry: Registry) {
    const r = [registry];
    this.segments = new Counter({
      name: 'lpts_orchestrator_segment_requests_total',
      help: 'POST /segment requests by outcome (ok, rejected, transcode_error) and HTTP status.',
      labelNames: ['outcome', 'status'],
      registers: r,
    });
    this.transcoded = new Counter({ name: 'livepeer_segment_transcoded_total', help: 'Segments transcoded successfully.', registers: r });
    this.transcodeFailed = new Counter({
      name: 'livepeer_segment_transcode_failed_total',
      help: 'Segments whose transcode failed, by error text.',
      labelNames: ['error'],
      registers: r,
    });
    this.transcodeSeconds = new Histogram({
      name: 'livepeer_transcode_time_seconds',
      help: 'Time spent transcoding one segment (dispatch to renditions).',
      buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 20],
      registers: r,
    });
    this.overallSeconds = new Histogram({
      name: 'livepeer_transcode_overall_latency_seconds',
      help: 'Time from /segment request to response end.',
      buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 20],
      registers: r,
    });
    this.currentSessions = new Gauge({ name: 'livepeer_current_sessions_total', help: 'Open transcode sessions.', registers: r });
    this.maxSessions = new Gauge({ name: 'livepeer_max_sessions_total', help: 'Most transcode sessions allowed (ORCH_MAX_SESSIONS).', registers: r });
    this.payments = new Counter({
      name: 'lpts_orchestrator_payments_total',
      help: 'Livepeer-Payment headers processed, by outcome (accepted, rejected, none, error).',
      labelNames: ['outcome'],
      registers: r,
    });
    this.ticketValueRecv = new Counter({ name: 'livepeer_ticket_value_recv', help: 'Expected value of tickets credited (wei).', registers: r });
    this.feesDebited = new Counter({ name: 'lpts_orchestrator_fees_debited_wei_total', help: 'Fees debited from session balances (wei).', registers: r });
    this.pixelsTranscoded = new Counter({ name: 'lpts_orchestrator_pixels_total', help: 'Encoded output pixels charged for.', registers: r });
    this.getOrchestrator = new Counter({
      name: 'lpts_orchestrator_get_orchestrator_total',
      help: 'GetOrchestrator calls by outcome (ok, sig_failed, capped, error).',
      labelNames: ['outcome'],
      registers: r,
    });
  }
}
