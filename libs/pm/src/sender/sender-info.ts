/** A sender's on-chain funding (TicketBroker.getSenderInfo, CONTRACTS.md §2.7). */
export interface SenderInfo {
  readonly deposit: bigint;
  /** 0 when no unlock is in progress. */
  readonly withdrawRound: bigint;
  readonly reserve: {
    readonly fundsRemaining: bigint;
    readonly claimedInCurrentRound: bigint;
  };
}

/** Unlocking "soon": withdrawRound ≠ 0 and withdrawRound ≤ lastInitializedRound + 1 (§6.5, §6.7 6a). */
export function isUnlockingSoon(info: SenderInfo, lastInitializedRound: bigint): boolean {
  return info.withdrawRound !== 0n && info.withdrawRound <= lastInitializedRound + 1n;
}
