import { Redis } from 'ioredis';

/**
 * An ioredis connection that fails fast while Redis is unreachable (no offline queue), so a
 * payment is refused as retryable instead of waiting; it reconnects in the background.
 */
export async function connectRedis(url: string, name: string, timeoutMs = 5000): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 50, 500),
    lazyConnect: true,
  });
  redis.on('error', () => undefined); // surfaced per command; reconnection is automatic
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (e) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${url}: ${(e as Error).message}`, { cause: e });
  }
  return redis;
}
