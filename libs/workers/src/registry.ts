import { WorkerCommands, WorkerEvents, zWorkerStatus, type WorkerStatusJson } from '@lpts/protocol';
import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';

export interface WorkerRegistryOptions {
  /** Milliseconds clock (tests). Default Date.now. */
  clock?: () => number;
  /** How long `start()` collects discover replies (default 250 ms). */
  discoverWindowMs?: number;
}

interface Entry {
  status: WorkerStatusJson;
  /** Local receive time of the last status (leases run on our clock, not the worker's). */
  seenAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The orchestrator's view of its workers: every `worker.evt.status.report` heartbeat renews a
 * lease of the worker's own `leaseMs`; a lapsed lease or a `gone` event drops the worker at once
 * (atomically, PROTOCOL.md §8 A9). `start()` also asks every live worker for its status
 * (`worker.cmd.status.get`, all replies collected), so a restarted orchestrator is whole at once.
 */
export class WorkerRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private readonly subs: Subscription[] = [];
  private readonly clock: () => number;
  private expiryTimer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly opts: WorkerRegistryOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.subs.push(
      this.nc.subscribe(`${this.prefix}.${WorkerEvents.status.pattern}.*`, {
        callback: (err, msg) => {
          if (!err) this.accept(msg.data);
        },
      }),
      this.nc.subscribe(`${this.prefix}.${WorkerEvents.gone.pattern}.*`, {
        callback: (err, msg) => {
          if (err) return;
          const workerId = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
          this.remove(workerId);
        },
      }),
    );
    // Discover: every worker answers (each serves the command in its own queue group).
    const inbox = createInbox();
    const replies = this.nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (!err) this.accept(msg.data);
      },
    });
    await this.nc.flush();
    this.nc.publish(WorkerCommands.discover.subject(this.prefix), encoder.encode('{}'), { reply: inbox });
    await new Promise((r) => setTimeout(r, this.opts.discoverWindowMs ?? 250));
    replies.unsubscribe();
    this.scheduleExpiry();
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const s of this.subs.splice(0)) s.unsubscribe();
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (!this.nc.isClosed()) await this.nc.flush().catch(() => undefined);
  }

  /** Live workers (lease not lapsed), by workerId. */
  workers(): WorkerStatusJson[] {
    this.expire();
    return [...this.entries.values()].map((e) => e.status).sort((a, b) => a.workerId.localeCompare(b.workerId));
  }

  /** One live worker's last status. */
  get(workerId: string): WorkerStatusJson | undefined {
    this.expire();
    return this.entries.get(workerId)?.status;
  }

  /** Local time the worker's last status arrived (undefined when not live). */
  lastSeen(workerId: string): number | undefined {
    return this.entries.get(workerId)?.seenAt;
  }

  /** Called after any change (a worker joined, left, or reported new load); returns an unsubscribe. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private accept(data: Uint8Array): void {
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(data));
    } catch {
      return;
    }
    const parsed = zWorkerStatus.safeParse(json);
    if (!parsed.success) return;
    const status = parsed.data;
    const prev = this.entries.get(status.workerId);
    // A late discover reply or a reordered heartbeat must not roll a worker back.
    if (prev && prev.status.at > status.at) return;
    this.entries.set(status.workerId, { status, seenAt: this.clock() });
    this.scheduleExpiry();
    this.emit();
  }

  private remove(workerId: string): void {
    if (this.entries.delete(workerId)) this.emit();
  }

  private expire(): boolean {
    const now = this.clock();
    let changed = false;
    for (const [id, e] of this.entries) {
      if (now - e.seenAt > e.status.leaseMs) {
        this.entries.delete(id);
        changed = true;
      }
    }
    return changed;
  }

  /** One timer for the next lease to lapse, so listeners hear about silent workers. */
  private scheduleExpiry(): void {
    if (!this.started) return;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (this.entries.size === 0) return;
    const now = this.clock();
    let next = Number.POSITIVE_INFINITY;
    for (const e of this.entries.values()) next = Math.min(next, e.seenAt + e.status.leaseMs - now);
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      if (this.expire()) this.emit();
      this.scheduleExpiry();
    }, Math.max(10, next + 1));
    this.expiryTimer.unref();
  }

  private emit(): void {
    for (const cb of [...this.listeners]) {
      try {
        cb();
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}
