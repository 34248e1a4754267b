import { createRequire } from 'node:module';

/**
 * Ethereum Keccak-256 (not NIST SHA3-256) on the keccak package's native N-API state machine,
 * used directly: the package's public API wraps every hash in a stream Transform, which costs
 * more than the hash itself on the ticket hot path (five hashes per ticket).
 */
interface NativeKeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

const nodeGypBuild = createRequire(require.resolve('keccak'))('node-gyp-build') as (dir: string) => new () => NativeKeccakState;
const KeccakState = nodeGypBuild(require.resolve('keccak').replace(/[\\/]index\.js$/, ''));

const RATE = 1088;
const CAPACITY = 512;
/** One state reused for every call: hashing is synchronous, so calls never interleave. */
const state = new KeccakState();

/*
 * No absorbLastFewBits call: XKCP's SpongeSqueeze pads with delimited suffix 0x01 itself when the
 * sponge is not yet squeezing (KeccakSponge.inc), and 0x01 is exactly original Keccak's pad10*1
 * without SHA-3 domain bits. One native call fewer per hash; the known-answer specs pin the output.
 */
export function keccak256(...parts: Uint8Array[]): Uint8Array {
  state.initialize(RATE, CAPACITY);
  for (const p of parts) state.absorb(Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return state.squeeze(32);
}

export function keccak256Utf8(text: string): Uint8Array {
  return keccak256(Buffer.from(text, 'utf8'));
}
