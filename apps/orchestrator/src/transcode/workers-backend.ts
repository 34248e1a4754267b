import { Capability, transcodingJobCapabilities, VideoProfile_Format, VideoProfile_Profile } from '@lpts/protocol';
import type { RenditionJson } from '@lpts/protocol';
import { Dispatcher, WorkerRegistry } from '@lpts/workers';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TranscodeBackend, TranscodeOutcome, TranscodeRequest } from './transcode-backend';

const FORMAT = { mpegts: VideoProfile_Format.MPEGTS, mp4: VideoProfile_Format.MP4 } as const;
const PROFILE = {
  default: VideoProfile_Profile.ENCODER_DEFAULT,
  baseline: VideoProfile_Profile.H264_BASELINE,
  main: VideoProfile_Profile.H264_MAIN,
  high: VideoProfile_Profile.H264_HIGH,
  'constrained-high': VideoProfile_Profile.H264_CONSTRAINED_HIGH,
} as const;

/** The media capabilities a ladder needs of a worker (output format, encoder, profile, fps, GOP); not the O-level bits such as 12. */
export function workerCapabilitiesFor(renditions: readonly RenditionJson[]): number[] {
  const caps = transcodingJobCapabilities({
    profiles: renditions.map((r) => ({ format: FORMAT[r.format], encoder: 0, fpsDen: r.fpsDen > 1 ? r.fpsDen : 0, profile: PROFILE[r.h264Profile], gop: r.gopMs })),
  });
  return caps.filter((c) => c !== Capability.AuthToken);
}

/**
 * Transcoding on the operator's workers (`ORCH_TRANSCODER=workers`): @lpts/workers' registry of live
 * workers (NATS heartbeats) and its dispatcher (HTTP to the chosen worker, one retry elsewhere).
 */
export class WorkersTranscodeBackend implements TranscodeBackend {
  readonly registry: WorkerRegistry;
  readonly dispatcher: Dispatcher;

  constructor(nc: NatsConnection, prefix: string, opts: { maxAttempts?: number } = {}) {
    this.registry = new WorkerRegistry(nc, prefix);
    this.dispatcher = new Dispatcher(this.registry, { maxAttempts: opts.maxAttempts ?? 2 });
  }

  start(): Promise<void> {
    return this.registry.start();
  }

  stop(): Promise<void> {
    return this.registry.stop();
  }

  transcode(req: TranscodeRequest): Promise<TranscodeOutcome> {
    return this.dispatcher.transcode({ ...req, capabilities: req.capabilities ?? workerCapabilitiesFor(req.renditions) });
  }

  endSession(sessionId: string): void {
    this.dispatcher.endSession(sessionId);
  }

  capacity() {
    return this.dispatcher.capacity();
  }

  capabilities(): Map<number, number> {
    const out = new Map<number, number>();
    for (const w of this.registry.workers()) {
      for (const c of w.capabilities) out.set(c, (out.get(c) ?? 0) + w.capacity);
    }
    return out;
  }
}
