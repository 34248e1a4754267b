import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../common/gateway.errors';

/** Reads a request body up to `limit` bytes (SEGMENT_TOO_LARGE beyond it). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new GatewayError('SEGMENT_TOO_LARGE', `body of ${declared} bytes is over the ${limit} byte limit`, { details: { bytes: declared, limit } }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new GatewayError('SEGMENT_TOO_LARGE', `body is over the ${limit} byte limit`, { details: { limit } }));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (e) => reject(new GatewayError('BAD_REQUEST', `request body failed: ${e.message}`, { cause: e })));
  });
}
