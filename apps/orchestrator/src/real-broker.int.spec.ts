/**
 * The orchestrator with the real apps/ticket-broker (spawned from its build, BROKER_MODE=both: recipient
 * for this O, sender holding the gateway's key), settlement's chain view written into the KV bucket as
 * settlement would. Real tickets: the sender broker's createPayment makes the Livepeer-Payment header,
 * the recipient validates and credits it, the orchestrator debits the encoded pixels.
 */
import { NatsRpcClient } from '@lpts/platform';
import {
  BrokerCommands,
  ChainStateKeys,
  RecipientBrokerCommands as R,
  SenderBrokerCommands as S,
  WireCodecs,
  chainStateBucket,
  estimateTranscodeFee,
  priceFromInfo,
} from '@lpts/protocol';
import { makeTestSegment } from '@lpts/media';
import { Kvm } from '@nats-io/kv';
import { encryptKeystoreJson } from 'ethers';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Harness, decodeResult, ladder } from './testing/orchestrator.testkit';

jest.setTimeout(120_000);

const BROKER_MAIN = resolve(__dirname, '../../ticket-broker/dist/main.js');
const HASH = (b: number) => '0x' + b.toString(16).padStart(2, '0').repeat(32);

describe('orchestrator + real ticket-broker (spawned process)', () => {
  const h = new Harness();
  let broker: ChildProcess | undefined;
  let rpc: NatsRpcClient;
  let segment: Buffer;
  let brokerLog = '';

  beforeAll(async () => {
    if (!existsSync(BROKER_MAIN)) throw new Error(`${BROKER_MAIN} is missing: build it first (nx build ticket-broker)`);
    [segment] = await Promise.all([makeTestSegment({ seconds: 2, width: 1920, height: 1080, fps: 30 }), h.start({ fakeBroker: false, env: { ORCH_TICKET_EV: '8000000000', ORCH_PRICE_PER_UNIT: '1', ORCH_PIXELS_PER_UNIT: '1' } })]);
    rpc = new NatsRpcClient(h.nc, h.prefix, 10_000);
    const kvm = new Kvm(h.nc);
    const kv = await kvm.open(chainStateBucket(h.prefix));
    const now = Date.now();
    await kv.put(
      ChainStateKeys.latest,
      JSON.stringify({
        chainId: 412346, blockNumber: '5000', l1BlockNumber: '1000', blockHash: HASH(7), currentRound: '100', lastInitializedRound: '100',
        currentRoundInitialized: true, currentRoundLocked: false, currentRoundStartBlock: '990', roundLength: '100',
        expirationParams: { creationRound: '100', creationRoundBlockHash: HASH(9) }, activePoolSize: 1, gasPrice: '1', updatedAt: now,
      }),
    );
    await kv.put(
      ChainStateKeys.sender(h.gatewayAddress),
      JSON.stringify({ sender: h.gatewayAddress, deposit: String(10n ** 18n), withdrawRound: '0', reserve: { fundsRemaining: String(10n ** 18n), claimedInCurrentRound: '0' }, claimedReserve: '0', pendingAmount: '0', updatedAt: now }),
    );
    await kv.put(
      ChainStateKeys.transcoder(h.orchWallet.address),
      JSON.stringify({ address: h.orchWallet.address, registered: true, active: true, activationRound: '1', deactivationRound: '0', stake: '1000', serviceUri: 'https://localhost:8935', updatedAt: now }),
    );
    const ks = await encryptKeystoreJson({ address: h.gateway.address, privateKey: h.gateway.privateKey }, 'gw', { scrypt: { N: 16 } });
    await writeFile(join(h.tmp, 'gw.json'), ks);
    await writeFile(join(h.tmp, 'gw.pw'), 'gw\n');
    broker = spawn(process.execPath, [BROKER_MAIN], {
      env: {
        PATH: process.env['PATH'],
        NATS_URL: h.nats.url,
        NATS_SUBJECT_PREFIX: h.prefix,
        REDIS_URL: h.redis.url,
        REDIS_KEY_PREFIX: `${h.prefix}:tb:`,
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
        LPTS_INSTANCE: 'spec-broker',
        BROKER_MODE: 'both',
        BROKER_RECIPIENT_ADDRESS: h.orchWallet.address,
        BROKER_KEYSTORE_FILE: join(h.tmp, 'gw.json'),
        BROKER_KEYSTORE_PASSWORD_FILE: join(h.tmp, 'gw.pw'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    broker.stdout?.on('data', (d: Buffer) => (brokerLog += d.toString()));
    broker.stderr?.on('data', (d: Buffer) => (brokerLog += d.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await rpc.request(BrokerCommands.ping, {}, { timeoutMs: 500 });
        await rpc.request(R.quoteParams, { sender: h.gatewayAddress, price: { pricePerUnit: '1', pixelsPerUnit: '1' } }, { timeoutMs: 1000 });
        break;
      } catch (e) {
        if (Date.now() > deadline || broker.exitCode !== null) throw new Error(`ticket-broker did not become ready: ${(e as Error).message}\n${brokerLog}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  afterAll(async () => {
    if (broker && broker.exitCode === null) {
      const exited = new Promise((r) => broker?.once('exit', r));
      broker.kill('SIGTERM');
      await exited;
    }
    await h.stop();
  });

  it('a real payment buys a 1080p ladder; the broker balance falls by exactly pixels × price', async () => {
    const info = await h.getOrchestrator();
    const session = info.authToken?.sessionId as string;
    const price = priceFromInfo(info.priceInfo ?? { pricePerUnit: 0n, pixelsPerUnit: 1n });
    expect(price.num).toBeGreaterThan(0n);
    const fee = estimateTranscodeFee(ladder(), 2, price);
    const created = await rpc.request(S.createPayment, {
      orchestratorInfo: WireCodecs.OrchestratorInfo.encodeBase64(info),
      session,
      feeEstimate: { num: fee.num.toString(), den: fee.den.toString() },
    });
    expect(created.numTickets).toBeGreaterThan(0);
    const seg = h.segData(segment, info);
    const res = await h.postSegment(segment, seg, WireCodecs.Payment.decodeBase64(created.payment));
    expect(res.status).toBe(200);
    const result = decodeResult(res.body);
    expect(result.result.case).toBe('data');
    if (result.result.case !== 'data') return;
    const pixels = result.result.value.segments.reduce((t, s) => t + s.pixels, 0n);
    const bal = (await rpc.request(R.balance, { sender: h.gatewayAddress, session })).balance;
    // balance = numTickets × EV − pixels × price, exactly (rationals)
    const ev = { num: BigInt(created.ev.num), den: BigInt(created.ev.den) };
    const credited = { num: ev.num * BigInt(created.numTickets), den: ev.den };
    const expected = { num: credited.num * price.den - pixels * price.num * credited.den, den: credited.den * price.den };
    expect(BigInt(bal.num) * expected.den).toBe(expected.num * BigInt(bal.den));
  });

  it('a replayed payment (same nonces) is refused with the broker’s Livepeer text and nothing is debited', async () => {
    const info = await h.getOrchestrator();
    const session = info.authToken?.sessionId as string;
    const created = await rpc.request(S.createPayment, {
      orchestratorInfo: WireCodecs.OrchestratorInfo.encodeBase64(info),
      session,
      feeEstimate: { num: '100000000000', den: '1' },
    });
    const payment = WireCodecs.Payment.decodeBase64(created.payment);
    const first = await h.postSegment(segment, h.segData(segment, info, { seq: 1n, hash: new Uint8Array(32) }), payment);
    expect(first.status).toBe(403); // paid (credited), then the hash check refuses the body
    const before = (await rpc.request(R.balance, { sender: h.gatewayAddress, session })).balance;
    const replay = await h.postSegment(segment, h.segData(segment, info, { seq: 2n }), payment);
    expect(replay.status).toBe(400);
    expect(replay.body.toString()).toMatch(/^invalid ticket senderNonce: already seen sender=0x[0-9a-fA-F]{40} nonce=1\n$/);
    expect((await rpc.request(R.balance, { sender: h.gatewayAddress, session })).balance).toEqual(before);
  });
});
