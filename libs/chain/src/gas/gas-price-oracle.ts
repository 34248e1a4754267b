import { ChainError } from '../errors/chain-error';
import type { RpcClient } from '../rpc/rpc-client';

export interface GasPriceOracleOptions {
  /** Lowest price ever returned (wei). Default 0. */
  floor?: bigint;
  /** Highest price ever returned (wei); readings above it are clamped. */
  ceiling: bigint;
  /** A reading is reused for this long. Default 5 000 ms. */
  cacheMs?: number;
  /** How many accepted readings form the median. Default 20. */
  window?: number;
  /** A reading above `absurdFactor × median` is ignored. Default 10. */
  absurdFactor?: bigint;
  /** An ignored high reading is accepted once it repeats this many times in a row (a real regime change). Default 3. */
  confirmations?: number;
  now?: () => number;
}

export interface GasPriceReading {
  /** The price to use (clamped to [floor, ceiling]). */
  gasPrice: bigint;
  /** The endpoint's raw answer for this reading, when one was taken. */
  raw?: bigint;
  /** Why the raw answer was not used as is. */
  ignored?: 'zero' | 'absurd' | 'failed';
  median: bigint;
}

/**
 * Gas-price oracle with sanity bounds (PROTOCOL.md §8 A2): `eth_gasPrice`, cached; a reading of
 * zero, or above `absurdFactor ×` the median of recent accepted readings, is ignored (the median is
 * used instead) unless it repeats `confirmations` times; the result is clamped to [floor, ceiling].
 */
export class GasPriceOracle {
  private readonly history: bigint[] = [];
  private cached?: { at: number; reading: GasPriceReading };
  private inflight?: Promise<GasPriceReading>;
  private suspect?: { price: bigint; count: number };
  private readonly floor: bigint;
  private readonly ceiling: bigint;
  private readonly cacheMs: number;
  private readonly window: number;
  private readonly absurdFactor: bigint;
  private readonly confirmations: number;
  private readonly now: () => number;

  constructor(
    private readonly rpc: RpcClient,
    options: GasPriceOracleOptions,
  ) {
    this.floor = options.floor ?? 0n;
    this.ceiling = options.ceiling;
    if (this.ceiling < this.floor) throw new Error('gas price ceiling below floor');
    this.cacheMs = options.cacheMs ?? 5_000;
    this.window = options.window ?? 20;
    this.absurdFactor = options.absurdFactor ?? 10n;
    this.confirmations = options.confirmations ?? 3;
    this.now = options.now ?? Date.now;
  }

  /** The gas price to use now (wei). */
  async getGasPrice(): Promise<bigint> {
    return (await this.read()).gasPrice;
  }

  /** The full reading, with the raw answer and why it was ignored. */
  read(): Promise<GasPriceReading> {
    const c = this.cached;
    if (c && this.now() - c.at < this.cacheMs) return Promise.resolve(c.reading);
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Median of recent accepted readings (0 when none). */
  median(): bigint {
    if (this.history.length === 0) return 0n;
    const s = [...this.history].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const mid = s.length >> 1;
    return s.length % 2 === 1 ? (s[mid] as bigint) : ((s[mid - 1] as bigint) + (s[mid] as bigint)) / 2n;
  }

  private async fetch(): Promise<GasPriceReading> {
    let raw: bigint | undefined;
    try {
      raw = BigInt(await this.rpc.request<string>('eth_gasPrice', []));
    } catch (e) {
      if (this.history.length === 0) {
        throw new ChainError('NO_GAS_PRICE', 'no gas price reading available', { retryable: true, cause: e });
      }
      return this.remember({ gasPrice: this.clamp(this.median()), ignored: 'failed', median: this.median() });
    }
    const med = this.median();
    let ignored: GasPriceReading['ignored'];
    if (raw === 0n) ignored = 'zero';
    else if (med > 0n && raw > med * this.absurdFactor) {
      const s: { price: bigint; count: number } =
        this.suspect && within2x(this.suspect.price, raw) ? { price: raw, count: this.suspect.count + 1 } : { price: raw, count: 1 };
      this.suspect = s;
      if (s.count < this.confirmations) ignored = 'absurd';
    }
    if (ignored === undefined) {
      this.suspect = undefined;
      if (med > 0n && raw > med * this.absurdFactor) this.history.length = 0; // confirmed regime change
      this.history.push(raw);
      if (this.history.length > this.window) this.history.shift();
    }
    const basis = ignored === undefined ? raw : med;
    if (basis === 0n && this.floor === 0n) {
      throw new ChainError('NO_GAS_PRICE', `gas price reading ignored (${ignored ?? 'zero'}) and no history`, {
        retryable: true,
        details: { raw },
      });
    }
    return this.remember({ gasPrice: this.clamp(basis), raw, ...(ignored ? { ignored } : {}), median: this.median() });
  }

  private remember(reading: GasPriceReading): GasPriceReading {
    this.cached = { at: this.now(), reading };
    return reading;
  }

  private clamp(p: bigint): bigint {
    return p < this.floor ? this.floor : p > this.ceiling ? this.ceiling : p;
  }
}

function within2x(a: bigint, b: bigint): boolean {
  return a <= b * 2n && b <= a * 2n;
}
