import { NonceCheck, balancesConformance, rat, seenNoncesConformance } from '@lpts/pm';
import { startRedis, uniquePrefix, type StartedRedis } from '@lpts/testing';
import type { Redis } from 'ioredis';
import { connectRedis } from '../common/redis-connection';
import { RedisBalances } from './redis-balances';
import { PaymentNonces, RedisSeenNonces } from './redis-seen-nonces';
import { SessionPrices } from './session-prices';
import { loadOrCreateRecipientSecret } from './shared-secret';

jest.setTimeout(30_000);

describe('Redis payment state (real redis-server)', () => {
  let server: StartedRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = await connectRedis(server.url, 'spec');
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  describe('RedisSeenNonces conformance', () => {
    for (const c of seenNoncesConformance((limit) => new RedisSeenNonces(redis, { prefix: uniquePrefix('n') + ':', limit }))) it(c.name, c.run);
  });

  describe('RedisBalances conformance', () => {
    for (const c of balancesConformance((clock, ttlMs) => new RedisBalances(redis, { prefix: uniquePrefix('b') + ':', clock, ttlMs }))) it(c.name, c.run);
  });

  it('checkMany claims a payment atomically: the same payment twice at once is accepted exactly once, in full', async () => {
    const s = new RedisSeenNonces(redis, { prefix: uniquePrefix('n') + ':' });
    const nonces = Array.from({ length: 50 }, (_, i) => i + 1);
    const [a, b] = await Promise.all([s.checkMany('k', nonces, 100n), s.checkMany('k', nonces, 100n)]);
    const accepted = [a, b].filter((r) => r.every((x) => x === NonceCheck.ACCEPTED));
    const refused = [a, b].filter((r) => r.every((x) => x === NonceCheck.ALREADY_SEEN));
    expect([accepted.length, refused.length]).toEqual([1, 1]);
    // a nonce repeated inside one payment: the second copy is already seen
    const p = new PaymentNonces(s, [70, 70]);
    expect([await p.check('k', 70, 100n), await p.check('k', 70, 100n)]).toEqual([NonceCheck.ACCEPTED, NonceCheck.ALREADY_SEEN]);
  });

  it('balances stay exact across many terms (folding) and concurrent writers', async () => {
    const b = new RedisBalances(redis, { prefix: uniquePrefix('b') + ':' });
    const third = rat(1n, 3n);
    await Promise.all(Array.from({ length: 100 }, () => b.credit('s', 'x', third)));
    await b.debit('s', 'x', rat(1n, 7n));
    const got = (await b.balance('s', 'x')) ?? { num: 0n, den: 1n };
    expect(got.num * 21n).toBe(697n * got.den); // 100/3 − 1/7 = 697/21
  });

  it('replicas reading only the terms after what they know stay exact across folds, reserves and expiry', async () => {
    const prefix = uniquePrefix('b') + ':';
    let now = 1_000_000;
    const a = new RedisBalances(redis, { prefix, clock: () => now, ttlMs: 60_000 });
    const b = new RedisBalances(redis, { prefix, clock: () => now, ttlMs: 60_000 });
    const ev = rat(7n, 2n ** 256n - 1n);
    const exact = (r: { num: bigint; den: bigint } | undefined, num: bigint, den: bigint) => expect((r?.num ?? 0n) * den).toBe(num * (r?.den ?? 1n));
    for (let i = 1; i <= 40; i++) exact(await a.add('s', 'x', ev), 7n * BigInt(i), ev.den); // folds at 32
    exact(await b.add('s', 'x', ev), 7n * 41n, ev.den); // b reads in full, a then gets b's term
    exact(await a.add('s', 'x', rat(1n, 3n)), 7n * 42n * 3n - 7n * 3n + ev.den, 3n * ev.den);
    exact(await b.balance('s', 'x'), 7n * 41n * 3n + ev.den, 3n * ev.den);
    // a reserve leaves the entry at zero with no new term: a basis from before must not survive it
    await b.reserve('s', 'x');
    exact(await a.balance('s', 'x'), 0n, 1n);
    exact(await a.add('s', 'x', ev), 7n, ev.den);
    exact(await b.add('s', 'x', ev), 14n, ev.den);
    // idle expiry recreates the entry (a new epoch)
    now += 120_000;
    exact(await a.add('s', 'x', ev), 7n, ev.den);
    exact(await b.balance('s', 'x'), 7n, ev.den);
  });

  it('the recipient secret is created once and shared', async () => {
    const prefix = uniquePrefix('s') + ':';
    const [a, b] = await Promise.all([loadOrCreateRecipientSecret(redis, prefix, '0xAb'), loadOrCreateRecipientSecret(redis, prefix, '0xab')]);
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('a session price is fixed by the first payment only', async () => {
    const p = new SessionPrices(redis, uniquePrefix('p') + ':');
    await p.fix('0xs', 'sess', rat(10n, 4n));
    await p.fix('0xs', 'sess', rat(99n));
    expect(await p.get('0xs', 'sess')).toEqual({ num: 5n, den: 2n });
  });
});
