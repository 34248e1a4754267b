import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { deployDevnet, fundActors, mineTo, type Devnet } from '@lpts/contracts';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import { SenderBrokerCommands, SettlementCommands } from '@lpts/protocol';
import { freePort, startAnvil, startNats, startRedis, type StartedAnvil, type StartedNats, type StartedRedis } from '@lpts/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { parseEther } from 'ethers';
import { Progress, waitFor } from '../util/progress';
import { writeDevKeystore, type KeyFiles } from './keys';
import { ServiceGroup, type ServiceSpec } from './processes';
import { collectSummary, printSummary } from './summary';

const exec = promisify(execFile);

export interface DevnetOptions {
  /** Exit after the summary instead of running until Ctrl-C. */
  once: boolean;
  /** Working directory for keys, logs, address book, ledgers and media. */
  dir: string;
  /** Seconds of test video pushed through the gateway (2-second segments). */
  videoSeconds: number;
  /** Repository root (where apps/<app>/dist lives). */
  root: string;
}

/** Devnet economics: small reserve slices make faceValue ≈ 2 × EV, so about half the tickets win. */
export const DEVNET_ECONOMICS = {
  orchestratorStakeLpt: '1000',
  rewardCut: 100_000n,
  feeShare: 500_000n,
  gatewayDeposit: parseEther('1'),
  gatewayReserve: parseEther('0.02'),
  ticketEvWei: 5_000_000_000_000_000n,
  /** wei per pixel: ~2 tickets per 2-second 240p+360p segment */
  pricePerPixel: 500_000_000n,
} as const;

interface Operator {
  name: string;
  prefix: string;
  key: KeyFiles;
  client: NatsRpcClient;
  wirePort?: number;
}

/**
 * `lpts devnet up`: anvil with our contracts, NATS and Redis; two orchestrators (each with its own
 * settlement, ticket-broker, worker and orchestrator process, registered on chain through its
 * settlement and activated after a round); a gateway operator (settlement, sender broker, gateway)
 * with a funded deposit and reserve. Then a generated test video is pushed through the gateway with
 * ffmpeg and a summary is printed: renditions, tickets, winners, redemptions and fees on chain.
 */
export async function devnetUp(opts: DevnetOptions): Promise<number> {
  const dir = resolve(opts.dir);
  rmSync(dir, { recursive: true, force: true });
  for (const d of ['keys', 'logs', 'ledgers', 'media']) mkdirSync(join(dir, d), { recursive: true });
  const group = new ServiceGroup(join(dir, 'logs'));
  let nats: StartedNats | undefined;
  let redis: StartedRedis | undefined;
  let anvil: StartedAnvil | undefined;
  let nc: NatsConnection | undefined;
  const step = (n: number, text: string) => console.log(`[${n}/8] ${text}`);
  const cleanup = async () => {
    await group.stopAll();
    await drainNats(nc);
    await Promise.allSettled([nats?.stop(), redis?.stop(), anvil?.stop()]);
  };

  try {
    step(1, 'infrastructure: NATS (JetStream), Redis (AOF), anvil');
    [nats, redis, anvil] = await Promise.all([startNats(), startRedis({ appendonly: true }), startAnvil({ blockTime: 1, accounts: 10 })]);
    nc = await connectNats(nats.url, 'lpts-devnet');
    const accounts = anvil.accounts;

    step(2, 'contracts: deploying the e2e profile and funding actors');
    const book = join(dir, 'address-book.json');
    const acct = (i: number) => accounts[i] as { address: string; privateKey: string };
    const chain = await deployDevnet({ rpcUrl: anvil.rpcUrl, deployerKey: acct(0).privateKey, profile: 'e2e', addressBookPath: book, reuse: false });
    await fundActors(chain, [acct(1).address, acct(2).address], { lpt: parseEther('10000') });

    const keys = join(dir, 'keys');
    const o1Key = await writeDevKeystore(keys, 'o1', acct(1).privateKey);
    const o2Key = await writeDevKeystore(keys, 'o2', acct(2).privateKey);
    const gwKey = await writeDevKeystore(keys, 'gateway', acct(3).privateKey);
    const common = { NATS_URL: nats.url, REDIS_URL: redis.url, LOG_LEVEL: 'info', ETH_RPC_URLS: anvil.rpcUrl, ETH_ADDRESS_BOOK: book };
    const main = (app: string) => join(opts.root, 'apps', app, 'dist', 'main.js');

    step(3, 'orchestrators: settlement, ticket-broker, worker and orchestrator for o1 and o2');
    const operators: Operator[] = [];
    for (const [i, key] of [o1Key, o2Key].entries()) {
      const name = `o${i + 1}`;
      const env = { ...common, NATS_SUBJECT_PREFIX: name, REDIS_KEY_PREFIX: `${name}:` };
      const wirePort = await freePort();
      const specs: ServiceSpec[] = [
        {
          name: `${name}-settlement`,
          main: main('settlement'),
          opsPort: await freePort(),
          env: {
            ...env,
            SETTLEMENT_ROLE: 'orchestrator',
            SETTLEMENT_KEYSTORE_FILE: key.keystoreFile,
            SETTLEMENT_KEYSTORE_PASSWORD_FILE: key.passwordFile,
            LEDGER_URL: `pglite://${join(dir, 'ledgers', name)}`,
            SETTLEMENT_INIT_ROUNDS: i === 0 ? 'true' : 'false',
            SETTLEMENT_INIT_ROUNDS_MAX_DELAY_BLOCKS: '0',
            SETTLEMENT_POLL_INTERVAL_MS: '500',
          },
        },
        {
          name: `${name}-ticket-broker`,
          main: main('ticket-broker'),
          opsPort: await freePort(),
          env: { ...env, BROKER_MODE: 'recipient', BROKER_RECIPIENT_ADDRESS: key.address, BROKER_TICKET_EV: String(DEVNET_ECONOMICS.ticketEvWei) },
        },
        { name: `${name}-worker`, main: main('worker'), opsPort: await freePort(), env: { ...env, WORKER_ID: `${name}-w1`, WORKER_HTTP_PORT: '0', WORKER_CAPACITY: '2' } },
        {
          name: `${name}-orchestrator`,
          main: main('orchestrator'),
          opsPort: await freePort(),
          env: {
            ...env,
            ORCH_ADDRESS: key.address,
            ORCH_KEYSTORE_FILE: key.keystoreFile,
            ORCH_KEYSTORE_PASSWORD_FILE: key.passwordFile,
            ORCH_SERVICE_URI: `https://127.0.0.1:${wirePort}`,
            ORCH_WIRE_HOST: '127.0.0.1',
            ORCH_WIRE_PORT: String(wirePort),
            ORCH_PRICE_PER_UNIT: String(DEVNET_ECONOMICS.pricePerPixel),
            ORCH_PIXELS_PER_UNIT: '1',
            ORCH_TICKET_EV: String(DEVNET_ECONOMICS.ticketEvWei),
          },
        },
      ];
      for (const spec of specs) {
        await group.start(spec);
        console.log(`      ${spec.name} ready (ops http://127.0.0.1:${spec.opsPort})`);
      }
      operators.push({ name, prefix: name, key, client: new NatsRpcClient(nc, name, 60_000), wirePort });
    }

    step(4, 'on chain: bond, transcoder parameters and service URI for each orchestrator');
    await toFreshRound(chain, operators[0] as Operator);
    for (const o of operators) {
      await o.client.request(SettlementCommands.bond, { amount: parseEther(DEVNET_ECONOMICS.orchestratorStakeLpt).toString() });
      await o.client.request(SettlementCommands.setTranscoder, { rewardCut: String(DEVNET_ECONOMICS.rewardCut), feeShare: String(DEVNET_ECONOMICS.feeShare) });
      await o.client.request(SettlementCommands.setServiceUri, { uri: `https://127.0.0.1:${o.wirePort}` });
      console.log(`      ${o.name} ${o.key.address} bonded ${DEVNET_ECONOMICS.orchestratorStakeLpt} LPT, service URI https://127.0.0.1:${o.wirePort}`);
    }
    const activeRound = await toFreshRound(chain, operators[0] as Operator);
    console.log(`      both orchestrators active from round ${activeRound}`);

    step(5, 'gateway operator: settlement, sender ticket-broker, gateway; deposit and reserve');
    const gwEnv = { ...common, NATS_SUBJECT_PREFIX: 'gw', REDIS_KEY_PREFIX: 'gw:' };
    const gatewayPort = await freePort();
    await group.start({
      name: 'gw-settlement',
      main: main('settlement'),
      opsPort: await freePort(),
      env: {
        ...gwEnv,
        SETTLEMENT_ROLE: 'gateway',
        SETTLEMENT_KEYSTORE_FILE: gwKey.keystoreFile,
        SETTLEMENT_KEYSTORE_PASSWORD_FILE: gwKey.passwordFile,
        LEDGER_URL: `pglite://${join(dir, 'ledgers', 'gw')}`,
        SETTLEMENT_POLL_INTERVAL_MS: '500',
      },
    });
    const gw = new NatsRpcClient(nc, 'gw', 60_000);
    await gw.request(SettlementCommands.fund, { deposit: String(DEVNET_ECONOMICS.gatewayDeposit), reserve: String(DEVNET_ECONOMICS.gatewayReserve) });
    await group.start({
      name: 'gw-ticket-broker',
      main: main('ticket-broker'),
      opsPort: await freePort(),
      env: { ...gwEnv, BROKER_MODE: 'sender', BROKER_KEYSTORE_FILE: gwKey.keystoreFile, BROKER_KEYSTORE_PASSWORD_FILE: gwKey.passwordFile },
    });
    await group.start({
      name: 'gw-gateway',
      main: main('gateway'),
      opsPort: await freePort(),
      env: {
        ...gwEnv,
        GATEWAY_ADDRESS: gwKey.address,
        GATEWAY_KEYSTORE_FILE: gwKey.keystoreFile,
        GATEWAY_KEYSTORE_PASSWORD_FILE: gwKey.passwordFile,
        GATEWAY_HTTP_HOST: '127.0.0.1',
        GATEWAY_HTTP_PORT: String(gatewayPort),
        GATEWAY_DISCOVERY: 'chain',
        GATEWAY_DISCOVERY_REFRESH_S: '5',
      },
    });
    const runway = await gw.request(SenderBrokerCommands.runway, {});
    console.log(`      gateway ${gwKey.address}: deposit ${runway.deposit} wei, reserve ${runway.reserve} wei, ${runway.perOrchestratorAllocation} wei per orchestrator`);
    const idleRss = group.rssMb();

    step(6, `streaming: ${opts.videoSeconds} s test video pushed with ffmpeg (HLS over PUT)`);
    const video = join(dir, 'media', 'source.ts');
    await exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${opts.videoSeconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${opts.videoSeconds}`, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac', '-shortest', '-y', video]);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const segments = Math.ceil(opts.videoSeconds / 2);
    const push = exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', video, '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-method', 'PUT', `${gatewayUrl}/live/devnet/index.m3u8`]);
    const streamingRss: Record<string, number> = {};
    const sampler = setInterval(() => {
      for (const [k, v] of Object.entries(group.rssMb())) streamingRss[k] = Math.max(streamingRss[k] ?? 0, v);
    }, 500);
    const bar = new Progress('segments transcoded', segments);
    try {
      await push;
      await waitFor('all segments in the output playlist', 120_000, async () => {
        const n = await transcodedSegments(gatewayUrl);
        bar.update(n);
        return n >= segments ? n : undefined;
      }, 500);
      bar.finish();
    } finally {
      clearInterval(sampler);
    }

    step(7, 'settlement: passing the ticket params expiry and redeeming winning tickets');
    const expiry = (await chain.provider.getBlockNumber()) + 42;
    await mineTo(chain.provider, BigInt(expiry));
    const summary = await collectSummary({ chain, operators, gateway: gw, gatewayUrl, group, idleRss, streamingRss, waitForRedemptions: true });

    step(8, 'summary');
    printSummary(summary, { gatewayUrl, dir, chainRpc: anvil.rpcUrl });
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));

    if (opts.once) {
      await cleanup();
      return summary.ok ? 0 : 1;
    }
    console.log('\nthe devnet keeps running; Ctrl-C stops everything');
    await new Promise<void>((resolveStop) => {
      process.once('SIGINT', () => resolveStop());
      process.once('SIGTERM', () => resolveStop());
    });
    console.log('stopping…');
    await cleanup();
    return 0;
  } catch (e) {
    console.error(`devnet failed: ${(e as Error).message}`);
    console.error(`logs: ${join(dir, 'logs')}`);
    await cleanup();
    return 1;
  }
}

/** Mines to the start of the next round and initialises it through settlement; returns the round. */
async function toFreshRound(chain: Devnet, operator: Operator): Promise<bigint> {
  const rm = chain.contracts.roundsManager;
  const start = BigInt(await rm.getFunction('currentRoundStartBlock')());
  const length = BigInt(await rm.getFunction('roundLength')());
  await mineTo(chain.provider, start + length);
  const round = BigInt(await rm.getFunction('currentRound')());
  if (!(await rm.getFunction('currentRoundInitialized')())) await operator.client.request(SettlementCommands.initializeRound, {});
  return round;
}

/** Segments present in every rendition's media playlist of the devnet stream. */
async function transcodedSegments(gatewayUrl: string): Promise<number> {
  const master = await fetch(`${gatewayUrl}/stream/devnet.m3u8`);
  if (!master.ok) return 0;
  const uris = (await master.text()).split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  if (uris.length === 0) return 0;
  const counts = await Promise.all(
    uris.map(async (u) => {
      const r = await fetch(new URL(u, `${gatewayUrl}/stream/`));
      return r.ok ? (await r.text()).split('\n').filter((l) => l.startsWith('#EXTINF')).length : 0;
    }),
  );
  return Math.min(...counts);
}
