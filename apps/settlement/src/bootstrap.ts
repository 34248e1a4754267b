import 'reflect-metadata';
import { SettlementCommands } from '@lpts/protocol';
import { LptsRpcExceptionFilter, NatsRpcServer, ServiceRuntime, loadConfig } from '@lpts/platform';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { AppModule } from './app.module';
import { settlementEnv, type SettlementConfig } from './config/settlement.env';
import { SettlementCore } from './service/settlement.core';

export const SERVICE = 'settlement';
export const VERSION = '0.1.0';

export interface SettlementApp {
  app: INestMicroservice;
  runtime: ServiceRuntime;
  config: SettlementConfig;
  core: SettlementCore;
  close(): Promise<void>;
}

/** Builds and starts settlement; main.ts and integration specs share it. */
export async function createApp(env: NodeJS.ProcessEnv): Promise<SettlementApp> {
  const config = loadConfig(settlementEnv, env);
  const runtime = await ServiceRuntime.start(SERVICE, VERSION, config);
  let core: SettlementCore | undefined;
  try {
    core = await SettlementCore.start(config, runtime);
    const app = await NestFactory.createMicroservice(AppModule.forRuntime(runtime, config, core), {
      strategy: new NatsRpcServer({
        connection: runtime.nats,
        prefix: config.NATS_SUBJECT_PREFIX,
        queue: SERVICE,
        commands: Object.values(SettlementCommands),
      }),
      logger: ['error', 'warn'],
    });
    app.useGlobalFilters(new LptsRpcExceptionFilter());
    await app.listen();
    runtime.ready();
    const started = core;
    return {
      app,
      runtime,
      config,
      core: started,
      close: async () => {
        await app.close();
        await started.close();
        await runtime.close();
      },
    };
  } catch (e) {
    await core?.close().catch(() => undefined);
    await runtime.close();
    throw e;
  }
}
