import type { ReplyOf, RequestOf } from '@lpts/protocol';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@lpts/platform';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { OrchestratorCommands } from './orchestrator.commands';

const startedAt = Date.now();

/** Transport only: the service-level commands every lpts service answers. */
@Controller()
export class ServiceController {
  constructor(@Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity) {}

  @MessagePattern(OrchestratorCommands.ping.pattern)
  ping(@Payload() _req: RequestOf<typeof OrchestratorCommands.ping>): ReplyOf<typeof OrchestratorCommands.ping> {
    return { service: this.identity.service, instance: this.identity.instance, version: this.identity.version, uptimeMs: Date.now() - startedAt };
  }
}
