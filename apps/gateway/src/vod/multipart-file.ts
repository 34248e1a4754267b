import type { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { GatewayError } from '../common/gateway.errors';

const CRLF2 = Buffer.from('\r\n\r\n');

/** The boundary of a `multipart/form-data` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

function bad(message: string): GatewayError {
  return new GatewayError('BAD_REQUEST', message);
}

/**
 * Streams the first file part (a part with a `filename`) of a multipart/form-data body into `out`
 * without holding the file in memory; other parts are skipped. Returns the bytes written.
 * Over `limit` bytes → SEGMENT_TOO_LARGE; a body without a file part → BAD_REQUEST.
 */
export async function pipeMultipartFile(body: Readable, boundary: string, out: Writable, limit: number): Promise<number> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The body starts with `--boundary`; prefixing CRLF makes every delimiter look the same.
  let buf: Buffer = Buffer.from('\r\n');
  let state = 'preamble' as 'preamble' | 'headers' | 'file' | 'skip' | 'done';
  let written = 0;
  let found = false;
  const write = async (chunk: Buffer): Promise<void> => {
    if (chunk.length === 0) return;
    written += chunk.length;
    if (written > limit) throw new GatewayError('SEGMENT_TOO_LARGE', `input is over the ${limit} byte limit`, { details: { limit } });
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  const step = async (): Promise<boolean> => {
    if (state === 'preamble' || state === 'file' || state === 'skip') {
      const at = buf.indexOf(delimiter);
      if (at < 0) {
        // Keep a tail that could be the start of a delimiter split across chunks.
        const keep = Math.min(buf.length, delimiter.length - 1);
        if (state === 'file') await write(buf.subarray(0, buf.length - keep));
        buf = buf.subarray(buf.length - keep);
        return false;
      }
      if (state === 'file') {
        await write(buf.subarray(0, at));
        state = 'done';
        return false;
      }
      const after = buf.subarray(at + delimiter.length);
      if (after.length < 2) return false;
      if (after.subarray(0, 2).toString() === '--') {
        state = 'done';
        return false;
      }
      buf = after;
      state = 'headers';
      return true;
    }
    if (state === 'headers') {
      const end = buf.indexOf(CRLF2);
      if (end < 0) {
        if (buf.length > 16 * 1024) throw bad('multipart part headers are too long');
        return false;
      }
      const headers = buf.subarray(0, end).toString('utf8');
      buf = buf.subarray(end + CRLF2.length);
      state = /content-disposition:[^\r\n]*;\s*filename=/i.test(headers) ? 'file' : 'skip';
      if (state === 'file') found = true;
      return true;
    }
    return false;
  };
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (state === 'done') continue; // drain the epilogue
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (await step());
  }
  if (!found) throw bad('multipart body has no file part (send the media as a form field with a filename)');
  if (state !== 'done') throw bad('multipart body ended inside the file part');
  return written;
}
