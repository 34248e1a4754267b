import type { TranscodeOutcome, TranscodeRequest } from '@lpts/workers';

export type { TranscodeOutcome, TranscodeRequest, TranscodedRendition } from '@lpts/workers';

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
