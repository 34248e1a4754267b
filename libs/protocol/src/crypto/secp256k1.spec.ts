import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../bytes/bytes';
import { toChecksumAddress } from './address';
import { initCrypto, keccakImplementation } from './keccak';
import {
  SECP256K1_N,
  SignatureError,
  SignatureFailure,
  addressFromPrivateKey,
  personalDigest,
  personalSign,
  rawEcdsaRecover,
  recoverPersonalSigner,
  verifyPersonalSignature,
} from './secp256k1';
import * as secp from 'secp256k1';

interface SigVector {
  name: string;
  address: string;
  msg: string;
  digest: string;
  sig: string;
  privateKey?: string;
  deterministic?: boolean;
  valid: boolean;
}

const vectors: SigVector[] = JSON.parse(
  readFileSync(join(__dirname, '../../../../fixtures/vectors/signatures.json'), 'utf8'),
).vectors;

describe('personal-sign vectors (fixtures/vectors/signatures.json)', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(toHex(personalDigest(fromHex(v.msg)))).toBe(v.digest);
    expect(toChecksumAddress(recoverPersonalSigner(fromHex(v.msg), fromHex(v.sig)))).toBe(v.address);
    if (v.privateKey) {
      expect(toChecksumAddress(addressFromPrivateKey(fromHex(v.privateKey)))).toBe(v.address);
      if (v.deterministic !== false) expect(toHex(personalSign(fromHex(v.privateKey), fromHex(v.msg)))).toBe(v.sig);
    }
  });
});

describe('strict signature checks', () => {
  const v = vectors[0] as SigVector;
  const msg = fromHex(v.msg);
  const sig = fromHex(v.sig);

  const failureOf = (s: Uint8Array): string => {
    try {
      recoverPersonalSigner(msg, s);
      return 'none';
    } catch (e) {
      return e instanceof SignatureError ? e.failure : String(e);
    }
  };

  it('rejects a 64-byte signature', () => {
    expect(failureOf(sig.subarray(0, 64))).toBe(SignatureFailure.LENGTH);
  });

  it('rejects v = 0 and v = 1', () => {
    const s = Uint8Array.from(sig);
    s[64] = (sig[64] as number) - 27;
    expect(failureOf(s)).toBe(SignatureFailure.BAD_V);
  });

  it('rejects the high-S twin', () => {
    const s = Uint8Array.from(sig);
    const sVal = BigInt(toHex(sig.subarray(32, 64)));
    s.set(fromHex((SECP256K1_N - sVal).toString(16).padStart(64, '0')), 32);
    s[64] = (sig[64] as number) === 27 ? 28 : 27;
    expect(failureOf(s)).toBe(SignatureFailure.HIGH_S);
  });

  it('uses the native secp256k1 binding, and keccak from hash-wasm (ADR 007)', async () => {
    const natives = Object.keys(require.cache).filter((p) => p.endsWith('.node'));
    expect(natives.some((p) => p.includes('secp256k1'))).toBe(true);
    await initCrypto();
    expect(keccakImplementation()).toBe('hash-wasm');
  });
});

describe('verifyPersonalSignature (with the verified-signer public key cache)', () => {
  const keys = vectors.filter((v) => v.privateKey !== undefined);
  const k0 = keys[0] as SigVector;
  const msg = fromHex(k0.msg);
  const sig = fromHex(k0.sig);
  const addr = fromHex(k0.address);

  it('accepts the signer, repeatedly (cache miss, then hits)', () => {
    for (let i = 0; i < 3; i++) expect(verifyPersonalSignature(addr, msg, sig)).toBe(true);
  });

  it('refuses another address, including one sharing the cache slot (first 4 bytes) of a cached signer', () => {
    expect(verifyPersonalSignature(addr, msg, sig)).toBe(true);
    const sameSlot = Uint8Array.from(addr);
    sameSlot[19] = (sameSlot[19] as number) ^ 1;
    expect(verifyPersonalSignature(sameSlot, msg, sig)).toBe(false);
    expect(verifyPersonalSignature(new Uint8Array(20), msg, sig)).toBe(false);
    expect(verifyPersonalSignature(addr.subarray(0, 19), msg, sig)).toBe(false);
    // the cached signer still verifies afterwards
    expect(verifyPersonalSignature(addr, msg, sig)).toBe(true);
  });

  it("refuses a cached signer's address for a signature by another key", () => {
    const other = fromHex('0x' + '11'.repeat(32));
    expect(verifyPersonalSignature(addr, msg, sig)).toBe(true);
    expect(verifyPersonalSignature(addr, msg, personalSign(other, msg))).toBe(false);
    expect(verifyPersonalSignature(addressFromPrivateKey(other), msg, personalSign(other, msg))).toBe(true);
  });

  it('agrees with recoverPersonalSigner for every vector', () => {
    for (const v of vectors) {
      const m = fromHex(v.msg);
      const s = fromHex(v.sig);
      const recovered = recoverPersonalSigner(m, s);
      expect(verifyPersonalSignature(fromHex(v.address), m, s)).toBe(toChecksumAddress(recovered) === v.address);
      expect(verifyPersonalSignature(recovered, m, s)).toBe(true);
    }
  });

  it('throws the same SignatureError as recoverPersonalSigner on malformed signatures', () => {
    expect(() => verifyPersonalSignature(addr, msg, sig.subarray(0, 64))).toThrow(SignatureError);
  });
});

describe('rawEcdsaRecover (direct native binding)', () => {
  it('equals the secp256k1 package wrapper and returns a fresh array each call', () => {
    const v = vectors[0] as SigVector;
    const s = fromHex(v.sig);
    const digest = personalDigest(fromHex(v.msg));
    const a = rawEcdsaRecover(s.subarray(0, 64), (s[64] as number) - 27, digest);
    const b = rawEcdsaRecover(s.subarray(0, 64), (s[64] as number) - 27, digest);
    expect(toHex(a)).toBe(toHex(secp.ecdsaRecover(s.subarray(0, 64), (s[64] as number) - 27, digest, false)));
    expect(a).not.toBe(b);
  });

  it('refuses a recovery id outside 0..3 and wrong lengths without reaching native code unchecked', () => {
    const v = vectors[0] as SigVector;
    const s = fromHex(v.sig);
    const digest = personalDigest(fromHex(v.msg));
    expect(() => rawEcdsaRecover(s.subarray(0, 64), 4, digest)).toThrow(RangeError);
    expect(() => rawEcdsaRecover(s.subarray(0, 63), 0, digest)).toThrow();
    expect(() => rawEcdsaRecover(s.subarray(0, 64), 0, digest.subarray(0, 31))).toThrow();
  });
});
