/**
 * A minimal Livepeer orchestrator for the gateway's specs and benchmarks: one TLS port serving gRPC
 * (GetOrchestrator, Ping, EndTranscodingSession via connect-node) and HTTPS /segment + rendition
 * downloads, transcoding with real ffmpeg (libs/media) and signing results like an O (§2.5, §3.2).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { FfmpegTranscoder, renditionFromVideoProfile, type Transcoder } from '@lpts/media';
import {
  AuthTokenSchema,
  DEFAULT_CAPABILITIES,
  EndTranscodingSessionResponseSchema,
  Orchestrator,
  OrchestratorInfoSchema,
  PingPongSchema,
  PriceInfoSchema,
  TranscodeDataSchema,
  TranscodeResultSchema,
  TranscodedSegmentDataSchema,
  addressFromPrivateKey,
  buildCapabilities,
  bytesEqual,
  decodePaymentHeader,
  decodeSegmentHeader,
  keccak256,
  readSegDataProfiles,
  signPing,
  signTranscodeResult,
  toHex,
  verifyOrchestratorRequest,
  type OrchestratorInfo,
} from '@lpts/protocol';

let cached: { key: Buffer; cert: Buffer } | undefined;

/** A self-signed P-256 cert for 127.0.0.1 (made once per process with openssl). */
export function testCertificate(): { key: Buffer; cert: Buffer } {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'lpts-gw-cert-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  cached = { key: readFileSync(key), cert: readFileSync(cert) };
  return cached;
}

export interface FakeOrchestratorOptions {
  /** Price per pixel = pricePerUnit / pixelsPerUnit (default 1/1). */
  pricePerUnit?: bigint;
  pixelsPerUnit?: bigint;
  /** Sign results with a different key than the advertised address. */
  tamperSignature?: boolean;
  /** Report one pixel more than encoded. */
  lieAboutPixels?: boolean;
  /** Answer every /segment with this TranscodeResult.error. */
  failWith?: string;
  /** Extra delay before answering /segment. */
  delayMs?: number;
  /** Auth token lifetime (s), default 1800. */
  tokenSeconds?: number;
  /** Transcoder (default real ffmpeg, ultrafast). */
  transcoder?: Transcoder;
  /** Do not transcode: return canned renditions (benchmarks of discovery only). */
  noTranscode?: boolean;
}

export class FakeOrchestrator {
  readonly privateKey = randomBytes(32);
  readonly address = addressFromPrivateKey(this.privateKey);
  /** Requests seen. */
  getOrchestratorCalls = 0;
  segmentCalls = 0;
  endSessionCalls = 0;
  /** Livepeer-Payment header values received. */
  readonly payments: string[] = [];
  readonly segmentSeqs: number[] = [];
  private readonly store = new Map<string, Buffer>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private server!: http2.Http2SecureServer;
  port = 0;
  private readonly transcoder: Transcoder;

  private constructor(private readonly options: FakeOrchestratorOptions) {
    this.transcoder = options.transcoder ?? new FfmpegTranscoder({ x264Preset: 'ultrafast' });
  }

  get uri(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get addressHex(): string {
    return toHex(this.address).toLowerCase();
  }

  static async start(options: FakeOrchestratorOptions = {}, port = 0): Promise<FakeOrchestrator> {
    const o = new FakeOrchestrator(options);
    await o.listen(port);
    return o;
  }

  info(): OrchestratorInfo {
    const expiration = BigInt(Math.floor(Date.now() / 1000) + (this.options.tokenSeconds ?? 1800));
    return create(OrchestratorInfoSchema, {
      transcoder: this.uri,
      priceInfo: create(PriceInfoSchema, { pricePerUnit: this.options.pricePerUnit ?? 1n, pixelsPerUnit: this.options.pixelsPerUnit ?? 1n }),
      address: this.address,
      capabilities: buildCapabilities({ capabilities: DEFAULT_CAPABILITIES, version: '0.9.1' }),
      authToken: create(AuthTokenSchema, { token: randomBytes(32), sessionId: randomBytes(4).toString('hex'), expiration }),
    });
  }

  private async listen(port: number): Promise<void> {
    const { key, cert } = testCertificate();
    const fallback = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
      const p = this.http(req, res)
        .catch((e: unknown) => {
          if (!res.headersSent) {
            res.statusCode = 500;
            res.end(`${(e as Error).message}\n`);
          }
        })
        .finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    };
    const handler = connectNodeAdapter({
      grpc: true,
      grpcWeb: false,
      connect: false,
      routes: (r) =>
        r.service(Orchestrator, {
          getOrchestrator: (req) => {
            this.getOrchestratorCalls++;
            if (req.address.length > 0 && !verifyOrchestratorRequest(req.address, req.sig)) {
              throw new ConnectError('Invalid orchestrator request: orchestrator req sig check failed', Code.Unknown);
            }
            return this.info();
          },
          ping: (req) => create(PingPongSchema, { value: signPing(this.privateKey, req.value) }),
          endTranscodingSession: () => {
            this.endSessionCalls++;
            return create(EndTranscodingSessionResponseSchema, {});
          },
        }),
      fallback: fallback as unknown as NonNullable<Parameters<typeof connectNodeAdapter>[0]['fallback']>,
    });
    this.server = http2.createSecureServer({ key, cert, allowHTTP1: true }, handler as never);
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
  }

  private async http(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    const url = new URL(req.url, 'https://x');
    if (req.method === 'GET' && url.pathname.startsWith('/stream/')) {
      const data = this.store.get(url.pathname);
      res.statusCode = data ? 200 : 404;
      res.end(data ?? 'not found\n');
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/segment') {
      res.statusCode = 404;
      res.end('404 page not found\n');
      return;
    }
    this.segmentCalls++;
    const paymentHeader = String(req.headers['livepeer-payment'] ?? '');
    this.payments.push(paymentHeader);
    try {
      decodePaymentHeader(paymentHeader);
    } catch (e) {
      res.statusCode = 402;
      res.end(`${(e as Error).message}\n`);
      return;
    }
    let seg;
    try {
      seg = decodeSegmentHeader(String(req.headers['livepeer-segment'] ?? ''));
    } catch (e) {
      res.statusCode = 403;
      res.end(`${(e as Error).message}\n`);
      return;
    }
    if (seg.authToken === undefined) {
      res.statusCode = 403;
      res.end('missing auth token\n');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (!bytesEqual(keccak256(body), seg.hash)) {
      res.statusCode = 403;
      res.end('Forbidden\n');
      return;
    }
    const seq = Number(seg.seq);
    this.segmentSeqs.push(seq);
    // Like Go (§2.5 step 13): status 200 is written and flushed before transcoding ("upload done").
    res.writeHead(200);
    const info = this.info();
    info.authToken = seg.authToken;
    if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
    let result;
    if (this.options.noTranscode) {
      const data = Buffer.from('canned rendition');
      const path = `/stream/${seg.authToken.sessionId}/canned/${seq}.ts`;
      this.store.set(path, data);
      const segments = readSegDataProfiles(seg).map(() => create(TranscodedSegmentDataSchema, { url: `${this.uri}${path}`, pixels: 1n }));
      const sig = signTranscodeResult(this.privateKey, segments.map(() => data));
      result = create(TranscodeResultSchema, { seq: seg.seq, result: { case: 'data', value: create(TranscodeDataSchema, { segments, sig }) }, info });
    } else if (this.options.failWith !== undefined) {
      result = create(TranscodeResultSchema, { seq: seg.seq, result: { case: 'error', value: this.options.failWith }, info });
    } else {
      const profiles = readSegDataProfiles(seg);
      const out = await this.transcoder.transcode({ input: body, renditions: profiles.map((p, i) => renditionFromVideoProfile(p, i)) });
      const session = seg.authToken.sessionId;
      const segments = out.renditions.map((r) => {
        const path = `/stream/${session}/${r.name}/${seq}.ts`;
        this.store.set(path, r.data);
        return create(TranscodedSegmentDataSchema, { url: `${this.uri}${path}`, pixels: BigInt(r.pixels + (this.options.lieAboutPixels ? 1 : 0)) });
      });
      const signer = this.options.tamperSignature ? randomBytes(32) : this.privateKey;
      const sig = signTranscodeResult(signer, out.renditions.map((r) => r.data));
      result = create(TranscodeResultSchema, { seq: seg.seq, result: { case: 'data', value: create(TranscodeDataSchema, { segments, sig }) }, info });
    }
    res.end(Buffer.from(toBinary(TranscodeResultSchema, result)));
  }

  /** Abrupt death (kill -9 as seen from the network): every connection reset, the port closed. */
  kill(): void {
    this.server.close();
    for (const s of this.sessions) s.destroy();
    for (const s of this.sockets) s.destroy();
  }

  /** Kills, then waits for handlers still running (a transcode started before the kill). */
  async close(): Promise<void> {
    this.kill();
    await Promise.allSettled([...this.inflight]);
  }
}
