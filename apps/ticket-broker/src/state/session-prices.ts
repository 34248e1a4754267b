import { ratReduce, type Rational } from '@lpts/pm';
import type { Redis } from 'ioredis';

/**
 * Fixed session prices (§6.7 step 5): the first payment of a (sender, session) fixes the price the
 * orchestrator debits at; later payments do not change it (SET NX). Idle entries go after 10 minutes.
 */
export class SessionPrices {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 10 * 60 * 1000,
  ) {}

  #key(sender: string, session: string): string {
    return `${this.prefix}session-price:${sender}:${session}`;
  }

  /** The SET NX + PEXPIRE arguments, for RedisBalances.add to apply in its own script. */
  fixArgs(sender: string, session: string, price: Rational): { key: string; value: string; ttlMs: number } {
    const p = ratReduce(price);
    return { key: this.#key(sender, session), value: `${p.num}/${p.den}`, ttlMs: this.ttlMs };
  }

  /** Fixes the price unless one is set; refreshes the idle TTL either way. */
  async fix(sender: string, session: string, price: Rational): Promise<void> {
    const { key, value } = this.fixArgs(sender, session, price);
    const res = await this.redis.pipeline().set(key, value, 'PX', this.ttlMs, 'NX').pexpire(key, this.ttlMs).exec();
    const failed = res?.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  async get(sender: string, session: string): Promise<Rational | undefined> {
    const v = await this.redis.get(this.#key(sender, session));
    if (v === null) return undefined;
    const [num, den] = v.split('/');
    return { num: BigInt(num as string), den: BigInt(den as string) };
  }
}
