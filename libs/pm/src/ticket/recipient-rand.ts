import { hash as nodeHash } from 'node:crypto';
import { MAX_UINT256, bigIntToMinimalBytes, keccak256, minimiseBytes } from '@lpts/protocol';
import { ratReduce, type Rational } from '../math/rational';
import { auxData, hasEmptyAuxData, writeUint256, type TicketExpirationParams } from './ticket';

const BLOCK = 64;
/** Recent HMAC results kept per secret: every ticket of a PM session has the same recipientRand message. */
const REMEMBERED = 1024;

/**
 * The recipient's 32-byte ticket secret, with the HMAC-SHA256 key pads precomputed.
 *
 * HMAC(K, m) = SHA256((K ⊕ opad) ‖ SHA256((K ⊕ ipad) ‖ m)) (RFC 2104) through Node's one-shot
 * `crypto.hash`, which costs about a tenth of `createHmac` per call on this machine; the spec checks
 * it against `createHmac`.
 */
export class RecipientSecret {
  /** (K ⊕ ipad) ‖ message: the key block stays, the message part is rewritten per call (grown as needed). */
  #inner: Buffer;
  /** (K ⊕ opad) ‖ inner digest: the key block stays, the digest part is rewritten per call. */
  readonly #outer: Buffer;
  /**
   * message (latin1) → HMAC. A payment's recipientRand repeats for every payment of its session
   * (same params), so the two SHA-256 runs happen once per session, not once per payment.
   */
  readonly #remembered = new Map<string, Uint8Array>();

  constructor(secret: Uint8Array) {
    if (secret.length !== 32) throw new RangeError(`ticket secret must be 32 bytes, got ${secret.length}`);
    this.#inner = Buffer.alloc(BLOCK + 256, 0x36);
    this.#outer = Buffer.alloc(BLOCK + 32, 0x5c);
    for (let i = 0; i < secret.length; i++) {
      this.#inner[i] = (secret[i] as number) ^ 0x36;
      this.#outer[i] = (secret[i] as number) ^ 0x5c;
    }
  }

  /** HMAC-SHA256(secret, message). */
  hmac(message: Uint8Array): Uint8Array {
    this.#messageSpace(message.length).set(message, BLOCK);
    return this.#finish(message.length);
  }

  /**
   * HMAC-SHA256 of a message written in place by `write(buf, offset)` (which returns the end offset)
   * into at least `maxLength` bytes: the recipientRand path, without building the message separately.
   * Synchronous use only (the buffer is reused by the next call on this secret).
   */
  hmacWritten(maxLength: number, write: (buf: Buffer, offset: number) => number): Uint8Array {
    const end = write(this.#messageSpace(maxLength), BLOCK);
    return this.#finish(end - BLOCK);
  }

  #messageSpace(length: number): Buffer {
    if (BLOCK + length > this.#inner.length) {
      const grown = Buffer.alloc(BLOCK + length);
      this.#inner.copy(grown, 0, 0, BLOCK);
      this.#inner = grown;
    }
    return this.#inner;
  }

  #finish(length: number): Uint8Array {
    const key = this.#inner.toString('latin1', BLOCK, BLOCK + length);
    const known = this.#remembered.get(key);
    if (known !== undefined) return known.slice();
    const inner = nodeHash('sha256', this.#inner.subarray(0, BLOCK + length), 'buffer');
    inner.copy(this.#outer, BLOCK);
    const mac = new Uint8Array(nodeHash('sha256', this.#outer, 'buffer'));
    if (this.#remembered.size >= REMEMBERED) this.#remembered.clear();
    this.#remembered.set(key, mac.slice());
    return mac;
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

/**
 * recipientRand = uint256(HMAC-SHA256(secret, msg)), as its 32 big-endian bytes. The message is written
 * straight into the secret's HMAC buffer (byte for byte what recipientRandMessage builds; a property
 * spec compares the two) instead of converting each integer through a fresh buffer and concatenating.
 */
export function recipientRand(secret: RecipientSecret, input: RecipientRandInput): Uint8Array {
  if (input.sender.length !== 20) throw new RangeError(`sender must be 20 bytes, got ${input.sender.length}`);
  const p = ratReduce(input.price);
  const priceNum = p.num < 0n ? -p.num : p.num;
  const seed = minimiseBytes(input.seed);
  const exp = input.expirationParams;
  const aux = hasEmptyAuxData(exp) ? undefined : exp;
  if (input.faceValue < 0n || input.winProb < 0n || input.expirationBlock < 0n) {
    // the reference builder raises the same ByteFormatError for a negative integer
    return secret.hmac(recipientRandMessage(input));
  }
  const maxLength =
    seed.length + 20 + maxMinimalLength(input.faceValue) + maxMinimalLength(input.winProb) +
    maxMinimalLength(input.expirationBlock) + maxMinimalLength(priceNum) + maxMinimalLength(p.den) + (aux ? 64 : 0);
  return secret.hmacWritten(maxLength, (buf, offset) => {
    buf.set(seed, offset);
    let o = offset + seed.length;
    buf.set(input.sender, o);
    o += 20;
    o = writeMinimal(buf, o, input.faceValue);
    o = writeMinimal(buf, o, input.winProb);
    o = writeMinimal(buf, o, input.expirationBlock);
    o = writeMinimal(buf, o, priceNum);
    o = writeMinimal(buf, o, p.den);
    if (aux) {
      writeUint256(buf, o, aux.creationRound, 'creationRound');
      if (aux.creationRoundBlockHash.length !== 32) {
        throw new RangeError(`creationRoundBlockHash must be 32 bytes, got ${aux.creationRoundBlockHash.length}`);
      }
      buf.set(aux.creationRoundBlockHash, o + 32);
      o += 64;
    }
    return o;
  });
}

const TWO_POW_48 = 1n << 48n;
const TWO_POW_64 = 1n << 64n;

/** An upper bound on the minimal big-endian length of v ≥ 0. */
function maxMinimalLength(v: bigint): number {
  if (v < TWO_POW_64) return 8;
  if (v <= MAX_UINT256) return 32;
  return (v.toString(16).length + 1) >> 1;
}

/** Writes v ≥ 0 as unsigned minimal big-endian bytes (zero writes nothing), as bigIntToMinimalBytes. */
function writeMinimal(buf: Buffer, offset: number, v: bigint): number {
  if (v === 0n) return offset;
  if (v < TWO_POW_48) {
    const n = Number(v);
    const len = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : n < 0x100000000 ? 4 : n < 0x10000000000 ? 5 : 6;
    buf.writeUIntBE(n, offset, len);
    return offset + len;
  }
  if (v < TWO_POW_64) {
    // 8 bytes, then drop the leading zero bytes (maxMinimalLength reserved 8)
    buf.writeBigUInt64BE(v, offset);
    let z = 0;
    while (buf[offset + z] === 0) z++;
    if (z > 0) buf.copyWithin(offset, offset + z, offset + 8);
    return offset + 8 - z;
  }
  let hex = v.toString(16);
  if (hex.length & 1) hex = '0' + hex;
  return offset + buf.write(hex, offset, 'hex');
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
