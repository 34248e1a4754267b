import { RecipientBrokerCommands, type ReplyOf, type RequestOf } from '@lpts/protocol';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RecipientService } from './recipient.service';

type Cmds = typeof RecipientBrokerCommands;

/** Transport only: the recipient side's NATS commands. */
@Controller()
export class RecipientController {
  constructor(private readonly recipient: RecipientService) {}

  @MessagePattern(RecipientBrokerCommands.quoteParams.pattern)
  quoteParams(@Payload() req: RequestOf<Cmds['quoteParams']>): Promise<ReplyOf<Cmds['quoteParams']>> {
    return this.recipient.quoteParams(req);
  }

  @MessagePattern(RecipientBrokerCommands.receivePayment.pattern)
  receivePayment(@Payload() req: RequestOf<Cmds['receivePayment']>): Promise<ReplyOf<Cmds['receivePayment']>> {
    return this.recipient.receivePayment(req);
  }

  @MessagePattern(RecipientBrokerCommands.debit.pattern)
  debit(@Payload() req: RequestOf<Cmds['debit']>): Promise<ReplyOf<Cmds['debit']>> {
    return this.recipient.debit(req);
  }

  @MessagePattern(RecipientBrokerCommands.balance.pattern)
  balance(@Payload() req: RequestOf<Cmds['balance']>): Promise<ReplyOf<Cmds['balance']>> {
    return this.recipient.balance(req);
  }

  @MessagePattern(RecipientBrokerCommands.maxFloat.pattern)
  maxFloat(@Payload() req: RequestOf<Cmds['maxFloat']>): Promise<ReplyOf<Cmds['maxFloat']>> {
    return this.recipient.maxFloat(req);
  }
}
