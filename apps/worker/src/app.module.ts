import { PlatformModule, type ServiceRuntime } from '@lpts/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import type { WorkerConfig } from './config/worker.env';
import { WorkerController } from './worker/worker.controller';
import { WorkerService } from './worker/worker.service';

@Module({})
export class AppModule {
  static forRuntime(runtime: ServiceRuntime, config: WorkerConfig, worker: WorkerService): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRuntime(runtime, config)],
      controllers: [WorkerController],
      providers: [{ provide: WorkerService, useValue: worker }],
    };
  }
}
