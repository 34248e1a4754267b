import { randomBytes } from 'node:crypto';
import { createServer, Socket } from 'node:net';

/** Ports handed out by this process recently; avoids giving the same port to two starts in one file. */
const recentlyGiven = new Set<number>();

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port > 0 && !recentlyGiven.has(port)) {
      recentlyGiven.add(port);
      if (recentlyGiven.size > 1000) recentlyGiven.clear();
      return port;
    }
  }
  throw new Error('freePort: could not find a free TCP port on 127.0.0.1');
}

/**
 * A unique, NATS-subject-safe and Redis-key-safe prefix for one test file,
 * e.g. `t_pay_3f9a1c2b7d` (letters, digits and `_` only).
 */
export function uniquePrefix(label?: string): string {
  const clean = (label ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24);
  const rnd = randomBytes(5).toString('hex');
  return clean ? `t_${clean}_${rnd}` : `t${rnd}`;
}

/**
 * Opens a TCP connection, optionally writes `send`, and resolves with what the server sends back
 * (up to `until` matching or `timeoutMs`). Rejects on connection errors.
 */
export function tcpExchange(
  port: number,
  opts: { host?: string; send?: string | Buffer; until: (received: Buffer) => boolean; timeoutMs?: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    let received = Buffer.alloc(0);
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(received);
    };
    const timer = setTimeout(() => finish(new Error(`no answer on port ${port}`)), opts.timeoutMs ?? 1000);
    sock.once('error', (e) => finish(e));
    sock.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (opts.until(received)) finish();
    });
    sock.once('close', () => finish(new Error(`connection closed on port ${port}`)));
    sock.connect(port, opts.host ?? '127.0.0.1', () => {
      if (opts.send !== undefined) sock.write(opts.send);
    });
  });
}
