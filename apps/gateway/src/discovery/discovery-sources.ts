import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { chainStateBucket, zTranscoderState } from '@lpts/protocol';

/** One orchestrator a source knows about, before GetOrchestrator. */
export interface OrchestratorCandidate {
  /** Service URI (https://host:port). */
  uri: string;
  /** ETH address when the source knows it (chain). */
  address?: string;
  /** Stake in wei (chain) — used by the stake score. */
  stake?: bigint;
  /** Webhook score (Go: Trusted = 1.0). */
  score?: number;
}

/** Where the registry's list comes from. */
export interface DiscoverySource {
  readonly kind: 'static' | 'webhook' | 'chain';
  list(): Promise<OrchestratorCandidate[]>;
}

/** `host`, `host:port` or a URL → `https://host:port` (default port 8935, as Go's -orchAddr). */
export function normaliseServiceUri(text: string): string {
  const t = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? t : `https://${t}`;
  const u = new URL(withScheme);
  if (u.port === '') u.port = '8935';
  return `${u.protocol}//${u.host}`;
}

export class StaticSource implements DiscoverySource {
  readonly kind = 'static' as const;
  private readonly candidates: OrchestratorCandidate[];
  constructor(addrs: readonly string[]) {
    this.candidates = [...new Set(addrs.map(normaliseServiceUri))].map((uri) => ({ uri, score: 1 }));
  }
  list(): Promise<OrchestratorCandidate[]> {
    return Promise.resolve(this.candidates);
  }
}

/**
 * GET webhook → `[{"address":"https://…","score":<float>}]` (3 s timeout, cached 1 min; an error
 * keeps the last good list, as Go does).
 */
export class WebhookSource implements DiscoverySource {
  readonly kind = 'webhook' as const;
  private cache: { at: number; list: OrchestratorCandidate[] } | undefined;
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 3000,
    private readonly cacheMs = 60_000,
  ) {}

  async list(): Promise<OrchestratorCandidate[]> {
    if (this.cache && Date.now() - this.cache.at < this.cacheMs) return this.cache.list;
    try {
      const r = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!r.ok) throw new Error(`webhook HTTP ${r.status}`);
      const body = (await r.json()) as unknown;
      if (!Array.isArray(body)) throw new Error('webhook body is not a JSON array');
      const list: OrchestratorCandidate[] = [];
      for (const item of body as { address?: unknown; score?: unknown }[]) {
        if (typeof item?.address !== 'string') continue;
        try {
          list.push({ uri: normaliseServiceUri(item.address), ...(typeof item.score === 'number' ? { score: item.score } : {}) });
        } catch {
          /* skip a bad URI */
        }
      }
      this.cache = { at: Date.now(), list };
      return list;
    } catch (e) {
      if (this.cache) return this.cache.list;
      throw e;
    }
  }
}

/**
 * The on-chain active pool with ServiceRegistry URIs, as settlement publishes it in the chain-state
 * KV bucket (`transcoder.<addr>` entries): active, registered, a service URI, stake ≥ minimum.
 */
export class ChainSource implements DiscoverySource {
  readonly kind = 'chain' as const;
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly minStake = 0n,
  ) {}

  async list(): Promise<OrchestratorCandidate[]> {
    const kv = await new Kvm(this.nc).open(chainStateBucket(this.prefix));
    const keys: string[] = [];
    for await (const k of await kv.keys('transcoder.>')) keys.push(k);
    const out: OrchestratorCandidate[] = [];
    for (const key of keys) {
      const entry = await kv.get(key);
      if (entry === null || entry.operation !== 'PUT') continue;
      const parsed = zTranscoderState.safeParse(entry.json());
      if (!parsed.success) continue;
      const t = parsed.data;
      const stake = BigInt(t.stake);
      if (!t.active || t.serviceUri === '' || stake < this.minStake) continue;
      try {
        out.push({ uri: normaliseServiceUri(t.serviceUri), address: t.address.toLowerCase(), stake });
      } catch {
        /* unusable URI */
      }
    }
    return out;
  }
}
