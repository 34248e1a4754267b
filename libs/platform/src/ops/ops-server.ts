import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Starts `server` on host:port (0 = a free port); resolves with the bound port, rejects on a listen error. */
export function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export type ReadinessCheck = () => Promise<boolean | string> | boolean | string;

/**
 * The ops port of every service: `/metrics` (Prometheus text), `/healthz` (the process serves),
 * `/readyz` (every registered dependency check passes; the body names the ones that fail).
 * Plain node:http, separate from any public listener, bound to OPS_HOST.
 */
export class OpsServer {
  private server?: Server;
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(private readonly registry: Registry) {}

  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    let ready = true;
    for (const [name, check] of this.checks) {
      try {
        const r = await check();
        const ok = r === true;
        checks[name] = ok ? 'ok' : typeof r === 'string' ? r : 'not ready';
        ready &&= ok;
      } catch (e) {
        checks[name] = e instanceof Error ? e.message : String(e);
        ready = false;
      }
    }
    return { ready, checks };
  }

  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (status: number, type: string, body: string) => {
        res.statusCode = status;
        res.setHeader('content-type', type);
        res.end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'method not allowed\n');
      if (path === '/healthz') return reply(200, 'application/json', '{"status":"ok"}\n');
      if (path === '/readyz') {
        this.readiness().then(
          (r) => reply(r.ready ? 200 : 503, 'application/json', JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks }) + '\n'),
          (e: unknown) => reply(500, 'text/plain', String(e) + '\n'),
        );
        return;
      }
      if (path === '/metrics') {
        this.registry.metrics().then(
          (text) => reply(200, this.registry.contentType, text),
          (e: unknown) => reply(500, 'text/plain', String(e) + '\n'),
        );
        return;
      }
      reply(404, 'text/plain', 'not found\n');
    });
    this.server = server;
    return listenOn(server, port, host);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
