import { PlatformModule, type ServiceRuntime } from '@lpts/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { SettlementController } from './commands/settlement.controller';
import type { SettlementConfig } from './config/settlement.env';
import { SETTLEMENT_CORE, type SettlementCore } from './service/settlement.core';
import { ServiceController } from './service/service.controller';

@Module({})
export class AppModule {
  static forRuntime(runtime: ServiceRuntime, config: SettlementConfig, core: SettlementCore): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRuntime(runtime, config)],
      providers: [{ provide: SETTLEMENT_CORE, useValue: core }],
      controllers: [ServiceController, SettlementController],
    };
  }
}
