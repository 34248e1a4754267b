import { RAT_ZERO, ratCeilDiv, ratCmp, ratMulInt, ratSub, type Rational } from '../math/rational';

export interface TicketsNeeded {
  readonly numTickets: number;
  /** numTickets × EV: the credit the new tickets add. */
  readonly newCredit: Rational;
  /** max(feeEstimate, ticketEV). */
  readonly minCredit: Rational;
}

/**
 * Gateway rule (§6.6): minCredit = max(feeEstimate, EV); if the reserved existing credit covers it,
 * 0 tickets; else ⌈(minCredit − existing) / EV⌉ tickets worth numTickets × EV. An EV of 0 (free
 * price) needs no tickets.
 */
export function ticketsNeeded(existingCredit: Rational, feeEstimate: Rational, ev: Rational): TicketsNeeded {
  const minCredit = ratCmp(feeEstimate, ev) >= 0 ? feeEstimate : ev;
  if (ev.num <= 0n || ratCmp(existingCredit, minCredit) >= 0) {
    return { numTickets: 0, newCredit: RAT_ZERO, minCredit };
  }
  const n = ratCeilDiv(ratSub(minCredit, existingCredit), ev);
  return { numTickets: Number(n), newCredit: ratMulInt(ev, n), minCredit };
}
