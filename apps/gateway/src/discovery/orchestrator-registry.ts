import { create } from '@bufbuild/protobuf';
import {
  OrchestratorRequestSchema,
  bytesToAddressBytes,
  priceFromInfo,
  toHex,
  type Capabilities,
  type OrchestratorInfo,
  type Price,
} from '@lpts/protocol';
import type { Logger } from '@lpts/platform';
import { FailureKind, isGatewayError, OrchestratorCallError } from '../common/gateway.errors';
import type { GatewayIdentity } from '../identity/gateway-identity';
import type { GatewayMetrics } from '../metrics/gateway.metrics';
import type { OrchestratorWireClient } from '../wire/orchestrator-client';
import type { DiscoverySource, OrchestratorCandidate } from './discovery-sources';

/** Everything the gateway knows about one orchestrator. */
export interface OrchestratorEntry {
  uri: string;
  source: DiscoverySource['kind'];
  /** Lower-case 0x address: the chain's, else OrchestratorInfo.address, else the ticket recipient. */
  address: string | undefined;
  stake: bigint;
  webhookScore: number | undefined;
  info: OrchestratorInfo | undefined;
  infoAt: number;
  price: Price | undefined;
  /** Last GetOrchestrator failed (reason in lastError). */
  reachable: boolean;
  lastError: { kind: FailureKind; message: string; at: number } | undefined;
  /** EWMA of GetOrchestrator round trips. */
  discoveryLatencyMs: number | undefined;
  /** EWMA of segment time / segment duration (real-time ratio; < 1 is faster than real time). */
  latencyRatio: number | undefined;
  /** EWMA success rate of segment attempts (starts optimistic at 1). */
  successRate: number;
  attempts: number;
  suspendedUntil: number;
  suspension: { kind: FailureKind; penaltyMs: number; count: number } | undefined;
  inflight: number;
}

export interface RefreshReport {
  source: string;
  durationMs: number;
  total: number;
  ok: number;
  failed: number;
  listError?: string;
}

export interface RegistryOptions {
  timeoutMs: number;
  concurrency: number;
  blocklist: readonly string[];
  jobCapabilities: Capabilities;
}

const EWMA = 0.3;

function ewma(prev: number | undefined, sample: number, alpha = EWMA): number {
  return prev === undefined ? sample : prev + alpha * (sample - prev);
}

/** Blocklist entries compare lower-case without 0x (Go), or as service URIs. */
function normaliseBlock(s: string): string {
  const t = s.trim().toLowerCase();
  return t.startsWith('0x') ? t.slice(2) : t;
}

/**
 * Background registry of orchestrators (PROTOCOL.md §7, improving A7): the source gives the list,
 * GetOrchestrator fills capabilities, price, ticket params and auth token on a schedule with a
 * per-call deadline; segment outcomes feed measured latency and success rate; failures suspend.
 */
/** How often unreachable orchestrators are asked again between full refreshes. */
const UNREACHABLE_RETRY_MS = 5_000;

export class OrchestratorRegistry {
  private readonly entries = new Map<string, OrchestratorEntry>();
  private readonly blocked: Set<string>;
  private refreshing: Promise<RefreshReport> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;
  private firstRefresh: Promise<RefreshReport> | undefined;
  lastReport: RefreshReport | undefined;

  constructor(
    private readonly source: DiscoverySource,
    private readonly wire: OrchestratorWireClient,
    private readonly identity: GatewayIdentity,
    private readonly options: RegistryOptions,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.blocked = new Set(options.blocklist.map(normaliseBlock));
  }

  /**
   * First refresh now, then every `intervalMs`; in between, orchestrators that failed their last
   * GetOrchestrator are asked again every few seconds (a slow start or a blip must not keep a good
   * orchestrator out for a whole refresh period).
   */
  start(intervalMs: number): void {
    this.firstRefresh = this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
    const retryMs = Math.min(intervalMs, UNREACHABLE_RETRY_MS);
    if (retryMs < intervalMs) {
      this.retryTimer = setInterval(() => void this.retryUnreachable(), retryMs);
      this.retryTimer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.timer = undefined;
    this.retryTimer = undefined;
  }

  /** GetOrchestrator again to every known, unblocked orchestrator that is not reachable (one at a time). */
  private async retryUnreachable(): Promise<void> {
    if (this.refreshing || this.retrying) return;
    this.retrying = true;
    try {
      for (const e of this.entries.values()) {
        if (e.reachable || this.isBlocked(e)) continue;
        await this.refreshEntry(e).catch(() => undefined);
      }
      this.updateGauges();
    } finally {
      this.retrying = false;
    }
  }

  /** Resolves once the first refresh finished (bounded by the discovery timeout). */
  async ready(): Promise<void> {
    if (this.firstRefresh) await this.firstRefresh;
  }

  isBlocked(e: Pick<OrchestratorEntry, 'uri' | 'address'>): boolean {
    if (this.blocked.size === 0) return false;
    if (this.blocked.has(e.uri.toLowerCase())) return true;
    return e.address !== undefined && this.blocked.has(normaliseBlock(e.address));
  }

  all(): OrchestratorEntry[] {
    return [...this.entries.values()];
  }

  get(uri: string): OrchestratorEntry | undefined {
    return this.entries.get(uri);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds or updates candidates without calling them (benchmarks, tests). */
  upsert(c: OrchestratorCandidate, kind: DiscoverySource['kind'] = this.source.kind): OrchestratorEntry {
    let e = this.entries.get(c.uri);
    if (e === undefined) {
      e = {
        uri: c.uri,
        source: kind,
        address: c.address?.toLowerCase(),
        stake: c.stake ?? 0n,
        webhookScore: c.score,
        info: undefined,
        infoAt: 0,
        price: undefined,
        reachable: false,
        lastError: undefined,
        discoveryLatencyMs: undefined,
        latencyRatio: undefined,
        successRate: 1,
        attempts: 0,
        suspendedUntil: 0,
        suspension: undefined,
        inflight: 0,
      };
      this.entries.set(c.uri, e);
    } else {
      if (c.address !== undefined) e.address = c.address.toLowerCase();
      if (c.stake !== undefined) e.stake = c.stake;
      if (c.score !== undefined) e.webhookScore = c.score;
    }
    return e;
  }

  /** One refresh at a time; concurrent callers share it. */
  refresh(): Promise<RefreshReport> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<RefreshReport> {
    const started = performance.now();
    let list: OrchestratorCandidate[];
    let listError: string | undefined;
    try {
      list = await this.source.list();
    } catch (e) {
      listError = e instanceof Error ? e.message : String(e);
      this.logger.warn({ source: this.source.kind, err: e }, 'discovery source failed; keeping the current registry');
      list = this.all().map((x) => ({ uri: x.uri }));
    }
    const keep = new Set(list.map((c) => c.uri));
    for (const uri of [...this.entries.keys()]) if (!keep.has(uri)) this.entries.delete(uri);
    const targets = list.map((c) => this.upsert(c)).filter((e) => !this.isBlocked(e));
    let ok = 0;
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const e = targets[next++] as OrchestratorEntry;
        if (await this.refreshEntry(e).then(() => true, () => false)) ok++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, targets.length) }, worker));
    const report: RefreshReport = {
      source: this.source.kind,
      durationMs: performance.now() - started,
      total: targets.length,
      ok,
      failed: targets.length - ok,
      ...(listError !== undefined ? { listError } : {}),
    };
    this.lastReport = report;
    this.metrics?.discoveryRefreshSeconds.observe({ source: this.source.kind }, report.durationMs / 1000);
    this.updateGauges();
    this.logger.debug(report, 'registry refreshed');
    return report;
  }

  private updateGauges(): void {
    if (!this.metrics) return;
    const now = this.now();
    const counts = { ok: 0, failed: 0, suspended: 0, blocklisted: 0 };
    for (const e of this.entries.values()) {
      if (this.isBlocked(e)) counts.blocklisted++;
      else if (e.suspendedUntil > now) counts.suspended++;
      else if (e.reachable) counts.ok++;
      else counts.failed++;
    }
    for (const [state, n] of Object.entries(counts)) this.metrics.discoveryOrchestrators.set({ state }, n);
  }

  /** GetOrchestrator to one entry (also used by sessions before the auth token expires). */
  async refreshEntry(e: OrchestratorEntry): Promise<OrchestratorEntry> {
    const req = create(OrchestratorRequestSchema, {
      address: this.identity.address,
      sig: this.identity.orchestratorRequestSig(),
      capabilities: this.options.jobCapabilities,
    });
    const t0 = performance.now();
    try {
      const info = await this.wire.getOrchestrator(e.uri, req, this.options.timeoutMs);
      e.discoveryLatencyMs = ewma(e.discoveryLatencyMs, performance.now() - t0);
      this.applyInfo(e, info);
      e.reachable = info.transcoder !== '';
      e.lastError = e.reachable ? undefined : { kind: FailureKind.PROTOCOL, message: 'orchestrator is not transcoding (empty transcoder URI)', at: this.now() };
      this.metrics?.discoveryCalls.inc({ outcome: 'ok' });
      return e;
    } catch (err) {
      e.reachable = false;
      const kind = err instanceof OrchestratorCallError ? err.kind : FailureKind.PROTOCOL;
      e.lastError = { kind, message: err instanceof Error ? err.message : String(err), at: this.now() };
      this.metrics?.discoveryCalls.inc({ outcome: 'error' });
      if (isGatewayError(err) && kind === FailureKind.NETWORK) this.wire.forget(e.uri);
      throw err;
    }
  }

  /** A fresh OrchestratorInfo (GetOrchestrator or TranscodeResult.info) replaces the old one (§2.6 step 7). */
  applyInfo(e: OrchestratorEntry, info: OrchestratorInfo): void {
    const previousToken = e.info?.authToken;
    e.info = info;
    if (info.authToken === undefined && previousToken !== undefined) e.info.authToken = previousToken;
    e.infoAt = this.now();
    e.price = info.priceInfo && info.priceInfo.pixelsPerUnit > 0n ? priceFromInfo(info.priceInfo) : undefined;
    if (e.source !== 'chain') {
      const addr = info.address.length > 0 ? info.address : info.ticketParams?.recipient;
      if (addr !== undefined && addr.length > 0) e.address = toHex(bytesToAddressBytes(addr)).toLowerCase();
    }
  }

  /** Records a segment attempt's outcome (latency ratio = total time / segment duration). */
  recordSuccess(e: OrchestratorEntry, elapsedMs: number, segmentMs: number): void {
    e.attempts++;
    e.successRate = ewma(e.successRate, 1, 0.2);
    e.latencyRatio = ewma(e.latencyRatio, elapsedMs / Math.max(1500, segmentMs));
    if (e.suspension && e.suspendedUntil <= this.now()) e.suspension = undefined;
  }

  recordFailure(e: OrchestratorEntry, kind: FailureKind, message: string, penaltyMs: number): void {
    e.attempts++;
    e.successRate = ewma(e.successRate, 0, 0.2);
    e.lastError = { kind, message, at: this.now() };
    if (kind === FailureKind.NETWORK) this.wire.forget(e.uri);
    if (penaltyMs > 0) {
      // Repeat offenders get longer suspensions (doubling, capped at 8×).
      const count = (e.suspension?.count ?? 0) + 1;
      const scaled = penaltyMs * Math.min(8, 2 ** (count - 1));
      e.suspension = { kind, penaltyMs: scaled, count };
      e.suspendedUntil = this.now() + scaled;
      this.metrics?.suspensions.inc({ kind });
      this.logger.info({ uri: e.uri, kind, penaltyMs: scaled, count, message }, 'orchestrator suspended');
    }
    this.updateGauges();
  }
}
