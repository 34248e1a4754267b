/** Livepeer's transcode-stage texts for admission failures (PROTOCOL.md §2.5). */
export const ORCHESTRATOR_CAPPED = 'OrchestratorCapped';
export const ORCHESTRATOR_BUSY = 'OrchestratorBusy';

export class AdmissionError extends Error {
  constructor(readonly reason: typeof ORCHESTRATOR_CAPPED | typeof ORCHESTRATOR_BUSY) {
    super(reason);
    this.name = 'AdmissionError';
  }
}

interface Session {
  id: string;
  /** Jobs waiting behind the running one. */
  waiting: number;
  running: boolean;
  tail: Promise<void>;
  lastActive: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export interface SessionManagerOptions {
  maxSessions: number;
  queueDepth: number;
  idleMs: number;
  clock?: () => number;
  /** Called when a session closes (idle, ended by the gateway, or shutdown). */
  onClose?: (sessionId: string, why: 'idle' | 'ended' | 'shutdown') => void;
}

/**
 * Transcode sessions keyed by the auth-token session id (Go's per-session transcode loop): at most
 * `maxSessions` open (`OrchestratorCapped`), segments of one session run one at a time in order with
 * at most `queueDepth` waiting (`OrchestratorBusy`); a session idle for `idleMs` closes.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly clock: () => number;

  constructor(private readonly o: SessionManagerOptions) {
    this.clock = o.clock ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  /** Step 7 of /segment: the session is open already, or there is room for one more. */
  hasCapacityFor(id: string | undefined): boolean {
    return (id !== undefined && this.sessions.has(id)) || this.sessions.size < this.o.maxSessions;
  }

  /**
   * Runs `job` in the session's queue (opening the session if needed). Throws AdmissionError
   * synchronously-before-queueing when capped or busy.
   */
  run<T>(id: string, job: () => Promise<T>): Promise<T> {
    let s = this.sessions.get(id);
    if (s === undefined) {
      if (this.sessions.size >= this.o.maxSessions) return Promise.reject(new AdmissionError(ORCHESTRATOR_CAPPED));
      s = { id, waiting: 0, running: false, tail: Promise.resolve(), lastActive: this.clock(), idleTimer: undefined };
      this.sessions.set(id, s);
    } else if (s.running && s.waiting >= this.o.queueDepth) {
      return Promise.reject(new AdmissionError(ORCHESTRATOR_BUSY));
    }
    const session = s;
    if (session.idleTimer) clearTimeout(session.idleTimer);
    session.idleTimer = undefined;
    session.waiting++;
    const result = session.tail.then(async () => {
      session.waiting--;
      session.running = true;
      try {
        return await job();
      } finally {
        session.running = false;
        session.lastActive = this.clock();
      }
    });
    session.tail = result.then(
      () => this.armIdle(session),
      () => this.armIdle(session),
    );
    return result;
  }

  /** EndTranscodingSession / shutdown: forget the session (a running job finishes on its own). */
  end(id: string, why: 'ended' | 'shutdown' = 'ended'): boolean {
    const s = this.sessions.get(id);
    if (s === undefined) return false;
    if (s.idleTimer) clearTimeout(s.idleTimer);
    this.sessions.delete(id);
    this.o.onClose?.(id, why);
    return true;
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.end(id, 'shutdown');
  }

  private armIdle(s: Session): void {
    if (this.sessions.get(s.id) !== s || s.running || s.waiting > 0) return;
    if (s.idleTimer) clearTimeout(s.idleTimer);
    s.idleTimer = setTimeout(() => {
      if (this.sessions.get(s.id) === s && !s.running && s.waiting === 0) {
        this.sessions.delete(s.id);
        this.o.onClose?.(s.id, 'idle');
      }
    }, this.o.idleMs);
    s.idleTimer.unref();
  }
}
