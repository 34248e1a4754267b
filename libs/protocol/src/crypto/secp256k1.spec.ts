import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../bytes/bytes';
import { toChecksumAddress } from './address';
import {
  SECP256K1_N,
  SignatureError,
  SignatureFailure,
  addressFromPrivateKey,
  personalDigest,
  personalSign,
  recoverPersonalSigner,
} from './secp256k1';

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

  it('uses the native secp256k1 and keccak bindings', () => {
    const natives = Object.keys(require.cache).filter((p) => p.endsWith('.node'));
    expect(natives.some((p) => p.includes('secp256k1'))).toBe(true);
    expect(natives.some((p) => p.includes('keccak'))).toBe(true);
  });
});
