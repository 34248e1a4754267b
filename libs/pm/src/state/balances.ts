import { RAT_ZERO, ratAdd, ratSub, type Rational } from '../math/rational';
import type { Clock, MaybePromise } from './maybe-promise';

/** Balances expire after this long without activity (§6.6). */
export const BALANCE_IDLE_TTL_MS = 10 * 60 * 1000;

/**
 * Credit per (account, session) (§6.6). On the O: account = sender address, session = auth-token
 * session id (video) or "<cap>_<modelId>" (batch AI). On the gateway: account = recipient address,
 * session = the O's auth-token session id. Amounts are exact rationals (wei); a balance may go negative.
 */
export interface Balances {
  credit(account: string, session: string, amount: Rational): MaybePromise<void>;
  debit(account: string, session: string, amount: Rational): MaybePromise<void>;
  /** Takes the whole current balance out (the entry becomes 0) and returns it (0 if none). */
  reserve(account: string, session: string): MaybePromise<Rational>;
  /** Current balance, or undefined when there is none (never credited, or expired). */
  balance(account: string, session: string): MaybePromise<Rational | undefined>;
  /** Drops entries idle for longer than the TTL; returns how many. */
  prune(): MaybePromise<number>;
}

/** The account key for an address: lower-case 0x hex, the same on every replica. */
export function accountKey(address: Uint8Array): string {
  return '0x' + Buffer.from(address.buffer, address.byteOffset, address.byteLength).toString('hex');
}

interface Entry {
  amount: Rational;
  touched: number;
}

/** In-process Balances with lazy idle expiry (every access checks the entry's age) and prune(). */
export class InMemoryBalances implements Balances {
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly clock: Clock = Date.now,
    readonly ttlMs: number = BALANCE_IDLE_TTL_MS,
  ) {}

  credit(account: string, session: string, amount: Rational): void {
    this.#update(account, session, (a) => ratAdd(a, amount));
  }

  debit(account: string, session: string, amount: Rational): void {
    this.#update(account, session, (a) => ratSub(a, amount));
  }

  reserve(account: string, session: string): Rational {
    const e = this.#live(account, session);
    if (e === undefined) return RAT_ZERO;
    const amount = e.amount;
    e.amount = RAT_ZERO;
    e.touched = this.clock();
    return amount;
  }

  balance(account: string, session: string): Rational | undefined {
    return this.#live(account, session)?.amount;
  }

  prune(): number {
    const now = this.clock();
    let dropped = 0;
    for (const [k, e] of this.#entries) {
      if (now - e.touched > this.ttlMs) {
        this.#entries.delete(k);
        dropped++;
      }
    }
    return dropped;
  }

  #update(account: string, session: string, f: (a: Rational) => Rational): void {
    const e = this.#live(account, session);
    const now = this.clock();
    if (e === undefined) this.#entries.set(key(account, session), { amount: f(RAT_ZERO), touched: now });
    else {
      e.amount = f(e.amount);
      e.touched = now;
    }
  }

  #live(account: string, session: string): Entry | undefined {
    const k = key(account, session);
    const e = this.#entries.get(k);
    if (e !== undefined && this.clock() - e.touched > this.ttlMs) {
      this.#entries.delete(k);
      return undefined;
    }
    return e;
  }
}

function key(account: string, session: string): string {
  return account + '\u0000' + session;
}
