import { createRequire } from 'node:module';
import * as secp from 'secp256k1';
import { bytesEqual, concatBytes } from '../bytes/bytes';
import { keccak256 } from './keccak';

/**
 * The secp256k1 package's native N-API object, called directly on the recovery hot path. The package's
 * JS wrapper (lib/index.js) checks argument types through Object.prototype.toString and allocates a
 * fresh output array per call; here the lengths are checked by the callers below, the binding itself
 * re-checks the signature (64) and message (32) lengths, and the output buffer is reused. Undefined
 * when the prebuilt binding cannot load (the package then runs its pure-JS elliptic fallback, used
 * through the wrapper).
 */
interface NativeSecp256k1 {
  /** 0 ok, 1 signature parse failure, 2 recovery failure, 3 serialisation failure. */
  ecdsaRecover(output: Uint8Array, sig64: Uint8Array, recid: number, msg32: Uint8Array): number;
}

function loadNative(): NativeSecp256k1 | undefined {
  try {
    const pkg = require.resolve('secp256k1');
    const nodeGypBuild = createRequire(pkg)('node-gyp-build') as (dir: string) => { Secp256k1: new () => NativeSecp256k1 };
    return new (nodeGypBuild(pkg.replace(/[\\/]index\.js$/, '')).Secp256k1)();
  } catch {
    return undefined;
  }
}

const native = loadNative();
const RECOVER_ERRORS = ['', 'Signature could not be parsed', 'Public key could not be recover', 'Impossible case. Please create issue.'];

/** Recovers the uncompressed public key (65 bytes, 0x04 ‖ X ‖ Y) into `output`; recid must be 0..3. */
function recoverInto(output: Uint8Array, sig64: Uint8Array, recid: number, digest: Uint8Array): Uint8Array {
  if (native === undefined) {
    output.set(secp.ecdsaRecover(sig64, recid, digest, false));
    return output;
  }
  const rc = native.ecdsaRecover(output, sig64, recid, digest);
  if (rc !== 0) throw new Error(RECOVER_ERRORS[rc] ?? `secp256k1 ecdsaRecover returned ${rc}`);
  return output;
}

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
/** prefix ‖ 32-byte message, rewritten per call: one absorb instead of two (hashing is synchronous). */
const PERSONAL_32 = Buffer.alloc(PERSONAL_PREFIX_32.length + 32);
PERSONAL_PREFIX_32.copy(PERSONAL_32, 0);

/** EIP-191 personal-sign digest of a 32-byte message (every Livepeer signed item is 32 bytes). */
export function personalDigest(message: Uint8Array): Uint8Array {
  if (message.length === 32) {
    PERSONAL_32.set(message, PERSONAL_PREFIX_32.length);
    return keccak256(PERSONAL_32);
  }
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

/** Reused recovery output (hashing and recovery are synchronous, so calls never interleave). */
const PUB = new Uint8Array(65);
const PUB_XY = PUB.subarray(1);

/** Livepeer's strict checks (§3.1), then recovery of the public key into PUB; returns PUB's X ‖ Y view. */
function recoverPersonalPublicKey(message: Uint8Array, sig: Uint8Array): Uint8Array {
  if (sig.length !== 65) throw new SignatureError(SignatureFailure.LENGTH, { length: sig.length });
  // HALF_N < s ⇔ s > n/2: compared in place, without copying s
  if (HALF_N_BYTES.compare(sig, 32, 64) < 0) {
    throw new SignatureError(SignatureFailure.HIGH_S, { s: '0x' + Buffer.from(sig.subarray(32, 64)).toString('hex') });
  }
  const v = sig[64] as number;
  if (v !== 27 && v !== 28) throw new SignatureError(SignatureFailure.BAD_V, { v });
  try {
    recoverInto(PUB, sig.subarray(0, 64), v - 27, personalDigest(message));
  } catch (cause) {
    throw new SignatureError(SignatureFailure.RECOVERY, { cause: String(cause) });
  }
  return PUB_XY;
}

/** Recovers the 20-byte signer address of a personal-signed 32-byte message, with Livepeer's strict checks. */
export function recoverPersonalSigner(message: Uint8Array, sig: Uint8Array): Uint8Array {
  return keccak256(recoverPersonalPublicKey(message, sig)).subarray(12);
}

/**
 * Public keys of signers already verified, by the first 4 address bytes (a direct-mapped cache: a
 * colliding address replaces the slot). A hit needs the full address AND the full 64-byte public key
 * to be equal, and the address is a function of the key, so a hit proves what hashing would: it only
 * skips the pubkey→address keccak for a repeat signer. Anything else hashes, as before.
 */
interface KnownSigner {
  readonly address: Buffer;
  readonly publicKey: Buffer;
}
const knownSigners = new Map<number, KnownSigner>();
const KNOWN_SIGNERS_MAX = 4096;

/** True iff `sig` is a valid personal signature of `message` by `address` (20 bytes). Throws SignatureError on malformed input. */
export function verifyPersonalSignature(address: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  const pub = recoverPersonalPublicKey(message, sig);
  if (address.length !== 20) return false;
  const slot = ((address[0] as number) << 24) | ((address[1] as number) << 16) | ((address[2] as number) << 8) | (address[3] as number);
  const known = knownSigners.get(slot);
  if (known !== undefined && known.publicKey.equals(pub) && known.address.equals(address)) return true;
  const recovered = keccak256(pub).subarray(12);
  if (!bytesEqual(recovered, address)) return false;
  if (known === undefined && knownSigners.size >= KNOWN_SIGNERS_MAX) knownSigners.clear();
  knownSigners.set(slot, { address: Buffer.from(address), publicKey: Buffer.from(pub) });
  return true;
}

export function addressFromPrivateKey(privateKey: Uint8Array): Uint8Array {
  const pub = secp.publicKeyCreate(privateKey, false);
  return keccak256(pub.subarray(1)).subarray(12);
}

/** Raw secp256k1 primitives (benchmark baselines). */
export function rawEcdsaSign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number } {
  return secp.ecdsaSign(digest, privateKey);
}

/** The bare native recovery (same binding path as recoverPersonalSigner), into a fresh 65-byte array. */
export function rawEcdsaRecover(sig64: Uint8Array, recid: number, digest: Uint8Array): Uint8Array {
  if (recid !== 0 && recid !== 1 && recid !== 2 && recid !== 3) throw new RangeError('Expected recovery id to be a Number within interval [0, 3]');
  return recoverInto(new Uint8Array(65), sig64, recid, digest);
}

export { concatBytes };
