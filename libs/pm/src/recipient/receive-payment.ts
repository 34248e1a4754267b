import { bytesEqual, toChecksumAddress, toHex } from '@lpts/protocol';
import { RAT_ZERO, ratMulInt, ratString, type Rational } from '../math/rational';
import { priceRational, type PriceInfo } from '../sender/price-guard';
import { isUnlockingSoon, type SenderInfo } from '../sender/sender-info';
import type { TicketSenderParams } from '../sender/ticket-batch';
import { recipientRand, recipientRandHash, type RecipientSecret } from '../ticket/recipient-rand';
import {
  TicketPreimage,
  isWinningTicketBytes,
  isZeroBytes,
  signatureFailure,
  ticketEV,
  type Ticket,
  type TicketExpirationParams,
} from '../ticket/ticket';
import type { TicketError } from '../ticket/ticket.errors';
import { TicketErrorCode, ticketError } from '../ticket/ticket.errors';
import { accountKey, type Balances } from '../state/balances';
import { isPromiseLike, type MaybePromise } from '../state/maybe-promise';
import { NonceCheck, type SeenNonces } from '../state/seen-nonces';

/** The chain facts the receive path needs, as plain data (a snapshot or a cache in front of the chain). */
export interface ChainView {
  readonly lastInitializedRound: bigint;
  readonly lastSeenL1Block: bigint;
  /** Whether `recipient` (20 bytes) is active in lastInitializedRound. */
  isRecipientActive(recipient: Uint8Array): boolean;
  /** The sender's funding, or undefined when it cannot be read. */
  senderInfo(sender: Uint8Array): SenderInfo | undefined;
}

/** The ticket part of an incoming Payment, as domain values (the wire conversion lives elsewhere). */
export interface IncomingTicketParams {
  readonly recipient: Uint8Array;
  readonly faceValue: bigint;
  readonly winProb: bigint;
  readonly recipientRandHash: Uint8Array;
  readonly seed: Uint8Array;
  readonly expirationBlock: bigint;
}

/** An incoming Payment (net.Payment) as domain values. */
export interface IncomingPayment {
  /** 20 bytes; empty or absent is refused when ticket params are present. */
  readonly sender?: Uint8Array | undefined;
  readonly ticketParams?: IncomingTicketParams | undefined;
  readonly expirationParams?: TicketExpirationParams | undefined;
  readonly expectedPrice?: PriceInfo | undefined;
  readonly ticketSenderParams: readonly TicketSenderParams[];
}

/** The recipient's side of the receive path. */
export interface RecipientContext {
  /** Addresses tickets may name as recipient: the O's own and `-ethOrchAddr` (20 bytes each). */
  readonly recipientAddresses: readonly Uint8Array[];
  readonly secret: RecipientSecret;
  readonly chain: ChainView;
  readonly seenNonces: SeenNonces;
  readonly balances: Balances;
  /** Balance session: auth-token session id (video) or "<cap>_<modelId>" (batch AI) (§6.6). */
  readonly balanceSession: string;
  /** Fixes the session price on the first payment (§6.7 steps 2 and 5); an implementation ignores later calls. */
  fixSessionPrice?(sender: Uint8Array, session: string, price: Rational): MaybePromise<void>;
}

/** A winning ticket, with everything redemption needs (§6.9). */
export interface WinningTicket {
  readonly ticket: Ticket;
  readonly sig: Uint8Array;
  /** 32 bytes BE: the uint256 revealed to the contract. */
  readonly recipientRand: Uint8Array;
  readonly ticketHash: Uint8Array;
  /** PM session id = hex recipientRandHash. */
  readonly sessionId: string;
}

export interface PaymentOutcome {
  /** EV credited to (sender, balanceSession), exact. */
  readonly credited: Rational;
  readonly creditedTickets: number;
  /** Winners to queue for redemption (also those that failed 6g–6i). */
  readonly winners: readonly WinningTicket[];
  /** The first error: fatal (payment rejected, `error.fatal`) or the first non-fatal one. */
  readonly error?: TicketError;
}

const ZERO_ADDRESS = new Uint8Array(20);

/**
 * The O's ProcessPayment (§6.7), steps 1–8 in Livepeer's order:
 *
 * 1 sender present · 2 no params → accept (price 0) · 3 recipient active · 4 expected price valid ·
 * 5 fix session price · per ticket: 6a sender not unlocking, 6b recipient is us, 6c sender ≠ 0,
 * 6d keccak(recipientRand) = recipientRandHash (all fatal), 6e signature (non-fatal), 6f win,
 * 6g nonce unseen, 6h < 600 nonces, 6i params not expired (non-fatal) · 7 credit EV while no error
 * has occurred · 8 winners are returned even when 6g–6i failed.
 *
 * Steps 6a–6d (and the recipientRand HMAC) depend only on the payment, not on the ticket, so they run
 * once per payment — before the first ticket, with the same outcome as running them per ticket
 * (a payment with no tickets skips them, as Go does). Errors are returned, not thrown.
 */
export async function receivePayment(payment: IncomingPayment, ctx: RecipientContext): Promise<PaymentOutcome> {
  const params = payment.ticketParams;
  const senderBytes = payment.sender;
  // 1
  if (params !== undefined && (senderBytes === undefined || senderBytes.length === 0)) {
    return rejected(
      ticketError(TicketErrorCode.MISSING_SENDER, `Could not find Sender for payment: ${describe(payment)}`, {
        recipientRandHash: params ? toHex(params.recipientRandHash) : undefined,
        tickets: payment.ticketSenderParams.length,
      }),
    );
  }
  // 2
  if (params === undefined || senderBytes === undefined) {
    if (ctx.fixSessionPrice) await ctx.fixSessionPrice(senderBytes ?? ZERO_ADDRESS, ctx.balanceSession, RAT_ZERO);
    return { credited: RAT_ZERO, creditedTickets: 0, winners: [] };
  }
  const sender = senderBytes;
  const chain = ctx.chain;
  // 3
  if (!chain.isRecipientActive(params.recipient)) {
    const addr = toChecksumAddress(params.recipient);
    return rejected(
      ticketError(
        TicketErrorCode.RECIPIENT_INACTIVE,
        `orchestrator ${addr} is inactive in round ${chain.lastInitializedRound}, cannot process payments`,
        { recipient: addr, round: chain.lastInitializedRound },
      ),
    );
  }
  // 4
  const ep = payment.expectedPrice;
  if (ep === undefined || ep.pixelsPerUnit === 0n) {
    const why = ep === undefined ? 'expected price is nil' : 'pixels per unit is 0';
    return rejected(
      ticketError(TicketErrorCode.INVALID_EXPECTED_PRICE, `invalid expected price sent with payment err="${why}"`, {
        pricePerUnit: ep?.pricePerUnit,
        pixelsPerUnit: ep?.pixelsPerUnit,
      }),
    );
  }
  const price = priceRational(ep);
  // 5
  if (ctx.fixSessionPrice) {
    const fixed = ctx.fixSessionPrice(sender, ctx.balanceSession, price);
    if (isPromiseLike(fixed)) await fixed;
  }

  const tsps = payment.ticketSenderParams;
  if (tsps.length === 0) return { credited: RAT_ZERO, creditedTickets: 0, winners: [] };

  // 6 (payment-wide part): rebuild, recipientRand, 6a–6d
  const exp: TicketExpirationParams = payment.expirationParams ?? {
    creationRound: 0n,
    creationRoundBlockHash: new Uint8Array(32),
  };
  const senderHex = () => toChecksumAddress(sender);
  const info = chain.senderInfo(sender);
  if (info === undefined) {
    return rejected(
      ticketError(TicketErrorCode.SENDER_INFO_UNAVAILABLE, `could not get sender info for ${senderHex()}: unknown sender`, {
        sender: senderHex(),
      }),
    );
  }
  if (isUnlockingSoon(info, chain.lastInitializedRound)) {
    return rejected(
      ticketError(TicketErrorCode.SENDER_UNLOCKING, `deposit and reserve for sender ${senderHex()} is set to unlock soon`, {
        sender: senderHex(),
        withdrawRound: info.withdrawRound,
        lastInitializedRound: chain.lastInitializedRound,
      }),
    );
  }
  if (!ctx.recipientAddresses.some((a) => bytesEqual(a, params.recipient))) {
    return rejected(
      ticketError(TicketErrorCode.INVALID_RECIPIENT, 'invalid ticket recipient', {
        recipient: toChecksumAddress(params.recipient),
        expected: ctx.recipientAddresses.map((a) => toChecksumAddress(a)).join(','),
      }),
    );
  }
  if (sender.length !== 20 || isZeroBytes(sender)) {
    return rejected(ticketError(TicketErrorCode.INVALID_SENDER, 'invalid ticket sender', { sender: toHex(sender) }));
  }
  const rand = recipientRand(ctx.secret, {
    seed: params.seed,
    sender,
    faceValue: params.faceValue,
    winProb: params.winProb,
    expirationBlock: params.expirationBlock,
    price,
    expirationParams: exp,
  });
  if (!bytesEqual(recipientRandHash(rand), params.recipientRandHash)) {
    return rejected(
      ticketError(TicketErrorCode.INVALID_RECIPIENT_RAND, 'invalid recipientRand for ticket recipientRandHash', {
        recipientRandHash: toHex(params.recipientRandHash),
        sender: senderHex(),
        faceValue: params.faceValue,
        winProb: params.winProb,
        expirationBlock: params.expirationBlock,
        price: ratString(price),
        creationRound: exp.creationRound,
      }),
    );
  }

  // 6 (per ticket)
  const sessionId = toHex(params.recipientRandHash);
  const preimage = new TicketPreimage({
    recipient: params.recipient,
    sender,
    faceValue: params.faceValue,
    winProb: params.winProb,
    recipientRandHash: params.recipientRandHash,
    creationRound: exp.creationRound,
    creationRoundBlockHash: exp.creationRoundBlockHash,
  });
  const winProbWord = preimage.winProbBytes;
  const expired = params.expirationBlock <= chain.lastSeenL1Block;
  let error: TicketError | undefined;
  let creditedTickets = 0;
  const winners: WinningTicket[] = [];

  for (const tsp of tsps) {
    let ticketErr: TicketError | undefined;
    const hash = preimage.setNonce(tsp.senderNonce).hash();
    // 6e
    const sigFailure = signatureFailure(sender, hash, tsp.sig);
    if (sigFailure !== undefined) {
      ticketErr = ticketError(TicketErrorCode.INVALID_SIGNATURE, 'invalid ticket signature', {
        sender: senderHex(),
        nonce: tsp.senderNonce,
        failure: sigFailure,
        sigLength: tsp.sig.length,
      });
    } else {
      // 6f
      if (isWinningTicketBytes(tsp.sig, rand, winProbWord)) {
        winners.push({
          ticket: {
            recipient: params.recipient,
            sender,
            faceValue: params.faceValue,
            winProb: params.winProb,
            senderNonce: tsp.senderNonce,
            recipientRandHash: params.recipientRandHash,
            creationRound: exp.creationRound,
            creationRoundBlockHash: exp.creationRoundBlockHash,
            paramsExpirationBlock: params.expirationBlock,
            pricePerPixel: price,
          },
          sig: tsp.sig,
          recipientRand: rand,
          ticketHash: hash,
          sessionId,
        });
      }
      // 6g, 6h
      const checked = ctx.seenNonces.check(sessionId, tsp.senderNonce, params.expirationBlock);
      // an in-memory port answers synchronously: awaiting only a thenable saves a microtask per ticket
      const seen = isPromiseLike(checked) ? await checked : checked;
      if (seen !== NonceCheck.ACCEPTED) {
        const already = seen === NonceCheck.ALREADY_SEEN;
        ticketErr = ticketError(
          already ? TicketErrorCode.NONCE_ALREADY_SEEN : TicketErrorCode.NONCE_TOO_MANY,
          `invalid ticket senderNonce: ${already ? 'already seen' : 'too many values'} sender=${senderHex()} nonce=${tsp.senderNonce}`,
          { sender: senderHex(), nonce: tsp.senderNonce, session: sessionId },
        );
      } else if (expired) {
        // 6i
        ticketErr = ticketError(TicketErrorCode.PARAMS_EXPIRED, 'TicketParams expired', {
          expirationBlock: params.expirationBlock,
          lastSeenL1Block: chain.lastSeenL1Block,
          nonce: tsp.senderNonce,
          side: 'recipient',
        });
      }
    }
    if (ticketErr !== undefined && error === undefined) error = ticketErr;
    // 7
    if (error === undefined) creditedTickets++;
  }

  const ev = creditedTickets === 0 ? RAT_ZERO : ticketEV(params.faceValue, params.winProb);
  const credited = creditedTickets <= 1 ? ev : ratMulInt(ev, BigInt(creditedTickets));
  if (creditedTickets > 0) {
    const done = ctx.balances.credit(accountKey(sender), ctx.balanceSession, credited);
    if (isPromiseLike(done)) await done;
  }
  return error === undefined ? { credited, creditedTickets, winners } : { credited, creditedTickets, winners, error };
}

function rejected(error: TicketError): PaymentOutcome {
  return { credited: RAT_ZERO, creditedTickets: 0, winners: [], error };
}

function describe(p: IncomingPayment): string {
  const tp = p.ticketParams;
  return tp
    ? `ticket_params:<recipient:${toHex(tp.recipient)} face_value:${tp.faceValue} win_prob:${tp.winProb} recipient_rand_hash:${toHex(tp.recipientRandHash)} expiration_block:${tp.expirationBlock}> tickets:${p.ticketSenderParams.length}`
    : `tickets:${p.ticketSenderParams.length}`;
}

