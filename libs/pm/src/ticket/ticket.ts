import {
  MAX_UINT256,
  SignatureError,
  keccak256,
  personalSign,
  verifyPersonalSignature,
} from '@lpts/protocol';
import type { Rational } from '../math/rational';

/** 2^256 − 1: the winProb of a ticket that always wins (§6.1). */
export const MAX_WIN_PROB = MAX_UINT256;
const MAX_UINT32 = 0xffffffff;

/** (creationRound, creationRoundBlockHash): the ticket's auxData (§6.2). */
export interface TicketExpirationParams {
  readonly creationRound: bigint;
  /** 32 bytes. */
  readonly creationRoundBlockHash: Uint8Array;
}

/** The fields that go into the ticket hash (§6.2). Addresses are 20 bytes, hashes 32. */
export interface TicketHashFields extends TicketExpirationParams {
  readonly recipient: Uint8Array;
  readonly sender: Uint8Array;
  readonly faceValue: bigint;
  readonly winProb: bigint;
  /** uint32 off-chain. */
  readonly senderNonce: number;
  readonly recipientRandHash: Uint8Array;
}

/** A full ticket as the recipient rebuilds it (§6.1): hash fields plus what only the recipientRand binds. */
export interface Ticket extends TicketHashFields {
  readonly paramsExpirationBlock: bigint;
  /** The reduced expected price of the payment that carried the ticket. */
  readonly pricePerPixel: Rational;
}

const ZERO32 = new Uint8Array(32);

/** True iff auxData is empty: creationRound = 0 AND an all-zero block hash (§6.2). */
export function hasEmptyAuxData(p: TicketExpirationParams): boolean {
  return p.creationRound === 0n && isZeroBytes(p.creationRoundBlockHash);
}

/** uint256 BE(creationRound) ‖ creationRoundBlockHash, or empty (§6.2). */
export function auxData(p: TicketExpirationParams): Uint8Array {
  if (hasEmptyAuxData(p)) return new Uint8Array(0);
  const out = Buffer.allocUnsafe(64);
  writeUint256(out, 0, p.creationRound, 'creationRound');
  writeBytes32(out, 32, p.creationRoundBlockHash, 'creationRoundBlockHash');
  return out;
}

/**
 * The 168- or 232-byte ticket preimage, built once and re-hashed per nonce: every ticket of a batch
 * or payment differs only in its nonce (bytes 132..136), so the hot path rewrites 4 bytes and hashes.
 */
export class TicketPreimage {
  readonly bytes: Buffer;

  constructor(f: Omit<TicketHashFields, 'senderNonce'> & { readonly senderNonce?: number }) {
    const empty = hasEmptyAuxData(f);
    // every byte is written below (the pool's allocUnsafe is ~10× cheaper than a zeroed alloc)
    const b = Buffer.allocUnsafe(empty ? 168 : 232);
    b.fill(0, 104, 132); // the high 28 bytes of the uint256 nonce word
    writeBytes20(b, 0, f.recipient, 'recipient');
    writeBytes20(b, 20, f.sender, 'sender');
    writeUint256(b, 40, f.faceValue, 'faceValue');
    writeUint256(b, 72, f.winProb, 'winProb');
    writeBytes32(b, 136, f.recipientRandHash, 'recipientRandHash');
    if (!empty) {
      writeUint256(b, 168, f.creationRound, 'creationRound');
      writeBytes32(b, 200, f.creationRoundBlockHash, 'creationRoundBlockHash');
    }
    this.bytes = b;
    this.setNonce(f.senderNonce ?? 0);
  }

  /** The winProb word as stored (32 bytes BE): byte comparison against it is the numeric comparison. */
  get winProbBytes(): Buffer {
    return this.bytes.subarray(72, 104);
  }

  setNonce(nonce: number): this {
    assertNonce(nonce);
    this.bytes.writeUInt32BE(nonce, 132);
    return this;
  }

  /** keccak256 of the preimage with the nonce currently set. */
  hash(): Uint8Array {
    return keccak256(this.bytes);
  }
}

/** ticketHash = keccak256(preimage) (§6.2); what the sender personal-signs and the contract's getTicketHash returns. */
export function ticketHash(fields: TicketHashFields): Uint8Array {
  return new TicketPreimage(fields).hash();
}

/** Personal-sign (EIP-191) of the 32 hash bytes: 65 bytes r‖s‖v, v ∈ {27,28}, low-S (§3.1, §3.2). */
export function signTicketHash(privateKey: Uint8Array, hash: Uint8Array): Uint8Array {
  return personalSign(privateKey, hash);
}

export function signTicket(privateKey: Uint8Array, ticket: TicketHashFields): Uint8Array {
  return personalSign(privateKey, ticketHash(ticket));
}

/**
 * True iff `sig` is the sender's personal signature of `hash`. Malformed signatures (length ≠ 65,
 * high S, v ∉ {27,28}, unrecoverable) are false, as Go's SigVerifier.Verify returns false for them;
 * `signatureFailure` says which.
 */
export function ticketSignatureValid(sender: Uint8Array, hash: Uint8Array, sig: Uint8Array): boolean {
  return signatureFailure(sender, hash, sig) === undefined;
}

/** Why a signature does not verify (protocol's SignatureFailure text), or undefined when it does. */
export function signatureFailure(sender: Uint8Array, hash: Uint8Array, sig: Uint8Array): string | undefined {
  try {
    return verifyPersonalSignature(sender, hash, sig) ? undefined : 'signature does not match address';
  } catch (e) {
    if (e instanceof SignatureError) return e.failure;
    throw e;
  }
}

/** keccak256(sig ‖ uint256 recipientRand) as 32 bytes: the value compared against winProb (§6.3). */
export function winValue(sig: Uint8Array, recipientRand: Uint8Array): Uint8Array {
  if (recipientRand.length !== 32) throw new RangeError(`recipientRand must be 32 bytes, got ${recipientRand.length}`);
  return keccak256(sig, recipientRand);
}

/** Win iff uint256(keccak256(sig[65] ‖ recipientRand[32])) < winProb, strictly (§6.3). */
export function isWinningTicket(sig: Uint8Array, recipientRand: Uint8Array, winProb: bigint): boolean {
  if (winProb <= 0n) return false;
  const w = Buffer.allocUnsafe(32);
  writeUint256(w, 0, winProb, 'winProb');
  return Buffer.compare(winValue(sig, recipientRand), w) < 0;
}

/** sig[65] ‖ recipientRand[32], rewritten per call: one absorb instead of two (hashing is synchronous). */
const WIN_PREIMAGE = Buffer.alloc(97);

/** Hot-path form of the win check against the 32-byte BE winProb word. */
export function isWinningTicketBytes(sig: Uint8Array, recipientRand: Uint8Array, winProbWord: Uint8Array): boolean {
  if (sig.length !== 65 || recipientRand.length !== 32) return Buffer.compare(keccak256(sig, recipientRand), winProbWord) < 0;
  WIN_PREIMAGE.set(sig, 0);
  WIN_PREIMAGE.set(recipientRand, 65);
  return Buffer.compare(keccak256(WIN_PREIMAGE), winProbWord) < 0;
}

/** EV = faceValue × winProb / (2^256 − 1), exact and unreduced (§6.1). */
export function ticketEV(faceValue: bigint, winProb: bigint): Rational {
  return { num: faceValue * winProb, den: MAX_WIN_PROB };
}

export function assertNonce(nonce: number): void {
  if (!Number.isInteger(nonce) || nonce < 0 || nonce > MAX_UINT32) {
    throw new RangeError(`senderNonce ${nonce} is not a uint32`);
  }
}

export function isZeroBytes(b: Uint8Array): boolean {
  if (b === ZERO32) return true;
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

const TWO_POW_64 = 1n << 64n;

/**
 * Writes `v` as a 32-byte big-endian word (uint256). Below 2^64 one 64-bit write after 24 zero bytes;
 * above, one hex conversion (cheaper than four bigint shift-and-mask steps, which allocate a bigint each).
 */
export function writeUint256(buf: Buffer, offset: number, v: bigint, what = 'value'): void {
  if (v < 0n || v > MAX_UINT256) throw new RangeError(`${what} ${v} is outside uint256`);
  if (v < TWO_POW_64) {
    buf.fill(0, offset, offset + 24);
    buf.writeBigUInt64BE(v, offset + 24);
    return;
  }
  buf.write(v.toString(16).padStart(64, '0'), offset, 32, 'hex');
}

function writeBytes20(buf: Buffer, offset: number, b: Uint8Array, what: string): void {
  if (b.length !== 20) throw new RangeError(`${what} must be 20 bytes, got ${b.length}`);
  buf.set(b, offset);
}

function writeBytes32(buf: Buffer, offset: number, b: Uint8Array, what: string): void {
  if (b.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${b.length}`);
  buf.set(b, offset);
}
