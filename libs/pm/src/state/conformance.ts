import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { ratCmp, rat, type Rational } from '../math/rational';
import type { Balances } from './balances';
import type { Clock, ConformanceCase } from './maybe-promise';
import { NonceCheck, type SeenNonces } from './seen-nonces';

/**
 * Behaviour every SeenNonces adapter must show (in-memory now, Redis later). Framework-free: run each
 * case from any test runner, e.g. `for (const c of seenNoncesConformance(make)) it(c.name, c.run)`.
 * `make(limit)` returns a fresh, empty store with that per-key limit.
 */
export function seenNoncesConformance(make: (limit: number) => SeenNonces | Promise<SeenNonces>): ConformanceCase[] {
  const c = (name: string, run: () => Promise<void>): ConformanceCase => ({ name: `SeenNonces: ${name}`, run });
  return [
    c('accepts a new nonce and refuses it the second time', async () => {
      const s = await make(600);
      strictEqual(await s.check('k', 1, 100n), NonceCheck.ACCEPTED);
      strictEqual(await s.check('k', 1, 100n), NonceCheck.ALREADY_SEEN);
      strictEqual(await s.check('k', 2, 100n), NonceCheck.ACCEPTED);
      strictEqual(await s.count('k'), 2);
    }),
    c('keys are independent', async () => {
      const s = await make(600);
      strictEqual(await s.check('a', 7, 100n), NonceCheck.ACCEPTED);
      strictEqual(await s.check('b', 7, 100n), NonceCheck.ACCEPTED);
      strictEqual(await s.count('c'), 0);
    }),
    c('refuses new nonces once the limit is reached, but still reports seen ones as seen', async () => {
      const s = await make(3);
      for (const n of [1, 2, 3]) strictEqual(await s.check('k', n, 100n), NonceCheck.ACCEPTED);
      strictEqual(await s.check('k', 4, 100n), NonceCheck.TOO_MANY);
      strictEqual(await s.check('k', 2, 100n), NonceCheck.ALREADY_SEEN);
      strictEqual(await s.count('k'), 3);
    }),
    c('prunes sets whose expiration block is at or below the latest block', async () => {
      const s = await make(600);
      await s.check('old', 1, 10n);
      await s.check('edge', 1, 11n);
      await s.check('new', 1, 12n);
      strictEqual(await s.prune(11n), 2);
      strictEqual(await s.count('old'), 0);
      strictEqual(await s.count('edge'), 0);
      strictEqual(await s.count('new'), 1);
      strictEqual(await s.check('old', 1, 50n), NonceCheck.ACCEPTED);
    }),
    c('the expiration block of the first check is kept', async () => {
      const s = await make(600);
      await s.check('k', 1, 10n);
      await s.check('k', 2, 99n);
      strictEqual(await s.prune(10n), 1);
    }),
    c('concurrent checks of one nonce accept exactly once', async () => {
      const s = await make(600);
      const r = await Promise.all(Array.from({ length: 8 }, () => s.check('k', 5, 100n)));
      strictEqual(r.filter((x) => x === NonceCheck.ACCEPTED).length, 1);
    }),
  ];
}

/**
 * Behaviour every Balances adapter must show. `make(clock, ttlMs)` returns a fresh store that reads
 * time from `clock` and expires entries idle for longer than `ttlMs`.
 */
export function balancesConformance(
  make: (clock: Clock, ttlMs: number) => Balances | Promise<Balances>,
): ConformanceCase[] {
  const c = (name: string, run: () => Promise<void>): ConformanceCase => ({ name: `Balances: ${name}`, run });
  const eq = (a: Rational | undefined, b: Rational | undefined) => {
    if (a === undefined || b === undefined) return deepStrictEqual(a, b);
    strictEqual(ratCmp(a, b), 0, `${a.num}/${a.den} ≠ ${b.num}/${b.den}`);
  };
  return [
    c('credit and debit add up exactly, and may go negative', async () => {
      const b = await make(() => 0, 1000);
      eq(await b.balance('s', 'x'), undefined);
      await b.credit('s', 'x', rat(1n, 3n));
      await b.credit('s', 'x', rat(1n, 6n));
      eq(await b.balance('s', 'x'), rat(1n, 2n));
      await b.debit('s', 'x', rat(2n));
      eq(await b.balance('s', 'x'), rat(-3n, 2n));
    }),
    c('(account, session) pairs are independent', async () => {
      const b = await make(() => 0, 1000);
      await b.credit('s', 'x', rat(5n));
      await b.credit('s', 'y', rat(7n));
      await b.credit('t', 'x', rat(11n));
      eq(await b.balance('s', 'x'), rat(5n));
      eq(await b.balance('s', 'y'), rat(7n));
      eq(await b.balance('t', 'x'), rat(11n));
    }),
    c('reserve takes the whole balance out', async () => {
      const b = await make(() => 0, 1000);
      eq(await b.reserve('s', 'x'), rat(0n));
      await b.credit('s', 'x', rat(9n));
      eq(await b.reserve('s', 'x'), rat(9n));
      eq(await b.balance('s', 'x'), rat(0n));
      await b.credit('s', 'x', rat(4n));
      eq(await b.balance('s', 'x'), rat(4n));
    }),
    c('entries expire after the idle TTL, and activity keeps them alive', async () => {
      let now = 0;
      const b = await make(() => now, 1000);
      await b.credit('s', 'x', rat(1n));
      await b.credit('s', 'y', rat(1n));
      now = 900;
      await b.credit('s', 'y', rat(1n));
      now = 1001;
      eq(await b.balance('s', 'x'), undefined);
      eq(await b.balance('s', 'y'), rat(2n));
      now = 2000;
      strictEqual(await b.prune(), 1);
      eq(await b.balance('s', 'y'), undefined);
    }),
    c('an expired balance starts again from zero', async () => {
      let now = 0;
      const b = await make(() => now, 1000);
      await b.credit('s', 'x', rat(10n));
      now = 5000;
      await b.credit('s', 'x', rat(3n));
      eq(await b.balance('s', 'x'), rat(3n));
    }),
  ];
}
