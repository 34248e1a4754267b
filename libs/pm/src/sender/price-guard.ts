import { rat, ratCmp, ratMulInt, ratReduce, ratString, type Rational } from '../math/rational';
import { TicketErrorCode, ticketError } from '../ticket/ticket.errors';

/** A wire price: pricePerUnit / pixelsPerUnit wei. */
export interface PriceInfo {
  readonly pricePerUnit: bigint;
  readonly pixelsPerUnit: bigint;
}

/** The reduced rational of a PriceInfo (pixelsPerUnit must be ≠ 0). */
export function priceRational(p: PriceInfo): Rational {
  return ratReduce(rat(p.pricePerUnit, p.pixelsPerUnit));
}

/**
 * Gateway per-payment price guard (§5.6 validatePrice): refuse when the O's current price is more
 * than 2 × the session's initial price, or missing.
 */
export function checkPriceNotDoubled(current: PriceInfo | undefined, initial: Rational): void {
  if (current === undefined || current.pixelsPerUnit === 0n) {
    throw ticketError(TicketErrorCode.MISSING_PRICE, 'missing orchestrator price', {
      initialPrice: ratString(initial),
    });
  }
  const price = priceRational(current);
  if (ratCmp(price, ratMulInt(initial, 2n)) > 0) {
    const p = ratString(price);
    const p0 = ratString(initial);
    throw ticketError(
      TicketErrorCode.PRICE_MORE_THAN_DOUBLED,
      `Orchestrator price has more than doubled, Orchestrator price: ${p}, Orchestrator initial price: ${p0}`,
      { price: p, initialPrice: p0, limit: ratString(ratMulInt(initial, 2n)) },
    );
  }
}
