import * as http2 from 'node:http2';
import { createClient, ConnectError, Code, type Client } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { create } from '@bufbuild/protobuf';
import { EndTranscodingSessionRequestSchema, Orchestrator, WireCodecs, LivepeerHeader } from '@lpts/protocol';
import type { AuthToken, OrchestratorInfo, OrchestratorRequest, TranscodeResult } from '@lpts/protocol';
import { FailureKind, GatewayErrorCode, OrchestratorCallError } from '../common/gateway.errors';

export interface WireClientOptions {
  /** TLS/TCP dial deadline (Go: 2 s for HTTP). */
  dialTimeoutMs: number;
  /** Idle HTTP/2 connections are closed after this (Go: 1 min). */
  idleTimeoutMs?: number;
}

export interface SegmentCall {
  segData: string;
  payment: string;
  body: Uint8Array;
  /** Until the status line arrives (§2.2 upload timeout). */
  uploadTimeoutMs: number;
  /** Whole call (§2.2 /segment timeout). */
  totalTimeoutMs: number;
  contentType?: string;
}

export interface SegmentResponse {
  result: TranscodeResult;
  /** ms until the status line (upload done). */
  uploadMs: number;
  totalMs: number;
}


function networkError(uri: string, e: unknown, what: string): OrchestratorCallError {
  const code = (e as { code?: string }).code ?? 'UNKNOWN';
  const message = e instanceof Error ? e.message : String(e);
  return new OrchestratorCallError(FailureKind.NETWORK, GatewayErrorCode.ORCHESTRATOR_UNREACHABLE, `${what} ${uri} failed: ${message}`, {
    details: { uri, errno: code },
    cause: e,
  });
}

function timeoutError(uri: string, what: string, timeoutMs: number): OrchestratorCallError {
  return new OrchestratorCallError(FailureKind.TIMEOUT, GatewayErrorCode.ORCHESTRATOR_TIMEOUT, `${what} ${uri} timed out after ${timeoutMs} ms`, {
    details: { uri, timeoutMs, stage: what },
  });
}

/** Kind of failure from an O's error text (§2.5 texts). */
export function classifyOrchestratorText(text: string, status?: number): FailureKind {
  if (/OrchestratorCapped|OrchestratorBusy|insufficient capacity|no transcoders available/i.test(text)) return FailureKind.CAPACITY;
  if (status === 402 || /ticket|payment|Insufficient balance|sender|recipientRand|expected price/i.test(text)) return FailureKind.PAYMENT;
  if (status === undefined) return FailureKind.TRANSCODE;
  return FailureKind.PROTOCOL;
}

/**
 * Client side of the Livepeer wire (PROTOCOL.md §1–§2): gRPC GetOrchestrator over HTTP/2 (TLS
 * without verification, as Go), POST /segment and rendition downloads over one HTTP/2 session per
 * origin. Every failure is an OrchestratorCallError whose kind decides penalties and retries.
 */
export class OrchestratorWireClient {
  private readonly grpc = new Map<string, { client: Client<typeof Orchestrator>; manager: Http2SessionManager }>();
  private readonly sessions = new Map<string, Promise<http2.ClientHttp2Session>>();
  private closed = false;

  constructor(private readonly options: WireClientOptions) {}

  private grpcClient(uri: string): Client<typeof Orchestrator> {
    let c = this.grpc.get(uri);
    if (c === undefined) {
      const manager = new Http2SessionManager(uri, { idleConnectionTimeoutMs: this.options.idleTimeoutMs ?? 60_000 }, { rejectUnauthorized: false });
      const transport = createGrpcTransport({ baseUrl: uri, sessionManager: manager });
      c = { client: createClient(Orchestrator, transport), manager };
      this.grpc.set(uri, c);
    }
    return c.client;
  }

  /** GetOrchestrator with one deadline covering dial and call. */
  async getOrchestrator(uri: string, request: OrchestratorRequest, timeoutMs: number): Promise<OrchestratorInfo> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await this.grpcClient(uri).getOrchestrator(request, { timeoutMs, signal: controller.signal });
    } catch (e) {
      if (controller.signal.aborted) throw timeoutError(uri, 'GetOrchestrator', timeoutMs);
      if (e instanceof ConnectError) {
        if (e.code === Code.DeadlineExceeded || e.code === Code.Canceled) throw timeoutError(uri, 'GetOrchestrator', timeoutMs);
        if (e.code === Code.Unavailable || e.code === Code.Internal && /ECONN|socket|TLS|connect/i.test(e.rawMessage)) {
          throw networkError(uri, e, 'GetOrchestrator');
        }
        throw new OrchestratorCallError(classifyOrchestratorText(e.rawMessage, 0), GatewayErrorCode.ORCHESTRATOR_ERROR, `GetOrchestrator ${uri}: ${e.rawMessage}`, {
          details: { uri, grpcCode: e.code },
          cause: e,
        });
      }
      throw networkError(uri, e, 'GetOrchestrator');
    } finally {
      clearTimeout(timer);
    }
  }

  /** EndTranscodingSession(auth_token): the gateway's teardown of one O session. */
  async endTranscodingSession(uri: string, authToken: AuthToken, timeoutMs: number): Promise<void> {
    try {
      await this.grpcClient(uri).endTranscodingSession(create(EndTranscodingSessionRequestSchema, { authToken }), { timeoutMs });
    } catch (e) {
      throw networkError(uri, e, 'EndTranscodingSession');
    }
  }

  /** One HTTP/2 session per origin; dropped on error/close so the next call redials. */
  private session(origin: string): Promise<http2.ClientHttp2Session> {
    if (this.closed) return Promise.reject(new Error('wire client closed'));
    const existing = this.sessions.get(origin);
    if (existing !== undefined) return existing;
    const p = new Promise<http2.ClientHttp2Session>((resolve, reject) => {
      const s = http2.connect(origin, { rejectUnauthorized: false, ALPNProtocols: ['h2'] });
      const dial = setTimeout(() => {
        s.destroy();
        reject(Object.assign(new Error(`dial timeout after ${this.options.dialTimeoutMs} ms`), { code: 'ETIMEDOUT_DIAL' }));
      }, this.options.dialTimeoutMs);
      s.once('connect', () => {
        clearTimeout(dial);
        resolve(s);
      });
      s.on('error', (e) => {
        clearTimeout(dial);
        this.sessions.delete(origin);
        reject(e);
      });
      s.on('close', () => {
        clearTimeout(dial);
        if (this.sessions.get(origin) === p) this.sessions.delete(origin);
        reject(new Error('session closed'));
      });
      s.on('goaway', () => {
        if (this.sessions.get(origin) === p) this.sessions.delete(origin);
      });
      s.setTimeout(this.options.idleTimeoutMs ?? 60_000, () => s.close());
      s.unref();
    });
    p.catch(() => undefined);
    this.sessions.set(origin, p);
    return p;
  }

  private dropSession(origin: string): void {
    const p = this.sessions.get(origin);
    this.sessions.delete(origin);
    p?.then((s) => s.destroy(), () => undefined);
  }

  /** POST <transcoder>/segment (§2.6). */
  async submitSegment(transcoderUri: string, call: SegmentCall): Promise<SegmentResponse> {
    const url = new URL('/segment', transcoderUri);
    const started = performance.now();
    let session: http2.ClientHttp2Session;
    try {
      session = await this.session(url.origin);
    } catch (e) {
      if ((e as { code?: string }).code === 'ETIMEDOUT_DIAL') throw timeoutError(transcoderUri, 'dial', this.options.dialTimeoutMs);
      throw networkError(transcoderUri, e, 'dial');
    }
    return new Promise<SegmentResponse>((resolve, reject) => {
      let settled = false;
      let uploadMs = -1;
      const finish = (err: OrchestratorCallError | undefined, value?: SegmentResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(uploadTimer);
        clearTimeout(totalTimer);
        if (err) {
          if (uploadMs >= 0) (err.details as Record<string, unknown>)['statusArrived'] = true;
          if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
          reject(err);
        } else resolve(value as SegmentResponse);
      };
      let req: http2.ClientHttp2Stream;
      try {
        req = session.request({
          ':method': 'POST',
          ':path': url.pathname,
          'content-type': call.contentType ?? 'video/MP2T',
          'content-length': String(call.body.length),
          [LivepeerHeader.SEGMENT.toLowerCase()]: call.segData,
          [LivepeerHeader.PAYMENT.toLowerCase()]: call.payment,
        });
      } catch (e) {
        this.dropSession(url.origin);
        reject(networkError(transcoderUri, e, 'POST /segment'));
        return;
      }
      const uploadTimer = setTimeout(
        () => finish(Object.assign(timeoutError(transcoderUri, 'upload', call.uploadTimeoutMs), { message: `header timeout: POST ${transcoderUri}/segment: no response after ${call.uploadTimeoutMs} ms` })),
        call.uploadTimeoutMs,
      );
      const totalTimer = setTimeout(() => finish(timeoutError(transcoderUri, 'POST /segment', call.totalTimeoutMs)), call.totalTimeoutMs);
      let status = 0;
      const chunks: Buffer[] = [];
      req.on('response', (headers) => {
        status = Number(headers[':status'] ?? 0);
        uploadMs = performance.now() - started;
        clearTimeout(uploadTimer);
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', (e) => {
        if ((e as { code?: string }).code !== 'ERR_HTTP2_STREAM_CANCEL' || !settled) this.dropSession(url.origin);
        finish(networkError(transcoderUri, e, uploadMs < 0 ? 'POST /segment' : 'body of /segment'));
      });
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (status !== 200) {
          const text = body.toString('utf8').trim();
          finish(
            new OrchestratorCallError(classifyOrchestratorText(text, status), GatewayErrorCode.ORCHESTRATOR_ERROR, text || `HTTP ${status}`, {
              details: { uri: transcoderUri, status, body: text.slice(0, 300) },
            }),
          );
          return;
        }
        let result: TranscodeResult;
        try {
          result = WireCodecs.TranscodeResult.decode(body);
        } catch (e) {
          finish(
            new OrchestratorCallError(FailureKind.PROTOCOL, GatewayErrorCode.ORCHESTRATOR_ERROR, `undecodable TranscodeResult from ${transcoderUri}`, {
              details: { uri: transcoderUri, bytes: body.length },
              cause: e,
            }),
          );
          return;
        }
        finish(undefined, { result, uploadMs, totalMs: performance.now() - started });
      });
      req.end(call.body);
    });
  }

  /** GET a rendition URL (TLS without verification; plain http via fetch). */
  async download(url: string, timeoutMs: number): Promise<Buffer> {
    const u = new URL(url);
    if (u.protocol === 'http:') {
      try {
        const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return Buffer.from(await r.arrayBuffer());
      } catch (e) {
        if ((e as Error).name === 'TimeoutError') throw timeoutError(url, 'download', timeoutMs);
        throw networkError(url, e, 'download');
      }
    }
    let session: http2.ClientHttp2Session;
    try {
      session = await this.session(u.origin);
    } catch (e) {
      throw networkError(url, e, 'download');
    }
    return new Promise<Buffer>((resolve, reject) => {
      const req = session.request({ ':method': 'GET', ':path': u.pathname + u.search });
      const timer = setTimeout(() => {
        req.close(http2.constants.NGHTTP2_CANCEL);
        reject(timeoutError(url, 'download', timeoutMs));
      }, timeoutMs);
      let status = 0;
      const chunks: Buffer[] = [];
      req.on('response', (h) => (status = Number(h[':status'] ?? 0)));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', (e) => {
        clearTimeout(timer);
        this.dropSession(u.origin);
        reject(networkError(url, e, 'download'));
      });
      req.on('end', () => {
        clearTimeout(timer);
        if (status !== 200) {
          reject(
            new OrchestratorCallError(FailureKind.PROTOCOL, GatewayErrorCode.ORCHESTRATOR_ERROR, `download ${url}: HTTP ${status}`, {
              details: { url, status },
            }),
          );
        } else resolve(Buffer.concat(chunks));
      });
      req.end();
    });
  }

  /** Forgets connections to an origin (after a network failure). */
  forget(uri: string): void {
    this.grpc.get(uri)?.manager.abort();
    this.grpc.delete(uri);
    try {
      this.dropSession(new URL(uri).origin);
    } catch {
      /* not a URL */
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.destroy(), () => undefined)));
    for (const { manager } of this.grpc.values()) manager.abort();
    this.grpc.clear();
  }
}
