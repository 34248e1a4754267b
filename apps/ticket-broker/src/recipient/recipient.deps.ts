import { RecipientSecret } from '@lpts/pm';
import { addressToBytes } from '@lpts/protocol';
import type { Redis } from 'ioredis';
import type { TicketBrokerConfig } from '../config/ticket-broker.env';
import { RedisBalances } from '../state/redis-balances';
import { RedisSeenNonces } from '../state/redis-seen-nonces';
import { SessionPrices } from '../state/session-prices';
import { loadOrCreateRecipientSecret } from '../state/shared-secret';
import { WinnerQueue } from './winner-queue';

/** Everything the recipient side keeps outside the process (Redis), built once at start. */
export interface RecipientDeps {
  readonly redis: Redis;
  /** 20 bytes: BROKER_RECIPIENT_ADDRESS. */
  readonly recipient: Uint8Array;
  readonly recipientAddresses: readonly Uint8Array[];
  readonly secret: RecipientSecret;
  readonly nonces: RedisSeenNonces;
  readonly balances: RedisBalances;
  readonly prices: SessionPrices;
  readonly winners: WinnerQueue;
  /** Now on the Redis server's clock (ms), for write deadlines (LATE in redis-balances). */
  redisNow(): number;
}

/** Offset of the Redis clock from ours (ms), measured once at start. */
async function redisClockOffset(redis: Redis): Promise<number> {
  const before = Date.now();
  const [sec, usec] = await redis.time();
  const after = Date.now();
  return Number(sec) * 1000 + Math.floor(Number(usec) / 1000) - (before + after) / 2;
}

export async function createRecipientDeps(redis: Redis, config: TicketBrokerConfig): Promise<RecipientDeps> {
  const address = config.BROKER_RECIPIENT_ADDRESS as string;
  const prefix = `${config.REDIS_KEY_PREFIX}broker:`;
  const recipient = addressToBytes(address);
  const offset = await redisClockOffset(redis);
  return {
    redisNow: () => Date.now() + offset,
    redis,
    recipient,
    recipientAddresses: [recipient, ...config.BROKER_EXTRA_RECIPIENT_ADDRESSES.map(addressToBytes)],
    secret: new RecipientSecret(await loadOrCreateRecipientSecret(redis, prefix, address)),
    nonces: new RedisSeenNonces(redis, { prefix, limit: config.BROKER_MAX_NONCES, ttlSeconds: config.BROKER_NONCE_TTL_S }),
    balances: new RedisBalances(redis, { prefix }),
    prices: new SessionPrices(redis, prefix),
    winners: new WinnerQueue(redis, config.NATS_SUBJECT_PREFIX),
  };
}
