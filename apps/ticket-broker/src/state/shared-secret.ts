import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The recipient's 32-byte ticket secret, shared by every replica: created once with SET NX under
 * `<prefix>recipient-secret:<address>` and never replaced (the first writer wins; the others read it).
 * Rotating it would make every outstanding TicketParams unusable, so it is never done silently.
 */
export async function loadOrCreateRecipientSecret(redis: Redis, prefix: string, recipient: string): Promise<Uint8Array> {
  const key = `${prefix}recipient-secret:${recipient.toLowerCase()}`;
  await redis.set(key, randomBytes(32).toString('hex'), 'NX');
  const hex = await redis.get(key);
  if (hex === null || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(`recipient secret at ${key} is missing or malformed (expected 64 hex chars)`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
