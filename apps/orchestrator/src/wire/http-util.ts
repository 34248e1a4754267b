import type { connectNodeAdapter } from '@connectrpc/connect-node';
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';

/** connect-node's fallback handler (not exported by name, WIRE-STACK pitfall 7). */
export type NodeHandlerFn = NonNullable<Parameters<typeof connectNodeAdapter>[0]['fallback']>;
export type WireRequest = Parameters<NodeHandlerFn>[0];
export type WireResponse = Parameters<NodeHandlerFn>[1];

/** Go's http.Error: text/plain; charset=utf-8, nosniff, body = message + "\n". */
export function httpError(res: WireResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(`${message}\n`);
}

export function header(req: WireRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Go's ReadAtMost text when a body is over the limit. */
export const BODY_TOO_LARGE = 'input bigger than max buffer size';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(BODY_TOO_LARGE);
  }
}

/** Reads the whole body, failing as soon as it passes `limit` bytes. */
export async function readBody(req: WireRequest, limit: number): Promise<Buffer> {
  const declared = Number(header(req, 'content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** Sends the status line and headers now (the gateway's "upload done" signal). */
export function flushStatus(res: WireResponse, status: number): void {
  res.statusCode = status;
  const r = res as ServerResponse & { flushHeaders?: () => void };
  if ('stream' in res && typeof (res as Http2ServerResponse).writeHead === 'function') {
    (res as Http2ServerResponse).writeHead(status);
  } else {
    r.writeHead(status);
    r.flushHeaders?.();
  }
}
