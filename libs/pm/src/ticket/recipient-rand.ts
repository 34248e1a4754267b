import { hash as nodeHash } from 'node:crypto';
import { bigIntToMinimalBytes, keccak256, minimiseBytes } from '@lpts/protocol';
import { ratReduce, type Rational } from '../math/rational';
import { auxData, writeUint256, type TicketExpirationParams } from './ticket';

const BLOCK = 64;

/**
 * The recipient's 32-byte ticket secret, with the HMAC-SHA256 key pads precomputed.
 *
 * HMAC(K, m) = SHA256((K ⊕ opad) ‖ SHA256((K ⊕ ipad) ‖ m)) (RFC 2104) through Node's one-shot
 * `crypto.hash`, which costs about a tenth of `createHmac` per call on this machine; the spec checks
 * it against `createHmac`.
 */
export class RecipientSecret {
  readonly #ipad: Buffer;
  readonly #outer: Buffer;

  constructor(secret: Uint8Array) {
    if (secret.length !== 32) throw new RangeError(`ticket secret must be 32 bytes, got ${secret.length}`);
    this.#ipad = Buffer.alloc(BLOCK, 0x36);
    this.#outer = Buffer.alloc(BLOCK + 32, 0x5c);
    for (let i = 0; i < secret.length; i++) {
      this.#ipad[i] = (secret[i] as number) ^ 0x36;
      this.#outer[i] = (secret[i] as number) ^ 0x5c;
    }
  }

  /** HMAC-SHA256(secret, message). */
  hmac(message: Uint8Array): Uint8Array {
    const inner = nodeHash('sha256', Buffer.concat([this.#ipad, message]), 'buffer');
    const outer = Buffer.from(this.#outer);
    outer.set(inner, BLOCK);
    return new Uint8Array(nodeHash('sha256', outer, 'buffer'));
  }
}

/** What the recipientRand commits to (§6.3). */
export interface RecipientRandInput {
  /** TicketParams.seed bytes (used minimised, as Go's big.Int.Bytes()). */
  readonly seed: Uint8Array;
  /** 20 bytes: the address the params were quoted for (later Payment.sender). */
  readonly sender: Uint8Array;
  readonly faceValue: bigint;
  readonly winProb: bigint;
  readonly expirationBlock: bigint;
  /** The quoted price; reduced here, its absolute numerator used (Go's big.Rat.Num().Bytes()). */
  readonly price: Rational;
  readonly expirationParams: TicketExpirationParams;
}

/**
 * min(seed) ‖ sender[20] ‖ min(faceValue) ‖ min(winProb) ‖ min(expirationBlock) ‖ min(|price.num|) ‖
 * min(price.den) ‖ auxData, exactly as Go concatenates it (§6.3).
 */
export function recipientRandMessage(input: RecipientRandInput): Uint8Array {
  if (input.sender.length !== 20) throw new RangeError(`sender must be 20 bytes, got ${input.sender.length}`);
  const p = ratReduce(input.price);
  return Buffer.concat([
    minimiseBytes(input.seed),
    input.sender,
    bigIntToMinimalBytes(input.faceValue),
    bigIntToMinimalBytes(input.winProb),
    bigIntToMinimalBytes(input.expirationBlock),
    bigIntToMinimalBytes(p.num < 0n ? -p.num : p.num),
    bigIntToMinimalBytes(p.den),
    auxData(input.expirationParams),
  ]);
}

/** recipientRand = uint256(HMAC-SHA256(secret, msg)), as its 32 big-endian bytes. */
export function recipientRand(secret: RecipientSecret, input: RecipientRandInput): Uint8Array {
  return secret.hmac(recipientRandMessage(input));
}

/** keccak256 of the 32-byte big-endian recipientRand (§6.3). Accepts the bytes or the uint256. */
export function recipientRandHash(rand: Uint8Array | bigint): Uint8Array {
  return keccak256(recipientRandBytes(rand));
}

/** uint256 BE 32 bytes of a recipientRand given as a number or bytes (shorter bytes are left-padded). */
export function recipientRandBytes(rand: Uint8Array | bigint): Uint8Array {
  if (typeof rand === 'bigint') {
    const b = Buffer.allocUnsafe(32);
    writeUint256(b, 0, rand, 'recipientRand');
    return b;
  }
  if (rand.length === 32) return rand;
  if (rand.length > 32) throw new RangeError(`recipientRand must be at most 32 bytes, got ${rand.length}`);
  const b = new Uint8Array(32);
  b.set(rand, 32 - rand.length);
  return b;
}
