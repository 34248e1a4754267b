/* Spec/bench harness: real NATS, Redis and ffmpeg; a NATS fake of the recipient broker; grpc-js and https clients. */
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { connectNats, drainNats } from '@lpts/platform';
import {
  AuthTokenSchema,
  PaymentSchema,
  RecipientBrokerCommands,
  SegDataSchema,
  TicketSenderParamsSchema,
  WireCodecs,
  addressFromWire,
  buildCapabilities,
  encodePaymentHeader,
  encodeSegmentHeader,
  fromHex,
  keccak256,
  presetToVideoProfile,
  setSegDataProfiles,
  signOrchestratorRequest,
  signSegmentCredentials,
  toChecksumAddress,
  toHex,
  transcodingJobCapabilities,
  VIDEO_PRESETS,
  VideoProfileSchema,
  type AuthToken,
  type OrchestratorInfo,
  type Payment,
  type SegData,
  type TranscodeResult,
  type VideoProfile,
} from '@lpts/protocol';
import { startNats, startRedis, uniquePrefix, type StartedNats, type StartedRedis } from '@lpts/testing';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { Wallet, encryptKeystoreJson } from 'ethers';
import { Redis } from 'ioredis';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp, type CreateAppOptions, type OrchestratorApp } from '../bootstrap';
import { authKeyRedisKey } from '../auth/auth-key';

export const PROTO_DIR = resolve(__dirname, '../../../../libs/protocol/proto');

/** The ladder of the acceptance test: 720p, 480p and 360p (480p is a custom profile, as gateways may send). */
export function ladder(): VideoProfile[] {
  return [
    presetToVideoProfile(VIDEO_PRESETS.P720p30fps16x9),
    create(VideoProfileSchema, { name: 'P480p30fps16x9', width: 854, height: 480, bitrate: 1_600_000, fps: 30 }),
    presetToVideoProfile(VIDEO_PRESETS.P360p30fps16x9),
  ];
}

/** Fake recipient broker state: balances per (sender, session) as exact rationals num/den. */
export class FakeBroker {
  readonly balances = new Map<string, { num: bigint; den: bigint }>();
  readonly debits: { sender: string; session: string; num: bigint; den: bigint }[] = [];
  readonly payments: string[] = [];
  /** Credit per ticket (wei). */
  ticketCredit = 1_000_000_000_000n;
  faceValue = 1_000_000_000_000n;
  private subs: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly recipient: string,
  ) {}

  private key(sender: string, session: string) {
    return `${sender.toLowerCase()}/${session}`;
  }

  balance(sender: string, session: string) {
    return this.balances.get(this.key(sender, session)) ?? { num: 0n, den: 1n };
  }

  private add(sender: string, session: string, num: bigint, den: bigint) {
    const b = this.balance(sender, session);
    this.balances.set(this.key(sender, session), { num: b.num * den + num * b.den, den: b.den * den });
  }

  start(): void {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const on = (subject: string, fn: (req: Record<string, unknown>) => unknown) => {
      this.subs.push(
        this.nc.subscribe(subject, {
          callback: (_e, msg) => {
            msg.respond(enc(fn(msg.json<Record<string, unknown>>())));
          },
        }),
      );
    };
    on(RecipientBrokerCommands.quoteParams.subject(this.prefix), (req) => {
      const p = req['price'] as { pricePerUnit: string };
      const priced = p.pricePerUnit !== '0';
      return {
        ticketParams: {
          recipient: this.recipient,
          faceValue: priced ? this.faceValue.toString() : '0',
          winProb: priced ? '1000' : '0',
          recipientRandHash: toHex(keccak256(fromHex(toHex(new Uint8Array(32).fill(7))), new TextEncoder().encode(String(req['sender'])))),
          seed: '0x0102',
          expirationBlock: '1000',
          expirationParams: { creationRound: '5', creationRoundBlockHash: toHex(new Uint8Array(32).fill(9)) },
        },
      };
    });
    on(RecipientBrokerCommands.receivePayment.subject(this.prefix), (req) => {
      const payment = WireCodecs.Payment.decodeBase64(String(req['payment']));
      const session = String(req['session']);
      const sender = payment.sender.length === 20 ? toChecksumAddress(addressFromWire(payment.sender)) : null;
      this.payments.push(session);
      const bad = payment.ticketSenderParams.find((t) => t.sig.length !== 65);
      if (bad !== undefined || sender === null) {
        const b = sender === null ? { num: 0n, den: 1n } : this.balance(sender, session);
        return {
          sender,
          credited: { num: '0', den: '1' },
          creditedTickets: 0,
          winners: 0,
          balance: { num: b.num.toString(), den: b.den.toString() },
          error: { family: 'TicketError', code: 'INVALID_SIGNATURE', message: sender === null ? 'Could not find Sender for payment' : 'invalid ticket signature', retryable: false, details: {} },
        };
      }
      const credit = this.ticketCredit * BigInt(payment.ticketSenderParams.length);
      this.add(sender, session, credit, 1n);
      const b = this.balance(sender, session);
      return {
        sender,
        credited: { num: credit.toString(), den: '1' },
        creditedTickets: payment.ticketSenderParams.length,
        winners: 0,
        balance: { num: b.num.toString(), den: b.den.toString() },
      };
    });
    on(RecipientBrokerCommands.debit.subject(this.prefix), (req) => {
      const sender = String(req['sender']);
      const session = String(req['session']);
      const amount = req['amount'] as { num: string; den: string };
      this.debits.push({ sender, session, num: BigInt(amount.num), den: BigInt(amount.den) });
      this.add(sender, session, -BigInt(amount.num), BigInt(amount.den));
      const b = this.balance(sender, session);
      return { balance: { num: b.num.toString(), den: b.den.toString() } };
    });
    on(RecipientBrokerCommands.balance.subject(this.prefix), (req) => {
      const b = this.balance(String(req['sender']), String(req['session']));
      return { balance: { num: b.num.toString(), den: b.den.toString() } };
    });
  }

  stop(): void {
    for (const s of this.subs.splice(0)) s.unsubscribe();
  }
}

export interface HarnessOptions extends CreateAppOptions {
  env?: Record<string, string>;
  /** false: no in-spec broker fake (a real ticket-broker answers instead). */
  fakeBroker?: boolean;
}

/** grpc-js client of net.Orchestrator from the .proto (not our server code). */
export function grpcClient(port: number): grpc.Client & Record<string, (...a: unknown[]) => unknown> {
  const def = protoLoader.loadSync(join(PROTO_DIR, 'net/lp_rpc.proto'), { includeDirs: [PROTO_DIR], keepCase: true, longs: String, bytes: Array, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { net: { Orchestrator: grpc.ServiceClientConstructor } };
  const creds = grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined });
  return new pkg.net.Orchestrator(`localhost:${port}`, creds) as unknown as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
}

export function grpcCall<Res>(client: grpc.Client & Record<string, (...a: unknown[]) => unknown>, method: string, req: unknown): Promise<Res> {
  return new Promise((resolvePromise, reject) => {
    client[method]?.(req, (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolvePromise(res)));
  });
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** ms from request start to the status line. */
  statusAtMs: number;
  /** ms from request start to the end of the body. */
  totalMs: number;
}

/** POST over HTTPS/1.1 (node:https, verification off like Go). */
export function postHttps(port: number, path: string, headers: Record<string, string>, body: Uint8Array | undefined, agent?: https.Agent): Promise<HttpReply> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const req = https.request(
      { host: 'localhost', port, path, method: 'POST', headers: { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) }, rejectUnauthorized: false, ...(agent ? { agent } : {}) },
      (res) => {
        const statusAtMs = performance.now() - t0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), statusAtMs, totalMs: performance.now() - t0 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POST over HTTP/2 (node:http2), as go-livepeer's http2.Transport does. No content-length sent. */
export function postH2(port: number, path: string, headers: Record<string, string>, body: Uint8Array): Promise<HttpReply> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const session = http2.connect(`https://localhost:${port}`, { rejectUnauthorized: false });
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, ...headers });
    let status = 0;
    let statusAtMs = 0;
    let hdrs: Record<string, string | string[] | undefined> = {};
    req.on('response', (h) => {
      status = Number(h[':status']);
      statusAtMs = performance.now() - t0;
      hdrs = h;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      session.close();
      resolvePromise({ status, headers: hdrs, body: Buffer.concat(chunks), statusAtMs, totalMs: performance.now() - t0 });
    });
    req.on('error', (e) => {
      session.close();
      reject(e);
    });
    req.end(Buffer.from(body));
  });
}

export function getHttps(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

export class Harness {
  nats!: StartedNats;
  redis!: StartedRedis;
  nc!: NatsConnection;
  broker!: FakeBroker;
  orch!: OrchestratorApp;
  orchWallet!: Wallet;
  gateway = Wallet.createRandom();
  /** Scratch directory removed by stop(). */
  get tmp(): string {
    return this.dir;
  }
  grpc!: grpc.Client & Record<string, (...a: unknown[]) => unknown>;
  prefix = uniquePrefix('orch');
  /** The environment the orchestrator was started with (to start a replica). */
  env: Record<string, string> = {};
  private dir = '';

  get port(): number {
    return this.orch.wirePort;
  }

  get gatewayAddress(): string {
    return this.gateway.address;
  }

  async start(o: HarnessOptions = {}): Promise<this> {
    this.nats = await startNats();
    this.redis = await startRedis();
    this.nc = await connectNats(this.nats.url, 'spec');
    this.orchWallet = Wallet.createRandom() as unknown as Wallet;
    this.dir = await mkdtemp(join(tmpdir(), 'orch-spec-'));
    const ks = await encryptKeystoreJson({ address: this.orchWallet.address, privateKey: this.orchWallet.privateKey }, 'pw', { scrypt: { N: 16 } });
    await writeFile(join(this.dir, 'key.json'), ks);
    await writeFile(join(this.dir, 'pw'), 'pw\n');
    this.broker = new FakeBroker(this.nc, this.prefix, this.orchWallet.address);
    if (o.fakeBroker !== false) this.broker.start();
    this.env = {
        NATS_URL: this.nats.url,
        NATS_SUBJECT_PREFIX: this.prefix,
        REDIS_URL: this.redis.url,
        REDIS_KEY_PREFIX: `${this.prefix}:`,
        OPS_PORT: '0',
        LOG_LEVEL: 'silent',
        ORCH_ADDRESS: this.orchWallet.address,
        ORCH_KEYSTORE_FILE: join(this.dir, 'key.json'),
        ORCH_KEYSTORE_PASSWORD_FILE: join(this.dir, 'pw'),
        ORCH_SERVICE_URI: 'https://localhost:8935',
        ORCH_WIRE_HOST: '127.0.0.1',
        ORCH_WIRE_PORT: '0',
        ORCH_TRANSCODER: 'local',
        ORCH_PRICE_PER_UNIT: '1',
        ORCH_PIXELS_PER_UNIT: '1000',
        ORCH_TICKET_EV: '1000000',
        ...o.env,
    };
    this.orch = await createApp(this.env, o.backend ? { backend: o.backend } : {});
    this.grpc = grpcClient(this.port);
    return this;
  }

  async stop(): Promise<void> {
    this.grpc?.close();
    await this.orch?.close();
    this.broker?.stop();
    if (this.nc) await drainNats(this.nc);
    await this.redis?.stop();
    await this.nats?.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** GetOrchestrator over grpc-js, decoded into the protobuf-es message. */
  async getOrchestrator(): Promise<OrchestratorInfo> {
    const address = fromHex(this.gateway.address);
    const sig = signOrchestratorRequest(fromHex(this.gateway.privateKey), address);
    const caps = buildCapabilities({ capabilities: transcodingJobCapabilities({ profiles: ladder(), input: { codec: 'H264' } }) });
    // grpc-js with proto-loader takes plain objects (bytes as Buffers, uint64 as strings).
    const plain = { address: Buffer.from(address), sig: Buffer.from(sig), capabilities: { bitstring: caps.bitstring.map(String), capacities: {} } };
    const res = await grpcCall<Record<string, unknown>>(this.grpc, 'GetOrchestrator', plain);
    return decodeGrpcInfo(res);
  }

  /** The shared auth-token key (to forge expired tokens in specs). */
  async authKey(): Promise<Buffer> {
    const r = new Redis(this.redis.url);
    try {
      return Buffer.from((await r.get(authKeyRedisKey(`${this.prefix}:`, this.orchWallet.address))) as string, 'hex');
    } finally {
      r.disconnect();
    }
  }

  /** A signed SegData for `body` with the info's auth token. */
  segData(body: Uint8Array, info: OrchestratorInfo, o: { seq?: bigint; profiles?: VideoProfile[]; authToken?: AuthToken; signer?: Wallet; hash?: Uint8Array } = {}): SegData {
    const profiles = o.profiles ?? ladder();
    const seg = create(SegDataSchema, {
      manifestId: new TextEncoder().encode('spec-stream'),
      seq: o.seq ?? 1n,
      hash: o.hash ?? keccak256(body),
      duration: 2000,
      authToken: o.authToken ?? info.authToken,
      capabilities: buildCapabilities({ capabilities: transcodingJobCapabilities({ profiles, input: { codec: 'H264' } }) }),
    });
    setSegDataProfiles(seg, profiles);
    seg.sig = signSegmentCredentials(fromHex((o.signer ?? this.gateway).privateKey), {
      manifestId: seg.manifestId,
      seq: seg.seq,
      hash: seg.hash,
      profileNames: profiles.map((p) => p.name),
    });
    return seg;
  }

  /** A Payment with `tickets` tickets against the info's params, expected price = info.price_info. */
  payment(info: OrchestratorInfo, tickets = 1, o: { badSig?: boolean } = {}): Payment {
    return create(PaymentSchema, {
      ticketParams: tickets > 0 ? info.ticketParams : undefined,
      sender: fromHex(this.gateway.address),
      expirationParams: info.ticketParams?.expirationParams,
      ticketSenderParams: Array.from({ length: tickets }, (_, i) =>
        create(TicketSenderParamsSchema, { senderNonce: i + 1, sig: new Uint8Array(o.badSig ? 10 : 65).fill(1) }),
      ),
      expectedPrice: info.priceInfo,
    });
  }

  headers(seg: SegData, payment: Payment | undefined): Record<string, string> {
    return {
      'Content-Type': 'video/MP2T',
      'Livepeer-Segment': encodeSegmentHeader(seg),
      ...(payment ? { 'Livepeer-Payment': encodePaymentHeader(payment) } : {}),
    };
  }

  async postSegment(body: Uint8Array, seg: SegData, payment: Payment | undefined, via: 'h1' | 'h2' = 'h1'): Promise<HttpReply> {
    const h = this.headers(seg, payment);
    return via === 'h2' ? postH2(this.port, '/segment', h, body) : postHttps(this.port, '/segment', h, body);
  }

  /** Rendition URL on this harness's port (the advertised URI names 8935). */
  localUrl(url: string): string {
    return url.replace('https://localhost:8935', `https://localhost:${this.port}`);
  }
}

/** grpc-js plain object (bytes as number arrays, int64 as strings) → protobuf-es OrchestratorInfo via the wire. */
export function decodeGrpcInfo(res: Record<string, unknown>): OrchestratorInfo {
  const b = (v: unknown) => new Uint8Array((v as number[] | undefined) ?? []);
  const tp = res['ticket_params'] as Record<string, unknown> | null;
  const pi = res['price_info'] as Record<string, string> | null;
  const at = res['auth_token'] as Record<string, unknown> | null;
  const caps = res['capabilities'] as Record<string, unknown> | null;
  const ep = tp?.['expiration_params'] as Record<string, unknown> | null | undefined;
  return WireCodecs.OrchestratorInfo.create({
    transcoder: String(res['transcoder'] ?? ''),
    address: b(res['address']),
    ticketParams: tp
      ? {
          recipient: b(tp['recipient']),
          faceValue: b(tp['face_value']),
          winProb: b(tp['win_prob']),
          recipientRandHash: b(tp['recipient_rand_hash']),
          seed: b(tp['seed']),
          expirationBlock: b(tp['expiration_block']),
          expirationParams: ep ? { creationRound: BigInt(String(ep['creation_round'])), creationRoundBlockHash: b(ep['creation_round_block_hash']) } : undefined,
        }
      : undefined,
    priceInfo: pi ? { pricePerUnit: BigInt(pi['pricePerUnit'] ?? '0'), pixelsPerUnit: BigInt(pi['pixelsPerUnit'] ?? '0') } : undefined,
    authToken: at ? create(AuthTokenSchema, { token: b(at['token']), sessionId: String(at['session_id']), expiration: BigInt(String(at['expiration'])) }) : undefined,
    capabilities: caps
      ? {
          bitstring: ((caps['bitstring'] as string[]) ?? []).map((x) => BigInt(x)),
          capacities: Object.fromEntries(Object.entries((caps['capacities'] as Record<string, number>) ?? {}).map(([k, v]) => [Number(k), v])),
          version: String(caps['version'] ?? ''),
        }
      : undefined,
  });
}

export function decodeResult(body: Buffer): TranscodeResult {
  return WireCodecs.TranscodeResult.decode(body);
}

