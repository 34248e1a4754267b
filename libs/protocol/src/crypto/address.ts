import { ByteFormatError, fromHex, toHex } from '../bytes/bytes';
import { keccak256Utf8 } from './keccak';

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** EIP-55 checksummed text of a 20-byte address (Go's Address.Hex()). */
export function toChecksumAddress(address: Uint8Array | string): string {
  const lower = (typeof address === 'string' ? normaliseAddressHex(address) : toHex(address, false)).toLowerCase();
  if (lower.length !== 40) throw new ByteFormatError(`address must be 20 bytes, got ${lower.length / 2}`);
  const hash = Buffer.from(keccak256Utf8(lower)).toString('hex');
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i] as string;
    out += parseInt(hash[i] as string, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

export function addressToBytes(address: string): Uint8Array {
  const b = fromHex(address);
  if (b.length !== 20) throw new ByteFormatError(`address must be 20 bytes, got ${b.length}`);
  return b;
}

export function isAddress(value: string): boolean {
  return /^0x[0-9a-fA-F]{40}$/.test(value);
}

function normaliseAddressHex(address: string): string {
  return address.startsWith('0x') || address.startsWith('0X') ? address.slice(2) : address;
}

export function addressesEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ha = typeof a === 'string' ? normaliseAddressHex(a).toLowerCase() : toHex(a, false);
  const hb = typeof b === 'string' ? normaliseAddressHex(b).toLowerCase() : toHex(b, false);
  return ha === hb;
}
