import { create } from '@bufbuild/protobuf';
import { probeVideo } from '@lpts/media';
import type { Logger } from '@lpts/platform';
import {
  SegDataSchema,
  ZERO_PRICE,
  authTokenNeedsRefresh,
  bytesToAddressBytes,
  encodeSegmentHeader,
  estimateTranscodeFee,
  feeForUnits,
  formatPrice,
  keccak256,
  setSegDataProfiles,
  validatePriceNotDoubled,
  verifyTranscodeResult,
  type OrchestratorInfo,
  type Price,
} from '@lpts/protocol';
import { FailureKind, GatewayError, GatewayErrorCode, OrchestratorCallError, isGatewayError } from '../common/gateway.errors';
import type { OrchestratorEntry, OrchestratorRegistry } from '../discovery/orchestrator-registry';
import type { GatewayIdentity } from '../identity/gateway-identity';
import type { GatewayMetrics } from '../metrics/gateway.metrics';
import type { PaymentOutcome, PaymentPort, StagedPayment } from '../payments/payment-client';
import type { SelectionDecision, SelectionStrategy } from '../selection/selection-strategy';
import type { OrchestratorWireClient } from '../wire/orchestrator-client';
import type { TranscodeJobSpec } from './transcode-job';

export interface DispatcherOptions {
  maxAttempts: number;
  maxPrice: Price | undefined;
  ignoreMaxPriceIfNeeded: boolean;
  swapLatencyRatio: number;
  segmentTimeoutMinMs: number;
  uploadTimeoutMinMs: number;
  timeoutMultiplier: number;
  verifyPixels: boolean;
  /** Penalty (ms) per failure kind. */
  penalties: Readonly<Record<FailureKind, number>>;
}

export interface RenditionResult {
  name: string;
  data: Buffer;
  /** Pixels the O reported. */
  pixels: number;
  width: number | undefined;
  height: number | undefined;
}

export interface SegmentOutcome {
  seq: number;
  orchestrator: string;
  attempts: number;
  elapsedMs: number;
  renditions: RenditionResult[];
  decision: Pick<SelectionDecision, 'mode' | 'score'> | { mode: 'sticky'; score: undefined };
}

interface StreamState {
  current: string | undefined;
  /** One O session per (stream, orchestrator), as Go: its own auth token, session id and balance key. */
  sessions: Map<string, OrchestratorInfo>;
  /** Initial price per orchestrator for this stream (§5.6 doubling guard). */
  initialPrice: Map<string, Price>;
}

export interface AttemptRecord {
  uri: string;
  kind: FailureKind;
  message: string;
}

const utf8 = new TextEncoder();

/**
 * Sends one segment to an orchestrator and back (PROTOCOL.md §2.6): keeps a stream on its
 * orchestrator while it keeps up, swaps when it falls behind real time or fails, retries on another
 * orchestrator up to maxAttempts, refreshes auth tokens before they expire, pays through the
 * payment port, verifies signatures and pixel counts, and suspends failing orchestrators with a
 * penalty per failure kind (A8).
 */
export class SegmentDispatcher {
  private readonly streams = new Map<string, StreamState>();

  constructor(
    private readonly registry: OrchestratorRegistry,
    private readonly strategy: SelectionStrategy,
    private readonly wire: OrchestratorWireClient,
    private readonly payments: PaymentPort,
    private readonly identity: GatewayIdentity,
    private readonly job: TranscodeJobSpec,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drops a stream and ends its O sessions (EndTranscodingSession, best effort). */
  forgetStream(streamId: string): void {
    const s = this.streams.get(streamId);
    this.streams.delete(streamId);
    for (const [uri, info] of s?.sessions ?? []) {
      if (info.authToken !== undefined) void this.wire.endTranscodingSession(uri, info.authToken, 3000).catch(() => undefined);
    }
  }

  private stream(streamId: string): StreamState {
    let s = this.streams.get(streamId);
    if (s === undefined) {
      s = { current: undefined, sessions: new Map(), initialPrice: new Map() };
      this.streams.set(streamId, s);
    }
    return s;
  }

  /** One selection decision (exposed for the benchmark). */
  select(exclude: ReadonlySet<string>): SelectionDecision {
    return this.strategy.select({
      entries: this.registry.all(),
      jobCapabilities: this.job.capabilities,
      maxPrice: this.options.maxPrice,
      ignoreMaxPriceIfNeeded: this.options.ignoreMaxPriceIfNeeded,
      exclude,
      isBlocked: (e) => this.registry.isBlocked(e),
      now: this.now(),
    });
  }

  /** The stream's current O if it still qualifies; `slow` names an O that fell behind real time (avoided by the next pick). */
  private selectAvoiding(tried: ReadonlySet<string>, slow: string): SelectionDecision {
    try {
      return this.select(new Set([...tried, slow]));
    } catch {
      return this.select(tried);
    }
  }

  private stickyCandidate(state: StreamState, tried: ReadonlySet<string>): { entry?: OrchestratorEntry; slow?: string } {
    if (state.current === undefined || tried.has(state.current)) return {};
    const e = this.registry.get(state.current);
    if (e === undefined || !e.reachable || e.info === undefined || this.registry.isBlocked(e)) return this.swap(state, 'gone');
    if (e.suspendedUntil > this.now()) return this.swap(state, 'suspended');
    if (e.latencyRatio !== undefined && e.latencyRatio > this.options.swapLatencyRatio) return { ...this.swap(state, 'slow'), slow: e.uri };
    return { entry: e };
  }

  private swap(state: StreamState, reason: 'failure' | 'slow' | 'suspended' | 'gone'): Record<string, never> {
    if (state.current !== undefined) this.metrics.swaps.inc({ reason });
    state.current = undefined;
    return {};
  }

  async transcode(streamId: string, seq: number, data: Buffer, durationMs: number): Promise<SegmentOutcome> {
    const started = performance.now();
    await this.registry.ready();
    const state = this.stream(streamId);
    const tried = new Set<string>();
    const failures: AttemptRecord[] = [];
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      const sticky = this.stickyCandidate(state, tried);
      let entry = sticky.entry;
      let decision: SegmentOutcome['decision'] = { mode: 'sticky', score: undefined };
      if (entry === undefined) {
        let d: SelectionDecision;
        try {
          // An O that fell behind real time is avoided while any other one is eligible.
          d = sticky.slow !== undefined ? this.selectAvoiding(tried, sticky.slow) : this.select(tried);
        } catch (e) {
          this.metrics.selectionDecisions.inc({ strategy: this.strategy.name, mode: 'none', outcome: 'none' });
          const listError = this.registry.lastReport?.listError;
          if (failures.length === 0 && listError !== undefined && isGatewayError(e, 'NO_ORCHESTRATORS')) {
            throw new GatewayError('NO_ORCHESTRATORS', `${e.message}; the discovery source failed: ${listError}`, { details: { ...e.details, discoveryError: listError } });
          }
          if (failures.length === 0) throw e;
          break;
        }
        this.recordDecision(streamId, seq, d);
        entry = d.entry;
        decision = { mode: d.mode, score: d.score };
      } else {
        this.metrics.selectionDecisions.inc({ strategy: this.strategy.name, mode: 'sticky', outcome: 'selected' });
      }
      tried.add(entry.uri);
      if (attempt > 1) this.metrics.retries.inc();
      try {
        const renditions = await this.attempt(entry, state, streamId, seq, data, durationMs);
        const elapsedMs = performance.now() - started;
        this.registry.recordSuccess(entry, elapsedMs, durationMs);
        state.current = entry.uri;
        this.metrics.segmentLatency.observe({ outcome: 'ok' }, elapsedMs / 1000);
        this.metrics.segmentsTotal.inc({ outcome: 'ok' });
        return { seq, orchestrator: entry.uri, attempts: attempt, elapsedMs, renditions, decision };
      } catch (e) {
        const kind = e instanceof OrchestratorCallError ? e.kind : FailureKind.PROTOCOL;
        const message = e instanceof Error ? e.message : String(e);
        failures.push({ uri: entry.uri, kind, message });
        this.metrics.attemptFailures.inc({ kind });
        if (kind === FailureKind.VERIFICATION) this.metrics.verificationFailures.inc({ check: String((e as GatewayError).details?.['check'] ?? 'signature') });
        this.registry.recordFailure(entry, kind, message, this.options.penalties[kind]);
        if (state.current === entry.uri) this.swap(state, 'failure');
        this.logger.warn({ stream: streamId, seq, attempt, uri: entry.uri, kind, err: message }, 'segment attempt failed');
        if (!isGatewayError(e) && !(e instanceof OrchestratorCallError)) this.logger.error({ err: e }, 'unexpected error in segment attempt');
      }
    }
    const elapsedMs = performance.now() - started;
    this.metrics.segmentLatency.observe({ outcome: 'failed' }, elapsedMs / 1000);
    this.metrics.segmentsTotal.inc({ outcome: 'failed' });
    const summary = failures.map((f) => `${f.uri}: ${f.kind}: ${f.message}`).join('; ');
    throw new GatewayError(GatewayErrorCode.ALL_ATTEMPTS_FAILED, `segment ${seq} of ${streamId} failed on ${failures.length} orchestrator(s): ${summary}`, {
      details: { stream: streamId, seq, attempts: failures.length, maxAttempts: this.options.maxAttempts, kinds: failures.map((f) => f.kind).join(','), summary: summary.slice(0, 2000) },
    });
  }

  private recordDecision(streamId: string, seq: number, d: SelectionDecision): void {
    this.metrics.selectionDecisions.inc({ strategy: this.strategy.name, mode: d.mode, outcome: 'selected' });
    for (const [component, v] of Object.entries(d.score)) this.metrics.selectionScore.observe({ component }, Math.max(0, Math.min(1, v)));
    this.metrics.selectionCandidates.observe({ set: 'eligible' }, d.eligible);
    this.metrics.selectionCandidates.observe({ set: 'rejected' }, d.rejected.length);
    this.logger.info(
      {
        stream: streamId,
        seq,
        uri: d.entry.uri,
        mode: d.mode,
        score: d.score,
        eligible: d.eligible,
        rejected: d.rejected.length,
        rejectedReasons: [...new Set(d.rejected.map((r) => r.reason))],
        runnerUp: d.runnerUp,
      },
      'orchestrator selected',
    );
  }

  /** Timeouts of §2.2 for a segment of this duration. */
  timeouts(durationMs: number): { totalMs: number; uploadMs: number } {
    const m = this.options.timeoutMultiplier;
    return {
      totalMs: Math.max(this.options.segmentTimeoutMinMs, 4 * durationMs) * m,
      uploadMs: Math.max(this.options.uploadTimeoutMinMs, 0.5 * durationMs) * m,
    };
  }

  private async attempt(entry: OrchestratorEntry, state: StreamState, streamId: string, seq: number, data: Buffer, durationMs: number): Promise<RenditionResult[]> {
    let info = state.sessions.get(entry.uri);
    if (info === undefined || authTokenNeedsRefresh(info.authToken, Math.floor(this.now() / 1000))) {
      // A new session for this stream on this O (fresh auth token and ticket params), as Go does per stream.
      await this.registry.refreshEntry(entry);
      info = entry.info;
      if (info === undefined) throw new OrchestratorCallError(FailureKind.PROTOCOL, GatewayErrorCode.ORCHESTRATOR_ERROR, `no OrchestratorInfo for ${entry.uri}`);
      state.sessions.set(entry.uri, info);
    }
    const price = entry.price;
    if (!this.payments.offchain) {
      const initial = state.initialPrice.get(entry.uri);
      try {
        validatePriceNotDoubled(price, initial);
      } catch (e) {
        throw new OrchestratorCallError(FailureKind.PAYMENT, GatewayErrorCode.PAYMENT_FAILED, (e as Error).message, { cause: e });
      }
      if (initial === undefined && price !== undefined) state.initialPrice.set(entry.uri, price);
    }

    const hash = keccak256(data);
    const seg = create(SegDataSchema, {
      manifestId: utf8.encode(streamId),
      seq: BigInt(seq),
      hash,
      profiles: utf8.encode('invalid'),
      duration: Math.round(durationMs),
      capabilities: this.job.capabilities,
      authToken: info.authToken,
    });
    setSegDataProfiles(seg, this.job.profiles);
    seg.sig = this.identity.segmentSig({ manifestId: seg.manifestId, seq: seg.seq, hash, profileNames: this.job.profiles.map((p) => p.name) });

    const fee = estimateTranscodeFee(this.job.presets, durationMs / 1000, price ?? ZERO_PRICE);
    const payment = await this.payments.create(info, fee);
    const { totalMs, uploadMs } = this.timeouts(durationMs);
    const deadline = performance.now() + totalMs;
    let response;
    entry.inflight++;
    try {
      response = await this.wire.submitSegment(info.transcoder, {
        segData: encodeSegmentHeader(seg),
        payment: payment.header,
        body: data,
        uploadTimeoutMs: uploadMs,
        totalTimeoutMs: totalMs,
      });
    } catch (e) {
      entry.inflight--;
      const sent = e instanceof OrchestratorCallError && e.details['statusArrived'] === true;
      await this.settle(payment, sent ? 'lost' : 'not-sent', ZERO_PRICE);
      throw e;
    }
    entry.inflight--;
    const result = response.result;
    if (result.info !== undefined) {
      // Fresh params/price for this session (§2.6 step 7); the session keeps its auth token.
      if (result.info.authToken === undefined) result.info.authToken = info.authToken;
      state.sessions.set(entry.uri, result.info);
      this.registry.applyInfo(entry, result.info);
    }
    if (result.result.case === 'error') {
      await this.settle(payment, 'completed', ZERO_PRICE);
      const text = result.result.value;
      const kind = /OrchestratorCapped|OrchestratorBusy/.test(text) ? FailureKind.CAPACITY : FailureKind.TRANSCODE;
      throw new OrchestratorCallError(kind, GatewayErrorCode.ORCHESTRATOR_ERROR, text, { details: { uri: entry.uri, seq } });
    }
    if (result.result.case !== 'data') {
      await this.settle(payment, 'lost', ZERO_PRICE);
      throw new OrchestratorCallError(FailureKind.PROTOCOL, GatewayErrorCode.ORCHESTRATOR_ERROR, 'UnknownResponse', { details: { uri: entry.uri, seq } });
    }
    const td = result.result.value;
    const reportedPixels = td.segments.reduce((s, x) => s + x.pixels, 0n);
    await this.settle(payment, 'completed', feeForUnits(reportedPixels, price ?? ZERO_PRICE));
    if (td.segments.length !== this.job.profiles.length) {
      throw verificationError('count', `orchestrator returned ${td.segments.length} renditions for ${this.job.profiles.length} profiles`, entry, seq);
    }
    const remaining = () => Math.max(1000, deadline - performance.now());
    const bodies = await Promise.all(td.segments.map((s) => this.wire.download(s.url, remaining())));
    const signer = info.address.length > 0 ? info.address : info.ticketParams?.recipient;
    if (signer !== undefined && signer.length > 0) {
      if (!verifyTranscodeResult(bytesToAddressBytes(signer), bodies, td.sig)) {
        throw verificationError('signature', `result signature of segment ${seq} does not verify against ${entry.address ?? 'the orchestrator'}`, entry, seq);
      }
    } else if (!this.identity.offchain) {
      throw verificationError('signature', `orchestrator ${entry.uri} gave no address to verify the result signature against`, entry, seq);
    }
    const renditions: RenditionResult[] = [];
    await Promise.all(
      bodies.map(async (body, i) => {
        const claimed = Number((td.segments[i] as { pixels: bigint }).pixels);
        const name = (this.job.profiles[i] as { name: string }).name;
        let width: number | undefined;
        let height: number | undefined;
        if (this.options.verifyPixels) {
          let measured: number;
          try {
            const v = await probeVideo(body);
            width = v.width;
            height = v.height;
            measured = v.frames * v.width * v.height;
          } catch (e) {
            throw verificationError('pixels', `rendition ${name} of segment ${seq} is not decodable: ${(e as Error).message}`, entry, seq);
          }
          if (measured !== claimed) {
            throw verificationError('pixels', `rendition ${name} of segment ${seq}: orchestrator claims ${claimed} pixels, decoded ${measured}`, entry, seq, {
              claimed,
              measured,
            });
          }
        }
        renditions[i] = { name, data: body, pixels: claimed, width, height };
      }),
    );
    this.logger.debug({ stream: streamId, seq, uri: entry.uri, uploadMs: response.uploadMs, totalMs: response.totalMs, tickets: payment.numTickets }, 'segment done');
    return renditions;
  }

  private async settle(p: StagedPayment, outcome: PaymentOutcome, debit: Price): Promise<void> {
    try {
      await this.payments.settle(p, outcome, debit);
    } catch (e) {
      this.logger.warn({ err: e, outcome, debit: formatPrice(debit) }, 'payment settle failed');
    }
  }
}

function verificationError(
  check: 'signature' | 'pixels' | 'count',
  message: string,
  entry: OrchestratorEntry,
  seq: number,
  extra: Record<string, number> = {},
): OrchestratorCallError {
  return new OrchestratorCallError(FailureKind.VERIFICATION, GatewayErrorCode.VERIFICATION_FAILED, message, {
    details: { check, uri: entry.uri, seq, ...extra },
  });
}
