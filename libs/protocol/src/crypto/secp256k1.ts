import * as secp from 'secp256k1';
import { bytesEqual, concatBytes } from '../bytes/bytes';
import { keccak256 } from './keccak';

/** secp256k1 group order n and n/2 (signatures with s > n/2 are rejected, PROTOCOL.md §3.1). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;
const HALF_N_BYTES = Buffer.from(SECP256K1_HALF_N.toString(16).padStart(64, '0'), 'hex');

/** Failure modes of signature verification, with Livepeer's exact texts. */
export const SignatureFailure = {
  LENGTH: 'invalid signature length',
  HIGH_S: 'signature s value too high',
  BAD_V: 'signature v value must be 27 or 28',
  RECOVERY: 'signature recovery failed',
  MISMATCH: 'signature does not match address',
} as const;
export type SignatureFailure = (typeof SignatureFailure)[keyof typeof SignatureFailure];

export class SignatureError extends Error {
  override readonly name = 'SignatureError';
  constructor(
    readonly failure: SignatureFailure,
    readonly details: Record<string, unknown> = {},
  ) {
    super(failure);
  }
}

const PERSONAL_PREFIX_32 = Buffer.from('\x19Ethereum Signed Message:\n32', 'utf8');

/** EIP-191 personal-sign digest of a 32-byte message (every Livepeer signed item is 32 bytes). */
export function personalDigest(message: Uint8Array): Uint8Array {
  if (message.length === 32) return keccak256(PERSONAL_PREFIX_32, message);
  return keccak256(Buffer.from(`\x19Ethereum Signed Message:\n${message.length}`, 'utf8'), message);
}

/** Signs `message` with EIP-191 personal sign; returns r‖s‖v with v ∈ {27,28} and low S. */
export function personalSign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  const { signature, recid } = secp.ecdsaSign(personalDigest(message), privateKey);
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = recid + 27;
  return out;
}

/** Recovers the 20-byte signer address of a personal-signed 32-byte message, with Livepeer's strict checks. */
export function recoverPersonalSigner(message: Uint8Array, sig: Uint8Array): Uint8Array {
  if (sig.length !== 65) throw new SignatureError(SignatureFailure.LENGTH, { length: sig.length });
  const s = sig.subarray(32, 64);
  if (Buffer.compare(Buffer.from(s), HALF_N_BYTES) > 0) {
    throw new SignatureError(SignatureFailure.HIGH_S, { s: '0x' + Buffer.from(s).toString('hex') });
  }
  const v = sig[64] as number;
  if (v !== 27 && v !== 28) throw new SignatureError(SignatureFailure.BAD_V, { v });
  let pub: Uint8Array;
  try {
    pub = secp.ecdsaRecover(sig.subarray(0, 64), v - 27, personalDigest(message), false);
  } catch (cause) {
    throw new SignatureError(SignatureFailure.RECOVERY, { cause: String(cause) });
  }
  return keccak256(pub.subarray(1)).subarray(12);
}

/** True iff `sig` is a valid personal signature of `message` by `address` (20 bytes). Throws SignatureError on malformed input. */
export function verifyPersonalSignature(address: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  return bytesEqual(recoverPersonalSigner(message, sig), address);
}

export function addressFromPrivateKey(privateKey: Uint8Array): Uint8Array {
  const pub = secp.publicKeyCreate(privateKey, false);
  return keccak256(pub.subarray(1)).subarray(12);
}

/** Raw secp256k1 primitives (benchmark baselines). */
export function rawEcdsaSign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number } {
  return secp.ecdsaSign(digest, privateKey);
}

export function rawEcdsaRecover(sig64: Uint8Array, recid: number, digest: Uint8Array): Uint8Array {
  return secp.ecdsaRecover(sig64, recid, digest, false);
}

export { concatBytes };
