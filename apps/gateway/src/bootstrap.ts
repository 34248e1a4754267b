import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ServiceRuntime, loadConfig } from '@lpts/platform';
import { CapabilityName, maxPriceForRequest, price, type MaxPriceConfig, type Price } from '@lpts/protocol';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { LiveService } from './api/live.service';
import { AppModule, type GatewayServices } from './app.module';
import { FailureKind } from './common/gateway.errors';
import { GatewayHttpExceptionFilter } from './common/http-exception.filter';
import { gatewayEnv, type GatewayConfig } from './config/gateway.env';
import { ChainSource, StaticSource, WebhookSource, type DiscoverySource } from './discovery/discovery-sources';
import { OrchestratorRegistry } from './discovery/orchestrator-registry';
import { GatewayIdentity } from './identity/gateway-identity';
import { GatewayMetrics } from './metrics/gateway.metrics';
import { BrokerPayments, OffchainPayments, type PaymentPort } from './payments/payment-client';
import { WeightedScoreStrategy, type SelectionStrategy } from './selection/selection-strategy';
import { SegmentDispatcher } from './sessions/segment-dispatcher';
import { transcodeJobSpec } from './sessions/transcode-job';
import { RenditionStore } from './storage/rendition-store';
import { VodJobsService } from './vod/vod-jobs.service';
import { VodOutputStore } from './vod/vod-output';
import { OrchestratorWireClient } from './wire/orchestrator-client';

export const SERVICE = 'gateway';
export const VERSION = '0.1.0';

export interface GatewayApp {
  app: INestApplication;
  runtime: ServiceRuntime;
  config: GatewayConfig;
  services: GatewayServices & { dispatcher: SegmentDispatcher; store: RenditionStore; wire: OrchestratorWireClient; metrics: GatewayMetrics };
  httpPort: number;
  /** http://host:port of the client API. */
  url: string;
  close(): Promise<void>;
}

/** Test seams: replace a port without touching the environment. */
export interface GatewayOverrides {
  source?: DiscoverySource;
  payments?: PaymentPort;
  identity?: GatewayIdentity;
  strategy?: SelectionStrategy;
}

/** pipeline name → capability id (`text-to-image` → 27, §4.1). */
function capabilityOfPipeline(pipeline: string): number | undefined {
  const name = (pipeline.charAt(0).toUpperCase() + pipeline.slice(1)).replace(/-/g, ' ');
  for (const [id, n] of Object.entries(CapabilityName)) if (n.toLowerCase() === name.toLowerCase()) return Number(id);
  return undefined;
}

export function maxPriceConfig(config: GatewayConfig): MaxPriceConfig {
  const global: Price | undefined = config.GATEWAY_MAX_PRICE_PER_UNIT > 0n ? price(config.GATEWAY_MAX_PRICE_PER_UNIT, config.GATEWAY_PIXELS_PER_UNIT) : undefined;
  const perCapability: Record<number, Record<string, Price>> = {};
  for (const p of config.GATEWAY_MAX_PRICE_PER_CAPABILITY?.capabilities_prices ?? []) {
    const cap = capabilityOfPipeline(p.pipeline);
    if (cap === undefined) continue;
    (perCapability[cap] ??= {})[p.model_id] = price(BigInt(p.price_per_unit), BigInt(p.pixels_per_unit));
  }
  return { ...(global ? { global } : {}), perCapability };
}

function discoverySource(config: GatewayConfig, runtime: ServiceRuntime): DiscoverySource {
  switch (config.GATEWAY_DISCOVERY) {
    case 'webhook':
      return new WebhookSource(config.GATEWAY_ORCH_WEBHOOK_URL as string);
    case 'chain':
      return new ChainSource(runtime.nats, config.NATS_SUBJECT_PREFIX, config.GATEWAY_MIN_STAKE);
    default:
      return new StaticSource(config.GATEWAY_ORCH_ADDRS);
  }
}

/** Builds and starts the gateway; main.ts and the specs share it. */
export async function createApp(env: NodeJS.ProcessEnv, overrides: GatewayOverrides = {}): Promise<GatewayApp> {
  const config = loadConfig(gatewayEnv, env);
  const identity =
    overrides.identity ??
    (config.GATEWAY_OFFCHAIN
      ? GatewayIdentity.offchain()
      : await GatewayIdentity.fromKeystore(config.GATEWAY_KEYSTORE_FILE as string, config.GATEWAY_KEYSTORE_PASSWORD_FILE as string, config.GATEWAY_ADDRESS as string));
  const job = transcodeJobSpec(config.GATEWAY_TRANSCODING_PROFILES);
  const runtime = await ServiceRuntime.start(SERVICE, VERSION, config);
  const wire = new OrchestratorWireClient({ dialTimeoutMs: config.GATEWAY_DIAL_TIMEOUT_MS });
  let registry: OrchestratorRegistry | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let vod: VodJobsService | undefined;
  try {
    const metrics = new GatewayMetrics(runtime.metrics);
    const logger = runtime.logger;
    registry = new OrchestratorRegistry(
      overrides.source ?? discoverySource(config, runtime),
      wire,
      identity,
      {
        timeoutMs: config.GATEWAY_DISCOVERY_TIMEOUT_MS,
        concurrency: config.GATEWAY_DISCOVERY_CONCURRENCY,
        blocklist: config.GATEWAY_ORCH_BLOCKLIST,
        jobCapabilities: job.capabilities,
      },
      logger,
      metrics,
    );
    const strategy =
      overrides.strategy ?? new WeightedScoreStrategy(config.GATEWAY_SELECTION_WEIGHTS, config.GATEWAY_EXPLORATION_SHARE, config.GATEWAY_PRICE_EXP_FACTOR);
    const payments = overrides.payments ?? (config.GATEWAY_OFFCHAIN ? new OffchainPayments() : new BrokerPayments(runtime.client, metrics));
    const dispatcher = new SegmentDispatcher(
      registry,
      strategy,
      wire,
      payments,
      identity,
      job,
      {
        maxAttempts: config.GATEWAY_MAX_ATTEMPTS,
        maxPrice: maxPriceForRequest(maxPriceConfig(config), []),
        ignoreMaxPriceIfNeeded: config.GATEWAY_IGNORE_MAX_PRICE_IF_NEEDED,
        swapLatencyRatio: config.GATEWAY_SWAP_LATENCY_RATIO,
        segmentTimeoutMinMs: config.GATEWAY_SEGMENT_TIMEOUT_MIN_MS,
        uploadTimeoutMinMs: config.GATEWAY_SEGMENT_UPLOAD_TIMEOUT_MIN_MS,
        timeoutMultiplier: config.GATEWAY_TIMEOUT_MULTIPLIER,
        verifyPixels: config.GATEWAY_VERIFY_PIXELS,
        penalties: {
          [FailureKind.NETWORK]: config.GATEWAY_PENALTY_NETWORK_MS,
          [FailureKind.TIMEOUT]: config.GATEWAY_PENALTY_TIMEOUT_MS,
          [FailureKind.CAPACITY]: config.GATEWAY_PENALTY_CAPACITY_MS,
          [FailureKind.PAYMENT]: config.GATEWAY_PENALTY_PAYMENT_MS,
          [FailureKind.VERIFICATION]: config.GATEWAY_PENALTY_VERIFICATION_MS,
          [FailureKind.TRANSCODE]: config.GATEWAY_PENALTY_TRANSCODE_MS,
          [FailureKind.PROTOCOL]: config.GATEWAY_PENALTY_NETWORK_MS,
        },
      },
      logger,
      metrics,
    );
    const store = new RenditionStore(job.presets, {
      maxBytes: config.GATEWAY_STORAGE_MAX_BYTES,
      windowSegments: config.GATEWAY_STORAGE_WINDOW_SEGMENTS,
      idleMs: config.GATEWAY_STREAM_IDLE_S * 1000,
    });
    const live = new LiveService(dispatcher, store, metrics, logger);
    vod = new VodJobsService(
      dispatcher,
      new VodOutputStore(config.GATEWAY_VOD_DIR, job.presets),
      {
        redisUrl: config.REDIS_URL,
        prefix: config.REDIS_KEY_PREFIX.replace(/:+$/, '') || 'lp',
        queueName: `${config.NATS_SUBJECT_PREFIX}-vod`,
        dir: config.GATEWAY_VOD_DIR,
        segmentSeconds: config.GATEWAY_VOD_SEGMENT_S,
        maxInputBytes: config.GATEWAY_VOD_MAX_INPUT_BYTES,
        downloadTimeoutMs: config.GATEWAY_VOD_DOWNLOAD_TIMEOUT_MS,
        ffmpegTimeoutMs: config.GATEWAY_VOD_FFMPEG_TIMEOUT_MS,
        concurrency: config.GATEWAY_VOD_CONCURRENCY,
        keepJobs: config.GATEWAY_VOD_MAX_JOBS,
        keepS: config.GATEWAY_VOD_KEEP_S,
      },
      logger,
    );
    await vod.start();
    const services = { live, registry, vod, dispatcher, store, wire, metrics };

    const app = await NestFactory.create(AppModule.forRuntime(runtime, config, services), { bodyParser: false, logger: ['error', 'warn'] });
    app.useGlobalFilters(new GatewayHttpExceptionFilter(logger));
    await app.listen(config.GATEWAY_HTTP_PORT, config.GATEWAY_HTTP_HOST);
    runtime.ready();
    const httpPort = (app.getHttpServer().address() as AddressInfo).port;

    const reg = registry;
    let discovered = false;
    reg.start(config.GATEWAY_DISCOVERY_REFRESH_S * 1000);
    void reg.ready().then(() => (discovered = true));
    const vodJobs = vod;
    void reg.ready().then(() => vodJobs.startWorker()).catch((e: unknown) => logger.error({ err: e }, 'VOD worker did not start'));
    runtime.ops.addReadinessCheck('discovery', () => (discovered ? true : 'first discovery refresh not finished'));
    sweeper = setInterval(() => live.sweep(), 30_000);
    sweeper.unref();
    runtime.logger.info({ httpPort, discovery: config.GATEWAY_DISCOVERY, offchain: identity.offchain, address: identity.addressText }, 'gateway listening');

    return {
      app,
      runtime,
      config,
      services,
      httpPort,
      url: `http://${config.GATEWAY_HTTP_HOST}:${httpPort}`,
      close: async () => {
        reg.stop();
        if (sweeper) clearInterval(sweeper);
        await vod?.close();
        await app.close();
        await wire.close();
        await runtime.close();
      },
    };
  } catch (e) {
    registry?.stop();
    if (sweeper) clearInterval(sweeper);
    await vod?.close();
    await wire.close();
    await runtime.close();
    throw e;
  }
}

