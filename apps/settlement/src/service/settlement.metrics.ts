import { Counter, Gauge, type Registry } from 'prom-client';

/** Settlement's metrics (documented in apps/settlement/README.md). */
export class SettlementMetrics {
  readonly redemptions: Counter<'state' | 'reason'>;
  readonly faceValueRedeemed: Counter;
  readonly gasSpent: Counter<'kind'>;
  readonly txs: Counter<'kind' | 'result'>;
  readonly roundsInitialized: Counter;
  readonly rewards: Counter<'result'>;
  readonly watcherLag: Gauge;
  readonly blockNumber: Gauge;
  readonly currentRound: Gauge;
  readonly pendingTickets: Gauge;
  readonly txRecoveries: Counter<'found'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.redemptions = new Counter({
      name: 'lpts_settlement_redemptions_total',
      help: 'Winning-ticket state changes by new state and reason.',
      labelNames: ['state', 'reason'],
      registers,
    });
    this.faceValueRedeemed = new Counter({ name: 'lpts_settlement_face_value_redeemed_wei_total', help: 'Sum of face values of redeemed tickets (wei).', registers });
    this.gasSpent = new Counter({ name: 'lpts_settlement_gas_spent_wei_total', help: 'Gas fees paid by settlement transactions (wei), by kind.', labelNames: ['kind'], registers });
    this.txs = new Counter({ name: 'lpts_settlement_transactions_total', help: 'Settlement transactions by kind and result.', labelNames: ['kind', 'result'], registers });
    this.roundsInitialized = new Counter({ name: 'lpts_settlement_rounds_initialized_total', help: 'Rounds this node initialised.', registers });
    this.rewards = new Counter({ name: 'lpts_settlement_rewards_total', help: 'Reward calls by result (ok, failed).', labelNames: ['result'], registers });
    this.watcherLag = new Gauge({ name: 'lpts_settlement_watcher_lag_seconds', help: 'Seconds since the watcher last completed a tick that saw the latest block.', registers });
    this.blockNumber = new Gauge({ name: 'lpts_settlement_block_number', help: 'Latest block number the watcher processed.', registers });
    this.currentRound = new Gauge({ name: 'lpts_settlement_current_round', help: 'Current round as the watcher last read it.', registers });
    this.pendingTickets = new Gauge({ name: 'lpts_settlement_pending_tickets', help: 'Tickets being submitted right now.', registers });
    this.txRecoveries = new Counter({
      name: 'lpts_settlement_redeem_tx_recoveries_total',
      help: 'Redemption txs recorded by an earlier attempt (crash, no receipt) looked up again, by what the node said: mined, pending, unknown (re-sent at its nonce), dropped (submitted anew).',
      labelNames: ['found'],
      registers,
    });
  }

  /** Counts gas of a mined transaction (gasUsed × effectiveGasPrice). */
  tx(kind: string, receipt: { gasUsed: bigint; effectiveGasPrice: bigint } | undefined, ok: boolean): void {
    this.txs.inc({ kind, result: ok ? 'ok' : 'failed' });
    if (receipt) this.gasSpent.inc({ kind }, Number(receipt.gasUsed * receipt.effectiveGasPrice));
  }
}
