import { PlatformModule, type ServiceRuntime } from '@lpts/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import type { OrchestratorConfig } from './config/orchestrator.env';
import { ServiceController } from './service/service.controller';
import { WIRE_SERVER_OPTIONS, WireServer, type WireServerOptions } from './wire/wire-server';

@Module({})
export class AppModule {
  static forRuntime(runtime: ServiceRuntime, config: OrchestratorConfig, wire: WireServerOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRuntime(runtime, config)],
      controllers: [ServiceController],
      providers: [{ provide: WIRE_SERVER_OPTIONS, useValue: wire }, WireServer],
    };
  }
}
