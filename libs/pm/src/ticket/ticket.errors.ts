import { LptsError, familyPredicate, registerErrorFamily, type LptsErrorOptions } from '@lpts/protocol';

/** Every way a ticket, a ticket batch or a payment can be refused (PROTOCOL.md §5.6, §6.4–§6.7). */
export const TicketErrorCode = {
  // receive path (§6.7)
  MISSING_SENDER: 'MISSING_SENDER',
  RECIPIENT_INACTIVE: 'RECIPIENT_INACTIVE',
  INVALID_EXPECTED_PRICE: 'INVALID_EXPECTED_PRICE',
  SENDER_INFO_UNAVAILABLE: 'SENDER_INFO_UNAVAILABLE',
  SENDER_UNLOCKING: 'SENDER_UNLOCKING',
  INVALID_RECIPIENT: 'INVALID_RECIPIENT',
  INVALID_SENDER: 'INVALID_SENDER',
  INVALID_RECIPIENT_RAND: 'INVALID_RECIPIENT_RAND',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  NONCE_ALREADY_SEEN: 'NONCE_ALREADY_SEEN',
  NONCE_TOO_MANY: 'NONCE_TOO_MANY',
  PARAMS_EXPIRED: 'PARAMS_EXPIRED',
  // params generation (§6.4)
  INSUFFICIENT_RESERVE: 'INSUFFICIENT_RESERVE',
  // sender-side ValidateTicketParams (§6.5)
  PARAMS_MISSING: 'PARAMS_MISSING',
  EXPIRATION_BLOCK_ZERO: 'EXPIRATION_BLOCK_ZERO',
  FACE_VALUE_TOO_LOW: 'FACE_VALUE_TOO_LOW',
  EV_TOO_HIGH: 'EV_TOO_HIGH',
  SENDER_UNLOCKING_SOON: 'SENDER_UNLOCKING_SOON',
  NO_SENDER_RESERVE: 'NO_SENDER_RESERVE',
  NO_SENDER_DEPOSIT: 'NO_SENDER_DEPOSIT',
  TOTAL_EV_TOO_HIGH: 'TOTAL_EV_TOO_HIGH',
  FACE_VALUE_TOO_HIGH: 'FACE_VALUE_TOO_HIGH',
  NONCE_OVERFLOW: 'NONCE_OVERFLOW',
  // gateway price guard (§5.6)
  PRICE_MORE_THAN_DOUBLED: 'PRICE_MORE_THAN_DOUBLED',
  MISSING_PRICE: 'MISSING_PRICE',
} as const;
export type TicketErrorCode = (typeof TicketErrorCode)[keyof typeof TicketErrorCode];

/**
 * Codes that reject the whole payment (Go's FatalReceiveErr, §6.7). Steps 1–4 reject the payment
 * before any ticket is looked at, so they count as fatal too.
 */
const FATAL: ReadonlySet<string> = new Set<TicketErrorCode>([
  TicketErrorCode.MISSING_SENDER,
  TicketErrorCode.RECIPIENT_INACTIVE,
  TicketErrorCode.INVALID_EXPECTED_PRICE,
  TicketErrorCode.SENDER_INFO_UNAVAILABLE,
  TicketErrorCode.SENDER_UNLOCKING,
  TicketErrorCode.INVALID_RECIPIENT,
  TicketErrorCode.INVALID_SENDER,
  TicketErrorCode.INVALID_RECIPIENT_RAND,
]);

/** Codes where the right reaction is to fetch fresh params and try again (§8 A4). */
const RETRYABLE: ReadonlySet<string> = new Set<TicketErrorCode>([TicketErrorCode.PARAMS_EXPIRED]);

/**
 * A ticket/payment failure. `message` is Livepeer's exact text (peers match on it); `details`
 * carries the numbers that explain it (faceValue, ev, maxFloat, nonce, sender, …).
 */
export class TicketError extends LptsError<TicketErrorCode> {
  /** True when the failure rejects the whole payment (no further tickets are looked at). */
  get fatal(): boolean {
    return FATAL.has(this.code);
  }
}
registerErrorFamily(TicketError);

export const isTicketError = familyPredicate(TicketError);

export function ticketError(
  code: TicketErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): TicketError {
  return new TicketError(code, message, {
    details: details as LptsErrorOptions['details'],
    retryable: RETRYABLE.has(code),
  });
}
