import { hostname } from 'node:os';
import { initCrypto } from '@lpts/protocol';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import { createLogger, type Logger } from '../logging/logger';
import { createMetricsRegistry, type ServiceIdentity } from '../metrics/metrics';
import { connectNats, drainNats } from '../nats/nats-connection';
import { NatsRpcClient } from '../nats/nats-rpc.client';
import { OpsServer } from '../ops/ops-server';
import { initTelemetry } from '../telemetry/telemetry';

/** The config keys every service runtime reads (from the natsEnv, opsEnv, logEnv, telemetryEnv, serviceEnv fragments). */
export interface RuntimeConfig {
  NATS_URL: string;
  NATS_SUBJECT_PREFIX: string;
  NATS_REQUEST_TIMEOUT_MS: number;
  OPS_PORT: number;
  OPS_HOST: string;
  LOG_LEVEL: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  LPTS_INSTANCE?: string | undefined;
}

/**
 * What every lpts service has: identity, logger, metrics registry, ops server, tracing and one
 * NATS connection with a typed client. Built once in bootstrap (before Nest starts, so a bad
 * environment or an unreachable NATS fails fast with a clear message) and closed in reverse order.
 */
export class ServiceRuntime {
  readonly ops: OpsServer;
  opsPort = 0;
  private started = false;

  private constructor(
    readonly identity: ServiceIdentity,
    readonly config: RuntimeConfig,
    readonly logger: Logger,
    readonly metrics: Registry,
    readonly nats: NatsConnection,
    readonly client: NatsRpcClient,
  ) {
    this.ops = new OpsServer(metrics);
    this.ops.addReadinessCheck('nats', () => (this.nats.isClosed() ? 'closed' : true));
    this.ops.addReadinessCheck('started', () => (this.started ? true : 'starting'));
  }

  /** Called by the app once every listener and handler is up: until then /readyz answers 503. */
  ready(): void {
    this.started = true;
    this.logger.info({ opsPort: this.opsPort }, `${this.identity.service} ready`);
  }

  static async start(service: string, version: string, config: RuntimeConfig): Promise<ServiceRuntime> {
    await initCrypto(); // the fast keccak is ready before the first request (docs/adr/007)
    const identity = { service, version, instance: config.LPTS_INSTANCE ?? `${hostname()}-${process.pid}` };
    const logger = createLogger({ service, instance: identity.instance, level: config.LOG_LEVEL });
    initTelemetry({ ...identity, otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT });
    const metrics = createMetricsRegistry(identity);
    const nats = await connectNats(config.NATS_URL, `${service}:${identity.instance}`);
    const client = new NatsRpcClient(nats, config.NATS_SUBJECT_PREFIX, config.NATS_REQUEST_TIMEOUT_MS);
    const runtime = new ServiceRuntime(identity, config, logger, metrics, nats, client);
    try {
      runtime.opsPort = await runtime.ops.listen(config.OPS_PORT, config.OPS_HOST);
    } catch (e) {
      await drainNats(nats);
      throw e;
    }
    logger.info({ opsPort: runtime.opsPort, nats: config.NATS_URL, prefix: config.NATS_SUBJECT_PREFIX }, 'runtime started');
    return runtime;
  }

  async close(): Promise<void> {
    await this.ops.close();
    await drainNats(this.nats);
    this.logger.info('runtime closed');
  }
}
