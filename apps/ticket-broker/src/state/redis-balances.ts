import { randomBytes } from 'node:crypto';
import { BALANCE_IDLE_TTL_MS, NonceCheck, RAT_ZERO, ratAdd, ratReduce, type Balances, type Clock, type Rational } from '@lpts/pm';
import type { Redis } from 'ioredis';
import { BrokerError } from '../common/broker.errors';
import { CLAIM_NONCES, LuaScript } from './lua-script';
import type { RedisSeenNonces } from './redis-seen-nonces';

const NONCE_RESULT: readonly NonceCheck[] = [NonceCheck.ACCEPTED, NonceCheck.ALREADY_SEEN, NonceCheck.TOO_MANY];

/*
 * One Redis hash per (account, session):
 *   e  epoch token (new each time the entry is created or reset)  t  last touched (ms, the store's clock)
 *   n  last term id                                         c  terms ≤ c are folded into b
 *   b  base "num/den"                                       #<id>  one credit (+) or debit (−) "num/den"
 * Lua only appends terms and moves them atomically (it has no big integers); the exact sum is taken in
 * JS with bigint. Every change is one script, so concurrent replicas never lose an update; a long
 * term list is folded into b by a compare-and-set on (e, c).
 * Terms are immutable and numbered without gaps, so a caller that already knows the sum through
 * term k of epoch e is sent only the terms after k (SNAPSHOT): the reply of a hot session stays one
 * term long instead of up to FOLD_AT terms of 2×78 digits, re-parsed on every payment.
 * A zset index (score = t) serves prune(). Expiry is lazy against the injected clock (the TTL test
 * drives a fake one); a real PEXPIRE of TTL + 1 min backs it up.
 */

/**
 * A write sent with a deadline (ms on the Redis clock, last ARGV; '0' = none) is a no-op once the
 * deadline has passed: a payment refused on a client-side timeout is then never credited later.
 */
export const LATE = `
local function late(d)
  if d == nil or d == '0' then return false end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(d)
end
`;

/**
 * snapshot(key, knownEpoch, knownLast) → { e, c, n, b, term… }. When the caller's basis (the exact
 * sum through term knownLast of epoch knownEpoch) is still valid (same epoch, knownLast in [c, n]),
 * b is '' and only the terms after knownLast follow; otherwise b is the base and every term after c.
 * A fold keeps the sum (and the epoch), so a basis stays valid across it while its terms exist.
 */
const SNAPSHOT = `
local function snapshot(key, ke, kk)
  local h = redis.call('HMGET', key, 'e', 'c', 'n', 'b')
  local c = tonumber(h[2])
  local n = tonumber(h[3])
  local k = tonumber(kk)
  local out = { h[1], h[2], h[3], h[4] }
  local from = c + 1
  if h[1] == ke and k and k >= c and k <= n then
    out[4] = ''
    from = k + 1
  end
  for id = from, n do out[#out + 1] = redis.call('HGET', key, '#' .. id) end
  return out
end
`;

/** Shared prologue: KEYS[1] hash, KEYS[2] index; ARGV[1] now, ARGV[2] ttl, ARGV[3] member. Drops an idle entry. */
const EXPIRE_IF_IDLE = `
local now = tonumber(ARGV[1])
local t = redis.call('HGET', KEYS[1], 't')
if t and now - tonumber(t) > tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
  t = false
end
`;

/**
 * ARGV[4] term, ARGV[5] new epoch, ARGV[6] pexpire, ARGV[9]/ARGV[10] known epoch/last term → SNAPSHOT
 * after appending. With KEYS[3] and ARGV[7]/ARGV[8] it also fixes a session price (SET NX, idle TTL)
 * in the same step (SessionPrices).
 */
const ADD = new LuaScript(`${LATE}${SNAPSHOT}
if late(ARGV[#ARGV]) then return -1 end
${EXPIRE_IF_IDLE}
if KEYS[3] then
  redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[8], 'NX')
  redis.call('PEXPIRE', KEYS[3], ARGV[8])
end
if not t then redis.call('HSET', KEYS[1], 'e', ARGV[5], 'n', 0, 'c', 0, 'b', '0/1') end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], '#' .. n, ARGV[4], 't', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
return snapshot(KEYS[1], ARGV[9], ARGV[10])
`);

/** ARGV[4]/ARGV[5] known epoch/last term → SNAPSHOT (empty when none). */
const GET = new LuaScript(`${SNAPSHOT}${EXPIRE_IF_IDLE}
if not t then return {} end
return snapshot(KEYS[1], ARGV[4], ARGV[5])
`);

/** ARGV[4] pexpire, ARGV[5] new epoch → HGETALL before; the entry is left at 0 (touched, a new epoch). */
const RESERVE = new LuaScript(`${EXPIRE_IF_IDLE}
if not t then return {} end
local all = redis.call('HGETALL', KEYS[1])
local n = tonumber(redis.call('HGET', KEYS[1], 'n'))
local c = tonumber(redis.call('HGET', KEYS[1], 'c'))
for id = c + 1, n do redis.call('HDEL', KEYS[1], '#' .. id) end
redis.call('HSET', KEYS[1], 'b', '0/1', 'c', n, 't', ARGV[1], 'e', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
return all
`);

/** KEYS[1] hash; ARGV: epoch, expected c, new c, new base → 1 folded, 0 lost the race (harmless). */
const FOLD = new LuaScript(`
if redis.call('HGET', KEYS[1], 'e') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'c') ~= ARGV[2] then return 0 end
for id = tonumber(ARGV[2]) + 1, tonumber(ARGV[3]) do redis.call('HDEL', KEYS[1], '#' .. id) end
redis.call('HSET', KEYS[1], 'b', ARGV[4], 'c', ARGV[3])
return 1
`);

/**
 * One round trip for a whole payment: claims its nonces exactly like RedisSeenNonces (KEYS[1] set,
 * KEYS[2] index; ARGV[1] limit, ARGV[2] expiration block, ARGV[3] member, ARGV[4] ttl s, ARGV[5] count,
 * then the nonces) and, only if every nonce was accepted, appends the credit like ADD (KEYS[3] hash,
 * KEYS[4] index, optional KEYS[5] session price; the ADD arguments follow the nonces).
 * → { per-nonce results (0/1/2), SNAPSHOT after the credit or {} when not credited }.
 */
const CLAIM_AND_ADD = new LuaScript(`${LATE}${SNAPSHOT}${CLAIM_NONCES}
if late(ARGV[#ARGV]) then return -1 end
local n = tonumber(ARGV[5])
local out, all = claim_nonces(6, 5 + n)
if not all then return { out, {} } end
local b = 5 + n
local now = tonumber(ARGV[b + 1])
if KEYS[5] then
  redis.call('SET', KEYS[5], ARGV[b + 7], 'PX', ARGV[b + 8], 'NX')
  redis.call('PEXPIRE', KEYS[5], ARGV[b + 8])
end
local t = redis.call('HGET', KEYS[3], 't')
if t and now - tonumber(t) > tonumber(ARGV[b + 2]) then
  redis.call('DEL', KEYS[3])
  t = false
end
if not t then redis.call('HSET', KEYS[3], 'e', ARGV[b + 5], 'n', 0, 'c', 0, 'b', '0/1') end
local id = redis.call('HINCRBY', KEYS[3], 'n', 1)
redis.call('HSET', KEYS[3], '#' .. id, ARGV[b + 4], 't', ARGV[b + 1])
redis.call('PEXPIRE', KEYS[3], ARGV[b + 6])
redis.call('ZADD', KEYS[4], ARGV[b + 1], ARGV[b + 3])
return { out, snapshot(KEYS[3], ARGV[b + 9], ARGV[b + 10]) }
`);

/** KEYS[1] index; ARGV: hash-key prefix, cutoff score → number dropped. */
const PRUNE = new LuaScript(`
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
for _, m in ipairs(members) do redis.call('DEL', ARGV[1] .. m) end
if #members > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2]) end
return #members
`);

/** Fold the term list into the base once it is this long. */
const FOLD_AT = 32;
const REAL_TTL_GRACE_MS = 60_000;
/** Entries whose sum this process remembers (most recently used); the rest are read in full. */
const KNOWN_ENTRIES = 10_000;

/** The exact sum of an entry through term `last` of `epoch`: base plus the later terms grouped by denominator. */
interface Basis {
  epoch: string;
  last: number;
  base: Rational;
  groups: ReadonlyMap<bigint, bigint>;
}

interface Snapshot extends Basis {
  folded: number;
  amount: Rational;
  terms: number;
}

export interface RedisBalancesOptions {
  prefix: string;
  clock?: Clock;
  ttlMs?: number;
}

/** Balances (§6.6) shared by every replica, exact to the wei fraction, with the 10-minute idle TTL. */
export class RedisBalances implements Balances {
  readonly #hashPrefix: string;
  readonly #index: string;
  readonly #clock: Clock;
  readonly #ttl: number;
  /** member → the latest snapshot seen (a basis for SNAPSHOT's delta replies). */
  readonly #known = new Map<string, Basis>();

  constructor(
    private readonly redis: Redis,
    opts: RedisBalancesOptions,
  ) {
    this.#hashPrefix = `${opts.prefix}balance:`;
    this.#index = `${opts.prefix}balance-idle`;
    this.#clock = opts.clock ?? Date.now;
    this.#ttl = opts.ttlMs ?? BALANCE_IDLE_TTL_MS;
  }

  async credit(account: string, session: string, amount: Rational): Promise<void> {
    await this.add(account, session, amount);
  }

  async debit(account: string, session: string, amount: Rational): Promise<void> {
    await this.add(account, session, { num: -amount.num, den: amount.den });
  }

  /**
   * Adds `amount` (may be negative) atomically and returns the new balance. `fixPrice` (a
   * SessionPrices.fixArgs result) is applied in the same script, saving the hot path a round trip.
   */
  async add(
    account: string,
    session: string,
    amount: Rational,
    fixPrice?: { key: string; value: string; ttlMs: number },
    deadlineMs = 0,
  ): Promise<Rational> {
    const member = memberOf(account, session);
    const keys = [this.#hashPrefix + member, this.#index];
    const args: (string | number)[] = [this.#clock(), this.#ttl, member, `${amount.num}/${amount.den}`, newEpoch(), this.#ttl + REAL_TTL_GRACE_MS];
    if (fixPrice !== undefined) {
      keys.push(fixPrice.key);
      args.push(fixPrice.value, fixPrice.ttlMs);
    } else args.push('', '');
    const basis = this.#known.get(member);
    args.push(basis?.epoch ?? '', basis?.last ?? '', deadlineMs);
    const raw = await ADD.run(this.redis, keys, args);
    if (raw === -1) throw lateError('credit');
    const snap = this.#snapshot(member, basis, raw as string[]) as Snapshot;
    if (snap.terms >= FOLD_AT) await this.#fold(member, snap);
    return snap.amount;
  }

  /**
   * Claims a payment's nonces (in order, atomically) and, only when all were accepted, credits
   * `amount` (and fixes the session price) in the same script. `balance` is the new balance when credited.
   */
  async claimAndCredit(
    nonces: RedisSeenNonces,
    claim: { key: string; nonces: readonly number[]; expirationBlock: bigint },
    account: string,
    session: string,
    amount: Rational,
    fixPrice?: { key: string; value: string; ttlMs: number },
    deadlineMs = 0,
  ): Promise<{ results: NonceCheck[]; balance: Rational | undefined }> {
    const n = nonces.layout;
    const member = memberOf(account, session);
    const keys = [n.setPrefix + claim.key, n.index, this.#hashPrefix + member, this.#index];
    const args: (string | number)[] = [n.limit, claim.expirationBlock.toString(), claim.key, n.ttlSeconds, claim.nonces.length, ...claim.nonces];
    args.push(this.#clock(), this.#ttl, member, `${amount.num}/${amount.den}`, newEpoch(), this.#ttl + REAL_TTL_GRACE_MS);
    if (fixPrice !== undefined) {
      keys.push(fixPrice.key);
      args.push(fixPrice.value, fixPrice.ttlMs);
    } else args.push('', '');
    const basis = this.#known.get(member);
    args.push(basis?.epoch ?? '', basis?.last ?? '', deadlineMs);
    const reply = await CLAIM_AND_ADD.run(this.redis, keys, args);
    if (reply === -1) throw lateError('nonce claim and credit');
    const [codes, raw] = reply as [number[], string[]];
    const results = codes.map((c) => NONCE_RESULT[c] as NonceCheck);
    const snap = this.#snapshot(member, basis, raw);
    if (snap !== undefined && snap.terms >= FOLD_AT) await this.#fold(member, snap);
    return { results, balance: snap?.amount };
  }

  async reserve(account: string, session: string): Promise<Rational> {
    const member = memberOf(account, session);
    const raw = await RESERVE.run(this.redis, [this.#hashPrefix + member, this.#index], [
      this.#clock(),
      this.#ttl,
      member,
      this.#ttl + REAL_TTL_GRACE_MS,
      newEpoch(),
    ]);
    this.#known.delete(member);
    return parse(raw as string[])?.amount ?? RAT_ZERO;
  }

  async balance(account: string, session: string): Promise<Rational | undefined> {
    const member = memberOf(account, session);
    const basis = this.#known.get(member);
    const raw = await GET.run(this.redis, [this.#hashPrefix + member, this.#index], [this.#clock(), this.#ttl, member, basis?.epoch ?? '', basis?.last ?? '']);
    return this.#snapshot(member, basis, raw as string[])?.amount;
  }

  async prune(): Promise<number> {
    const cutoff = this.#clock() - this.#ttl;
    return (await PRUNE.run(this.redis, [this.#index], [this.#hashPrefix, cutoff])) as number;
  }

  async #fold(member: string, snap: Snapshot): Promise<void> {
    const base = ratReduce(snap.amount);
    await FOLD.run(this.redis, [this.#hashPrefix + member], [snap.epoch, String(snap.folded), String(snap.last), `${base.num}/${base.den}`]);
  }

  /** A SNAPSHOT reply read against the basis its request was sent with; remembered as the member's next basis. */
  #snapshot(member: string, basis: Basis | undefined, flat: string[]): Snapshot | undefined {
    const snap = fromSnapshot(flat, basis);
    this.#known.delete(member);
    if (snap === undefined) return undefined;
    if (this.#known.size >= KNOWN_ENTRIES) this.#known.delete(this.#known.keys().next().value as string);
    this.#known.set(member, { epoch: snap.epoch, last: snap.last, base: snap.base, groups: snap.groups });
    return snap;
  }
}

const EPOCH_PREFIX = randomBytes(8).toString('hex');
let epochCounter = 0;
/** A token unique to one creation of an entry (process-random prefix + counter: no RNG call per credit). */
function newEpoch(): string {
  return `${EPOCH_PREFIX}.${++epochCounter}`;
}

function lateError(what: string): BrokerError {
  return new BrokerError('STATE_UNAVAILABLE', `${what} reached Redis after its deadline: not applied`, { retryable: true, details: { what } });
}

function memberOf(account: string, session: string): string {
  return `${account}:${session}`;
}

function parseRat(s: string): Rational {
  const i = s.indexOf('/');
  return { num: BigInt(s.slice(0, i)), den: BigInt(s.slice(i + 1)) };
}

/**
 * SNAPSHOT reply → snapshot (undefined when empty). Terms are summed per denominator first (ticket
 * EVs all share 2^256 − 1), so the denominator does not grow with the number of terms.
 */
function fromSnapshot(flat: string[], basis: Basis | undefined): Snapshot | undefined {
  if (flat.length === 0) return undefined;
  const epoch = flat[0] as string;
  const folded = Number(flat[1]);
  const last = Number(flat[2]);
  const b = flat[3] as string;
  let base: Rational;
  let groups: Map<bigint, bigint>;
  if (b === '') {
    // only the terms after the basis were sent (same epoch, its terms not yet folded away)
    if (basis === undefined || basis.epoch !== epoch) throw new Error('balance snapshot: a delta reply without its basis');
    base = basis.base;
    groups = new Map(basis.groups);
  } else {
    base = parseRat(b);
    groups = new Map();
  }
  for (let i = 4; i < flat.length; i++) {
    const r = parseRat(flat[i] as string);
    groups.set(r.den, (groups.get(r.den) ?? 0n) + r.num);
  }
  let amount = base;
  for (const [den, num] of groups) amount = ratAdd(amount, { num, den });
  return { epoch, folded, last, base, groups, amount, terms: last - folded };
}

/** HGETALL reply (RESERVE's "before") → snapshot (undefined when empty). Terms are summed only when their id is > c. */
function parse(flat: string[]): Omit<Snapshot, 'base' | 'groups'> | undefined {
  if (flat.length === 0) return undefined;
  let epoch = '';
  let folded = 0;
  let last = 0;
  let base: Rational = RAT_ZERO;
  const terms: [number, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const f = flat[i] as string;
    const v = flat[i + 1] as string;
    if (f === 'e') epoch = v;
    else if (f === 'c') folded = Number(v);
    else if (f === 'n') last = Number(v);
    else if (f === 'b') base = parseRat(v);
    else if (f.startsWith('#')) terms.push([Number(f.slice(1)), v]);
  }
  // sum terms per denominator first (ticket EVs all share 2^256 − 1), so the denominator does not
  // grow with the number of terms; then add the few groups to the base
  const byDen = new Map<bigint, bigint>();
  let count = 0;
  for (const [id, v] of terms) {
    if (id <= folded) continue;
    const r = parseRat(v);
    byDen.set(r.den, (byDen.get(r.den) ?? 0n) + r.num);
    count++;
  }
  let amount = base;
  for (const [den, num] of byDen) amount = ratAdd(amount, { num, den });
  return { epoch, folded, last, amount, terms: count };
}
