import { RAT_ZERO, rat, ratCmp, ratFloatString, ratMulInt, type Rational } from '../math/rational';
import type { TicketParams } from '../ticket/ticket-params';
import { ticketEV } from '../ticket/ticket';
import { TicketErrorCode, ticketError } from '../ticket/ticket.errors';
import { isUnlockingSoon, type SenderInfo } from './sender-info';

/** The gateway's limits (§5.4 defaults). */
export interface SenderConfig {
  /** `-maxTicketEV`, default 3_000_000_000_000 wei. */
  readonly maxTicketEV: Rational;
  /** `-maxTotalEV`, default 20_000_000_000_000 wei. */
  readonly maxTotalEV: Rational;
  /** `-depositMultiplier`, default 1. */
  readonly depositMultiplier: bigint;
}

export const DEFAULT_SENDER_CONFIG: SenderConfig = Object.freeze({
  maxTicketEV: rat(3_000_000_000_000n),
  maxTotalEV: rat(20_000_000_000_000n),
  depositMultiplier: 1n,
});

/** Params must outlive the last seen L1 block by more than this many blocks (Go's paramsExpiryBuffer). */
export const PARAMS_EXPIRY_BUFFER = 1n;

/** What the sender knows when it checks params. */
export interface SenderView {
  readonly lastSeenL1Block: bigint;
  readonly lastInitializedRound: bigint;
  /** The sender's own funding; read only when the EV checks pass (as Go reads it lazily). */
  readonly senderInfo: SenderInfo | (() => SenderInfo);
}

/**
 * Sender-side ValidateTicketParams for `numTickets` tickets (§6.5): the checks in Go's order with
 * Go's texts; throws a TicketError carrying the numbers. Returns the ticket EV when accepted.
 *
 * expirationBlock = 0 is refused, as §6.5 specifies (some go-livepeer builds accept it and skip
 * every later check).
 */
export function validateTicketParams(
  params: TicketParams | undefined | null,
  numTickets: number,
  view: SenderView,
  config: SenderConfig = DEFAULT_SENDER_CONFIG,
): Rational {
  if (params == null) throw ticketError(TicketErrorCode.PARAMS_MISSING, 'ticketParams is nil');
  if (params.expirationBlock === 0n) {
    throw ticketError(TicketErrorCode.EXPIRATION_BLOCK_ZERO, 'ticketParams expiration block is 0', {
      expirationBlock: 0n,
    });
  }
  const buffer = params.expirationBlock - view.lastSeenL1Block;
  if (buffer <= PARAMS_EXPIRY_BUFFER) {
    throw ticketError(TicketErrorCode.PARAMS_EXPIRED, 'TicketParams expired', {
      expirationBlock: params.expirationBlock,
      lastSeenL1Block: view.lastSeenL1Block,
      bufferBlocks: PARAMS_EXPIRY_BUFFER,
      side: 'sender',
    });
  }
  const ev = ticketEV(params.faceValue, params.winProb);
  if (ratCmp(ev, RAT_ZERO) <= 0) return RAT_ZERO;
  if (ratCmp(ev, rat(params.faceValue)) >= 0) {
    throw ticketError(TicketErrorCode.FACE_VALUE_TOO_LOW, `ticket faceValue too low faceValue=${params.faceValue}`, {
      faceValue: params.faceValue,
      winProb: params.winProb,
      ev: ratFloatString(ev, 5),
    });
  }
  if (ratCmp(ev, config.maxTicketEV) > 0) {
    const evText = ratFloatString(ev, 5);
    const maxText = ratFloatString(config.maxTicketEV, 5);
    throw ticketError(TicketErrorCode.EV_TOO_HIGH, `ticket EV ${evText} > max ticket EV ${maxText}`, {
      ev: evText,
      maxTicketEV: maxText,
      faceValue: params.faceValue,
      winProb: params.winProb,
    });
  }
  const info = typeof view.senderInfo === 'function' ? view.senderInfo() : view.senderInfo;
  if (isUnlockingSoon(info, view.lastInitializedRound)) {
    throw ticketError(
      TicketErrorCode.SENDER_UNLOCKING_SOON,
      'unable to validate sender: deposit and reserve is set to unlock soon',
      { withdrawRound: info.withdrawRound, lastInitializedRound: view.lastInitializedRound },
    );
  }
  if (info.reserve.fundsRemaining === 0n) {
    throw ticketError(TicketErrorCode.NO_SENDER_RESERVE, 'no sender reserve', { reserve: 0n, deposit: info.deposit });
  }
  if (info.deposit === 0n) {
    throw ticketError(TicketErrorCode.NO_SENDER_DEPOSIT, 'no sender deposit', {
      deposit: 0n,
      reserve: info.reserve.fundsRemaining,
    });
  }
  const totalEV = ratMulInt(ev, BigInt(numTickets));
  if (ratCmp(totalEV, config.maxTotalEV) > 0) {
    const totalText = ratFloatString(totalEV, 5);
    const maxText = ratFloatString(config.maxTotalEV, 5);
    throw ticketError(
      TicketErrorCode.TOTAL_EV_TOO_HIGH,
      `total ticket EV ${totalText} for ${numTickets} tickets > max total ticket EV ${maxText}`,
      { totalEV: totalText, numTickets, maxTotalEV: maxText, ev: ratFloatString(ev, 5) },
    );
  }
  const maxFaceValue = info.deposit / config.depositMultiplier;
  if (params.faceValue > maxFaceValue) {
    throw ticketError(
      TicketErrorCode.FACE_VALUE_TOO_HIGH,
      `ticket faceValue ${params.faceValue} > max faceValue ${maxFaceValue}`,
      { faceValue: params.faceValue, maxFaceValue, deposit: info.deposit, depositMultiplier: config.depositMultiplier },
    );
  }
  return ev;
}
