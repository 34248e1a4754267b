import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTestSegment } from '@lpts/media';
import { SenderBrokerCommands, decodePaymentHeader, toChecksumAddress, toHex } from '@lpts/protocol';
import { startNats, uniquePrefix, freePort, type StartedNats } from '@lpts/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { encryptKeystoreJsonSync, Wallet } from 'ethers';
import { createApp, type GatewayApp } from './bootstrap';
import { GatewayIdentity } from './identity/gateway-identity';
import { FakeOrchestrator } from './testing/fake-orchestrator.fake';

jest.setTimeout(120_000);
const run = promisify(execFile);

let nats: StartedNats;
let segments: Buffer[];
const apps: GatewayApp[] = [];
const orchs: FakeOrchestrator[] = [];

beforeAll(async () => {
  nats = await startNats();
  // Four real 2 s segments (H.264 + AAC in MPEG-TS), 30 fps.
  const one = await makeTestSegment({ seconds: 2, width: 640, height: 360 });
  segments = [one, one, one, one];
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(orchs.splice(0).map((o) => o.close()));
});

afterAll(async () => {
  await nats?.stop();
});

async function orchestrator(opts: Parameters<typeof FakeOrchestrator.start>[0] = {}): Promise<FakeOrchestrator> {
  const o = await FakeOrchestrator.start(opts);
  orchs.push(o);
  return o;
}

async function gateway(env: Record<string, string>, identity: GatewayIdentity | undefined = GatewayIdentity.fromPrivateKey(new Uint8Array(32).fill(7))): Promise<GatewayApp> {
  const app = await createApp(
    {
      NATS_URL: nats.url,
      NATS_SUBJECT_PREFIX: uniquePrefix(),
      OPS_PORT: '0',
      GATEWAY_HTTP_PORT: '0',
      GATEWAY_OFFCHAIN: 'true',
      GATEWAY_EXPLORATION_SHARE: '0',
      LOG_LEVEL: 'silent',
      ...env,
    },
    identity ? { identity } : {},
  );
  apps.push(app);
  return app;
}

async function push(app: GatewayApp, stream: string, seq: number, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.url}/live/${stream}/${seq}.ts`, {
    method: 'PUT',
    body: segments[seq % segments.length] as Buffer,
    headers: { 'content-type': 'video/mp2t', ...headers },
  });
}

async function ffprobePackets(url: string): Promise<{ packets: number; duration: number }> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets:format=duration', '-of', 'json', url,
  ]);
  const j = JSON.parse(stdout) as { streams: { nb_read_packets: string }[]; format: { duration: string } };
  return { packets: Number(j.streams[0]?.nb_read_packets), duration: Number(j.format.duration) };
}

function mediaSeqs(playlist: string): number[] {
  return playlist
    .split('\n')
    .filter((l) => l.endsWith('.ts'))
    .map((l) => Number(/(\d+)\.ts$/.exec(l)?.[1]));
}

describe('gateway → orchestrators over the Livepeer wire', () => {
  it('transcodes pushed segments and serves HLS that ffprobe reads in full, with renditions inline on multipart', async () => {
    const a = await orchestrator();
    const b = await orchestrator();
    const gw = await gateway({ GATEWAY_ORCH_ADDRS: `${a.uri},${b.uri}` });
    for (let seq = 0; seq < 3; seq++) {
      const r = await push(gw, 'cam1', seq);
      expect(r.status).toBe(200);
      const body = (await r.json()) as { renditions: { name: string; pixels: number }[]; durationMs: number };
      expect(body.renditions.map((x) => x.name)).toEqual(['P240p30fps16x9', 'P360p30fps16x9']);
      expect(body.durationMs).toBeGreaterThan(1900);
    }
    // Accept: multipart/mixed → renditions inline (§2.7).
    const mp = await push(gw, 'cam1', 3, { accept: 'multipart/mixed', 'content-duration': '2000' });
    expect(mp.status).toBe(200);
    const ct = mp.headers.get('content-type') ?? '';
    expect(ct).toMatch(/^multipart\/mixed; boundary=/);
    const raw = Buffer.from(await mp.arrayBuffer()).toString('latin1');
    expect(raw.match(/Rendition-Name: (\S+)/g)).toEqual(['Rendition-Name: P240p30fps16x9', 'Rendition-Name: P360p30fps16x9']);
    expect(raw).toContain('filename="P240p30fps16x9_3.ts"');
    expect(raw).toContain('Content-Type: video/mp2t; name="P360p30fps16x9_3.ts"');
    // Signed OrchestratorRequest was verified by the O (it refuses bad signatures).
    expect(a.getOrchestratorCalls + b.getOrchestratorCalls).toBeGreaterThanOrEqual(2);

    expect((await fetch(`${gw.url}/live/cam1`, { method: 'DELETE' })).status).toBe(204);
    // Ending the stream ends its O session(s) (EndTranscodingSession with the session's auth token).
    for (let i = 0; i < 50 && a.endSessionCalls + b.endSessionCalls === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(a.endSessionCalls + b.endSessionCalls).toBeGreaterThanOrEqual(1);
    const master = await (await fetch(`${gw.url}/stream/cam1.m3u8`)).text();
    expect(master).toContain('cam1/P240p30fps16x9.m3u8');
    expect(master).toContain('cam1/P360p30fps16x9.m3u8');
    expect(master).toMatch(/RESOLUTION=\d+x240/);
    for (const profile of ['P240p30fps16x9', 'P360p30fps16x9']) {
      const media = await (await fetch(`${gw.url}/stream/cam1/${profile}.m3u8`)).text();
      expect(mediaSeqs(media)).toEqual([0, 1, 2, 3]);
      expect(media).toContain('#EXT-X-ENDLIST');
      const probe = await ffprobePackets(`${gw.url}/stream/cam1/${profile}.m3u8`);
      expect(probe.duration).toBeGreaterThan(7.8);
      expect(probe.packets).toBeGreaterThanOrEqual(238); // 4 × 2 s × 30 fps
    }
    // The master playlist is playable too (every variant reachable).
    const all = await ffprobePackets(`${gw.url}/stream/cam1.m3u8`);
    expect(all.duration).toBeGreaterThan(7.8);
    const openapi = (await (await fetch(`${gw.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/live/{stream}/{file}');
  });

  it('moves a stream to the other orchestrator when its orchestrator dies mid-stream; no segment goes missing', async () => {
    const a = await orchestrator();
    const b = await orchestrator();
    const gw = await gateway({ GATEWAY_ORCH_ADDRS: `${a.uri},${b.uri}` });
    const first = await push(gw, 'live2', 0);
    expect(first.status).toBe(200);
    const used = first.headers.get('livepeer-orchestrator');
    expect((await push(gw, 'live2', 1)).headers.get('livepeer-orchestrator')).toBe(used); // sticky
    const victim = used === a.uri ? a : b;
    const survivor = victim === a ? b : a;
    victim.kill();
    const r2 = await push(gw, 'live2', 2);
    expect(r2.status).toBe(200);
    expect(r2.headers.get('livepeer-orchestrator')).toBe(survivor.uri);
    expect(r2.headers.get('livepeer-attempts')).toBe('2');
    const r3 = await push(gw, 'live2', 3);
    expect(r3.headers.get('livepeer-orchestrator')).toBe(survivor.uri);
    expect(r3.headers.get('livepeer-attempts')).toBe('1');
    const media = await (await fetch(`${gw.url}/stream/live2/P360p30fps16x9.m3u8`)).text();
    expect(mediaSeqs(media)).toEqual([0, 1, 2, 3]);
    const view = (await (await fetch(`${gw.url}/orchestrators`)).json()) as { orchestrators: { uri: string; suspension: { kind: string } | null }[] };
    expect(view.orchestrators.find((o) => o.uri === victim.uri)?.suspension?.kind).toBe('network');
    const metrics = await gw.runtime.metrics.metrics();
    expect(metrics).toMatch(/lpts_gateway_attempt_failures_total\{kind="network"[^}]*\} 1/);
    expect(metrics).toMatch(/lpts_gateway_session_swaps_total\{reason="failure"/);
  });

  it('retries elsewhere when the orchestrator dies while the segment is in flight', async () => {
    const dying = await orchestrator({ delayMs: 1500, pricePerUnit: 1n });
    const other = await orchestrator({ pricePerUnit: 9n });
    const gw = await gateway({ GATEWAY_ORCH_ADDRS: `${dying.uri},${other.uri}`, GATEWAY_SELECTION_WEIGHTS: '0,1,0,0', GATEWAY_PRICE_EXP_FACTOR: '1' });
    const pending = push(gw, 'mid', 0);
    while (dying.segmentCalls === 0) await new Promise((r) => setTimeout(r, 20));
    dying.kill();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.headers.get('livepeer-orchestrator')).toBe(other.uri);
    expect(r.headers.get('livepeer-attempts')).toBe('2');
  });

  it('answers a clear PRICE_TOO_HIGH naming the max and every price when all orchestrators cost more', async () => {
    const a = await orchestrator({ pricePerUnit: 1000n, pixelsPerUnit: 1n });
    const b = await orchestrator({ pricePerUnit: 3000n, pixelsPerUnit: 2n });
    const gw = await gateway({ GATEWAY_ORCH_ADDRS: `${a.uri},${b.uri}`, GATEWAY_MAX_PRICE_PER_UNIT: '500', GATEWAY_PIXELS_PER_UNIT: '1' });
    const r = await push(gw, 'pricey', 0);
    expect(r.status).toBe(503);
    const { error } = (await r.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('PRICE_TOO_HIGH');
    expect(error.message).toContain('max price 500/1');
    expect(error.message).toContain(`${a.uri}=1000/1`);
    expect(error.message).toContain(`${b.uri}=1500/1`);
    expect(a.segmentCalls + b.segmentCalls).toBe(0);
  });

  it('gives a clear NO_ORCHESTRATORS error, not a hang, for an empty or unreachable registry', async () => {
    const empty = await gateway({ GATEWAY_ORCH_ADDRS: '' });
    const t0 = Date.now();
    const r1 = await push(empty, 'e', 0);
    expect(r1.status).toBe(503);
    const e1 = ((await r1.json()) as { error: { code: string; message: string } }).error;
    expect(e1.code).toBe('NO_ORCHESTRATORS');
    expect(e1.message).toContain('registry is empty');

    // Chain discovery before settlement published any chain state: the reason is in the error.
    const chain = await gateway({ GATEWAY_DISCOVERY: 'chain' });
    const r3 = await push(chain, 'c', 0);
    expect(r3.status).toBe(503);
    const e3 = ((await r3.json()) as { error: { code: string; message: string } }).error;
    expect(e3.code).toBe('NO_ORCHESTRATORS');
    expect(e3.message).toContain('the discovery source failed');

    const dead1 = await freePort();
    const dead2 = await freePort();
    const unreachable = await gateway({ GATEWAY_ORCH_ADDRS: `127.0.0.1:${dead1},127.0.0.1:${dead2}`, GATEWAY_DISCOVERY_TIMEOUT_MS: '1500' });
    const r2 = await push(unreachable, 'u', 0);
    expect(r2.status).toBe(503);
    const e2 = ((await r2.json()) as { error: { code: string; message: string; details: { reasons: string } } }).error;
    expect(e2.code).toBe('NO_ORCHESTRATORS');
    expect(e2.details.reasons).toBe('network');
    expect(e2.message).toContain(`127.0.0.1:${dead1}`);
    expect(Date.now() - t0).toBeLessThan(8000);
  });

  it('rejects a tampered result signature or lying pixel count and retries on another orchestrator', async () => {
    const forger = await orchestrator({ tamperSignature: true, pricePerUnit: 1n });
    const liar = await orchestrator({ lieAboutPixels: true, pricePerUnit: 2n });
    const honest = await orchestrator({ pricePerUnit: 50n });
    // Price-only weights: the cheapest (forger) is tried first, then the liar, then the honest one.
    const gw = await gateway({ GATEWAY_ORCH_ADDRS: [forger.uri, liar.uri, honest.uri].join(','), GATEWAY_SELECTION_WEIGHTS: '0,1,0,0', GATEWAY_PRICE_EXP_FACTOR: '1' });
    const r = await push(gw, 'v', 0);
    expect(r.status).toBe(200);
    expect(r.headers.get('livepeer-orchestrator')).toBe(honest.uri);
    expect(r.headers.get('livepeer-attempts')).toBe('3');
    const metrics = await gw.runtime.metrics.metrics();
    expect(metrics).toMatch(/lpts_gateway_verification_failures_total\{check="signature"[^}]*\} 1/);
    expect(metrics).toMatch(/lpts_gateway_verification_failures_total\{check="pixels"[^}]*\} 1/);
    // Both cheats are suspended: the next segment goes straight to the honest O.
    const r2 = await push(gw, 'v', 1);
    expect(r2.headers.get('livepeer-attempts')).toBe('1');
    expect(forger.segmentCalls).toBe(1);
    expect(liar.segmentCalls).toBe(1);
  });

  it('fails with ALL_ATTEMPTS_FAILED listing each attempt when every orchestrator errors', async () => {
    const a = await orchestrator({ failWith: 'OrchestratorBusy' });
    const b = await orchestrator({ failWith: 'No keyframes in input' });
    const gw = await gateway({ GATEWAY_ORCH_ADDRS: `${a.uri},${b.uri}`, GATEWAY_MAX_ATTEMPTS: '3' });
    const r = await push(gw, 'x', 0);
    expect(r.status).toBe(502);
    const { error } = (await r.json()) as { error: { code: string; message: string; details: { kinds: string } } };
    expect(error.code).toBe('ALL_ATTEMPTS_FAILED');
    expect(error.details.kinds.split(',').sort()).toEqual(['capacity', 'transcode']);
    expect(error.message).toContain('OrchestratorBusy');
  });

  it('pays through the sender broker (NATS) and signs with the keystore key when not offchain', async () => {
    const o = await orchestrator({ pricePerUnit: 3n, pixelsPerUnit: 1n });
    const dir = mkdtempSync(join(tmpdir(), 'lpts-gw-ks-'));
    const wallet = Wallet.createRandom();
    writeFileSync(join(dir, 'ks.json'), encryptKeystoreJsonSync({ address: wallet.address, privateKey: wallet.privateKey }, 'pw', { scrypt: { N: 16 } }));
    writeFileSync(join(dir, 'pw'), 'pw\n');
    const prefix = uniquePrefix();
    const nc: NatsConnection = await connect({ servers: nats.url });
    const created: { session: string; feeEstimate: { num: string; den: string } }[] = [];
    const settled: { outcome: string; debit: { num: string; den: string } }[] = [];
    const paymentB64 = Buffer.from([0x12, 0x14, ...Buffer.from(wallet.address.slice(2), 'hex')]).toString('base64'); // Payment{sender}
    nc.subscribe(SenderBrokerCommands.createPayment.subject(prefix), {
      callback: (_e, m) => {
        created.push(JSON.parse(m.string()));
        m.respond(JSON.stringify({ payment: paymentB64, numTickets: 1, ev: { num: '8000000000', den: '1' }, staged: { num: '8000000000', den: '1' } }));
      },
    });
    nc.subscribe(SenderBrokerCommands.settle.subject(prefix), {
      callback: (_e, m) => {
        settled.push(JSON.parse(m.string()));
        m.respond(JSON.stringify({ balance: { num: '0', den: '1' } }));
      },
    });
    await nc.flush();
    const gw = await gateway(
      {
        NATS_SUBJECT_PREFIX: prefix,
        GATEWAY_OFFCHAIN: 'false',
        GATEWAY_ADDRESS: wallet.address,
        GATEWAY_KEYSTORE_FILE: join(dir, 'ks.json'),
        GATEWAY_KEYSTORE_PASSWORD_FILE: join(dir, 'pw'),
        GATEWAY_ORCH_ADDRS: o.uri,
      },
      undefined,
    );
    const r = await push(gw, 'paid', 0);
    expect(r.status).toBe(200);
    expect(o.payments).toEqual([paymentB64]);
    expect(toChecksumAddress(toHex(decodePaymentHeader(o.payments[0] as string).sender))).toBe(wallet.address);
    expect(created).toHaveLength(1);
    // Fee estimate: (426×240 + 640×360) × 30 fps × 2 s × 1.02 × 3 wei.
    expect(BigInt(created[0]?.feeEstimate.num ?? '0') / BigInt(created[0]?.feeEstimate.den ?? '1')).toBe(((426n * 240n + 640n * 360n) * 60n * 51n * 3n) / 50n);
    expect(settled).toEqual([expect.objectContaining({ outcome: 'completed' })]);
    expect(BigInt(settled[0]?.debit.num ?? '0')).toBeGreaterThan(0n);
    await nc.drain();
  });

  it('swaps a stream away from an orchestrator that falls behind real time; never uses a blocklisted one', async () => {
    const slow = await orchestrator({ delayMs: 2000, pricePerUnit: 1n });
    const fast = await orchestrator({ pricePerUnit: 5n });
    const banned = await orchestrator({ pricePerUnit: 0n });
    const gw = await gateway({
      GATEWAY_ORCH_ADDRS: [slow.uri, fast.uri, banned.uri].join(','),
      GATEWAY_ORCH_BLOCKLIST: banned.addressHex.slice(2).toUpperCase(),
      GATEWAY_SELECTION_WEIGHTS: '0,1,0,0',
      GATEWAY_PRICE_EXP_FACTOR: '1',
    });
    const r0 = await push(gw, 'rt', 0, { 'content-duration': '1000' });
    expect(r0.headers.get('livepeer-orchestrator')).toBe(slow.uri); // cheapest allowed
    const r1 = await push(gw, 'rt', 1, { 'content-duration': '1000' });
    expect(r1.headers.get('livepeer-orchestrator')).toBe(fast.uri); // 2 s for a 1 s segment: behind real time
    expect(banned.segmentCalls).toBe(0);
    expect(await gw.runtime.metrics.metrics()).toMatch(/lpts_gateway_session_swaps_total\{reason="slow"[^}]*\} 1/);
  });

  it('refreshes an auth token that is about to expire with GetOrchestrator before sending the segment', async () => {
    const o = await orchestrator({ tokenSeconds: 60 }); // inside the last 10 % (180 s) of validity
    const gw = await gateway({ GATEWAY_ORCH_ADDRS: o.uri });
    expect((await push(gw, 'tok', 0)).status).toBe(200);
    expect(o.getOrchestratorCalls).toBe(2); // discovery + this stream's session
    expect((await push(gw, 'tok', 1)).status).toBe(200);
    expect(o.getOrchestratorCalls).toBe(3);
  });

  it('reports a payment failure (no sender broker) as ALL_ATTEMPTS_FAILED of kind payment, without sending the segment', async () => {
    const o = await orchestrator();
    const wallet = Wallet.createRandom();
    const dir = mkdtempSync(join(tmpdir(), 'lpts-gw-ks-'));
    writeFileSync(join(dir, 'ks.json'), encryptKeystoreJsonSync({ address: wallet.address, privateKey: wallet.privateKey }, 'pw', { scrypt: { N: 16 } }));
    writeFileSync(join(dir, 'pw'), 'pw');
    const gw = await gateway(
      {
        GATEWAY_OFFCHAIN: 'false',
        GATEWAY_ADDRESS: wallet.address,
        GATEWAY_KEYSTORE_FILE: join(dir, 'ks.json'),
        GATEWAY_KEYSTORE_PASSWORD_FILE: join(dir, 'pw'),
        GATEWAY_ORCH_ADDRS: o.uri,
        NATS_REQUEST_TIMEOUT_MS: '500',
      },
      undefined,
    );
    const r = await push(gw, 'nopay', 0);
    expect(r.status).toBe(502);
    const { error } = (await r.json()) as { error: { code: string; message: string; details: { kinds: string } } };
    expect(error.code).toBe('ALL_ATTEMPTS_FAILED');
    expect(error.details.kinds).toBe('payment');
    expect(error.message).toContain('no service answers');
    expect(o.segmentCalls).toBe(0);
  });

  it('accepts `ffmpeg -f hls -method PUT` and serves the whole stream back', async () => {
    const a = await orchestrator();
    const gw = await gateway({ GATEWAY_ORCH_ADDRS: a.uri });
    await new Promise<void>((resolve, reject) => {
      const p = spawn(
        'ffmpeg',
        [
          '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=6',
          '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
          '-f', 'hls', '-method', 'PUT', '-hls_time', '2', '-hls_list_size', '0', `${gw.url}/live/ffcam/index.m3u8`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err}`))));
    });
    // ffmpeg does not wait for the PUT responses: poll until the last segment is transcoded.
    let media = '';
    for (let i = 0; i < 100 && mediaSeqs(media).length < 3; i++) {
      await new Promise((r) => setTimeout(r, 200));
      media = await (await fetch(`${gw.url}/stream/ffcam/P240p30fps16x9.m3u8`)).text();
    }
    expect(mediaSeqs(media)).toEqual([0, 1, 2]);
    expect(media).toContain('#EXT-X-ENDLIST'); // from ffmpeg's final playlist PUT
    const probe = await ffprobePackets(`${gw.url}/stream/ffcam/P240p30fps16x9.m3u8`);
    expect(probe.packets).toBeGreaterThanOrEqual(178);
  });
});
