import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The worker's metrics (catalogue in README.md), on the service's own registry. */
export class WorkerMetrics {
  readonly jobs: Counter<'outcome' | 'code'>;
  readonly transcodeSeconds: Histogram<'device'>;
  readonly pixels: Counter<'device'>;
  readonly inUse: Gauge;
  readonly capacity: Gauge;
  readonly segmentBytes: Counter<'direction'>;

  constructor(registry: Registry) {
    this.jobs = new Counter({
      name: 'lpts_worker_jobs_total',
      help: 'Segment jobs by outcome (ok; refused: busy/draining/not ready; invalid: 4xx such as broken input; failed: 5xx) and error code (empty when ok).',
      labelNames: ['outcome', 'code'],
      registers: [registry],
    });
    this.transcodeSeconds = new Histogram({
      name: 'lpts_worker_transcode_seconds',
      help: 'Wall time of one segment transcode (ffmpeg run), successful jobs only.',
      labelNames: ['device'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
      registers: [registry],
    });
    this.pixels = new Counter({
      name: 'lpts_worker_pixels_total',
      help: 'Encoded pixels (frames x width x height, summed over renditions) of successful jobs.',
      labelNames: ['device'],
      registers: [registry],
    });
    this.inUse = new Gauge({ name: 'lpts_worker_jobs_in_use', help: 'Segment jobs running now.', registers: [registry] });
    this.capacity = new Gauge({ name: 'lpts_worker_capacity', help: 'Concurrent segment jobs this worker advertises.', registers: [registry] });
    this.segmentBytes = new Counter({
      name: 'lpts_worker_segment_bytes_total',
      help: 'Media bytes received (in) and returned (out) over the transcode endpoint.',
      labelNames: ['direction'],
      registers: [registry],
    });
  }
}
