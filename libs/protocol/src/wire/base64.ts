/**
 * Strict standard base64 (RFC 4648 §4, `=` padding, no line breaks) as used in the
 * `Livepeer-Segment` and `Livepeer-Payment` headers. Node's Buffer decoder silently skips bad
 * characters; Go's decoder refuses them, so we check first and report where the input goes wrong.
 */

const ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Index of the first character that makes `text` invalid standard base64, or -1 when it is valid.
 * (Same idea as Go's `illegal base64 data at input byte N`.)
 */
export function base64ErrorOffset(text: string): number {
  const n = text.length;
  let pad = 0;
  if (n > 0 && text.charCodeAt(n - 1) === 61) pad = n > 1 && text.charCodeAt(n - 2) === 61 ? 2 : 1;
  const body = n - pad;
  for (let i = 0; i < body; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ALPHABET[c] !== 1) return i;
  }
  if (n % 4 !== 0) return pad > 0 ? body : Math.floor(n / 4) * 4;
  return -1;
}

/** Decodes strict base64; returns undefined when the text is not valid (see `base64ErrorOffset`). */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (base64ErrorOffset(text) !== -1) return undefined;
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
