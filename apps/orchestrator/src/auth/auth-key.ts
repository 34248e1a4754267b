import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export const AUTH_KEY_BYTES = 32;

/**
 * The auth-token HMAC key shared by every replica of one orchestrator (PROTOCOL.md §3.4, lpts note):
 * 32 random bytes written once with SET NX (never overwritten, no TTL), then read back, so the
 * first replica's key wins and a restart keeps it.
 */
export async function sharedAuthKey(redis: Redis, key: string, random: (n: number) => Buffer = randomBytes): Promise<Buffer> {
  await redis.set(key, random(AUTH_KEY_BYTES).toString('hex'), 'NX');
  const hex = await redis.get(key);
  if (hex === null || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(`auth-token key at Redis key ${key} is missing or malformed (expected 64 hex chars)`);
  }
  return Buffer.from(hex, 'hex');
}

export function authKeyRedisKey(prefix: string, address: string): string {
  return `${prefix}orchestrator:${address.toLowerCase()}:auth-key`;
}
