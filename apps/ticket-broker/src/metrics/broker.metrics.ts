import { Counter, Histogram, type Registry } from 'prom-client';

/** The broker's metric catalogue (README "Metrics"). */
export class BrokerMetrics {
  readonly paymentsReceived: Counter<'outcome'>;
  readonly paymentsRejected: Counter<'code'>;
  readonly ticketsReceived: Counter;
  readonly ticketsCredited: Counter;
  readonly winnersQueued: Counter;
  readonly paramsIssued: Counter;
  readonly paramsRefused: Counter<'code'>;
  readonly paymentSeconds: Histogram;
  readonly paymentsCreated: Counter;
  readonly ticketsCreated: Counter;
  readonly paymentsRefused: Counter<'code'>;

  constructor(registry: Registry) {
    const r = [registry];
    this.paymentsReceived = new Counter({
      name: 'lpts_broker_payments_received_total',
      help: 'Payments received (recipient side), by outcome: credited, rejected (a ticket error) or unavailable (not acknowledged).',
      labelNames: ['outcome'],
      registers: r,
    });
    this.paymentsRejected = new Counter({
      name: 'lpts_broker_payment_errors_total',
      help: 'Payments that carried a ticket error or failed, by error code (fatal and non-fatal).',
      labelNames: ['code'],
      registers: r,
    });
    this.ticketsReceived = new Counter({ name: 'lpts_broker_tickets_received_total', help: 'Tickets received in payments.', registers: r });
    this.ticketsCredited = new Counter({ name: 'lpts_broker_tickets_credited_total', help: 'Tickets whose EV was credited.', registers: r });
    this.winnersQueued = new Counter({
      name: 'lpts_broker_winning_tickets_queued_total',
      help: 'Winning tickets handed to settlement (bullmq redemption queue).',
      registers: r,
    });
    this.paramsIssued = new Counter({ name: 'lpts_broker_ticket_params_issued_total', help: 'TicketParams quoted to senders.', registers: r });
    this.paramsRefused = new Counter({
      name: 'lpts_broker_ticket_params_refused_total',
      help: 'TicketParams quotes refused, by error code (e.g. INSUFFICIENT_RESERVE).',
      labelNames: ['code'],
      registers: r,
    });
    this.paymentSeconds = new Histogram({
      name: 'lpts_broker_payment_receive_seconds',
      help: 'Time to validate, queue winners and credit one payment.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers: r,
    });
    this.paymentsCreated = new Counter({ name: 'lpts_broker_payments_created_total', help: 'Payments created (sender side).', registers: r });
    this.ticketsCreated = new Counter({ name: 'lpts_broker_tickets_created_total', help: 'Tickets signed (sender side).', registers: r });
    this.paymentsRefused = new Counter({
      name: 'lpts_broker_payments_refused_total',
      help: 'Payments the sender refused to create, by error code (PARAMS_EXPIRED, PRICE_MORE_THAN_DOUBLED, NO_SENDER_DEPOSIT…).',
      labelNames: ['code'],
      registers: r,
    });
  }
}
