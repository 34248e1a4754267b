import { MAX_SENDER_NONCES, NonceCheck, type SeenNonces } from '@lpts/pm';
import type { Redis } from 'ioredis';
import { BrokerError } from '../common/broker.errors';
import { CLAIM_NONCES, LuaScript } from './lua-script';
import { LATE } from './redis-balances';

/**
 * KEYS[1] nonce set, KEYS[2] expiry index (zset: member = key, score = expiration block).
 * ARGV: limit, expirationBlock, member, ttlSeconds, deadline (LATE), nonce… → one result per nonce, in order:
 * 0 accepted, 1 already seen, 2 too many. The whole list is checked atomically, in order.
 */
const CHECK = new LuaScript(`${LATE}${CLAIM_NONCES}
if late(ARGV[5]) then return -1 end
local out = claim_nonces(6, #ARGV)
return out
`);

/** KEYS[1] index; ARGV: set-key prefix, latest block → number of sets dropped. */
const PRUNE = new LuaScript(`
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
for _, m in ipairs(members) do
  redis.call('DEL', ARGV[1] .. m)
end
if #members > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2]) end
return #members
`);

const RESULT: readonly NonceCheck[] = [NonceCheck.ACCEPTED, NonceCheck.ALREADY_SEEN, NonceCheck.TOO_MANY];

export interface RedisSeenNoncesOptions {
  /** Key prefix (REDIS_KEY_PREFIX, with the broker's namespace). */
  prefix: string;
  limit?: number;
  /** Real-time backstop TTL of a set; the block-based prune() is the normal path. */
  ttlSeconds?: number;
}

/**
 * SeenNonces shared by every replica (§6.7 6g–6h): one Redis set per PM session (hex
 * recipientRandHash), checked and added by one Lua script, so two replicas can never both accept
 * a nonce. `checkMany` claims a whole payment's nonces in one atomic step.
 */
export class RedisSeenNonces implements SeenNonces {
  readonly limit: number;
  readonly #setPrefix: string;
  readonly #index: string;
  readonly #ttl: number;

  /** Key names and parameters, for scripts that claim nonces together with other state (RedisBalances.claimAndCredit). */
  get layout(): { setPrefix: string; index: string; limit: number; ttlSeconds: number } {
    return { setPrefix: this.#setPrefix, index: this.#index, limit: this.limit, ttlSeconds: this.#ttl };
  }

  constructor(
    private readonly redis: Redis,
    opts: RedisSeenNoncesOptions,
  ) {
    this.limit = opts.limit ?? MAX_SENDER_NONCES;
    this.#setPrefix = `${opts.prefix}nonces:`;
    this.#index = `${opts.prefix}nonces-expiry`;
    this.#ttl = opts.ttlSeconds ?? 3600;
  }

  async check(key: string, nonce: number, expirationBlock: bigint): Promise<NonceCheck> {
    const [r] = await this.checkMany(key, [nonce], expirationBlock);
    return r as NonceCheck;
  }

  /** Checks `nonces` in order as one atomic step; one result per nonce. */
  async checkMany(key: string, nonces: readonly number[], expirationBlock: bigint, deadlineMs = 0): Promise<NonceCheck[]> {
    if (nonces.length === 0) return [];
    const out = await CHECK.run(this.redis, [this.#setPrefix + key, this.#index], [this.limit, expirationBlock.toString(), key, this.#ttl, deadlineMs, ...nonces]);
    if (out === -1) {
      throw new BrokerError('STATE_UNAVAILABLE', 'nonce claim reached Redis after its deadline: not applied', { retryable: true, details: { key } });
    }
    return (out as number[]).map((x) => RESULT[x] as NonceCheck);
  }

  async prune(latestL1Block: bigint): Promise<number> {
    return (await PRUNE.run(this.redis, [this.#index], [this.#setPrefix, latestL1Block.toString()])) as number;
  }

  async count(key: string): Promise<number> {
    return this.redis.scard(this.#setPrefix + key);
  }
}

/**
 * The SeenNonces one payment sees: the first check claims every nonce of the payment at once
 * (RedisSeenNonces.checkMany), later checks read the answers. Two replicas given the same payment
 * therefore credit it exactly once, not a ticket each. Cost: a ticket whose signature later fails
 * has its nonce recorded too (Go would not record it); only a holder of the exact params can do that.
 */
export class PaymentNonces implements SeenNonces {
  #answers: Map<number, NonceCheck[]> | undefined;

  constructor(
    private readonly store: RedisSeenNonces,
    private readonly nonces: readonly number[],
  ) {}

  async check(key: string, nonce: number, expirationBlock: bigint): Promise<NonceCheck> {
    if (this.#answers === undefined) {
      const results = await this.store.checkMany(key, this.nonces, expirationBlock);
      const answers = new Map<number, NonceCheck[]>();
      this.nonces.forEach((n, i) => {
        const list = answers.get(n) ?? [];
        list.push(results[i] as NonceCheck);
        answers.set(n, list);
      });
      this.#answers = answers;
    }
    const next = this.#answers.get(nonce)?.shift();
    return next ?? this.store.check(key, nonce, expirationBlock);
  }

  prune(latestL1Block: bigint): Promise<number> {
    return this.store.prune(latestL1Block);
  }

  count(key: string): Promise<number> {
    return this.store.count(key);
  }
}
