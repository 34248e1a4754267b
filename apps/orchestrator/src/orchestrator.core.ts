import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import type { Logger } from '@lpts/platform';
import {
  EndTranscodingSessionResponseSchema,
  INCOMPATIBLE_CAPABILITIES,
  ORCHESTRATOR_REQUEST_SIG_FAILED,
  PaymentResultSchema,
  PingPongSchema,
  TranscodeDataSchema,
  TranscodeResultSchema,
  TranscodedSegmentDataSchema,
  VideoProfile_Format,
  VideoProfile_Profile,
  WireCodecs,
  bytesEqual,
  checkCompatibility,
  comparePrices,
  decodePaymentHeader,
  decodeSegmentHeader,
  feeForUnits,
  isLptsError,
  isWireError,
  keccak256,
  price,
  readSegDataProfiles,
  segmentCredentials,
  segmentDurationMs,
  signPing,
  signTranscodeResult,
  toChecksumAddress,
  verifyOrchestratorRequest,
  verifySegmentCredentials,
  ZERO_PRICE,
  type AuthToken,
  type AuthTokenAuthority,
  type EndTranscodingSessionRequest,
  type EndTranscodingSessionResponse,
  type OrchestratorInfo,
  type OrchestratorRequest,
  type Payment,
  type PingPong,
  type Price,
  type RenditionJson,
  type SegData,
  type VideoProfile,
} from '@lpts/protocol';
import { performance } from 'node:perf_hooks';
import type { BrokerClient, Rational } from './broker/broker.client';
import type { InfoBuilder } from './info/orchestrator-info';
import type { OrchestratorMetrics } from './metrics/orchestrator.metrics';
import type { SessionPrices } from './pricing/session-prices';
import { AdmissionError, ORCHESTRATOR_CAPPED, type SessionManager } from './sessions/session-manager';
import type { RenditionStore } from './storage/rendition-store';
import type { TranscodeBackend } from './transcode/transcode-backend';
import { BodyTooLargeError, flushStatus, header, httpError, readBody, type WireRequest, type WireResponse } from './wire/http-util';

/** Texts a gateway sees (PROTOCOL.md §2.5, §3.2). */
export const WireText = {
  SEG_ENCODING: 'ErrorSegEncoding',
  SEG_SIG: 'ErrSegSig',
  CAPPED_GRPC: `Invalid orchestrator request: ${ORCHESTRATOR_CAPPED}`,
  INTERNAL: 'Internal Server Error',
  INSUFFICIENT_BALANCE: 'Insufficient balance',
  FORBIDDEN: 'Forbidden',
  BAD_REQUEST: 'BadRequest',
  INVALID_AUTH_TOKEN: 'Invalid auth token',
} as const;

export interface Signer {
  address: Uint8Array;
  privateKey: Uint8Array;
}

export interface OrchestratorCoreDeps {
  serviceUri: string;
  ticketEv: bigint;
  maxBodyBytes: number;
  signer: Signer;
  auth: AuthTokenAuthority;
  info: InfoBuilder;
  broker: BrokerClient;
  sessions: SessionManager;
  sessionPrices: SessionPrices;
  store: RenditionStore;
  backend: TranscodeBackend;
  metrics: OrchestratorMetrics;
  logger: Logger;
}

/** A rejection before the status line: HTTP status + Livepeer's text. */
class Reject extends Error {
  constructor(
    readonly status: number,
    text: string,
  ) {
    super(text);
  }
}

const MIME = { mpegts: 'video/mp2t', mp4: 'video/mp4' } as const;
const EXT = { mpegts: '.ts', mp4: '.mp4' } as const;
const H264_PROFILE: Record<number, RenditionJson['h264Profile']> = {
  [VideoProfile_Profile.ENCODER_DEFAULT]: 'default',
  [VideoProfile_Profile.H264_BASELINE]: 'baseline',
  [VideoProfile_Profile.H264_MAIN]: 'main',
  [VideoProfile_Profile.H264_HIGH]: 'high',
  [VideoProfile_Profile.H264_CONSTRAINED_HIGH]: 'constrained-high',
};

/** Wire VideoProfile → the worker API's rendition. */
export function renditionFromProfile(p: VideoProfile): RenditionJson {
  return {
    name: p.name,
    width: p.width,
    height: p.height,
    bitrateBps: p.bitrate,
    fps: p.fps,
    fpsDen: p.fpsDen,
    format: p.format === VideoProfile_Format.MP4 ? 'mp4' : 'mpegts',
    h264Profile: H264_PROFILE[p.profile] ?? 'default',
    gopMs: p.gop < 0 ? -1 : p.gop,
  };
}

function rationalToPrice(r: Rational): Price {
  return price(r.num, r.den);
}

/** Reduced expected_price of a Payment, or undefined when absent / zero / invalid. */
export function expectedPrice(payment: Payment): Price | undefined {
  const e = payment.expectedPrice;
  if (e === undefined || e.pixelsPerUnit === 0n || e.pricePerUnit <= 0n) return undefined;
  return price(e.pricePerUnit, e.pixelsPerUnit);
}

function textOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Everything behind the wire port: gRPC methods and the HTTPS routes, transport-independent of Nest. */
export class OrchestratorCore {
  constructor(private readonly d: OrchestratorCoreDeps) {}

  /* ---------------- gRPC ---------------- */

  async getOrchestrator(req: OrchestratorRequest): Promise<OrchestratorInfo> {
    const m = this.d.metrics.getOrchestrator;
    if (!verifyOrchestratorRequest(req.address, req.sig)) {
      m.inc({ outcome: 'sig_failed' });
      throw new ConnectError(ORCHESTRATOR_REQUEST_SIG_FAILED, Code.Unknown);
    }
    if (!this.d.sessions.hasCapacityFor(undefined)) {
      m.inc({ outcome: 'capped' });
      throw new ConnectError(WireText.CAPPED_GRPC, Code.Unknown);
    }
    try {
      const { info } = await this.d.info.build(req.address, req.capabilities, this.d.auth.issue());
      m.inc({ outcome: 'ok' });
      return info;
    } catch (e) {
      m.inc({ outcome: 'error' });
      this.d.logger.warn({ err: textOf(e), sender: toChecksumAddress(req.address) }, 'GetOrchestrator failed');
      throw new ConnectError(textOf(e), Code.Unknown);
    }
  }

  ping(req: PingPong): PingPong {
    return create(PingPongSchema, { value: signPing(this.d.signer.privateKey, req.value) });
  }

  endTranscodingSession(req: EndTranscodingSessionRequest): EndTranscodingSessionResponse {
    try {
      this.d.auth.validate(req.authToken);
    } catch {
      throw new ConnectError(WireText.INVALID_AUTH_TOKEN, Code.Unknown);
    }
    const id = (req.authToken as AuthToken).sessionId;
    this.d.sessions.end(id);
    this.d.backend.endSession(id);
    return create(EndTranscodingSessionResponseSchema, {});
  }

  /* ---------------- HTTPS ---------------- */

  /** Steps 1–8 shared by /segment and /payment. */
  private async admit(req: WireRequest) {
    // 1. Livepeer-Payment
    const paymentHeader = header(req, 'Livepeer-Payment') ?? '';
    let payment: Payment;
    try {
      payment = decodePaymentHeader(paymentHeader);
    } catch (e) {
      throw new Reject(402, textOf(e));
    }
    // 2. Livepeer-Segment
    let seg: SegData;
    try {
      seg = decodeSegmentHeader(header(req, 'Livepeer-Segment') ?? '');
    } catch (e) {
      throw new Reject(403, isWireError(e, 'BASE64_DECODE') ? WireText.SEG_ENCODING : textOf(e));
    }
    // 3. profiles and duration
    let profiles: VideoProfile[];
    let durationMs: number;
    try {
      profiles = readSegDataProfiles(seg);
      durationMs = segmentDurationMs(seg);
    } catch (e) {
      throw new Reject(403, textOf(e));
    }
    // 4. segment signature against Payment.sender
    try {
      verifySegmentCredentials(segmentCredentials(seg, profiles.map((p) => p.name)), seg.sig, payment.sender);
    } catch {
      throw new Reject(403, WireText.SEG_SIG);
    }
    const senderBytes = payment.sender;
    const sender = toChecksumAddress(senderBytes);
    // 5. capabilities
    if (!checkCompatibility(seg.capabilities, this.d.info.capabilities()).compatible) {
      throw new Reject(403, INCOMPATIBLE_CAPABILITIES);
    }
    // 6. auth token
    try {
      this.d.auth.validate(seg.authToken);
    } catch (e) {
      throw new Reject(403, textOf(e));
    }
    const authToken = seg.authToken as AuthToken;
    const sessionId = authToken.sessionId;
    // 7. capacity
    if (!this.d.sessions.hasCapacityFor(sessionId)) throw new Reject(403, ORCHESTRATOR_CAPPED);
    // 8. fresh OrchestratorInfo for (sender, session), keeping the incoming token
    let info: OrchestratorInfo;
    let quoted: Price;
    try {
      ({ info, price: quoted } = await this.d.info.build(senderBytes, seg.capabilities, authToken, sessionId));
    } catch (e) {
      this.d.logger.warn({ err: textOf(e), sender, sessionId }, 'building OrchestratorInfo failed');
      throw new Reject(500, WireText.INTERNAL);
    }
    return { paymentHeader, payment, seg, profiles, durationMs, sender, sessionId, info, quoted };
  }

  /** Step 9: ProcessPayment through the broker; fixes the session price on the first accepted payment. */
  private async processPayment(paymentHeader: string, payment: Payment, sender: string, session: string): Promise<void> {
    if (payment.ticketParams === undefined) {
      this.d.metrics.payments.inc({ outcome: 'none' });
      return;
    }
    let reply;
    try {
      reply = await this.d.broker.receivePayment(paymentHeader, session);
    } catch (e) {
      this.d.metrics.payments.inc({ outcome: 'error' });
      this.d.logger.warn({ err: textOf(e), sender, session }, 'broker receivePayment failed');
      throw new Reject(400, textOf(e));
    }
    if (reply.error !== undefined) {
      this.d.metrics.payments.inc({ outcome: 'rejected' });
      throw new Reject(400, reply.error.message);
    }
    this.d.metrics.payments.inc({ outcome: 'accepted' });
    const credited = rationalToPrice({ num: BigInt(reply.credited.num), den: BigInt(reply.credited.den) });
    if (credited.num > 0n) this.d.metrics.ticketValueRecv.inc(Number(credited.num) / Number(credited.den));
    const expected = expectedPrice(payment);
    if (expected !== undefined) {
      await this.d.sessionPrices.fix(sender, session, expected).catch((e: unknown) => {
        this.d.logger.warn({ err: textOf(e) }, 'could not store the session price');
      });
    }
  }

  /** Step 10: a priced session must hold at least one ticket EV of credit. */
  private async requireBalance(sender: string, session: string, p: Price): Promise<void> {
    if (comparePrices(p, ZERO_PRICE) <= 0) return;
    let balance: Rational;
    try {
      balance = await this.d.broker.balance(sender, session);
    } catch (e) {
      this.d.logger.warn({ err: textOf(e), sender, session }, 'broker balance failed');
      throw new Reject(400, WireText.INSUFFICIENT_BALANCE);
    }
    if (comparePrices(rationalToPrice(balance), { num: this.d.ticketEv, den: 1n }) < 0) throw new Reject(400, WireText.INSUFFICIENT_BALANCE);
  }

  async handleSegment(req: WireRequest, res: WireResponse): Promise<void> {
    const started = performance.now();
    const m = this.d.metrics;
    let a: Awaited<ReturnType<OrchestratorCore['admit']>>;
    let debitPrice: Price;
    let body: Buffer;
    try {
      a = await this.admit(req);
      await this.processPayment(a.paymentHeader, a.payment, a.sender, a.sessionId);
      // lpts: without an expected price, a priced O still charges (and checks credit at) its own quote.
      debitPrice = expectedPrice(a.payment) ?? a.quoted;
      await this.requireBalance(a.sender, a.sessionId, debitPrice);
      // 11. body (or URI download)
      try {
        body = await this.readSegmentBody(req);
      } catch (e) {
        // Go answers any body read failure (including ReadAtMost's limit) with a plain 500.
        if (e instanceof Reject) throw e;
        this.d.logger.warn({ err: textOf(e), limit: e instanceof BodyTooLargeError ? e.limit : undefined }, 'could not read the segment body');
        throw new Reject(500, WireText.INTERNAL);
      }
      // 12. hash
      if (!bytesEqual(keccak256(body), a.seg.hash)) throw new Reject(403, WireText.FORBIDDEN);
    } catch (e) {
      const r = e instanceof Reject ? e : new Reject(500, WireText.INTERNAL);
      if (!(e instanceof Reject)) this.d.logger.error({ err: textOf(e) }, '/segment failed unexpectedly');
      m.segments.inc({ outcome: 'rejected', status: String(r.status) });
      httpError(res, r.status, r.message);
      // The body may still be arriving: drop the stream rather than read it.
      if (!req.readableEnded) req.resume();
      return;
    }
    // 13. upload done
    flushStatus(res, 200);
    // 14–16
    const { seg, info, sessionId, sender, profiles } = a;
    const result = create(TranscodeResultSchema, { seq: seg.seq, info });
    const t0 = performance.now();
    try {
      const out = await this.d.sessions.run(sessionId, () =>
        this.d.backend.transcode({
          sessionId,
          segment: body,
          renditions: profiles.map(renditionFromProfile),
          timeoutMs: Math.max(8_000, 4 * a.durationMs),
        }),
      );
      m.transcodeSeconds.observe((performance.now() - t0) / 1000);
      if (out.renditions.length !== profiles.length) throw new Error('MismatchedSegments');
      const segments = out.renditions.map((r, i) => {
        const p = profiles[i] as VideoProfile;
        const fmt = p.format === VideoProfile_Format.MP4 ? 'mp4' : 'mpegts';
        const path = `${sessionId}/${p.name}/${seg.seq}${EXT[fmt]}`;
        this.d.store.put(path, r.data, MIME[fmt]);
        const url = `${this.d.serviceUri}/stream/${sessionId}/${encodeURIComponent(p.name)}/${seg.seq}${EXT[fmt]}`;
        return create(TranscodedSegmentDataSchema, { url, pixels: BigInt(r.pixels) });
      });
      const sig = signTranscodeResult(
        this.d.signer.privateKey,
        out.renditions.map((r) => r.data),
      );
      result.result = { case: 'data', value: create(TranscodeDataSchema, { segments, sig }) };
      // 15. debit Σ encoded pixels × price
      const pixels = out.renditions.reduce((t, r) => t + BigInt(r.pixels), 0n);
      m.pixelsTranscoded.inc(Number(pixels));
      if (comparePrices(debitPrice, ZERO_PRICE) > 0) {
        const fee = feeForUnits(pixels, debitPrice);
        try {
          await this.d.broker.debit(sender, sessionId, fee);
          m.feesDebited.inc(Number(fee.num) / Number(fee.den));
        } catch (e) {
          this.d.logger.error({ err: textOf(e), sender, sessionId, fee: `${fee.num}/${fee.den}` }, 'debit failed');
        }
      }
      m.transcoded.inc();
      m.segments.inc({ outcome: 'ok', status: '200' });
    } catch (e) {
      const text = e instanceof AdmissionError ? e.reason : isLptsError(e) || e instanceof Error ? textOf(e) : String(e);
      result.result = { case: 'error', value: text };
      m.transcodeFailed.inc({ error: text.slice(0, 64) });
      m.segments.inc({ outcome: 'transcode_error', status: '200' });
      this.d.logger.info({ err: text, sessionId, seq: String(seg.seq) }, 'transcode failed');
    } finally {
      m.currentSessions.set(this.d.sessions.size);
    }
    res.end(Buffer.from(WireCodecs.TranscodeResult.encode(result)));
    m.overallSeconds.observe((performance.now() - started) / 1000);
  }

  private async readSegmentBody(req: WireRequest): Promise<Buffer> {
    const type = header(req, 'content-type') ?? '';
    if (!type.startsWith('application/vnd+livepeer.uri')) return readBody(req, this.d.maxBodyBytes);
    const uri = (await readBody(req, 4096)).toString('utf8').trim();
    try {
      const r = await fetch(uri, { signal: AbortSignal.timeout(8_000) });
      if (!r.ok) throw new Error(`status ${r.status}`);
      const data = Buffer.from(await r.arrayBuffer());
      if (data.length > this.d.maxBodyBytes) throw new Error('too large');
      return data;
    } catch (e) {
      this.d.logger.warn({ err: textOf(e), uri }, 'segment URI download failed');
      throw new Reject(400, WireText.BAD_REQUEST);
    }
  }

  /** POST /payment: steps 1–8, then ProcessPayment keyed by SegData.manifestId; 200 + PaymentResult{info}. */
  async handlePayment(req: WireRequest, res: WireResponse): Promise<void> {
    try {
      const a = await this.admit(req);
      const manifest = Buffer.from(a.seg.manifestId).toString('utf8') || a.sessionId;
      await this.processPayment(a.paymentHeader, a.payment, a.sender, manifest);
      req.resume();
      res.statusCode = 200;
      res.end(Buffer.from(WireCodecs.PaymentResult.encode(create(PaymentResultSchema, { info: a.info }))));
    } catch (e) {
      const r = e instanceof Reject ? e : new Reject(500, WireText.INTERNAL);
      httpError(res, r.status, r.message);
      req.resume();
    }
  }

  /** GET /stream/<sessionId>/<profile>/<seq>.<ext> */
  handleStream(path: string, res: WireResponse): void {
    const parts = path.slice('/stream/'.length).split('/').map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    const item = parts.length === 3 ? this.d.store.get(parts.join('/')) : undefined;
    if (item === undefined) {
      httpError(res, 404, '404 page not found');
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', item.contentType);
    res.setHeader('Content-Length', String(item.data.length));
    res.end(item.data);
  }
}
