import { METRICS, PlatformModule, type ServiceRuntime } from '@lpts/platform';
import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { ChainStateView } from './chain/chain-state.view';
import { CHAIN_VIEW, RECIPIENT_DEPS, SENDER_DEPS } from './common/tokens';
import type { TicketBrokerConfig } from './config/ticket-broker.env';
import { BrokerMetrics } from './metrics/broker.metrics';
import { RecipientController } from './recipient/recipient.controller';
import type { RecipientDeps } from './recipient/recipient.deps';
import { RecipientService } from './recipient/recipient.service';
import { SenderController } from './sender/sender.controller';
import { SenderService, type SenderDeps } from './sender/sender.service';
import { ServiceController } from './service/service.controller';

/** What bootstrap built before Nest starts; a side is served when its deps are present. */
export interface BrokerParts {
  chain: ChainStateView;
  recipient?: RecipientDeps | undefined;
  sender?: SenderDeps | undefined;
}

@Module({})
export class AppModule {
  static forRuntime(runtime: ServiceRuntime, config: TicketBrokerConfig, parts?: BrokerParts): DynamicModule {
    const controllers: Type[] = [ServiceController];
    const providers: Provider[] = [];
    if (parts) {
      providers.push(
        { provide: CHAIN_VIEW, useValue: parts.chain },
        { provide: BrokerMetrics, useFactory: (r: Registry) => new BrokerMetrics(r), inject: [METRICS] },
      );
      if (parts.recipient) {
        controllers.push(RecipientController);
        providers.push({ provide: RECIPIENT_DEPS, useValue: parts.recipient }, RecipientService);
      }
      if (parts.sender) {
        controllers.push(SenderController);
        providers.push({ provide: SENDER_DEPS, useValue: parts.sender }, SenderService);
      }
    }
    return {
      module: AppModule,
      imports: [PlatformModule.forRuntime(runtime, config)],
      controllers,
      providers,
    };
  }
}
