import { ChainError } from '../errors/chain-error';
import { HttpRpcClient, type HttpRpcClientOptions } from './http-rpc-client';
import { type RpcCall, type RpcClient, type RpcOutcome, RpcResponseError } from './rpc-client';

/** A client bound to one endpoint, as the failover client uses it. */
export interface EndpointClient extends RpcClient {
  readonly url: string;
}

export interface FailoverOptions extends HttpRpcClientOptions {
  /** Score lost on a failure (scores live in [0, 1]). Default 0.5. */
  failurePenalty?: number;
  /** Score gained on a success. Default 0.1. */
  successBonus?: number;
  /** Time for a score to recover from 0 to 1 on its own. Default 60 000 ms. */
  recoveryMs?: number;
  /** After a failure, the endpoint is tried last for this long (doubling per consecutive failure, capped ×16). Default 5 000 ms. */
  cooldownMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

export interface EndpointHealth {
  url: string;
  score: number;
  consecutiveFailures: number;
  coolingDown: boolean;
  lastError?: string;
}

interface EndpointState {
  client: EndpointClient;
  index: number;
  score: number;
  at: number;
  consecutiveFailures: number;
  cooldownUntil: number;
  lastError?: string;
}

/** JSON-RPC error codes that mean "this endpoint is overloaded", not "your request is wrong". */
const ENDPOINT_FAULT_CODES = new Set([-32005, 429]);

/**
 * Several RPC endpoints with health-scored failover (PROTOCOL.md §8 A12).
 *
 * Each request goes to the healthiest endpoint that is not cooling down; a transport failure
 * (network error, timeout, HTTP status, rate limit) lowers that endpoint's score, starts its
 * cooldown and moves on to the next one. Scores recover linearly over `recoveryMs`. A JSON-RPC
 * error answer (revert, nonce too low…) is an answer: it is returned to the caller at once.
 * When every endpoint failed the request, it throws ChainError ALL_ENDPOINTS_DOWN.
 */
export class FailoverRpcClient implements RpcClient {
  private readonly endpoints: EndpointState[];
  private readonly failurePenalty: number;
  private readonly successBonus: number;
  private readonly recoveryMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(endpoints: readonly (string | EndpointClient)[], options: FailoverOptions = {}) {
    if (endpoints.length === 0) throw new Error('FailoverRpcClient needs at least one endpoint');
    this.now = options.now ?? Date.now;
    this.failurePenalty = options.failurePenalty ?? 0.5;
    this.successBonus = options.successBonus ?? 0.1;
    this.recoveryMs = options.recoveryMs ?? 60_000;
    this.cooldownMs = options.cooldownMs ?? 5_000;
    const t = this.now();
    this.endpoints = endpoints.map((e, index) => ({
      client: typeof e === 'string' ? new HttpRpcClient(e, options) : e,
      index,
      score: 1,
      at: t,
      consecutiveFailures: 0,
      cooldownUntil: 0,
    }));
  }

  request<T = unknown>(method: string, params: readonly unknown[]): Promise<T> {
    return this.withFailover(method, (c) => c.request<T>(method, params));
  }

  batch(calls: readonly RpcCall[]): Promise<RpcOutcome[]> {
    return this.withFailover(`batch of ${calls.length}`, (c) => c.batch(calls));
  }

  /** Current health of every endpoint, in configured order. */
  health(): EndpointHealth[] {
    const t = this.now();
    return this.endpoints.map((e) => ({
      url: e.client.url,
      score: this.effectiveScore(e, t),
      consecutiveFailures: e.consecutiveFailures,
      coolingDown: e.cooldownUntil > t,
      ...(e.lastError === undefined ? {} : { lastError: e.lastError }),
    }));
  }

  private async withFailover<T>(what: string, fn: (c: EndpointClient) => Promise<T>): Promise<T> {
    const errors: string[] = [];
    let lastCause: unknown;
    for (const ep of this.ranked()) {
      try {
        const out = await fn(ep.client);
        this.recordSuccess(ep);
        return out;
      } catch (e) {
        if (e instanceof RpcResponseError && !ENDPOINT_FAULT_CODES.has(e.rpcCode)) {
          this.recordSuccess(ep); // the endpoint is alive and answered
          throw e;
        }
        const msg = e instanceof Error ? e.message : String(e);
        this.recordFailure(ep, msg);
        errors.push(`${ep.client.url}: ${msg}`);
        lastCause = e;
      }
    }
    throw new ChainError('ALL_ENDPOINTS_DOWN', `all ${this.endpoints.length} RPC endpoints failed (${what}): ${errors.join('; ')}`, {
      retryable: true,
      details: { endpoints: this.endpoints.length, request: what, lastError: errors[errors.length - 1] },
      cause: lastCause,
    });
  }

  /** Endpoints not cooling down first, then by score (highest first), then configured order. */
  private ranked(): EndpointState[] {
    const t = this.now();
    return [...this.endpoints].sort((a, b) => {
      const ca = a.cooldownUntil > t ? 1 : 0;
      const cb = b.cooldownUntil > t ? 1 : 0;
      if (ca !== cb) return ca - cb;
      const d = this.effectiveScore(b, t) - this.effectiveScore(a, t);
      return Math.abs(d) > 1e-9 ? d : a.index - b.index;
    });
  }

  private effectiveScore(e: EndpointState, t: number): number {
    return Math.min(1, e.score + Math.max(0, t - e.at) / this.recoveryMs);
  }

  private recordSuccess(e: EndpointState): void {
    const t = this.now();
    e.score = Math.min(1, this.effectiveScore(e, t) + this.successBonus);
    e.at = t;
    e.consecutiveFailures = 0;
    e.cooldownUntil = 0;
  }

  private recordFailure(e: EndpointState, message: string): void {
    const t = this.now();
    e.score = Math.max(0, this.effectiveScore(e, t) - this.failurePenalty);
    e.at = t;
    e.consecutiveFailures += 1;
    e.cooldownUntil = t + this.cooldownMs * Math.min(16, 2 ** (e.consecutiveFailures - 1));
    e.lastError = message;
  }
}
