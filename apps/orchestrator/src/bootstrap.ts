import 'reflect-metadata';
import { LptsRpcExceptionFilter, NatsRpcServer, ServiceRuntime, loadConfig } from '@lpts/platform';
import { AuthTokenAuthority, price, SettlementCommands } from '@lpts/protocol';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { AppModule } from './app.module';
import { authKeyRedisKey, sharedAuthKey } from './auth/auth-key';
import { BrokerClient } from './broker/broker.client';
import { ChainStateView } from './chain/chain-state.view';
import { orchestratorEnv, type OrchestratorConfig } from './config/orchestrator.env';
import { InfoBuilder } from './info/orchestrator-info';
import { loadSigner } from './keys/keystore';
import { OrchestratorMetrics } from './metrics/orchestrator.metrics';
import { OrchestratorCore } from './orchestrator.core';
import { PriceBook } from './pricing/price-book';
import { SessionPrices } from './pricing/session-prices';
import { OrchestratorCommands } from './service/orchestrator.commands';
import { SessionManager } from './sessions/session-manager';
import { RenditionStore } from './storage/rendition-store';
import { LocalTranscodeBackend } from './transcode/local-backend';
import type { TranscodeBackend } from './transcode/transcode-backend';
import { WorkersTranscodeBackend } from './transcode/workers-backend';
import { loadTls } from './wire/tls';
import { WireServer } from './wire/wire-server';

export const SERVICE = 'orchestrator';
export const VERSION = '0.1.0';

export interface OrchestratorApp {
  app: INestMicroservice;
  runtime: ServiceRuntime;
  config: OrchestratorConfig;
  core: OrchestratorCore;
  /** The bound wire port (gRPC + HTTPS). */
  wirePort: number;
  /** Settles when the start-up service URI registration (ORCH_REGISTER_SERVICE_URI) is done or failed. */
  registered(): Promise<void>;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  /** Replaces the transcoder chosen by ORCH_TRANSCODER (specs, benches). */
  backend?: TranscodeBackend;
}

function createBackend(config: OrchestratorConfig, runtime: ServiceRuntime): TranscodeBackend {
  if (config.ORCH_TRANSCODER === 'local') return new LocalTranscodeBackend(config.ORCH_LOCAL_CAPACITY);
  return new WorkersTranscodeBackend(runtime.nats, config.NATS_SUBJECT_PREFIX);
}

/** Asks settlement to set the on-chain service URI when settlement's record differs from ORCH_SERVICE_URI. */
async function registerServiceUri(runtime: ServiceRuntime, chain: ChainStateView, config: OrchestratorConfig): Promise<void> {
  const current = (await chain.fetchOwnTranscoder())?.serviceUri;
  if (current === config.ORCH_SERVICE_URI) return;
  const reply = await runtime.client.request(SettlementCommands.setServiceUri, { uri: config.ORCH_SERVICE_URI }, { timeoutMs: 60_000 });
  runtime.logger.info({ uri: config.ORCH_SERVICE_URI, previous: current ?? null, txHash: reply.txHash }, 'service URI registered');
}

/** Builds and starts the orchestrator; main.ts and integration specs share it. */
export async function createApp(env: NodeJS.ProcessEnv, options: CreateAppOptions = {}): Promise<OrchestratorApp> {
  const config = loadConfig(orchestratorEnv, env);
  const signer = await loadSigner(config.ORCH_KEYSTORE_FILE, config.ORCH_KEYSTORE_PASSWORD_FILE, config.ORCH_ADDRESS);
  const runtime = await ServiceRuntime.start(SERVICE, VERSION, config);
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const cleanup: (() => Promise<unknown>)[] = [() => runtime.close(), () => redis.quit().catch(() => redis.disconnect())];
  const undo = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  };
  try {
    await redis.connect();
    runtime.ops.addReadinessCheck('redis', () => (redis.status === 'ready' ? true : redis.status));
    const authKey = await sharedAuthKey(redis, authKeyRedisKey(config.REDIS_KEY_PREFIX, config.ORCH_ADDRESS));
    const chain = new ChainStateView(runtime.nats, config.NATS_SUBJECT_PREFIX, config.ORCH_ADDRESS, runtime.logger);
    await chain.start();
    cleanup.push(() => chain.stop());
    const backend = options.backend ?? createBackend(config, runtime);
    await backend.start();
    cleanup.push(() => backend.stop());
    const metrics = new OrchestratorMetrics(runtime.metrics);
    metrics.maxSessions.set(config.ORCH_MAX_SESSIONS);
    const store = new RenditionStore({ maxBytes: config.ORCH_STORE_MAX_BYTES, ttlMs: config.ORCH_STORE_TTL_MS });
    const sweeper = setInterval(() => store.sweep(), Math.min(30_000, config.ORCH_STORE_TTL_MS));
    sweeper.unref();
    cleanup.push(async () => clearInterval(sweeper));
    const sessions = new SessionManager({
      maxSessions: config.ORCH_MAX_SESSIONS,
      queueDepth: config.ORCH_SESSION_QUEUE_DEPTH,
      idleMs: config.ORCH_SESSION_IDLE_MS,
      onClose: (id) => {
        backend.endSession(id);
        metrics.currentSessions.set(sessions.size);
      },
    });
    cleanup.push(async () => sessions.closeAll());
    const broker = new BrokerClient(runtime.client);
    const sessionPrices = new SessionPrices(redis, config.REDIS_KEY_PREFIX);
    const perCapability = (config.ORCH_PRICE_PER_CAPABILITY ?? []).map((e) => ({ ...e }));
    const prices = new PriceBook({
      base: price(config.ORCH_PRICE_PER_UNIT, config.ORCH_PIXELS_PER_UNIT),
      perGateway: config.ORCH_PRICE_PER_GATEWAY ?? {},
      perCapability,
      autoAdjust: config.ORCH_AUTO_ADJUST_PRICE,
    });
    const info = new InfoBuilder({
      serviceUri: config.ORCH_SERVICE_URI,
      address: signer.address,
      version: config.ORCH_VERSION,
      redeemGas: config.ORCH_REDEEM_GAS,
      prices,
      sessionPrices,
      broker,
      chain,
      backend,
    });
    const core = new OrchestratorCore({
      serviceUri: config.ORCH_SERVICE_URI,
      ticketEv: config.ORCH_TICKET_EV,
      maxBodyBytes: config.ORCH_MAX_BODY_BYTES,
      signer,
      auth: new AuthTokenAuthority(authKey),
      info,
      broker,
      sessions,
      sessionPrices,
      store,
      backend,
      metrics,
      logger: runtime.logger,
    });
    const tls = await loadTls(config.ORCH_TLS_CERT_FILE, config.ORCH_TLS_KEY_FILE, new URL(config.ORCH_SERVICE_URI).hostname);
    const app = await NestFactory.createMicroservice(
      AppModule.forRuntime(runtime, config, { host: config.ORCH_WIRE_HOST, port: config.ORCH_WIRE_PORT, tls, core, logger: runtime.logger }),
      {
        strategy: new NatsRpcServer({
          connection: runtime.nats,
          prefix: config.NATS_SUBJECT_PREFIX,
          queue: SERVICE,
          commands: Object.values(OrchestratorCommands),
        }),
        logger: ['error', 'warn'],
      },
    );
    app.useGlobalFilters(new LptsRpcExceptionFilter());
    await app.listen();
    runtime.ready();
    const wirePort = app.get(WireServer).port;
    let registered: Promise<void> = Promise.resolve();
    if (config.ORCH_REGISTER_SERVICE_URI) {
      registered = registerServiceUri(runtime, chain, config).catch((e: unknown) =>
        runtime.logger.error({ err: (e as Error).message, uri: config.ORCH_SERVICE_URI }, 'service URI registration failed'),
      );
    }
    runtime.logger.info({ wirePort, address: config.ORCH_ADDRESS, serviceUri: config.ORCH_SERVICE_URI }, 'orchestrator started');
    return {
      app,
      runtime,
      config,
      core,
      wirePort,
      registered: () => registered,
      close: async () => {
        await registered;
        await app.close();
        await undo();
      },
    };
  } catch (e) {
    await undo();
    throw e;
  }
}
