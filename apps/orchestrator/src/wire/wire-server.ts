import { connectNodeAdapter } from '@connectrpc/connect-node';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ConnectRouter } from '@connectrpc/connect';
import type { Logger } from '@lpts/platform';
import { Orchestrator } from '@lpts/protocol';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { OrchestratorCore } from '../orchestrator.core';
import { httpError, type NodeHandlerFn } from './http-util';
import type { TlsMaterial } from './tls';


/** Go's server idle timeout (PROTOCOL.md §2.1). */
const IDLE_TIMEOUT_MS = 10 * 60_000;

export const WIRE_SERVER_OPTIONS = Symbol('orchestrator.wire-server-options');

export interface WireServerOptions {
  host: string;
  port: number;
  tls: TlsMaterial;
  core: OrchestratorCore;
  logger: Logger;
}

/**
 * The public Livepeer port: one TLS listener (ALPN h2 + http/1.1) serving gRPC `net.Orchestrator`
 * through connect-node and the HTTPS routes (/segment, /payment, /stream/...) as its fallback
 * (WIRE-STACK.md §2, §3 approach A).
 */
@Injectable()
export class WireServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Http2SecureServer | undefined;
  port = 0;

  constructor(@Inject(WIRE_SERVER_OPTIONS) private readonly o: WireServerOptions) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async listen(): Promise<number> {
    const core = this.o.core;
    const routes = (r: ConnectRouter) =>
      r.service(Orchestrator, {
        getOrchestrator: (req) => core.getOrchestrator(req),
        ping: (req) => core.ping(req),
        endTranscodingSession: (req) => core.endTranscodingSession(req),
      });
    const fallback: NodeHandlerFn = (req, res) => {
      const url = req.url ?? '/';
      const path = url.split('?')[0] ?? '/';
      const fail = (e: unknown) => {
        this.o.logger.error({ err: (e as Error).message, path }, 'wire route failed');
        httpError(res, 500, 'Internal Server Error');
      };
      if (req.method === 'POST' && path === '/segment') core.handleSegment(req, res).catch(fail);
      else if (req.method === 'POST' && path === '/payment') core.handlePayment(req, res).catch(fail);
      else if ((req.method === 'GET' || req.method === 'HEAD') && path.startsWith('/stream/')) core.handleStream(path, res);
      else httpError(res, 404, '404 page not found');
    };
    const server = createSecureServer(
      { key: this.o.tls.key, cert: this.o.tls.cert, allowHTTP1: true, ALPNProtocols: ['h2', 'http/1.1'] },
      connectNodeAdapter({ grpc: true, grpcWeb: false, connect: false, routes, fallback }),
    );
    server.setTimeout(IDLE_TIMEOUT_MS);
    server.on('sessionError', (e) => this.o.logger.debug({ err: e.message }, 'http2 session error'));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.o.logger.info({ port: this.port, host: this.o.host }, 'wire server listening (gRPC + HTTPS)');
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Open HTTP/2 sessions keep close() waiting; give them a moment, then go.
      setTimeout(resolve, 2_000).unref();
    });
  }
}
