import createKeccakHash from 'keccak';
import { initCrypto, keccak256, keccak256Native, keccak256Utf8, keccakImplementation } from './keccak';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('keccak256 (hash-wasm once ready; native state driven directly before that)', () => {
  beforeAll(() => initCrypto());

  it('runs on hash-wasm once initCrypto has resolved', () => {
    expect(keccakImplementation()).toBe('hash-wasm');
  });

  it('known answers', () => {
    expect(hex(keccak256(new Uint8Array(0)))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(keccak256Utf8('abc'))).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    expect(hex(keccak256Native(new Uint8Array(0)))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });

  it('equals the keccak package stream API (explicit absorbLastFewBits) for every length around the 136-byte rate', () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff));
    for (let n = 0; n <= 300; n++) {
      const m = data.subarray(0, n);
      const expected = createKeccakHash('keccak256').update(m).digest('hex');
      expect(hex(keccak256(m))).toBe(expected);
      // split across absorbs, and from a plain Uint8Array view
      const k = n >> 1;
      expect(hex(keccak256(new Uint8Array(m.subarray(0, k)), m.subarray(k)))).toBe(expected);
      // the native fallback (padding left to squeeze), the same way
      expect(hex(keccak256Native(m))).toBe(expected);
      expect(hex(keccak256Native(new Uint8Array(m.subarray(0, k)), m.subarray(k)))).toBe(expected);
    }
  });

  it('returns a fresh array per call (callers keep digests across hashes)', () => {
    const a = keccak256(new Uint8Array([1]));
    const copy = Uint8Array.from(a);
    keccak256(new Uint8Array([2]));
    expect(a).toEqual(copy);
  });
});
