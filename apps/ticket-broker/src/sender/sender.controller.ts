import { SenderBrokerCommands, type ReplyOf, type RequestOf } from '@lpts/protocol';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SenderService } from './sender.service';

type Cmds = typeof SenderBrokerCommands;

/** Transport only: the sender side's NATS commands. */
@Controller()
export class SenderController {
  constructor(private readonly sender: SenderService) {}

  @MessagePattern(SenderBrokerCommands.createPayment.pattern)
  createPayment(@Payload() req: RequestOf<Cmds['createPayment']>): Promise<ReplyOf<Cmds['createPayment']>> {
    return this.sender.createPayment(req);
  }

  @MessagePattern(SenderBrokerCommands.settle.pattern)
  settle(@Payload() req: RequestOf<Cmds['settle']>): Promise<ReplyOf<Cmds['settle']>> {
    return this.sender.settle(req);
  }

  @MessagePattern(SenderBrokerCommands.runway.pattern)
  runway(@Payload() req: RequestOf<Cmds['runway']>): ReplyOf<Cmds['runway']> {
    return this.sender.runway(req);
  }
}
