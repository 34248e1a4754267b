import { PlatformModule, type ServiceRuntime } from '@lpts/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import type { TicketBrokerConfig } from './config/ticket-broker.env';
import { ServiceController } from './service/service.controller';

@Module({})
export class AppModule {
  static forRuntime(runtime: ServiceRuntime, config: TicketBrokerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRuntime(runtime, config)],
      controllers: [ServiceController],
    };
  }
}
