/** deposit / pendingAmount at or above this keeps the whole reserve slice as max float (§6.8). */
export const MIN_DEPOSIT_PENDING_RATIO = 3n;

/**
 * This recipient's slice of a sender's reserve (§6.8, CONTRACTS.md §2.7 claimableReserve):
 * ⌊(fundsRemaining + claimedInCurrentRound) / activePoolSize⌋ − claimedReserve(sender, me); 0 if the
 * pool is empty.
 */
export function reserveAlloc(
  reserve: { readonly fundsRemaining: bigint; readonly claimedInCurrentRound: bigint },
  activePoolSize: bigint,
  claimedByMe: bigint,
): bigint {
  if (activePoolSize <= 0n) return 0n;
  return (reserve.fundsRemaining + reserve.claimedInCurrentRound) / activePoolSize - claimedByMe;
}

/**
 * maxFloat = reserveAlloc when pendingAmount > 0 and deposit / pendingAmount ≥ 3 (exact), else
 * reserveAlloc − pendingAmount (§6.8). pendingAmount = Σ face values of this sender's tickets being redeemed.
 */
export function maxFloat(reserveAllocation: bigint, deposit: bigint, pendingAmount: bigint): bigint {
  if (pendingAmount > 0n && deposit >= MIN_DEPOSIT_PENDING_RATIO * pendingAmount) return reserveAllocation;
  return reserveAllocation - pendingAmount;
}

/** reserveAlloc + deposit − pendingAmount (§6.8): what redemption can still draw on. */
export function availableFunds(reserveAllocation: bigint, deposit: bigint, pendingAmount: bigint): bigint {
  return reserveAllocation + deposit - pendingAmount;
}
