import { create } from '@bufbuild/protobuf';
import {
  Capability,
  ORCHESTRATOR_REQUEST_SIG_FAILED,
  bitstringHas,
  computeAuthToken,
  fromHex,
  price,
  signOrchestratorRequest,
  toChecksumAddress,
  verifyTranscodeResult,
  verifyPing,
  WireCodecs,
  AuthTokenSchema,
  type OrchestratorInfo,
} from '@lpts/protocol';
import { makeTestSegment, probeMedia } from '@lpts/media';
import { Wallet } from 'ethers';
import { Harness, decodeResult, getHttps, grpcCall, postHttps } from './testing/orchestrator.testkit';

jest.setTimeout(120_000);

const PRICE = price(1n, 1000n);

describe('orchestrator over the Livepeer wire (real NATS, Redis, ffmpeg; grpc-js and https clients)', () => {
  const h = new Harness();
  let segment: Buffer;

  beforeAll(async () => {
    [segment] = await Promise.all([makeTestSegment({ seconds: 2, width: 1920, height: 1080, fps: 30 }), h.start({ env: { ORCH_MAX_BODY_BYTES: '8000000' } })]);
  });
  afterAll(() => h.stop());

  it('GetOrchestrator returns a well-formed OrchestratorInfo', async () => {
    const info = await h.getOrchestrator();
    expect(info.transcoder).toBe('https://localhost:8935');
    expect(toChecksumAddress(info.address)).toBe(h.orchWallet.address);
    expect(info.priceInfo).toMatchObject({ pricePerUnit: 1n, pixelsPerUnit: 1000n });
    expect(toChecksumAddress(info.ticketParams?.recipient ?? new Uint8Array())).toBe(h.orchWallet.address);
    expect(info.ticketParams?.faceValue.length).toBeGreaterThan(0);
    expect(info.ticketParams?.expirationParams?.creationRound).toBe(5n);
    expect(info.authToken?.sessionId).toMatch(/^[0-9a-f]{8}$/);
    expect(info.authToken?.token.length).toBe(32);
    const now = Math.floor(Date.now() / 1000);
    expect(Number(info.authToken?.expiration)).toBeGreaterThanOrEqual(now + 1790);
    const caps = info.capabilities;
    for (const c of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 26]) expect(bitstringHas(caps?.bitstring ?? [], c)).toBe(true);
    expect(caps?.capacities[Capability.H264]).toBeGreaterThanOrEqual(1);
    expect(caps?.version).toBe('0.9.1');
    // every call issues a new session
    const again = await h.getOrchestrator();
    expect(again.authToken?.sessionId).not.toBe(info.authToken?.sessionId);
  });

  it('refuses a forged GetOrchestrator signature with Livepeer text (gRPC UNKNOWN)', async () => {
    const other = Wallet.createRandom();
    const address = fromHex(h.gatewayAddress);
    const forged = signOrchestratorRequest(fromHex(other.privateKey), address);
    const err = (await grpcCall(h.grpc, 'GetOrchestrator', { address: Buffer.from(address), sig: Buffer.from(forged) }).catch((e: unknown) => e)) as {
      code: number;
      details: string;
    };
    expect(err.code).toBe(2);
    // connect percent-encodes grpc-message and grpc-js decodes with decodeURI, so ':' arrives as %3A (WIRE-STACK pitfall 6).
    expect(decodeURIComponent(err.details)).toBe(ORCHESTRATOR_REQUEST_SIG_FAILED);
  });

  it('answers Ping with the O signature over keccak(value) and ends sessions', async () => {
    const res = await grpcCall<{ value: number[] }>(h.grpc, 'Ping', { value: Buffer.from('hello') });
    expect(verifyPing(fromHex(h.orchWallet.address), Buffer.from('hello'), Uint8Array.from(res.value))).toBe(true);
    const info = await h.getOrchestrator();
    const t = info.authToken;
    await expect(
      grpcCall(h.grpc, 'EndTranscodingSession', { auth_token: { token: Buffer.from(t?.token ?? []), session_id: t?.sessionId, expiration: String(t?.expiration) } }),
    ).resolves.toBeDefined();
    const bad = (await grpcCall(h.grpc, 'EndTranscodingSession', { auth_token: { token: Buffer.alloc(32), session_id: 'abcd0123', expiration: '9999999999' } }).catch(
      (e: unknown) => e,
    )) as { details: string };
    expect(bad.details).toBe('Invalid auth token');
  });

  it('transcodes a 2 s 1080p segment to 720p/480p/360p, signs it and debits exactly pixels × price', async () => {
    const info = await h.getOrchestrator();
    const session = info.authToken?.sessionId as string;
    const seg = h.segData(segment, info);
    const res = await h.postSegment(segment, seg, h.payment(info, 1));
    expect(res.status).toBe(200);
    // step 13: the status line is flushed when the upload is checked, before the transcode
    expect(res.statusAtMs).toBeLessThan(res.totalMs - 250);
    const result = decodeResult(res.body);
    expect(result.seq).toBe(1n);
    expect(result.result.case).toBe('data');
    if (result.result.case !== 'data') return;
    const segs = result.result.value.segments;
    expect(segs).toHaveLength(3);
    const files = await Promise.all(segs.map((s) => getHttps(h.localUrl(s.url))));
    const expected = [
      [1280, 720],
      [854, 480],
      [640, 360],
    ];
    let pixels = 0n;
    for (const [i, f] of files.entries()) {
      expect(f.status).toBe(200);
      const m = await probeMedia(f.body);
      expect([m.video?.width, m.video?.height]).toEqual(expected[i]);
      expect(m.video?.durationSec).toBeGreaterThan(1.9);
      expect(m.video?.durationSec).toBeLessThan(2.1);
      const seg = segs[i];
      expect(Number(seg?.pixels)).toBe((m.video?.frames ?? 0) * (m.video?.width ?? 0) * (m.video?.height ?? 0));
      pixels += seg?.pixels ?? 0n;
    }
    expect(
      verifyTranscodeResult(
        fromHex(h.orchWallet.address),
        files.map((f) => f.body),
        result.result.value.sig,
      ),
    ).toBe(true);
    // result info echoes the token and carries fresh params
    expect(result.info?.authToken?.sessionId).toBe(session);
    // balance: credited one ticket, debited exactly Σ pixels × 1/1000
    const debit = h.broker.debits.filter((d) => d.session === session);
    expect(debit).toHaveLength(1);
    expect((debit[0]?.num ?? 0n) * PRICE.den).toBe(pixels * PRICE.num * (debit[0]?.den ?? 0n));
    const bal = h.broker.balance(h.gatewayAddress, session);
    expect(bal.num * 1000n).toBe((h.broker.ticketCredit * 1000n - pixels) * bal.den);
  });

  describe('refusals (Livepeer status and text; nothing debited)', () => {
    let info: OrchestratorInfo;
    let debitsBefore: number;
    beforeEach(async () => {
      info = await h.getOrchestrator();
      debitsBefore = h.broker.debits.length;
    });
    afterEach(() => expect(h.broker.debits.length).toBe(debitsBefore));

    const text = (b: Buffer) => b.toString('utf8');

    it('bad segment signature → 403 ErrSegSig', async () => {
      const seg = h.segData(segment, info, { signer: Wallet.createRandom() as unknown as Wallet });
      const r = await h.postSegment(segment, seg, h.payment(info));
      expect([r.status, text(r.body)]).toEqual([403, 'ErrSegSig\n']);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    });

    it('missing payment → 403 ErrSegSig (no sender to verify against)', async () => {
      const r = await h.postSegment(segment, h.segData(segment, info), undefined);
      expect([r.status, text(r.body)]).toEqual([403, 'ErrSegSig\n']);
    });

    it('undecodable payment → 402 base64 decode error', async () => {
      const headers = { ...h.headers(h.segData(segment, info), undefined), 'Livepeer-Payment': '%%%not-base64' };
      const r = await postHttps(h.port, '/segment', headers, segment);
      expect(r.status).toBe(402);
      expect(text(r.body)).toMatch(/^base64 decode error: .*\n$/);
    });

    it('invalid payment (broker refuses the ticket) → 400 with its text', async () => {
      const r = await h.postSegment(segment, h.segData(segment, info), h.payment(info, 1, { badSig: true }));
      expect([r.status, text(r.body)]).toEqual([400, 'invalid ticket signature\n']);
    });

    it('payment without tickets on an empty session → 400 Insufficient balance', async () => {
      const r = await h.postSegment(segment, h.segData(segment, info), h.payment(info, 0));
      expect([r.status, text(r.body)]).toEqual([400, 'Insufficient balance\n']);
    });

    it('expired auth token → 403 expired auth token', async () => {
      const key = await h.authKey();
      const expiration = BigInt(Math.floor(Date.now() / 1000) - 10);
      const token = create(AuthTokenSchema, { sessionId: 'deadbeef', expiration, token: computeAuthToken(key, 'deadbeef', expiration) });
      const r = await h.postSegment(segment, h.segData(segment, info, { authToken: token }), h.payment(info));
      expect([r.status, text(r.body)]).toEqual([403, 'expired auth token\n']);
    });

    it('forged auth token → 403 invalid auth token', async () => {
      const token = create(AuthTokenSchema, { sessionId: info.authToken?.sessionId ?? '', expiration: info.authToken?.expiration ?? 0n, token: new Uint8Array(32) });
      const r = await h.postSegment(segment, h.segData(segment, info, { authToken: token }), h.payment(info));
      expect([r.status, text(r.body)]).toEqual([403, 'invalid auth token\n']);
    });

    it('hash mismatch → 403 Forbidden', async () => {
      const seg = h.segData(segment, info, { hash: new Uint8Array(32).fill(3) });
      const r = await h.postSegment(segment, seg, h.payment(info));
      expect([r.status, text(r.body)]).toEqual([403, 'Forbidden\n']);
    });

    it('oversized body → 500 Internal Server Error (HTTP/1.1 and HTTP/2)', async () => {
      const big = Buffer.alloc(8_000_001, 1);
      const seg = h.segData(big, info);
      const r1 = await h.postSegment(big, seg, h.payment(info));
      expect([r1.status, text(r1.body)]).toEqual([500, 'Internal Server Error\n']);
      const info2 = await h.getOrchestrator();
      const r2 = await h.postSegment(big, h.segData(big, info2), h.payment(info2), 'h2');
      expect([r2.status, text(r2.body)]).toEqual([500, 'Internal Server Error\n']);
    });

    it('corrupt media → 200 with TranscodeResult.error and no debit', async () => {
      const junk = Buffer.alloc(200_000, 0x47);
      const r = await h.postSegment(junk, h.segData(junk, info), h.payment(info), 'h2');
      expect(r.status).toBe(200);
      const result = decodeResult(r.body);
      expect(result.result.case).toBe('error');
      expect(String(result.result.value)).toMatch(/Invalid data found when processing input|No keyframes in input|No video stream/);
      expect(result.info?.authToken?.sessionId).toBe(info.authToken?.sessionId);
    });

    it('unknown rendition URL → 404', async () => {
      const r = await getHttps(`https://localhost:${h.port}/stream/none/P720p30fps16x9/1.ts`);
      expect(r.status).toBe(404);
    });
  });

  it('POST /payment credits the manifest session and answers PaymentResult{info}', async () => {
    const info = await h.getOrchestrator();
    const r = await postHttps(h.port, '/payment', h.headers(h.segData(new Uint8Array(0), info), h.payment(info, 2)), new Uint8Array(0));
    expect(r.status).toBe(200);
    const result = WireCodecs.PaymentResult.decode(r.body);
    expect(result.info?.authToken?.sessionId).toBe(info.authToken?.sessionId);
    expect(result.info?.ticketParams).toBeDefined();
    expect(h.broker.balance(h.gatewayAddress, 'spec-stream').num).toBe(2n * h.broker.ticketCredit);
  });

  it('over HTTP/2 flushes 200 before transcoding too', async () => {
    const info = await h.getOrchestrator();
    const res = await h.postSegment(segment, h.segData(segment, info, { seq: 7n }), h.payment(info, 1), 'h2');
    expect(res.status).toBe(200);
    expect(res.statusAtMs).toBeLessThan(res.totalMs - 250);
    const r = decodeResult(res.body);
    expect(r.seq).toBe(7n);
    expect(r.result.case).toBe('data');
  });
});
