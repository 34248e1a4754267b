import { checkCompatibility, formatPrice, priceWithinMax, type Capabilities, type Price } from '@lpts/protocol';
import { GatewayError } from '../common/gateway.errors';
import type { OrchestratorEntry } from '../discovery/orchestrator-registry';

export interface SelectionWeights {
  stake: number;
  price: number;
  latency: number;
  success: number;
}

/** Why a candidate was not eligible (A13: reasons, not a bare "no orchestrators"). */
export type RejectionReason = 'price' | 'capability' | 'capacity' | 'network' | 'suspended' | 'blocklisted' | 'excluded' | 'no-info';

export interface Rejection {
  uri: string;
  reason: RejectionReason;
  detail: string;
}

export interface ScoreBreakdown {
  stake: number;
  price: number;
  latency: number;
  success: number;
  /** Multiplier < 1 for orchestrators with segments in flight (spreads work). */
  load: number;
  total: number;
}

export interface SelectionDecision {
  entry: OrchestratorEntry;
  mode: 'exploit' | 'explore';
  score: ScoreBreakdown;
  eligible: number;
  rejected: Rejection[];
  /** Runner-up for the log line (exploit mode). */
  runnerUp?: { uri: string; total: number };
}

export interface SelectionRequest {
  entries: Iterable<OrchestratorEntry>;
  jobCapabilities: Capabilities;
  maxPrice: Price | undefined;
  ignoreMaxPriceIfNeeded?: boolean;
  /** URIs already tried for this segment. */
  exclude?: ReadonlySet<string>;
  isBlocked?: (e: OrchestratorEntry) => boolean;
  now: number;
}

/** A pluggable selection algorithm. */
export interface SelectionStrategy {
  readonly name: string;
  select(req: SelectionRequest): SelectionDecision;
}

/** Price per pixel as a float (wei). */
function pricePerPixel(p: Price | undefined): number {
  return p === undefined ? Number.POSITIVE_INFINITY : Number(p.num) / Number(p.den);
}

/** Compatibility per (job capabilities, OrchestratorInfo): a fresh info object is a fresh check. */
const compatCache = new WeakMap<Capabilities, WeakMap<object, ReturnType<typeof checkCompatibility>>>();
function compatible(job: Capabilities, info: NonNullable<OrchestratorEntry['info']>): ReturnType<typeof checkCompatibility> {
  let byInfo = compatCache.get(job);
  if (byInfo === undefined) {
    byInfo = new WeakMap();
    compatCache.set(job, byInfo);
  }
  let r = byInfo.get(info);
  if (r === undefined) {
    r = checkCompatibility(job, info.capabilities);
    byInfo.set(info, r);
  }
  return r;
}

/** Splits candidates into eligible ones and rejections with reasons. */
export function filterCandidates(req: SelectionRequest): { eligible: OrchestratorEntry[]; rejected: Rejection[]; overPrice: OrchestratorEntry[] } {
  const eligible: OrchestratorEntry[] = [];
  const rejected: Rejection[] = [];
  const overPrice: OrchestratorEntry[] = [];
  for (const e of req.entries) {
    if (req.isBlocked?.(e)) {
      rejected.push({ uri: e.uri, reason: 'blocklisted', detail: `address ${e.address ?? 'unknown'} is blocklisted` });
      continue;
    }
    if (req.exclude?.has(e.uri)) {
      rejected.push({ uri: e.uri, reason: 'excluded', detail: 'already tried for this segment' });
      continue;
    }
    if (e.info === undefined || !e.reachable) {
      const reason: RejectionReason = e.lastError === undefined ? 'no-info' : e.lastError.kind === 'capacity' ? 'capacity' : 'network';
      rejected.push({ uri: e.uri, reason, detail: e.lastError?.message ?? 'not yet contacted' });
      continue;
    }
    if (e.suspendedUntil > req.now) {
      rejected.push({
        uri: e.uri,
        reason: 'suspended',
        detail: `suspended for ${Math.ceil((e.suspendedUntil - req.now) / 1000)} s after ${e.suspension?.kind ?? 'failure'}: ${e.lastError?.message ?? ''}`.trim(),
      });
      continue;
    }
    const compat = compatible(req.jobCapabilities, e.info);
    if (!compat.compatible) {
      rejected.push({ uri: e.uri, reason: 'capability', detail: `${compat.reason}: ${compat.explanation}` });
      continue;
    }
    if (!priceWithinMax(e.price, req.maxPrice)) {
      overPrice.push(e);
      rejected.push({
        uri: e.uri,
        reason: 'price',
        detail: `price ${e.price ? formatPrice(e.price) : 'missing'} wei/pixel > max ${req.maxPrice ? formatPrice(req.maxPrice) : 'none'}`,
      });
      continue;
    }
    eligible.push(e);
  }
  if (eligible.length === 0 && req.ignoreMaxPriceIfNeeded && overPrice.length > 0) return { eligible: overPrice, rejected, overPrice };
  return { eligible, rejected, overPrice };
}

/** The error for an empty eligible set: PRICE_TOO_HIGH when price was the only obstacle, else NO_ORCHESTRATORS. */
export function noCandidateError(req: SelectionRequest, rejected: readonly Rejection[], overPrice: readonly OrchestratorEntry[]): GatewayError {
  const relevant = rejected.filter((r) => r.reason !== 'excluded');
  if (overPrice.length > 0 && relevant.every((r) => r.reason === 'price')) {
    const max = req.maxPrice ? formatPrice(req.maxPrice) : 'none';
    const prices = overPrice.map((e) => `${e.uri}=${e.price ? formatPrice(e.price) : 'missing'}`).join(', ');
    return new GatewayError('PRICE_TOO_HIGH', `every orchestrator's price is above the max price ${max} wei/pixel: ${prices}`, {
      details: { maxPrice: max, prices, orchestrators: overPrice.length },
    });
  }
  const total = rejected.length;
  const summary =
    total === 0 ? 'the orchestrator registry is empty' : relevant.map((r) => `${r.uri}: ${r.reason} (${r.detail})`).join('; ') || 'every orchestrator was already tried';
  return new GatewayError('NO_ORCHESTRATORS', `no orchestrator available: ${summary}`, {
    details: {
      candidates: total,
      reasons: [...new Set(relevant.map((r) => r.reason))].join(',') || (total === 0 ? 'empty-registry' : 'excluded'),
      summary: summary.slice(0, 2000),
    },
  });
}

/**
 * Weighted scoring with exploration (A6): stake share, price (e^(−Δprice/expFactor) relative to the
 * cheapest), measured real-time ratio, success rate; a load factor spreads concurrent work; with
 * probability `explorationShare` a uniformly random eligible orchestrator is picked instead.
 */
export class WeightedScoreStrategy implements SelectionStrategy {
  readonly name = 'weighted';

  constructor(
    private readonly weights: SelectionWeights,
    private readonly explorationShare: number,
    private readonly priceExpFactor: number,
    private readonly random: () => number = Math.random,
  ) {}

  score(e: OrchestratorEntry, ctx: { maxStake: bigint; minPrice: number }): ScoreBreakdown {
    const w = this.weights;
    const stake = ctx.maxStake > 0n ? Number((e.stake * 1_000_000n) / ctx.maxStake) / 1_000_000 : 1;
    const ppp = pricePerPixel(e.price);
    const price = Number.isFinite(ppp) && Number.isFinite(ctx.minPrice) ? Math.exp(-(ppp - ctx.minPrice) / this.priceExpFactor) : 0.5;
    const latency = e.latencyRatio === undefined ? 0.5 : Math.max(0, Math.min(1, 1 - e.latencyRatio / 2));
    const success = e.successRate;
    const sum = w.stake + w.price + w.latency + w.success;
    const base = sum > 0 ? (w.stake * stake + w.price * price + w.latency * latency + w.success * success) / sum : 1;
    const load = 1 / (1 + 0.5 * e.inflight);
    return { stake, price, latency, success, load, total: base * load };
  }

  select(req: SelectionRequest): SelectionDecision {
    const { eligible, rejected, overPrice } = filterCandidates(req);
    if (eligible.length === 0) throw noCandidateError(req, rejected, overPrice);
    let maxStake = 0n;
    let minPrice = Number.POSITIVE_INFINITY;
    for (const e of eligible) {
      if (e.stake > maxStake) maxStake = e.stake;
      const p = pricePerPixel(e.price);
      if (p < minPrice) minPrice = p;
    }
    const ctx = { maxStake, minPrice };
    if (eligible.length > 1 && this.random() < this.explorationShare) {
      const entry = eligible[Math.floor(this.random() * eligible.length) % eligible.length] as OrchestratorEntry;
      return { entry, mode: 'explore', score: this.score(entry, ctx), eligible: eligible.length, rejected };
    }
    let best: { e: OrchestratorEntry; s: ScoreBreakdown } | undefined;
    let second: { e: OrchestratorEntry; s: ScoreBreakdown } | undefined;
    for (const e of eligible) {
      const s = this.score(e, ctx);
      // Ties (within 1e-9) are broken at random so equal orchestrators share the work.
      if (best === undefined || s.total > best.s.total + 1e-9 || (Math.abs(s.total - best.s.total) <= 1e-9 && this.random() < 0.5)) {
        second = best;
        best = { e, s };
      } else if (second === undefined || s.total > second.s.total) {
        second = { e, s };
      }
    }
    const b = best as { e: OrchestratorEntry; s: ScoreBreakdown };
    return {
      entry: b.e,
      mode: 'exploit',
      score: b.s,
      eligible: eligible.length,
      rejected,
      ...(second ? { runnerUp: { uri: second.e.uri, total: second.s.total } } : {}),
    };
  }
}
