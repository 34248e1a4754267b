import type { MaybePromise } from './maybe-promise';

/** Most nonces recorded per recipientRand (§6.7 step 6h; older Go builds used 150). */
export const MAX_SENDER_NONCES = 600;

export const NonceCheck = {
  ACCEPTED: 'accepted',
  ALREADY_SEEN: 'alreadySeen',
  TOO_MANY: 'tooMany',
} as const;
export type NonceCheck = (typeof NonceCheck)[keyof typeof NonceCheck];

/**
 * Replay protection per recipientRand (§6.7 steps 6g–6h): one set of seen nonces per key.
 *
 * The key is the PM session id (hex recipientRandHash); after step 6d it identifies the recipientRand
 * one to one, and it keeps the secret-derived recipientRand itself out of shared state.
 */
export interface SeenNonces {
  /**
   * Atomically: nonce already in the set → ALREADY_SEEN; else set already holds `limit` nonces →
   * TOO_MANY; else record it → ACCEPTED. The first call for a key creates the set and remembers
   * `expirationBlock` (the params' expiration block) for pruning.
   */
  check(key: string, nonce: number, expirationBlock: bigint): MaybePromise<NonceCheck>;
  /** Drops every set whose expiration block ≤ latestL1Block; returns how many were dropped. */
  prune(latestL1Block: bigint): MaybePromise<number>;
  /** Nonces recorded for a key (0 if none). */
  count(key: string): MaybePromise<number>;
}

interface NonceSet {
  readonly seen: Set<number>;
  readonly expirationBlock: bigint;
}

/** In-process SeenNonces (one replica). A Redis version implements the same port for many replicas. */
export class InMemorySeenNonces implements SeenNonces {
  readonly #sets = new Map<string, NonceSet>();

  constructor(readonly limit: number = MAX_SENDER_NONCES) {}

  check(key: string, nonce: number, expirationBlock: bigint): NonceCheck {
    let set = this.#sets.get(key);
    if (set === undefined) {
      set = { seen: new Set(), expirationBlock };
      this.#sets.set(key, set);
    } else if (set.seen.has(nonce)) {
      return NonceCheck.ALREADY_SEEN;
    }
    if (set.seen.size >= this.limit) return NonceCheck.TOO_MANY;
    set.seen.add(nonce);
    return NonceCheck.ACCEPTED;
  }

  prune(latestL1Block: bigint): number {
    let dropped = 0;
    for (const [key, set] of this.#sets) {
      if (set.expirationBlock <= latestL1Block) {
        this.#sets.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  count(key: string): number {
    return this.#sets.get(key)?.seen.size ?? 0;
  }
}
