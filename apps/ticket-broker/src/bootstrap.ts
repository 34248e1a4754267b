import 'reflect-metadata';
import { BrokerCommands } from '@lpts/protocol';
import { LptsRpcExceptionFilter, NatsRpcServer, ServiceRuntime, loadConfig } from '@lpts/platform';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { AppModule } from './app.module';
import { ticketBrokerEnv, type TicketBrokerConfig } from './config/ticket-broker.env';

export const SERVICE = 'ticket-broker';
export const VERSION = '0.1.0';

export interface TicketBrokerApp {
  app: INestMicroservice;
  runtime: ServiceRuntime;
  config: TicketBrokerConfig;
  close(): Promise<void>;
}

/** Builds and starts the broker; main.ts and integration specs share it. */
export async function createApp(env: NodeJS.ProcessEnv): Promise<TicketBrokerApp> {
  const config = loadConfig(ticketBrokerEnv, env);
  const runtime = await ServiceRuntime.start(SERVICE, VERSION, config);
  try {
    const app = await NestFactory.createMicroservice(AppModule.forRuntime(runtime, config), {
      strategy: new NatsRpcServer({
        connection: runtime.nats,
        prefix: config.NATS_SUBJECT_PREFIX,
        queue: SERVICE,
        commands: Object.values(BrokerCommands),
      }),
      logger: ['error', 'warn'],
    });
    app.useGlobalFilters(new LptsRpcExceptionFilter());
    await app.listen();
    return {
      app,
      runtime,
      config,
      close: async () => {
        await app.close();
        await runtime.close();
      },
    };
  } catch (e) {
    await runtime.close();
    throw e;
  }
}
