import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NatsRpcClient } from '../nats/nats-rpc.client';
import type { ServiceRuntime } from './service-runtime';
import { CONFIG, LOGGER, METRICS, NATS_CONNECTION, SERVICE_IDENTITY } from './tokens';

/**
 * Makes a started ServiceRuntime injectable: CONFIG (the app's frozen config), LOGGER, METRICS,
 * NATS_CONNECTION, SERVICE_IDENTITY and the typed NatsRpcClient.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRuntime(runtime: ServiceRuntime, config: object): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: runtime.logger },
        { provide: METRICS, useValue: runtime.metrics },
        { provide: NATS_CONNECTION, useValue: runtime.nats },
        { provide: SERVICE_IDENTITY, useValue: runtime.identity },
        { provide: NatsRpcClient, useValue: runtime.client },
      ],
      exports: [CONFIG, LOGGER, METRICS, NATS_CONNECTION, SERVICE_IDENTITY, NatsRpcClient],
    };
  }
}
