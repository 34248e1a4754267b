import createKeccakHash from 'keccak';

/** Ethereum Keccak-256 (not NIST SHA3-256), through the native N-API binding. */
export function keccak256(...parts: Uint8Array[]): Uint8Array {
  const h = createKeccakHash('keccak256');
  for (const p of parts) h.update(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return new Uint8Array(h.digest());
}

export function keccak256Utf8(text: string): Uint8Array {
  return keccak256(Buffer.from(text, 'utf8'));
}
