import { SettlementCommands, type ReplyOf, type RequestOf } from '@lpts/protocol';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@lpts/platform';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

const startedAt = Date.now();

/** Transport only: answers the service-level commands every lpts service has. */
@Controller()
export class ServiceController {
  constructor(@Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity) {}

  @MessagePattern(SettlementCommands.ping.pattern)
  ping(@Payload() _req: RequestOf<typeof SettlementCommands.ping>): ReplyOf<typeof SettlementCommands.ping> {
    return {
      service: this.identity.service,
      instance: this.identity.instance,
      version: this.identity.version,
      uptimeMs: Date.now() - startedAt,
    };
  }
}
