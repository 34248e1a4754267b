import { createRequire } from 'node:module';
import { createKeccak, type IHasher } from 'hash-wasm';

/**
 * Ethereum Keccak-256 (not NIST SHA3-256). Two implementations giving identical output (the specs
 * pin both against the keccak package for every length 0–300):
 *
 * - hash-wasm's WebAssembly Keccak through one reused hasher (`init`/`update`/`digest`), about half
 *   the per-hash cost of the native binding for ticket-sized inputs (ADR 007). hash-wasm can only be
 *   instantiated asynchronously, so it takes over once `initCrypto()` has resolved (started at module
 *   load; long-running processes and benches await it at startup).
 * - the keccak package's native N-API state machine, used directly (its public API wraps every hash
 *   in a stream Transform): what `keccak256` runs until the WebAssembly hasher is ready, or for good
 *   if it cannot be instantiated.
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

/** The reused WebAssembly hasher, once instantiated (same reasoning: calls never interleave). */
let wasm: IHasher | undefined;

const ready: Promise<void> = createKeccak(256).then(
  (hasher) => {
    wasm = hasher;
  },
  () => undefined, // no WebAssembly: the native path stays in use
);

/** Resolves once keccak256 runs on the WebAssembly hasher (or, without WebAssembly, stays native). Never rejects. */
export function initCrypto(): Promise<void> {
  return ready;
}

/** Which implementation `keccak256` is running on now. */
export function keccakImplementation(): 'hash-wasm' | 'native' {
  return wasm === undefined ? 'native' : 'hash-wasm';
}

/*
 * Native path: no absorbLastFewBits call: XKCP's SpongeSqueeze pads with delimited suffix 0x01 itself
 * when the sponge is not yet squeezing (KeccakSponge.inc), and 0x01 is exactly original Keccak's
 * pad10*1 without SHA-3 domain bits. One native call fewer per hash; the known-answer specs pin it.
 */
export function keccak256Native(...parts: Uint8Array[]): Uint8Array {
  state.initialize(RATE, CAPACITY);
  for (const p of parts) state.absorb(Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return state.squeeze(32);
}

/** keccak256 of the concatenation of `parts`; a fresh 32-byte array. */
export function keccak256(...parts: Uint8Array[]): Uint8Array {
  const h = wasm;
  if (h === undefined) return keccak256Native(...parts);
  h.init();
  for (const p of parts) h.update(p);
  return h.digest('binary');
}

export function keccak256Utf8(text: string): Uint8Array {
  return keccak256(Buffer.from(text, 'utf8'));
}
