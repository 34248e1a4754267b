import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { deployDevnet, fundActors, mineTo, type Devnet } from '@lpts/contracts';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import { SenderBrokerCommands, SettlementCommands } from '@lpts/protocol';
import { freePort, startAnvil, startNats, startPostgres, startRedis, type StartedAnvil, type StartedNats, type StartedPostgres, type StartedRedis } from '@lpts/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { parseEther } from 'ethers';
import { writeDevKeystore, type KeyFiles } from './keys';
import { ServiceGroup, type ServiceSpec } from './processes';
import { Progress, waitFor } from './progress';
import { collectSummary, metricSum, type DevnetSummary } from './summary';

const exec = promisify(execFile);

/** `split`: one process per service; `combined`: one apps/node process per operator. */
export type Layout = 'split' | 'combined';

export interface LocalNetworkOptions {
  /** Working directory for keys, logs, address book, ledgers and media (emptied first). */
  dir: string;
  /** Repository root (apps/<app>/dist/main.js must be built). */
  root: string;
  layout?: Layout;
  orchestrators?: number;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
}

/** Devnet economics: small reserve slices make faceValue ≈ 2 × EV, so about half the tickets win. */
export const DEVNET_ECONOMICS = {
  orchestratorStakeLpt: '1000',
  rewardCut: 100_000n,
  feeShare: 500_000n,
  gatewayDeposit: parseEther('1'),
  gatewayReserve: parseEther('0.02'),
  ticketEvWei: 5_000_000_000_000_000n,
  /** wei per pixel: a couple of tickets per 2-second 240p+360p segment */
  pricePerPixel: 500_000_000n,
} as const;

export interface Operator {
  name: string;
  key: KeyFiles;
  client: NatsRpcClient;
  wirePort: number;
  /** The process to kill to take this orchestrator down (split: its orchestrator; combined: its node). */
  process: string;
}

export interface StreamResult {
  segments: number;
  /** Peak resident memory (MB) per process while streaming. */
  rssMb: Record<string, number>;
}

/**
 * A whole Livepeer-style network on one machine, from real processes: anvil with our contracts,
 * NATS and Redis; N orchestrator operators (settlement, ticket-broker, worker, orchestrator —
 * registered on chain through their settlement: bond, transcoder parameters, service URI,
 * activated after a round); a gateway operator (settlement, sender ticket-broker, gateway) with a
 * funded deposit and reserve. Used by `lpts devnet up` and by the e2e specs.
 */
export class LocalNetwork {
  readonly group: ServiceGroup;
  readonly operators: Operator[] = [];
  /** Ops port of every service by `<operator>-<mode>` name, whatever the layout. */
  readonly opsPorts: Record<string, number> = {};
  gatewayUrl = '';
  gateway!: NatsRpcClient;
  chain!: Devnet;
  idleRssMb: Record<string, number> = {};
  private nats?: StartedNats;
  private redis?: StartedRedis;
  private anvil?: StartedAnvil;
  private postgres?: StartedPostgres;
  private nc?: NatsConnection;
  private readonly log: (line: string) => void;
  private readonly layout: Layout;

  private constructor(private readonly opts: LocalNetworkOptions) {
    this.log = opts.log ?? ((l) => console.log(l));
    this.layout = opts.layout ?? 'split';
    this.group = new ServiceGroup(join(opts.dir, 'logs'));
  }

  get dir(): string {
    return this.opts.dir;
  }
  get rpcUrl(): string {
    return this.anvil?.rpcUrl ?? '';
  }

  /** The operators' NATS (each operator's services use its own subject prefix: its name). */
  get natsUrl(): string {
    return this.nats?.url ?? '';
  }

  static async start(opts: LocalNetworkOptions): Promise<LocalNetwork> {
    const dir = resolve(opts.dir);
    rmSync(dir, { recursive: true, force: true });
    for (const d of ['keys', 'logs', 'media']) mkdirSync(join(dir, d), { recursive: true });
    const net = new LocalNetwork({ ...opts, dir });
    try {
      await net.boot();
      return net;
    } catch (e) {
      await net.stop();
      throw new Error(`${(e as Error).message}\n(logs: ${join(dir, 'logs')})`);
    }
  }

  private async boot(): Promise<void> {
    const step = (n: number, text: string) => this.log(`[${n}/5] ${text}`);
    step(1, 'infrastructure: NATS (JetStream), Redis (AOF), PostgreSQL (ledgers), anvil (1 s blocks)');
    const [nats, redis, anvil, postgres] = await Promise.all([startNats(), startRedis({ appendonly: true }), startAnvil({ blockTime: 1, accounts: 10 }), startPostgres()]);
    Object.assign(this, { nats, redis, anvil, postgres });
    // One database per settlement (each re-queues the open tickets of its own ledger).
    const ledger = (name: string) => postgres.url.replace(/\/[^/]*$/, `/ledger_${name}`);
    this.nc = await connectNats(nats.url, 'lpts-devnet');
    const nc = this.nc;
    const account = (i: number) => anvil.accounts[i] as { address: string; privateKey: string };

    step(2, 'contracts: deploying the e2e profile, funding actors');
    const book = join(this.dir, 'address-book.json');
    this.chain = await deployDevnet({ rpcUrl: anvil.rpcUrl, deployerKey: account(0).privateKey, profile: 'e2e', addressBookPath: book, reuse: false });
    const count = this.opts.orchestrators ?? 2;
    await fundActors(this.chain, Array.from({ length: count }, (_, i) => account(i + 1).address), { lpt: parseEther('10000') });
    const common = { NATS_URL: nats.url, REDIS_URL: redis.url, LOG_LEVEL: 'info', ETH_RPC_URLS: anvil.rpcUrl, ETH_ADDRESS_BOOK: book };

    step(3, `orchestrators: ${count} operators (settlement, ticket-broker, worker, orchestrator; ${this.layout} layout)`);
    for (let i = 0; i < count; i++) {
      const name = `o${i + 1}`;
      const key = await writeDevKeystore(join(this.dir, 'keys'), name, account(i + 1).privateKey);
      const wirePort = await freePort();
      const env = { ...common, NATS_SUBJECT_PREFIX: name, REDIS_KEY_PREFIX: `${name}:` };
      const modes: Record<string, Record<string, string>> = {
        settlement: {
          SETTLEMENT_ROLE: 'orchestrator',
          SETTLEMENT_KEYSTORE_FILE: key.keystoreFile,
          SETTLEMENT_KEYSTORE_PASSWORD_FILE: key.passwordFile,
          LEDGER_URL: ledger(name),
          SETTLEMENT_INIT_ROUNDS: i === 0 ? 'true' : 'false',
          SETTLEMENT_INIT_ROUNDS_MAX_DELAY_BLOCKS: '0',
          SETTLEMENT_POLL_INTERVAL_MS: '500',
        },
        'ticket-broker': { BROKER_MODE: 'recipient', BROKER_RECIPIENT_ADDRESS: key.address, BROKER_TICKET_EV: String(DEVNET_ECONOMICS.ticketEvWei) },
        worker: { WORKER_ID: `${name}-w1`, WORKER_HTTP_PORT: '0', WORKER_CAPACITY: '2' },
        orchestrator: {
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
      };
      const started = await this.startOperator(name, env, modes);
      this.operators.push({ name, key, client: new NatsRpcClient(nc, name, 60_000), wirePort, process: started === 'node' ? `${name}-node` : `${name}-orchestrator` });
    }

    step(4, 'on chain: bond, transcoder parameters and service URI through each settlement; next round');
    await this.toFreshRound();
    for (const o of this.operators) {
      await o.client.request(SettlementCommands.bond, { amount: parseEther(DEVNET_ECONOMICS.orchestratorStakeLpt).toString() });
      await o.client.request(SettlementCommands.setTranscoder, { rewardCut: String(DEVNET_ECONOMICS.rewardCut), feeShare: String(DEVNET_ECONOMICS.feeShare) });
      await o.client.request(SettlementCommands.setServiceUri, { uri: `https://127.0.0.1:${o.wirePort}` });
      this.log(`      ${o.name} ${o.key.address}: bonded ${DEVNET_ECONOMICS.orchestratorStakeLpt} LPT, https://127.0.0.1:${o.wirePort}`);
    }
    const round = await this.toFreshRound();
    this.log(`      active from round ${round}`);

    step(5, 'gateway operator: settlement, sender ticket-broker, gateway; deposit and reserve');
    const gwKey = await writeDevKeystore(join(this.dir, 'keys'), 'gateway', account(count + 1).privateKey);
    const gwEnv = { ...common, NATS_SUBJECT_PREFIX: 'gw', REDIS_KEY_PREFIX: 'gw:' };
    const gatewayPort = await freePort();
    this.gateway = new NatsRpcClient(nc, 'gw', 60_000);
    await this.startOperator('gw', gwEnv, {
      settlement: {
        SETTLEMENT_ROLE: 'gateway',
        SETTLEMENT_KEYSTORE_FILE: gwKey.keystoreFile,
        SETTLEMENT_KEYSTORE_PASSWORD_FILE: gwKey.passwordFile,
        LEDGER_URL: ledger('gw'),
        SETTLEMENT_POLL_INTERVAL_MS: '500',
      },
      'ticket-broker': {
        BROKER_MODE: 'sender',
        BROKER_KEYSTORE_FILE: gwKey.keystoreFile,
        BROKER_KEYSTORE_PASSWORD_FILE: gwKey.passwordFile,
        // The devnet's tickets are worth far more than mainnet defaults allow (-maxTicketEV 3e12).
        BROKER_MAX_TICKET_EV: String(DEVNET_ECONOMICS.ticketEvWei * 2n),
        BROKER_MAX_TOTAL_EV: String(DEVNET_ECONOMICS.ticketEvWei * 20n),
      },
      gateway: {
        GATEWAY_ADDRESS: gwKey.address,
        GATEWAY_KEYSTORE_FILE: gwKey.keystoreFile,
        GATEWAY_KEYSTORE_PASSWORD_FILE: gwKey.passwordFile,
        GATEWAY_HTTP_HOST: '127.0.0.1',
        GATEWAY_HTTP_PORT: String(gatewayPort),
        GATEWAY_DISCOVERY: 'chain',
        GATEWAY_DISCOVERY_REFRESH_S: '5',
      },
    }, async () => {
      // The sender broker needs funds on chain before it can quote a runway.
      await this.gateway.request(SettlementCommands.fund, { deposit: String(DEVNET_ECONOMICS.gatewayDeposit), reserve: String(DEVNET_ECONOMICS.gatewayReserve) });
    });
    this.gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const runway = await this.gateway.request(SenderBrokerCommands.runway, {});
    this.log(`      gateway ${gwKey.address}: deposit ${runway.deposit} wei, reserve ${runway.reserve} wei (${runway.perOrchestratorAllocation} wei per orchestrator)`);
    // Ready to stream once every orchestrator answered GetOrchestrator with params for the funded sender.
    await waitFor('the gateway to reach every orchestrator', 90_000, async () => {
      const r = await fetch(`${this.gatewayUrl}/orchestrators`);
      if (!r.ok) return undefined;
      const body = (await r.json()) as { orchestrators?: { reachable?: boolean }[] };
      const reachable = (body.orchestrators ?? []).filter((o) => o.reachable === true).length;
      return reachable >= count ? true : undefined;
    }, 500);
    this.idleRssMb = this.group.rssMb();
  }

  /**
   * Starts one operator's modes: split = one process per mode (in order); combined = one apps/node
   * process with per-mode keys (`<MODE>__KEY`). `afterSettlement` runs once settlement answers.
   */
  private async startOperator(name: string, env: Record<string, string>, modes: Record<string, Record<string, string>>, afterSettlement?: () => Promise<void>): Promise<'split' | 'node'> {
    const main = (app: string) => join(this.opts.root, 'apps', app, 'dist', 'main.js');
    const order = ['settlement', 'ticket-broker', 'worker', 'orchestrator', 'gateway'].filter((m) => m in modes);
    const ports: Record<string, number> = {};
    for (const m of order) ports[m] = await freePort();
    for (const m of order) this.opsPorts[`${name}-${m}`] = ports[m] as number;
    if (this.layout === 'split') {
      for (const m of order) {
        const spec: ServiceSpec = { name: `${name}-${m}`, main: main(m), opsPort: ports[m] as number, env: { ...env, ...modes[m] } };
        await this.group.start(spec);
        this.log(`      ${spec.name} ready (ops http://127.0.0.1:${spec.opsPort})`);
        if (m === 'settlement' && afterSettlement) await afterSettlement();
      }
      return 'split';
    }
    // combined: settlement first (so funding can happen before the sender broker starts), then the rest in one node.
    const perMode: Record<string, string> = {};
    for (const m of order) {
      const p = m.toUpperCase().replace(/-/g, '_') + '__';
      perMode[`${p}OPS_PORT`] = String(ports[m]);
      for (const [k, v] of Object.entries(modes[m] ?? {})) perMode[`${p}${k}`] = v;
    }
    await this.group.start({ name: `${name}-node`, main: main('node'), args: ['--modes', order.join(',')], opsPort: 0, readyPorts: order.map((m) => ports[m] as number), env: { ...env, ...perMode } });
    this.log(`      ${name}-node ready (${order.join(', ')} in one process)`);
    if (afterSettlement) await afterSettlement();
    return 'node';
  }

  /** Mines to the start of the next round and has it initialised; returns the round. */
  async toFreshRound(): Promise<bigint> {
    const rm = this.chain.contracts.roundsManager;
    const start = BigInt(await rm.getFunction('currentRoundStartBlock')());
    const length = BigInt(await rm.getFunction('roundLength')());
    await mineTo(this.chain.provider, start + length);
    const round = BigInt(await rm.getFunction('currentRound')());
    await waitFor(`round ${round} to be initialised`, 60_000, async () => {
      if (await rm.getFunction('currentRoundInitialized')()) return true;
      await (this.operators[0] as Operator).client.request(SettlementCommands.initializeRound, {}).catch(() => undefined);
      return undefined;
    }, 1000);
    return round;
  }

  /**
   * Pushes a generated test video through the gateway as ffmpeg does for live HLS (segments PUT),
   * waiting until every rendition has every segment. `onSegment` sees the transcoded count.
   */
  async stream(seconds: number, streamName = 'devnet', onSegment?: (n: number) => Promise<void> | void): Promise<StreamResult> {
    const video = join(this.dir, 'media', `${streamName}.ts`);
    await exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac', '-shortest', '-y', video]);
    const segments = Math.ceil(seconds / 2);
    const rssMb: Record<string, number> = {};
    const sampler = setInterval(() => {
      for (const [k, v] of Object.entries(this.group.rssMb())) rssMb[k] = Math.max(rssMb[k] ?? 0, v);
    }, 500);
    const bar = new Progress('segments transcoded', segments);
    let seen = 0;
    try {
      const push = exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', video, '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-method', 'PUT', `${this.gatewayUrl}/live/${streamName}/index.m3u8`]);
      const watch = waitFor('every segment in every rendition playlist', 60_000 + seconds * 4000, async () => {
        const n = await transcodedSegments(this.gatewayUrl, streamName);
        if (n > seen) {
          seen = n;
          bar.update(n);
          await onSegment?.(n);
        }
        return n >= segments ? n : undefined;
      }, 300);
      await Promise.all([push, watch]);
      bar.finish();
    } finally {
      clearInterval(sampler);
    }
    return { segments, rssMb };
  }

  /** Passes the ticket params' expiry so settlement redeems, then gathers the summary. */
  async settle(streamName = 'devnet', streamingRssMb: Record<string, number> = {}): Promise<DevnetSummary> {
    await mineTo(this.chain.provider, BigInt((await this.chain.provider.getBlockNumber()) + 42));
    return collectSummary({
      chain: this.chain,
      operators: this.operators,
      gatewayUrl: this.gatewayUrl,
      streamName,
      opsPorts: this.opsPorts,
      idleRss: this.idleRssMb,
      streamingRss: streamingRssMb,
      waitForRedemptions: true,
    });
  }

  kill9(processName: string): void {
    this.group.kill9(processName);
  }

  async restart(processName: string): Promise<void> {
    await this.group.restart(processName);
  }

  /** The operator whose orchestrator has transcoded the most segments so far. */
  async busiestOperator(): Promise<Operator> {
    let best: { op: Operator; n: number } | undefined;
    for (const op of this.operators) {
      const n = await metricSum(this.opsPorts[`${op.name}-orchestrator`] as number, /^livepeer_segment_transcoded_total$/).catch(() => 0);
      if (!best || n > best.n) best = { op, n };
    }
    if (!best) throw new Error('no operators');
    return best.op;
  }

  async stop(): Promise<void> {
    await this.group.stopAll();
    await drainNats(this.nc);
    await Promise.allSettled([this.nats?.stop(), this.redis?.stop(), this.anvil?.stop(), this.postgres?.stop()]);
  }
}

/** Segments present in every rendition's media playlist of a stream. */
export async function transcodedSegments(gatewayUrl: string, stream: string): Promise<number> {
  const master = await fetch(`${gatewayUrl}/stream/${stream}.m3u8`);
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
