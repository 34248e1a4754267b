import { create } from '@bufbuild/protobuf';
import { PriceInfoSchema } from '../gen/net/lp_rpc_pb';
import type { PriceInfo } from '../gen/net/lp_rpc_pb';
import { PricingError } from './pricing.errors';

/** A price in wei per pixel (or AI unit): the reduced rational num/den with den > 0 (§5.1). */
export interface Price {
  readonly num: bigint;
  readonly den: bigint;
}

const INT64_MAX = (1n << 63n) - 1n;
const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** num/den reduced, sign on the numerator. den = 0 → `pixels per unit is 0`. */
export function price(num: bigint, den = 1n): Price {
  if (den === 0n) throw new PricingError('PIXELS_PER_UNIT_ZERO', 'pixels per unit is 0', { details: { pricePerUnit: num, pixelsPerUnit: den } });
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

export const ZERO_PRICE: Price = Object.freeze({ num: 0n, den: 1n });

/** PriceInfo → reduced rational (2000/1000 ≡ 2/1). */
export function priceFromInfo(info: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'>): Price {
  return price(info.pricePerUnit, info.pixelsPerUnit);
}

/** Rational → PriceInfo (both numbers must fit int64). */
export function priceToInfo(p: Price, extra: { capability?: number; constraint?: string } = {}): PriceInfo {
  if (abs(p.num) > INT64_MAX || p.den > INT64_MAX) {
    throw new PricingError('INVALID_PRICE', `price ${formatPrice(p)} does not fit int64 PriceInfo fields`, {
      details: { num: p.num, den: p.den, max: INT64_MAX },
    });
  }
  return create(PriceInfoSchema, { pricePerUnit: p.num, pixelsPerUnit: p.den, capability: extra.capability ?? 0, constraint: extra.constraint ?? '' });
}

export function comparePrices(a: Price, b: Price): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function multiplyPrice(p: Price, factor: Price | bigint): Price {
  const f = typeof factor === 'bigint' ? { num: factor, den: 1n } : factor;
  return price(p.num * f.num, p.den * f.den);
}

export function addPrices(a: Price, b: Price): Price {
  return price(a.num * b.den + b.num * a.den, a.den * b.den);
}

/** Go's big.Rat text: always `num/den` (e.g. `3/1`). */
export function formatPrice(p: Price): string {
  return `${p.num}/${p.den}`;
}

/** floor for non-negative rationals, truncation toward zero in general (Go's Int.Quo). */
export function truncRational(p: Price): bigint {
  return p.num / p.den;
}

/** Smallest integer ≥ p. */
export function ceilRational(p: Price): bigint {
  const q = p.num / p.den;
  return p.num % p.den !== 0n && p.num > 0n ? q + 1n : q;
}

/**
 * `-autoAdjustPrice` (§5.3): overhead = 1 + txCost/faceValue (1 when base = 0 or txCost ≤ 0);
 * price = trunc(base × overhead × 1000) / 1000, reduced. Example: base 1/2, txCost/faceValue = 1/100 → 101/200.
 */
export function autoAdjustPrice(base: Price, cost: { txCost: bigint; faceValue: bigint }): Price {
  let overhead: Price = { num: 1n, den: 1n };
  if (base.num > 0n && cost.txCost > 0n) {
    if (cost.faceValue <= 0n) {
      throw new PricingError('INVALID_PRICE', `face value ${cost.faceValue} must be positive to adjust a price`, {
        details: { faceValue: cost.faceValue, txCost: cost.txCost },
      });
    }
    overhead = price(cost.faceValue + cost.txCost, cost.faceValue);
  }
  const scaled = base.num * overhead.num * 1000n;
  const fixed = scaled / (base.den * overhead.den); // truncation toward zero
  return price(fixed, 1000n);
}

/** §5.2: a `capabilities_prices` entry as Go uses it — integer floor(num/den) per unit. */
export function integerCapabilityPrice(info: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'>): Price {
  const p = priceFromInfo(info);
  const n = p.num / p.den;
  return { num: n < 0n && p.num % p.den !== 0n ? n - 1n : n, den: 1n };
}
