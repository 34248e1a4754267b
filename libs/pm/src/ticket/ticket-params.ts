import { randomBytes } from 'node:crypto';
import { toChecksumAddress } from '@lpts/protocol';
import type { Rational } from '../math/rational';
import { ratReduce } from '../math/rational';
import { recipientRand, recipientRandHash, type RecipientSecret } from './recipient-rand';
import { MAX_WIN_PROB, isZeroBytes, type TicketExpirationParams } from './ticket';
import { TicketErrorCode, ticketError } from './ticket.errors';

/** What an O quotes to a sender (TicketParams on the wire), as plain domain values. */
export interface TicketParams {
  /** 20 bytes. */
  readonly recipient: Uint8Array;
  readonly faceValue: bigint;
  readonly winProb: bigint;
  /** 32 bytes. */
  readonly recipientRandHash: Uint8Array;
  /** The seed bytes (32 fresh bytes from the O). */
  readonly seed: Uint8Array;
  /** Last seen L1 block + 40. */
  readonly expirationBlock: bigint;
  /** The price these params were quoted at (reduced). Echoed back as Payment.expected_price. */
  readonly price: Rational;
  /** Absent when an O sent none (old Os); the sender then uses its own round (§6.5). */
  readonly expirationParams?: TicketExpirationParams | undefined;
}

/** The O's ticket configuration (§5.4 defaults). */
export interface TicketParamsConfig {
  /** Desired ticket EV in wei (`-ticketEV`, default 8_000_000_000). */
  readonly ev: bigint;
  /** Gas to redeem one ticket (1_200_000 on Arbitrum, 350_000 on L1). */
  readonly redeemGas: bigint;
  /** faceValue = txCost × this (default 100). */
  readonly txCostMultiplier?: bigint;
  /** `-maxFaceValue`; 0 or absent = off. */
  readonly maxFaceValue?: bigint;
  /** Gas price the fallback reserve check uses (Go hard-codes 3 gwei). */
  readonly avgGasPrice?: bigint;
  /** Blocks of validity after the last seen L1 block (Go: 40). */
  readonly expirationBlocks?: bigint;
}

export const DEFAULT_TICKET_EV = 8_000_000_000n;
export const DEFAULT_TX_COST_MULTIPLIER = 100n;
export const EV_MULTIPLIER = 100n;
export const AVG_GAS_PRICE = 3_000_000_000n;
export const PARAMS_EXPIRATION_BLOCKS = 40n;
export const REDEEM_GAS_L2 = 1_200_000n;
export const REDEEM_GAS_L1 = 350_000n;

/** Chain state and market inputs for one quote; everything comes in, nothing is fetched. */
export interface TicketParamsInput {
  /** 20 bytes: the O's (ticket recipient) address. */
  readonly recipient: Uint8Array;
  /** 20 bytes: the sender the params are quoted for. */
  readonly sender: Uint8Array;
  /** The quoted price; num ≤ 0 means no payment is needed (faceValue = winProb = 0). */
  readonly price: Rational;
  /** Current gas price in wei; undefined when unknown (txCost = 0). */
  readonly gasPrice: bigint | undefined;
  /** The sender's max float toward this O (§6.8). */
  readonly maxFloat: bigint;
  readonly lastSeenL1Block: bigint;
  readonly lastInitializedRound: bigint;
  /** 32 bytes; all zero on the Arbitrum quirk, then the previous round is used. */
  readonly lastInitializedL1BlockHash: Uint8Array;
  /** 32 bytes: the block hash of round lastInitializedRound − 1. */
  readonly previousRoundL1BlockHash: Uint8Array;
  /** 32 seed bytes; fresh random bytes when absent. */
  readonly seed?: Uint8Array;
}

export function txCost(redeemGas: bigint, gasPrice: bigint | undefined): bigint {
  return redeemGas * (gasPrice ?? 0n);
}

/**
 * faceValue (§6.4): txCost × multiplier; EV × 100 if that is below EV; capped by the sender's max float,
 * then by maxFaceValue (> 0). Throws INSUFFICIENT_RESERVE (`insufficient sender reserve`) if the result is
 * below EV, or below txCost AND below redeemGas × 3 gwei. The error carries every number used.
 */
export function faceValueFor(
  config: TicketParamsConfig,
  gasPrice: bigint | undefined,
  maxFloat: bigint,
  sender?: Uint8Array,
): bigint {
  const cost = txCost(config.redeemGas, gasPrice);
  let faceValue = cost * (config.txCostMultiplier ?? DEFAULT_TX_COST_MULTIPLIER);
  if (faceValue < config.ev) faceValue = config.ev * EV_MULTIPLIER;
  if (faceValue > maxFloat) faceValue = maxFloat;
  const maxFaceValue = config.maxFaceValue ?? 0n;
  if (maxFaceValue > 0n && maxFaceValue < faceValue) faceValue = maxFaceValue;
  const avgCost = txCost(config.redeemGas, config.avgGasPrice ?? AVG_GAS_PRICE);
  const belowEv = faceValue < config.ev;
  if (belowEv || (faceValue < cost && faceValue < avgCost)) {
    throw ticketError(TicketErrorCode.INSUFFICIENT_RESERVE, 'insufficient sender reserve', {
      reason: belowEv ? 'faceValue < ev' : 'faceValue < txCost and faceValue < avgTxCost',
      faceValue,
      ev: config.ev,
      maxFloat,
      maxFaceValue,
      txCost: cost,
      avgTxCost: avgCost,
      gasPrice: gasPrice ?? null,
      redeemGas: config.redeemGas,
      sender: sender ? toChecksumAddress(sender) : undefined,
      side: 'recipient',
    });
  }
  return faceValue;
}

/**
 * winProb for a faceValue (§6.4): 0 if faceValue = 0; 2^256 − 1 if faceValue = EV; else
 * EV × q with q = ⌊(2^256 − 1) / faceValue⌋, plus one q when the division leaves a remainder.
 *
 * Go tests `m.Int64() != 0`, i.e. only the low 64 bits of the remainder; we do the same, so a
 * remainder that is a non-zero multiple of 2^64 adds nothing (as in Go). Both sides must agree or the
 * recipientRand commitment (which covers winProb) breaks.
 */
export function winProbFor(ev: bigint, faceValue: bigint): bigint {
  if (faceValue === 0n) return 0n;
  if (faceValue === ev) return MAX_WIN_PROB;
  const q = MAX_WIN_PROB / faceValue;
  const rem = MAX_WIN_PROB % faceValue;
  return BigInt.asUintN(64, rem) !== 0n ? ev * (q + 1n) : ev * q;
}

/**
 * (lastInitializedRound, its L1 block hash), or (round − 1, previous hash) when the hash is all zero
 * (Arbitrum quirk, §6.4).
 */
export function recipientExpirationParams(
  lastInitializedRound: bigint,
  lastInitializedL1BlockHash: Uint8Array,
  previousRoundL1BlockHash: Uint8Array,
): TicketExpirationParams {
  if (isZeroBytes(lastInitializedL1BlockHash)) {
    return { creationRound: lastInitializedRound - 1n, creationRoundBlockHash: previousRoundL1BlockHash };
  }
  return { creationRound: lastInitializedRound, creationRoundBlockHash: lastInitializedL1BlockHash };
}

/** Builds the TicketParams an O quotes to `input.sender` (§6.4). Pure apart from the default random seed. */
export function generateTicketParams(
  secret: RecipientSecret,
  config: TicketParamsConfig,
  input: TicketParamsInput,
): TicketParams {
  const seed = input.seed ?? new Uint8Array(randomBytes(32));
  const price = ratReduce(input.price);
  const faceValue = price.num > 0n ? faceValueFor(config, input.gasPrice, input.maxFloat, input.sender) : 0n;
  const winProb = winProbFor(config.ev, faceValue);
  const expirationBlock = input.lastSeenL1Block + (config.expirationBlocks ?? PARAMS_EXPIRATION_BLOCKS);
  const expirationParams = recipientExpirationParams(
    input.lastInitializedRound,
    input.lastInitializedL1BlockHash,
    input.previousRoundL1BlockHash,
  );
  const rand = recipientRand(secret, {
    seed,
    sender: input.sender,
    faceValue,
    winProb,
    expirationBlock,
    price,
    expirationParams,
  });
  return {
    recipient: input.recipient,
    faceValue,
    winProb,
    recipientRandHash: recipientRandHash(rand),
    seed,
    expirationBlock,
    price,
    expirationParams,
  };
}
