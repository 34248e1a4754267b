import type { NatsRpcClient } from '@lpts/platform';
import {
  SenderBrokerCommands,
  WireCodecs,
  bytesToAddressBytes,
  toChecksumAddress,
  type OrchestratorInfo,
  type Price,
} from '@lpts/protocol';
import { FailureKind, GatewayErrorCode, OrchestratorCallError } from '../common/gateway.errors';
import type { GatewayMetrics } from '../metrics/gateway.metrics';

/** What a request staged with the broker (passed back to settle). */
export interface StagedPayment {
  /** Livepeer-Payment header value ('' offchain). */
  header: string;
  numTickets: number;
  recipient: string | undefined;
  session: string;
  staged: { num: string; den: string } | undefined;
}

export type PaymentOutcome = 'completed' | 'not-sent' | 'lost';

/** The gateway's side of payments: tickets from its own sender broker (§6.5–6.6), or none offchain. */
export interface PaymentPort {
  readonly offchain: boolean;
  create(info: OrchestratorInfo, feeEstimate: Price): Promise<StagedPayment>;
  settle(p: StagedPayment, outcome: PaymentOutcome, debit: Price): Promise<void>;
}

/** Offchain mode: an empty Livepeer-Payment header, as Go sends without an ETH account. */
export class OffchainPayments implements PaymentPort {
  readonly offchain = true;
  create(info: OrchestratorInfo): Promise<StagedPayment> {
    return Promise.resolve({ header: '', numTickets: 0, recipient: undefined, session: info.authToken?.sessionId ?? '', staged: undefined });
  }
  settle(): Promise<void> {
    return Promise.resolve();
  }
}

const rational = (p: Price) => ({ num: p.num.toString(), den: p.den.toString() });

/** Tickets from the gateway operator's ticket-broker over NATS (SenderBrokerCommands). */
export class BrokerPayments implements PaymentPort {
  readonly offchain = false;
  constructor(
    private readonly client: NatsRpcClient,
    private readonly metrics?: GatewayMetrics,
  ) {}

  async create(info: OrchestratorInfo, feeEstimate: Price): Promise<StagedPayment> {
    const session = info.authToken?.sessionId ?? '';
    const recipientBytes = info.ticketParams?.recipient && info.ticketParams.recipient.length > 0 ? info.ticketParams.recipient : info.address;
    const recipient = recipientBytes && recipientBytes.length > 0 ? toChecksumAddress(bytesToAddressBytes(recipientBytes)) : undefined;
    try {
      const r = await this.client.request(SenderBrokerCommands.createPayment, {
        orchestratorInfo: WireCodecs.OrchestratorInfo.encodeBase64(info),
        session: session === '' ? 'no-session' : session,
        feeEstimate: rational(feeEstimate),
      });
      this.metrics?.paymentRequests.inc({ outcome: 'ok' });
      return { header: r.payment, numTickets: r.numTickets, recipient, session: session === '' ? 'no-session' : session, staged: r.staged };
    } catch (e) {
      this.metrics?.paymentRequests.inc({ outcome: 'error' });
      const code = (e as { code?: string }).code ?? 'UNKNOWN';
      throw new OrchestratorCallError(FailureKind.PAYMENT, GatewayErrorCode.PAYMENT_FAILED, `payment for ${info.transcoder} failed: ${(e as Error).message}`, {
        details: { transcoder: info.transcoder, brokerCode: code, fee: `${feeEstimate.num}/${feeEstimate.den}` },
        cause: e,
      });
    }
  }

  async settle(p: StagedPayment, outcome: PaymentOutcome, debit: Price): Promise<void> {
    if (p.staged === undefined || p.recipient === undefined) return;
    await this.client.request(SenderBrokerCommands.settle, {
      recipient: p.recipient,
      session: p.session,
      staged: p.staged,
      outcome,
      debit: rational(debit),
    });
  }
}
