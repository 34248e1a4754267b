import { price, type Price } from '@lpts/protocol';
import type { Redis } from 'ioredis';

/** Balance/price keys expire after 10 minutes without activity (PROTOCOL.md §6.6). */
export const SESSION_PRICE_TTL_S = 600;

/**
 * The fixed session price (§5.2): the first accepted Payment's expected_price per (sender, session),
 * kept in Redis so every replica quotes the same price for the session.
 */
export class SessionPrices {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(sender: string, session: string): string {
    return `${this.prefix}orchestrator:session-price:${sender.toLowerCase()}:${session}`;
  }

  async get(sender: string, session: string): Promise<Price | undefined> {
    const v = await this.redis.get(this.key(sender, session));
    if (v === null) return undefined;
    const [n, d] = v.split('/');
    return price(BigInt(n as string), BigInt(d as string));
  }

  /** Fixes the price if none is fixed yet; refreshes the TTL either way. */
  async fix(sender: string, session: string, p: Price): Promise<void> {
    const key = this.key(sender, session);
    await this.redis.set(key, `${p.num}/${p.den}`, 'EX', SESSION_PRICE_TTL_S, 'NX');
    await this.redis.expire(key, SESSION_PRICE_TTL_S);
  }
}
