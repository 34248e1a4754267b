import { WorkerCommands, type ReplyOf, type RequestOf } from '@lpts/protocol';
import { DispatchError } from '@lpts/workers';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { WorkerService } from './worker.service';

/** Transport only: orchestrators ask every worker for its status at start-up. */
@Controller()
export class WorkerController {
  constructor(@Inject(WorkerService) private readonly worker: WorkerService) {}

  @MessagePattern(WorkerCommands.discover.pattern)
  discover(@Payload() _req: RequestOf<typeof WorkerCommands.discover>): ReplyOf<typeof WorkerCommands.discover> {
    const ready = this.worker.isReady();
    if (ready !== true) {
      throw new DispatchError('WORKER_NOT_READY', `worker ${this.worker.workerId} is not ready: ${ready}`, { retryable: true, details: { workerId: this.worker.workerId } });
    }
    return this.worker.status();
  }
}
