import type { Rational } from '@lpts/pm';

export interface RationalJson {
  num: string;
  den: string;
}

export function ratToJson(r: Rational): RationalJson {
  return { num: r.num.toString(), den: r.den.toString() };
}

export function ratFromJson(r: RationalJson): Rational {
  return { num: BigInt(r.num), den: BigInt(r.den) };
}
