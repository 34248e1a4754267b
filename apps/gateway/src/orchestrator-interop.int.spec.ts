/**
 * The gateway against the real lpts orchestrator process (apps/orchestrator, ORCH_TRANSCODER=local),
 * over the wire on a real TLS port, spawned from its build (LPTS_ORCHESTRATOR_MAIN or
 * apps/orchestrator/dist/main.js).
 * Both brokers are NATS responder fakes (price 0: no tickets needed, the payments still flow).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { makeTestSegment } from '@lpts/media';
import {
  PaymentSchema,
  RecipientBrokerCommands,
  SenderBrokerCommands,
  WireCodecs,
  addressToBytes,
  toChecksumAddress,
  toHex,
} from '@lpts/protocol';
import { freePort, startNats, startRedis, uniquePrefix, type StartedNats, type StartedRedis } from '@lpts/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { encryptKeystoreJsonSync, Wallet } from 'ethers';
import { createApp, type GatewayApp } from './bootstrap';

jest.setTimeout(120_000);

/** The orchestrator's build: `nx test gateway` builds it first (test dependsOn orchestrator:build). */
const ORCH_MAIN = process.env['LPTS_ORCHESTRATOR_MAIN'] || resolve(__dirname, '../../orchestrator/dist/main.js');
if (!existsSync(ORCH_MAIN)) throw new Error(`no orchestrator build at ${ORCH_MAIN}: run \`npx nx build orchestrator\` first`);

describe('gateway → real lpts orchestrator process', () => {
  let nats: StartedNats;
  let redis: StartedRedis;
  let nc: NatsConnection;
  let orchA: RunningOrchestrator;
  let orchB: RunningOrchestrator;
  let gw: GatewayApp | undefined;
  const prefix = uniquePrefix('interop');
  const orchWallet = Wallet.createRandom();
  const orchWallet2 = Wallet.createRandom();

  interface RunningOrchestrator {
    proc: ChildProcess;
    port: number;
    uri: string;
    log: () => string;
  }

  async function startOrchestrator(wallet: typeof orchWallet, dir: string, name: string): Promise<RunningOrchestrator> {
    const port = await freePort();
    let log = '';
    const proc = spawn(process.execPath, [ORCH_MAIN], {
      env: {
        ...process.env,
        NODE_PATH: resolve(__dirname, '../../../node_modules'),
        NATS_URL: nats.url,
        NATS_SUBJECT_PREFIX: prefix,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `${prefix}:`,
        OPS_PORT: '0',
        LOG_LEVEL: 'info',
        ORCH_ADDRESS: wallet.address,
        ORCH_KEYSTORE_FILE: join(dir, `${name}.json`),
        ORCH_KEYSTORE_PASSWORD_FILE: join(dir, `${name}.pw`),
        ORCH_SERVICE_URI: `https://127.0.0.1:${port}`,
        ORCH_WIRE_HOST: '127.0.0.1',
        ORCH_WIRE_PORT: String(port),
        ORCH_TRANSCODER: 'local',
        ORCH_PRICE_PER_UNIT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    for (let i = 0; i < 150 && !/orchestrator ready/.test(log) && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    if (!/orchestrator ready/.test(log)) throw new Error(`orchestrator did not start:\n${log.slice(-3000)}`);
    return { proc, port, uri: `https://127.0.0.1:${port}`, log: () => log };
  }
  const gwWallet = Wallet.createRandom();
  const payments: string[] = [];

  beforeAll(async () => {
    nats = await startNats();
    redis = await startRedis();
    nc = await connect({ servers: nats.url });
    const dir = mkdtempSync(join(tmpdir(), 'lpts-interop-'));
    const ks = (w: typeof orchWallet, name: string) => {
      writeFileSync(join(dir, `${name}.json`), encryptKeystoreJsonSync({ address: w.address, privateKey: w.privateKey }, 'pw', { scrypt: { N: 16 } }));
      writeFileSync(join(dir, `${name}.pw`), 'pw\n');
    };
    ks(orchWallet, 'orch');
    ks(orchWallet2, 'orch2');
    ks(gwWallet, 'gw');
    const respond = (subject: string, fn: (req: Record<string, unknown>) => unknown) =>
      nc.subscribe(subject, { callback: (_e, m) => {
          m.respond(JSON.stringify(fn(m.json<Record<string, unknown>>())));
        },
      });
    const zero = { num: '0', den: '1' };
    // Recipient side (the orchestrator operator's broker): price 0 → zero-value params.
    respond(RecipientBrokerCommands.quoteParams.subject(prefix), () => ({
      ticketParams: {
        recipient: orchWallet.address,
        faceValue: '0',
        winProb: '0',
        recipientRandHash: toHex(new Uint8Array(32).fill(3)),
        seed: '0x01',
        expirationBlock: '1000',
        expirationParams: { creationRound: '5', creationRoundBlockHash: toHex(new Uint8Array(32).fill(9)) },
      },
    }));
    respond(RecipientBrokerCommands.receivePayment.subject(prefix), (req) => {
      const p = WireCodecs.Payment.decodeBase64(String(req['payment']));
      return { sender: p.sender.length === 20 ? toChecksumAddress(p.sender) : null, credited: zero, creditedTickets: 0, winners: 0, balance: zero };
    });
    respond(RecipientBrokerCommands.debit.subject(prefix), () => ({ balance: zero }));
    respond(RecipientBrokerCommands.balance.subject(prefix), () => ({ balance: zero }));
    // Sender side (the gateway operator's broker): a zero-ticket Payment carrying the sender and expected price.
    respond(SenderBrokerCommands.createPayment.subject(prefix), (req) => {
      const info = WireCodecs.OrchestratorInfo.decodeBase64(String(req['orchestratorInfo']));
      const payment = WireCodecs.Payment.encodeBase64(create(PaymentSchema, { sender: addressToBytes(gwWallet.address), expectedPrice: info.priceInfo }));
      payments.push(payment);
      return { payment, numTickets: 0, ev: zero, staged: zero };
    });
    respond(SenderBrokerCommands.settle.subject(prefix), () => ({ balance: zero }));
    await nc.flush();

    orchA = await startOrchestrator(orchWallet, dir, 'orch');
    orchB = await startOrchestrator(orchWallet2, dir, 'orch2');

    gw = await createApp({
      NATS_URL: nats.url,
      NATS_SUBJECT_PREFIX: prefix,
      OPS_PORT: '0',
      GATEWAY_HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      GATEWAY_ADDRESS: gwWallet.address,
      GATEWAY_KEYSTORE_FILE: join(dir, 'gw.json'),
      GATEWAY_KEYSTORE_PASSWORD_FILE: join(dir, 'gw.pw'),
      GATEWAY_ORCH_ADDRS: `127.0.0.1:${orchA.port},127.0.0.1:${orchB.port}`,
      GATEWAY_EXPLORATION_SHARE: '0',
    });
  });

  afterAll(async () => {
    await gw?.close();
    for (const o of [orchA, orchB]) {
      if (o && o.proc.exitCode === null && o.proc.signalCode === null) {
        o.proc.kill('SIGTERM');
        await new Promise((r) => o.proc.once('exit', r));
      }
    }
    await nc?.drain();
    await redis?.stop();
    await nats?.stop();
  });

  it('discovers both, pays, verifies, serves HLS; kill -9 of the serving one mid-stream loses no segment', async () => {
    const segment = await makeTestSegment({ seconds: 2, width: 640, height: 360 });
    // Both answered GetOrchestrator (a loaded machine may need the registry's quick retry of failures).
    let view: { orchestrators: { uri: string; reachable: boolean; address: string }[] } = { orchestrators: [] };
    for (let i = 0; i < 60 && view.orchestrators.filter((o) => o.reachable).length < 2; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 500));
      view = (await (await fetch(`${gw?.url}/orchestrators`)).json()) as typeof view;
    }
    expect(view.orchestrators.map((o) => [o.uri, o.reachable, o.address]).sort()).toEqual(
      [
        [orchA.uri, true, orchWallet.address.toLowerCase()],
        [orchB.uri, true, orchWallet2.address.toLowerCase()],
      ].sort(),
    );
    const pushOne = async (seq: number) => {
      const r = await fetch(`${gw?.url}/live/real/${seq}.ts`, { method: 'PUT', body: segment });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`push ${seq}: ${r.status} ${text}\n${orchA.log().slice(-1500)}\n${orchB.log().slice(-1500)}`);
      return r.headers.get('livepeer-orchestrator');
    };
    const first = await pushOne(0);
    expect(await pushOne(1)).toBe(first);
    const victim = first === orchA.uri ? orchA : orchB;
    const survivor = victim === orchA ? orchB : orchA;
    victim.proc.kill('SIGKILL');
    await new Promise((r) => victim.proc.once('exit', r));
    expect(await pushOne(2)).toBe(survivor.uri);
    expect(await pushOne(3)).toBe(survivor.uri);
    expect(payments.length).toBeGreaterThanOrEqual(4);
    await fetch(`${gw?.url}/live/real`, { method: 'DELETE' });
    for (const profile of ['P240p30fps16x9', 'P360p30fps16x9']) {
      const media = await (await fetch(`${gw?.url}/stream/real/${profile}.m3u8`)).text();
      expect(media.split('\n').filter((l) => l.endsWith('.ts'))).toEqual([0, 1, 2, 3].map((q) => `${profile}/${q}.ts`));
    }
  });
});
