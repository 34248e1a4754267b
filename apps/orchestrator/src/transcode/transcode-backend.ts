import type { RenditionJson } from '@lpts/protocol';

/** Same shape as @lpts/workers' Dispatcher request. */
export interface TranscodeRequest {
  sessionId: string;
  segment: Uint8Array;
  renditions: RenditionJson[];
  capabilities?: number[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TranscodedRendition {
  name: string;
  data: Buffer;
  pixels: number;
  frames: number;
}

export interface TranscodeOutcome {
  workerId: string;
  renditions: TranscodedRendition[];
  attempts: number;
}

/** What the orchestrator needs from whatever transcodes: the Dispatcher API plus advertised capabilities. */
export interface TranscodeBackend {
  start(): Promise<void>;
  stop(): Promise<void>;
  transcode(req: TranscodeRequest): Promise<TranscodeOutcome>;
  endSession(sessionId: string): void;
  capacity(): { total: number; inUse: number; workers: number };
  /** Capability id → capacity, summed over live workers (empty when none is live). */
  capabilities(): Map<number, number>;
}

export const TRANSCODE_BACKEND = Symbol('orchestrator.transcode-backend');
