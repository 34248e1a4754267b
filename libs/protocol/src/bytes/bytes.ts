/** Byte helpers for the Livepeer wire: minimal big-endian integers, uint256 words, hex. */

export const MAX_UINT256 = (1n << 256n) - 1n;

export class ByteFormatError extends Error {
  override readonly name = 'ByteFormatError';
}

/** Unsigned big-endian, minimal length; zero is the empty byte string (PROTOCOL.md §0). */
export function bigIntToMinimalBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new ByteFormatError(`negative integer ${value} cannot be encoded as unsigned bytes`);
  if (value === 0n) return new Uint8Array(0);
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

/** Decodes unsigned big-endian bytes of any length (leading zeros accepted). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

/** Re-minimises big-endian bytes (drops leading zero bytes). */
export function minimiseBytes(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** 32-byte big-endian word, left padded (Solidity abi.encodePacked uint256). */
export function uint256Bytes(value: bigint): Uint8Array {
  if (value < 0n || value > MAX_UINT256) throw new ByteFormatError(`value ${value} is outside uint256`);
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

export function toHex(bytes: Uint8Array, prefix = true): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return prefix ? '0x' + hex : hex;
}

export function fromHex(hex: string): Uint8Array {
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
    throw new ByteFormatError(`invalid hex string of length ${hex.length}`);
  }
  return new Uint8Array(Buffer.from(body, 'hex'));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  // Addresses and hashes (20/32 bytes) compare faster in JS than through a native call.
  if (a.length > 64) return Buffer.compare(a, b) === 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Go's BytesToAddress: keep the last 20 bytes, or left-pad shorter input. */
export function bytesToAddressBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 20) return bytes.subarray(bytes.length - 20);
  const out = new Uint8Array(20);
  out.set(bytes, 20 - bytes.length);
  return out;
}
