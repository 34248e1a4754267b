import { PlatformModule, type ServiceRuntime } from '@lpts/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { LiveController } from './api/live.controller';
import { LiveService } from './api/live.service';
import { OpenApiController } from './api/openapi.controller';
import { OrchestratorsController } from './api/orchestrators.controller';
import { PlaybackController } from './api/playback.controller';
import { VodController } from './api/vod.controller';
import { VodJobsService } from './vod/vod-jobs.service';
import type { GatewayConfig } from './config/gateway.env';
import { OrchestratorRegistry } from './discovery/orchestrator-registry';

/** The gateway's services, built in bootstrap before Nest starts. */
export interface GatewayServices {
  live: LiveService;
  registry: OrchestratorRegistry;
  vod: VodJobsService;
}

@Module({})
export class AppModule {
  static forRuntime(runtime: ServiceRuntime, config: GatewayConfig, services: GatewayServices): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRuntime(runtime, config)],
      controllers: [LiveController, PlaybackController, VodController, OrchestratorsController, OpenApiController],
      providers: [
        { provide: LiveService, useValue: services.live },
        { provide: OrchestratorRegistry, useValue: services.registry },
        { provide: VodJobsService, useValue: services.vod },
      ],
    };
  }
}
