import { create } from '@bufbuild/protobuf';
import { DEFAULT_CAPABILITIES, OrchestratorInfoSchema, buildCapabilities, price } from '@lpts/protocol';
import { isGatewayError } from '../common/gateway.errors';
import type { OrchestratorEntry } from '../discovery/orchestrator-registry';
import { transcodeJobSpec } from '../sessions/transcode-job';
import { WeightedScoreStrategy, filterCandidates } from './selection-strategy';

const job = transcodeJobSpec('P240p30fps16x9,P360p30fps16x9');
const caps = buildCapabilities({ capabilities: DEFAULT_CAPABILITIES, version: '0.9.1' });

function entry(uri: string, o: Partial<OrchestratorEntry> = {}): OrchestratorEntry {
  return {
    uri,
    source: 'static',
    address: undefined,
    stake: 0n,
    webhookScore: undefined,
    info: create(OrchestratorInfoSchema, { transcoder: uri, capabilities: caps }),
    infoAt: 0,
    price: price(1n),
    reachable: true,
    lastError: undefined,
    discoveryLatencyMs: undefined,
    latencyRatio: undefined,
    successRate: 1,
    attempts: 0,
    suspendedUntil: 0,
    suspension: undefined,
    inflight: 0,
    ...o,
  };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const base = { jobCapabilities: job.capabilities, maxPrice: undefined, now: 1_000 };

describe('WeightedScoreStrategy', () => {
  it('prefers the faster, more reliable, cheaper, better staked orchestrator and explains the score', () => {
    const s = new WeightedScoreStrategy({ stake: 1, price: 1, latency: 1, success: 1 }, 0, 100, seeded(1));
    const good = entry('https://good', { stake: 100n, latencyRatio: 0.2, successRate: 1, price: price(10n) });
    const bad = entry('https://bad', { stake: 10n, latencyRatio: 1.5, successRate: 0.5, price: price(500n) });
    const d = s.select({ ...base, entries: [bad, good] });
    expect(d.entry.uri).toBe('https://good');
    expect(d.mode).toBe('exploit');
    expect(d.score).toEqual({ stake: 1, price: 1, latency: 0.9, success: 1, load: 1, total: 0.975 });
    expect(d.runnerUp?.uri).toBe('https://bad');
    expect(s.score(bad, { maxStake: 100n, minPrice: 10 }).price).toBeCloseTo(Math.exp(-4.9));
  });

  it('explores: about explorationShare of the decisions pick a random eligible orchestrator', () => {
    const s = new WeightedScoreStrategy({ stake: 0, price: 0, latency: 1, success: 0 }, 0.2, 100, seeded(42));
    const entries = [entry('https://best', { latencyRatio: 0.1 }), ...Array.from({ length: 9 }, (_, i) => entry(`https://o${i}`, { latencyRatio: 1.5 }))];
    let explore = 0;
    let notBest = 0;
    for (let i = 0; i < 5000; i++) {
      const d = s.select({ ...base, entries });
      if (d.mode === 'explore') explore++;
      if (d.entry.uri !== 'https://best') notBest++;
    }
    expect(explore / 5000).toBeGreaterThan(0.17);
    expect(explore / 5000).toBeLessThan(0.23);
    expect(notBest / 5000).toBeGreaterThan(0.15); // 0.2 × 9/10
  });

  it('spreads load: an orchestrator with segments in flight scores lower', () => {
    const s = new WeightedScoreStrategy({ stake: 0, price: 0, latency: 0, success: 1 }, 0, 100, seeded(3));
    const busy = entry('https://busy', { inflight: 2 });
    const idle = entry('https://idle');
    expect(s.select({ ...base, entries: [busy, idle] }).entry.uri).toBe('https://idle');
  });

  it('names the reason for every rejected candidate', () => {
    const entries = [
      entry('https://cheap'),
      entry('https://pricey', { price: price(20n) }),
      entry('https://down', { reachable: false, lastError: { kind: 'network', message: 'connect ECONNREFUSED', at: 0 } }),
      entry('https://susp', { suspendedUntil: 5_000, suspension: { kind: 'timeout', penaltyMs: 4000, count: 1 } }),
      entry('https://nocaps', { info: create(OrchestratorInfoSchema, { transcoder: 'x', capabilities: buildCapabilities({ capabilities: [0, 1] }) }) }),
      entry('https://blocked', { address: '0xabc' }),
      entry('https://tried'),
    ];
    const { eligible, rejected } = filterCandidates({
      ...base,
      entries,
      maxPrice: price(10n),
      exclude: new Set(['https://tried']),
      isBlocked: (e) => e.address === '0xabc',
    });
    expect(eligible.map((e) => e.uri)).toEqual(['https://cheap']);
    expect(Object.fromEntries(rejected.map((r) => [r.uri, r.reason]))).toEqual({
      'https://pricey': 'price',
      'https://down': 'network',
      'https://susp': 'suspended',
      'https://nocaps': 'capability',
      'https://blocked': 'blocklisted',
      'https://tried': 'excluded',
    });
  });

  it('PRICE_TOO_HIGH when price is the only obstacle; ignoreMaxPriceIfNeeded falls back to them', () => {
    const s = new WeightedScoreStrategy({ stake: 1, price: 1, latency: 1, success: 1 }, 0, 100);
    const entries = [entry('https://a', { price: price(30n, 2n) }), entry('https://b', { price: price(40n) })];
    try {
      s.select({ ...base, entries, maxPrice: price(10n) });
      throw new Error('expected PRICE_TOO_HIGH');
    } catch (e) {
      expect(isGatewayError(e, 'PRICE_TOO_HIGH')).toBe(true);
      expect((e as Error).message).toBe('every orchestrator\'s price is above the max price 10/1 wei/pixel: https://a=15/1, https://b=40/1');
    }
    expect(s.select({ ...base, entries, maxPrice: price(10n), ignoreMaxPriceIfNeeded: true }).entry.uri).toBe('https://a');
  });

  it('NO_ORCHESTRATORS for an empty registry', () => {
    const s = new WeightedScoreStrategy({ stake: 1, price: 1, latency: 1, success: 1 }, 0, 100);
    expect(() => s.select({ ...base, entries: [] })).toThrow('no orchestrator available: the orchestrator registry is empty');
  });
});
