import type { NatsRpcClient } from '@lpts/platform';
import {
  RecipientBrokerCommands,
  addressToWire,
  fromHex,
  ticketParamsToWire,
  type Price,
  type ReplyOf,
  type TicketParams,
} from '@lpts/protocol';

export type ReceivePaymentReply = ReplyOf<typeof RecipientBrokerCommands.receivePayment>;

/** A wei amount as an exact rational (balances may be negative). */
export interface Rational {
  num: bigint;
  den: bigint;
}

export function rationalFromJson(r: { num: string; den: string }): Rational {
  return { num: BigInt(r.num), den: BigInt(r.den) };
}

/** The orchestrator's calls to its ticket-broker (RecipientBrokerCommands) with wire conversions. */
export class BrokerClient {
  constructor(private readonly rpc: NatsRpcClient) {}

  /** Fresh TicketParams for a sender at the quoted price (§6.4), as the wire message. */
  async quoteParams(sender: string, p: Price): Promise<{ params: TicketParams; faceValue: bigint }> {
    const { ticketParams: t } = await this.rpc.request(RecipientBrokerCommands.quoteParams, {
      sender,
      price: { pricePerUnit: p.num.toString(), pixelsPerUnit: p.den.toString() },
    });
    const params = ticketParamsToWire({
      recipient: addressToWire(t.recipient),
      faceValue: BigInt(t.faceValue),
      winProb: BigInt(t.winProb),
      recipientRandHash: fromHex(t.recipientRandHash),
      seed: BigInt(t.seed === '0x' ? 0 : t.seed),
      expirationBlock: BigInt(t.expirationBlock),
      expirationParams: {
        creationRound: BigInt(t.expirationParams.creationRound),
        creationRoundBlockHash: fromHex(t.expirationParams.creationRoundBlockHash),
      },
    });
    return { params, faceValue: BigInt(t.faceValue) };
  }

  /** Validates a Livepeer-Payment header value and credits (sender, session). */
  receivePayment(paymentBase64: string, session: string): Promise<ReceivePaymentReply> {
    return this.rpc.request(RecipientBrokerCommands.receivePayment, { payment: paymentBase64, session });
  }

  async debit(sender: string, session: string, amount: Rational): Promise<Rational> {
    const r = await this.rpc.request(RecipientBrokerCommands.debit, {
      sender,
      session,
      amount: { num: amount.num.toString(), den: amount.den.toString() },
    });
    return rationalFromJson(r.balance);
  }

  async balance(sender: string, session: string): Promise<Rational> {
    const r = await this.rpc.request(RecipientBrokerCommands.balance, { sender, session });
    return rationalFromJson(r.balance);
  }
}
