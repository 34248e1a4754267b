import 'reflect-metadata';
import { hostname } from 'node:os';
import type { MediaCapabilities, Transcoder } from '@lpts/media';
import { WorkerCommands } from '@lpts/protocol';
import { LptsRpcExceptionFilter, NatsRpcServer, ServiceRuntime, loadConfig } from '@lpts/platform';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { AppModule } from './app.module';
import { workerEnv, type WorkerConfig } from './config/worker.env';
import { TRANSCODE_PATH, TranscodeServer } from './http/transcode-server';
import { WorkerMetrics } from './worker/worker.metrics';
import { WorkerService } from './worker/worker.service';

export const SERVICE = 'worker';
export const VERSION = '0.1.0';

export interface WorkerApp {
  app: INestMicroservice;
  runtime: ServiceRuntime;
  config: WorkerConfig;
  worker: WorkerService;
  /** Port of the private transcode endpoint. */
  httpPort: number;
  transcodeUrl: string;
  /** Settles when the capability probe is done (the worker advertises from then on). */
  ready: Promise<void>;
  /** Stops taking jobs, waits for running ones (WORKER_DRAIN_TIMEOUT_MS), says `gone`, closes. */
  close(): Promise<void>;
}

export interface CreateAppOptions {
  /** Tests: a fixed probe result. */
  probe?: () => Promise<MediaCapabilities>;
  /** Tests: another transcoder. */
  transcoder?: Transcoder;
}

/** A subject-safe default id: host name (dots → dashes) and pid. */
export function defaultWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'worker';
  return `${host.slice(0, 50)}-${process.pid}`;
}

/**
 * Builds and starts the worker; main.ts and the specs share it. The ops port and the transcode
 * endpoint come up at once; the capability probe runs in the background (`/readyz` fails until it
 * is done) and only then does the worker advertise itself.
 */
export async function createApp(env: NodeJS.ProcessEnv, options: CreateAppOptions = {}): Promise<WorkerApp> {
  const config = loadConfig(workerEnv, env);
  const workerId = config.WORKER_ID ?? defaultWorkerId();
  const runtime = await ServiceRuntime.start(SERVICE, VERSION, { ...config, LPTS_INSTANCE: config.LPTS_INSTANCE ?? workerId });
  const metrics = new WorkerMetrics(runtime.metrics);
  const worker = new WorkerService({
    workerId,
    version: VERSION,
    config,
    client: runtime.client,
    flush: () => runtime.nats.flush(),
    logger: runtime.logger,
    metrics,
    ...(options.probe ? { probe: options.probe } : {}),
    ...(options.transcoder ? { transcoder: options.transcoder } : {}),
  });
  runtime.ops.addReadinessCheck('probe', () => worker.isReady());
  runtime.ops.addReadinessCheck('draining', () => (worker.isDraining ? 'draining' : true));
  const http = new TranscodeServer(worker, metrics, runtime.logger, { maxBodyBytes: config.WORKER_MAX_BODY_BYTES });
  let app: INestMicroservice | undefined;
  try {
    const httpPort = await http.listen(config.WORKER_HTTP_PORT, config.WORKER_HTTP_HOST);
    const host = config.WORKER_HTTP_HOST === '0.0.0.0' || config.WORKER_HTTP_HOST === '::' ? hostname() : config.WORKER_HTTP_HOST;
    const transcodeUrl = config.WORKER_ADVERTISE_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}${TRANSCODE_PATH}`;
    worker.setTranscodeUrl(transcodeUrl);
    app = await NestFactory.createMicroservice(AppModule.forRuntime(runtime, config, worker), {
      strategy: new NatsRpcServer({
        connection: runtime.nats,
        prefix: config.NATS_SUBJECT_PREFIX,
        // Own queue group: discover must reach every worker, not one of them.
        queue: `${SERVICE}-${workerId}`,
        commands: Object.values(WorkerCommands),
      }),
      logger: ['error', 'warn'],
    });
    app.useGlobalFilters(new LptsRpcExceptionFilter());
    await app.listen();
    runtime.ready();
    const ready = worker.start().catch((e: unknown) => {
      runtime.logger.error({ err: e }, 'capability probe failed');
    });
    const nest = app;
    let closing: Promise<void> | undefined;
    return {
      app: nest,
      runtime,
      config,
      worker,
      httpPort,
      transcodeUrl,
      ready,
      close: () =>
        (closing ??= (async () => {
          const drained = await worker.drain(config.WORKER_DRAIN_TIMEOUT_MS);
          if (!drained) runtime.logger.warn({ inUse: worker.inUse }, 'drain timed out; exiting with jobs running');
          await ready;
          await worker.stop();
          await http.close();
          await nest.close();
          await runtime.close();
        })()),
    };
  } catch (e) {
    await http.close();
    await app?.close().catch(() => undefined);
    await runtime.close();
    throw e;
  }
}
