/**
 * Exact non-negative-denominator rationals over bigint (Go's big.Rat semantics where Livepeer uses it).
 *
 * Values are NOT reduced automatically: reduction costs a 512-bit gcd, and the hot path (EV credit)
 * only ever adds values that share the denominator 2^256 − 1. Compare, add and multiply are exact on
 * unreduced values; call `ratReduce` where the reduced form is observable (the recipientRand message,
 * error texts, serialisation).
 */
export interface Rational {
  readonly num: bigint;
  /** Always > 0. */
  readonly den: bigint;
}

export class RationalError extends Error {
  override readonly name = 'RationalError';
}

export const RAT_ZERO: Rational = Object.freeze({ num: 0n, den: 1n });

export function rat(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RationalError('rational with zero denominator');
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Lowest terms, as Go's big.Rat always holds them (0 is 0/1). */
export function ratReduce(r: Rational): Rational {
  if (r.num === 0n) return RAT_ZERO;
  const g = gcd(r.num, r.den);
  return g === 1n ? r : { num: r.num / g, den: r.den / g };
}

export function ratAdd(a: Rational, b: Rational): Rational {
  if (a.den === b.den) return { num: a.num + b.num, den: a.den };
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

export function ratSub(a: Rational, b: Rational): Rational {
  return ratAdd(a, { num: -b.num, den: b.den });
}

export function ratMul(a: Rational, b: Rational): Rational {
  return { num: a.num * b.num, den: a.den * b.den };
}

export function ratMulInt(a: Rational, k: bigint): Rational {
  return { num: a.num * k, den: a.den };
}

/** −1, 0 or 1 as a <, =, > b. */
export function ratCmp(a: Rational, b: Rational): -1 | 0 | 1 {
  const l = a.den === b.den ? a.num : a.num * b.den;
  const r = a.den === b.den ? b.num : b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function ratIsZero(a: Rational): boolean {
  return a.num === 0n;
}

/** ⌈a / b⌉ for b > 0, as an integer. */
export function ratCeilDiv(a: Rational, b: Rational): bigint {
  if (b.num <= 0n) throw new RationalError('ratCeilDiv by a non-positive value');
  const n = a.num * b.den;
  const d = a.den * b.num;
  const q = n / d;
  return n % d > 0n ? q + 1n : q;
}

/** Go's Rat.String(): reduced "num/den". */
export function ratString(r: Rational): string {
  const x = ratReduce(r);
  return `${x.num}/${x.den}`;
}

/**
 * Go's Rat.FloatString(prec): decimal with `prec` fraction digits, the last one rounded to nearest
 * with halves away from zero.
 */
export function ratFloatString(r: Rational, prec: number): string {
  const neg = r.num < 0n;
  const n = neg ? -r.num : r.num;
  const scale = 10n ** BigInt(prec);
  let q = (n * scale) / r.den;
  const rem = (n * scale) % r.den;
  if (rem * 2n >= r.den) q += 1n;
  let s = q.toString();
  if (prec > 0) {
    s = s.padStart(prec + 1, '0');
    s = s.slice(0, s.length - prec) + '.' + s.slice(s.length - prec);
  }
  return (neg && q !== 0n ? '-' : '') + s;
}
