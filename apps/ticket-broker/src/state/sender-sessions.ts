import type { Rational } from '@lpts/pm';
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script';
import type { SessionPrices } from './session-prices';

/**
 * KEYS[1] the nonce counter of one PM session (recipientRandHash), KEYS[2] the initial price of one
 * (recipient, O session). ARGV[1] nonces to reserve (0: none), ARGV[2] counter TTL (ms), ARGV[3] this
 * payment's price "num/den", ARGV[4] the price's idle TTL (ms).
 * → { last nonce reserved (0 when none), the initial price ('' when this call fixed it) }.
 */
const RESERVE = new LuaScript(`
local last = 0
local n = tonumber(ARGV[1])
if n > 0 then
  last = redis.call('INCRBY', KEYS[1], n)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local initial = redis.call('GET', KEYS[2])
if initial then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
else
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
  initial = ''
end
return { last, initial }
`);

/** Real time per L1 block, for the nonce counter's TTL (missed slots only make blocks slower). */
const L1_BLOCK_MS = 12_000;
/** Kept this long past the params' expiration block, in case L1 blocks come slower. */
const NONCE_TTL_GRACE_MS = 60 * 60 * 1000;
/** Params claiming a far expiration block get no more than this. */
const NONCE_TTL_MAX_MS = 7 * 24 * 60 * 60 * 1000;

export interface SenderSessionsOptions {
  /** Key prefix (REDIS_KEY_PREFIX, the broker's namespace and the sender's address). */
  prefix: string;
  /** The initial prices' keys, values and idle TTL. */
  prices: SessionPrices;
}

/** What one payment reserved: nonces first…first+count−1, and the (recipient, session)'s initial price. */
export interface SenderReservation {
  first: number;
  count: number;
  /** Undefined when this payment's price became the initial one. */
  initialPrice: Rational | undefined;
}

/**
 * The sender's PM sessions in Redis (§6.5): one nonce counter per recipientRandHash, reserved with
 * INCRBY (so replicas with the same key, or a restarted broker, never hand out a nonce twice; unused
 * nonces are simply skipped), and the initial price per (recipient, O session) for the "more than
 * doubled" guard (§5.6), fixed by the first payment. One script, one round trip.
 */
export class SenderSessions {
  readonly #noncePrefix: string;
  readonly #prices: SessionPrices;

  constructor(
    private readonly redis: Redis,
    opts: SenderSessionsOptions,
  ) {
    this.#noncePrefix = `${opts.prefix}nonce:`;
    this.#prices = opts.prices;
  }

  /** Counter TTL: the params' remaining L1 blocks in real time plus a grace period. */
  static nonceTtlMs(expirationBlock: bigint, lastSeenL1Block: bigint): number {
    const left = expirationBlock > lastSeenL1Block ? expirationBlock - lastSeenL1Block : 0n;
    const ms = left * BigInt(L1_BLOCK_MS) + BigInt(NONCE_TTL_GRACE_MS);
    return ms > BigInt(NONCE_TTL_MAX_MS) ? NONCE_TTL_MAX_MS : Number(ms);
  }

  /**
   * Reserves `count` nonces of the PM session `recipientRandHash` (0x hex) and fixes `price` as the
   * initial price of (recipient, session) unless one is set; returns the reservation and the initial price.
   */
  async reserve(
    recipientRandHash: string,
    count: number,
    nonceTtlMs: number,
    recipient: string,
    session: string,
    price: Rational,
  ): Promise<SenderReservation> {
    const fix = this.#prices.fixArgs(recipient, session, price);
    const [last, initial] = (await RESERVE.run(this.redis, [this.#noncePrefix + recipientRandHash, fix.key], [count, nonceTtlMs, fix.value, fix.ttlMs])) as [
      number,
      string,
    ];
    return { first: last - count + 1, count, initialPrice: initial === '' ? undefined : parseRat(initial) };
  }
}

function parseRat(s: string): Rational {
  const i = s.indexOf('/');
  return { num: BigInt(s.slice(0, i)), den: BigInt(s.slice(i + 1)) };
}
