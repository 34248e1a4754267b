import { isChainError, type ChainError, type SentTx, type Ticket, type TxLookup, type TxRequest, type TxResult } from '@lpts/chain';
import type { Logger } from '@lpts/platform';
import { SettlementEvents, zWinningTicket, type WinningTicketJson } from '@lpts/protocol';
import type { NatsRpcClient } from '@lpts/platform';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { getAddress, solidityPacked } from 'ethers';
import type { ChainContext } from '../chain/chain-context';
import { RedemptionState, TERMINAL_STATES, type Ledger, type RedemptionRow, type StateChange } from '../ledger/ledger';
import type { SettlementMetrics } from '../service/settlement.metrics';
import type { ChainView, ChainWatcher } from '../watcher/chain-watcher';

/** protocol #657: the ticket stays unused, so this revert is retryable (CONTRACTS.md §2.7). */
export const INSUFFICIENT_FUNDS_REVERT = 'sender deposit and reserve insufficient to cover ticket face value';
/** Reverts that no later block can fix: the ticket is failed for good. */
const FINAL_REVERTS = [
  /ticket is expired/,
  /invalid signature/i,
  /ECDSA/,
  /recipientRand does not match recipientRandHash/,
  /ticket did not win/,
  /invalid length for ticket auxData/,
  /creationRoundBlockHash invalid/,
  /creationRound does not have a block hash/,
  /null address/,
];
const USED_REVERT = /ticket is used/;
const ZERO_HASH = `0x${'00'.repeat(32)}`;

export interface RedemptionOptions {
  queueName: string;
  redisUrl: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Fallback delay before a waiting ticket is looked at again (new blocks promote it sooner). */
  retryDelayMs: number;
  /** How often ledger tickets that are not terminal are checked against the queue. */
  resyncIntervalMs: number;
}

type Outcome = { done: true; state: RedemptionState } | { done: false };

/** How to submit: a fresh transaction, or take up the one an earlier attempt recorded. */
type Submission = { kind: 'fresh'; gasLimit: bigint; available: bigint; txCost: bigint } | { kind: 'resume'; sent: SentTx; found: TxLookup };

/** What to do with a ticket now, decided from chain state (no side effects). */
type Decision = { kind: 'submit'; gasLimit: bigint; available: bigint; txCost: bigint } | { kind: 'change'; change: StateChange; done: boolean };

/**
 * The redemption worker (PROTOCOL.md §6.9 with the lpts rules): a bullmq Worker on the operator's
 * redemption queue. A job stays in the queue (delayed, promoted on every new block) until its ticket
 * reaches a terminal state in the ledger; the processor never fails a job, so bullmq never drops one.
 */
export class RedemptionService {
  private worker?: Worker;
  private queue?: Queue;
  private readonly connections: Redis[] = [];
  private readonly pending = new Map<string, bigint>();
  private readonly inFlight = new Set<string>();
  private resyncTimer?: NodeJS.Timeout;

  constructor(
    private readonly ctx: ChainContext,
    private readonly watcher: ChainWatcher,
    private readonly ledger: Ledger,
    private readonly metrics: SettlementMetrics,
    private readonly logger: Logger,
    private readonly bus: NatsRpcClient,
    private readonly options: RedemptionOptions,
  ) {}

  /** Σ face values being submitted now for a sender (the KV sender state's pendingAmount). */
  pendingAmount(sender: string): bigint {
    return this.pending.get(sender.toLowerCase()) ?? 0n;
  }

  async start(): Promise<void> {
    const conn = () => {
      const c = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
      c.on('error', () => undefined); // reconnects on its own; bullmq logs the interesting failures
      this.connections.push(c);
      return c;
    };
    this.queue = new Queue(this.options.queueName, { connection: conn() });
    this.queue.on('error', () => undefined);
    await this.resync();
    this.worker = new Worker(this.options.queueName, (job: Job, token?: string) => this.process(job, token), {
      connection: conn(),
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      maxStalledCount: 1_000_000,
      removeOnComplete: { count: 10_000 },
    });
    this.worker.on('error', (e) => this.logger.warn({ err: e.message }, 'redemption worker error'));
    // Safety net: a job bullmq failed anyway (e.g. Redis went away mid-move) is put back from the ledger.
    this.resyncTimer = setInterval(() => void this.resync().catch(() => undefined), this.options.resyncIntervalMs);
    this.resyncTimer.unref();
    // Per-block scan: every new block makes waiting tickets due again.
    this.watcher.onBlock(() => {
      void this.queue?.promoteJobs().catch(() => undefined);
    });
  }

  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.worker?.close();
    await this.queue?.close();
    for (const c of this.connections) c.disconnect();
  }

  /**
   * Re-queues ledger tickets that are not terminal but missing from Redis (Redis lost its data) or
   * failed by bullmq (the processor never fails a job, but a Redis outage mid-move can).
   */
  async resync(): Promise<number> {
    const q = this.queue;
    if (!q) return 0;
    let n = 0;
    for (const t of await this.ledger.openTickets()) {
      const job = await q.getJob(t.ticketHash);
      if (!job) {
        await q.add('redeem', t, { jobId: t.ticketHash });
        n++;
      } else if (await job.isFailed()) {
        await job.retry('failed');
        n++;
      }
    }
    if (n > 0) this.logger.warn({ requeued: n }, 'ledger tickets missing from the queue were queued again');
    return n;
  }

  /** bullmq processor: returns the terminal state, or moves the job to delayed and throws DelayedError. */
  async process(job: Job, token?: string): Promise<string> {
    const parsed = zWinningTicket.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id, issues: parsed.error.issues.length }, 'redemption job is not a winning ticket; dropped');
      this.metrics.redemptions.inc({ state: 'invalid', reason: 'malformed job' });
      return 'invalid';
    }
    const t = parsed.data;
    this.watcher.watchSender(t.sender);
    let outcome: Outcome;
    try {
      const { row } = await this.ledger.admit(t);
      outcome = TERMINAL_STATES.includes(row.state) ? { done: true, state: row.state } : await this.attempt(t, row);
    } catch (e) {
      const reason = `error: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500);
      this.logger.warn({ ticket: t.ticketHash, reason }, 'redemption attempt failed; retrying');
      // A recorded tx keeps the ticket `submitting`: the next attempt looks it up before anything else.
      const cur = await this.ledger.get(t.ticketHash).catch(() => undefined);
      const state = cur && cur.txNonce !== null ? RedemptionState.submitting : RedemptionState.skipped;
      await this.change(t, { state, reason }).catch(() => undefined);
      outcome = { done: false };
    }
    if (outcome.done) return outcome.state;
    await job.moveToDelayed(Date.now() + this.options.retryDelayMs, token);
    throw new DelayedError();
  }

  private async attempt(t: WinningTicketJson, row: RedemptionRow): Promise<Outcome> {
    const hash = t.ticketHash.toLowerCase();
    if (this.inFlight.has(hash)) return { done: false };
    this.inFlight.add(hash);
    try {
      if (row.txNonce !== null) {
        const resumed = await this.recover(t, row);
        if (resumed) return resumed;
        row = (await this.ledger.get(t.ticketHash)) ?? row;
      }
      const view = this.watcher.latest ?? (await this.watcher.refresh());
      const d = await this.decide(t, row, view);
      if (d.kind === 'change') {
        await this.change(t, d.change);
        return d.done ? { done: true, state: d.change.state } : { done: false };
      }
      return await this.submit(t, { kind: 'fresh', gasLimit: d.gasLimit, available: d.available, txCost: d.txCost });
    } finally {
      this.inFlight.delete(hash);
    }
  }

  /**
   * The ticket has a redemption tx recorded by an earlier attempt (a crash, a receipt timeout): no other
   * is submitted while that one can still be mined. Mined → redeemed with its receipt (a revert is handled
   * as usual); pending → waited for; unknown to the node with its nonce free → re-sent at that nonce;
   * dropped (its nonce went to another tx) → forgotten, and the rules run again (returns undefined).
   */
  private async recover(t: WinningTicketJson, row: RedemptionRow): Promise<Outcome | undefined> {
    const sent: SentTx = { nonce: row.txNonce as number, attempts: row.txAttempts.map((a) => ({ hash: a.hash, gasPrice: BigInt(a.gasPrice) })) };
    const found = await this.ctx.tx.lookup(sent);
    this.metrics.txRecoveries.inc({ found: found.state });
    this.logger.warn(
      { ticket: t.ticketHash, nonce: sent.nonce, hashes: sent.attempts.map((a) => a.hash), found: found.state, ...('hash' in found ? { txHash: found.hash } : {}) },
      `redemption tx of an earlier attempt: ${found.state}`,
    );
    if (found.state === 'dropped') {
      await this.change(t, { state: row.state, reason: droppedReason(sent.nonce), clearTx: true });
      return undefined;
    }
    return this.submit(t, { kind: 'resume', sent, found });
  }

  private async decide(t: WinningTicketJson, row: RedemptionRow, view: ChainView): Promise<Decision> {
    const skip = (reason: string, details?: StateChange['details']): Decision => ({ kind: 'change', change: { state: RedemptionState.skipped, reason, details }, done: false });
    const fail = (reason: string, details?: StateChange['details']): Decision => ({ kind: 'change', change: { state: RedemptionState.failed, reason, details }, done: true });
    const expiration = BigInt(t.paramsExpirationBlock);
    if (expiration > view.l1BlockNumber) {
      return { kind: 'change', change: { state: RedemptionState.waitingExpiry, reason: `params expire at L1 block ${expiration}` }, done: false };
    }
    const tb = this.ctx.clients.ticketBroker;
    if (await tb.usedTickets(t.ticketHash)) return this.usedOnChain(row);
    const creationRound = BigInt(t.creationRound);
    const current = view.round.currentRound;
    if (creationRound + view.ticketValidityPeriod <= current) {
      return fail(`expired: creationRound ${creationRound} + validity ${view.ticketValidityPeriod} <= current round ${current}`);
    }
    if (!view.round.initialized) return skip(`round ${current} not initialized`);
    const recipientActive =
      getAddress(t.recipient) === this.ctx.address && this.watcher.transcoderView
        ? this.watcher.transcoderView.active
        : await this.ctx.clients.bondingManager.isActiveTranscoder(t.recipient);
    if (!recipientActive) return skip(`recipient ${t.recipient} not active in round ${current}`);

    const [info, claimable] = await Promise.all([tb.getSenderInfo(t.sender), tb.claimableReserve(t.sender, t.recipient)]);
    const face = BigInt(t.faceValue);
    const withdrawRound = info.sender.withdrawRound;
    if (withdrawRound !== 0n && current >= withdrawRound) return skip(`sender is unlocked since round ${withdrawRound}`);
    const deposit = info.sender.deposit;
    const otherPending = this.pendingAmount(t.sender);
    const available = deposit + claimable - otherPending;
    const numbers = { faceValue: face.toString(), deposit: deposit.toString(), reserveSlice: claimable.toString(), pending: otherPending.toString() };
    if (available < face) {
      return skip(`insufficient sender funds: deposit ${deposit} + reserve slice ${claimable} - pending ${otherPending} < faceValue ${face}`, numbers);
    }
    let gasLimit: bigint;
    try {
      gasLimit = await this.ctx.tx.estimate(this.redeemRequest(t));
    } catch (e) {
      return this.onRevert(t, row, e, 'estimate');
    }
    const gasPrice = view.gasPrice ?? (await this.ctx.gas.getGasPrice());
    const txCost = gasLimit * gasPrice;
    const withGas = { ...numbers, gasLimit: gasLimit.toString(), gasPrice: gasPrice.toString(), txCost: txCost.toString() };
    if (txCost >= face) return skip(`insufficient ticket face value for redeem tx cost: txCost ${txCost} >= faceValue ${face}`, withGas);
    if (txCost >= available) return skip(`insufficient sender funds for redeem tx cost: txCost ${txCost} >= available ${available}`, withGas);
    return { kind: 'submit', gasLimit, available, txCost };
  }

  private async submit(t: WinningTicketJson, how: Submission): Promise<Outcome> {
    const sender = t.sender.toLowerCase();
    const face = BigInt(t.faceValue);
    const row =
      how.kind === 'fresh'
        ? await this.change(t, {
            state: RedemptionState.submitting,
            attempt: true,
            details: { gasLimit: how.gasLimit.toString(), available: how.available.toString(), txCost: how.txCost.toString() },
          })
        : ((await this.ledger.get(t.ticketHash)) as RedemptionRow);
    this.pending.set(sender, this.pendingAmount(sender) + face);
    this.metrics.pendingTickets.inc();
    void this.watcher.republishSender(sender).catch(() => undefined);
    // Whether a tx of this ticket may be on the wire (then its hash is in the ledger).
    let recorded = how.kind === 'resume';
    const req: TxRequest = {
      ...this.redeemRequest(t),
      ...(how.kind === 'fresh' ? { gasLimit: how.gasLimit } : {}),
      // Durable before the node sees the tx: a crash after this can only find it again, never send another.
      onBroadcast: async (b) => {
        await this.change(t, {
          state: RedemptionState.submitting,
          broadcast: { nonce: b.nonce, hash: b.hash, gasPrice: b.gasPrice },
          details: { replacement: b.replacement, gasLimit: b.gasLimit.toString() },
        });
        recorded = true;
      },
    };
    let res: TxResult | undefined;
    let err: unknown;
    try {
      res = how.kind === 'fresh' ? await this.ctx.tx.send(req) : await this.ctx.tx.resume(req, how.sent, how.found);
    } catch (e) {
      err = e;
    } finally {
      const left = this.pendingAmount(sender) - face;
      if (left > 0n) this.pending.set(sender, left);
      else this.pending.delete(sender);
      this.metrics.pendingTickets.dec();
      this.watcher.invalidateSender(sender);
    }
    if (res) {
      this.metrics.tx('redeem', res.receipt, true);
      this.metrics.faceValueRedeemed.inc(Number(face));
      await this.change(t, {
        state: RedemptionState.redeemed,
        txHash: res.hash,
        details: {
          gasUsed: res.receipt.gasUsed.toString(),
          effectiveGasPrice: res.receipt.effectiveGasPrice.toString(),
          blockNumber: res.receipt.blockNumber.toString(),
          nonce: res.nonce,
          ...(how.kind === 'resume' ? { recovered: how.found.state } : {}),
        },
      });
      return { done: true, state: RedemptionState.redeemed };
    }
    this.metrics.tx('redeem', undefined, false);
    if (isChainError(err, 'TX_DROPPED')) {
      await this.change(t, { state: RedemptionState.submitting, reason: droppedReason(how.kind === 'resume' ? how.sent.nonce : undefined), clearTx: true });
      return { done: false };
    }
    if (recorded && !isChainError(err, 'REVERTED')) {
      // No receipt (timeout, endpoint down…) but the tx may still be mined: keep it; the next attempt looks it up.
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn({ ticket: t.ticketHash, err: message }, 'redemption tx without an outcome yet; looked up again on the next attempt');
      await this.change(t, { state: RedemptionState.submitting, reason: `tx in flight: ${message}`.slice(0, 500) });
      return { done: false };
    }
    // Not sent, or reverted (mined, or a fresh estimate): the recorded tx, if any, redeemed nothing.
    const d = await this.onRevert(t, row, err, 'submit');
    await this.change(t, { ...(d.kind === 'change' ? d.change : { state: RedemptionState.skipped, reason: 'unexpected' }), clearTx: true });
    return d.kind === 'change' && d.done ? { done: true, state: d.change.state } : { done: false };
  }

  /** A failed estimate or transaction: ask usedTickets, then classify the revert. */
  private async onRevert(t: WinningTicketJson, row: RedemptionRow, e: unknown, phase: 'estimate' | 'submit'): Promise<Decision> {
    const reason = isChainError(e) ? String((e as ChainError).details['reason'] ?? '') : '';
    const message = e instanceof Error ? e.message : String(e);
    const used = await this.ctx.clients.ticketBroker.usedTickets(t.ticketHash).catch(() => undefined);
    if (used === true || USED_REVERT.test(reason)) {
      // After our own submission it is our redemption (e.g. a receipt timeout); before, someone else's.
      const after = phase === 'submit' ? { ...row, attempts: Math.max(row.attempts, 1) } : row;
      return this.usedOnChain(after);
    }
    const what = reason || message;
    if (reason.includes(INSUFFICIENT_FUNDS_REVERT)) {
      return { kind: 'change', change: { state: RedemptionState.skipped, reason: `${phase} reverted: ${reason} (#657, retrying)` }, done: false };
    }
    if (FINAL_REVERTS.some((re) => re.test(reason))) {
      return { kind: 'change', change: { state: RedemptionState.failed, reason: `${phase} reverted: ${reason}` }, done: true };
    }
    return { kind: 'change', change: { state: RedemptionState.skipped, reason: `${phase} failed: ${what}`.slice(0, 500) }, done: false };
  }

  /** usedTickets(hash) is true: never resubmit. Ours if we submitted it before (a crash or lost receipt). */
  private usedOnChain(row: RedemptionRow): Decision {
    if (row.attempts > 0 || row.state === RedemptionState.submitting) {
      return { kind: 'change', change: { state: RedemptionState.redeemed, reason: 'found used on chain after our submission' }, done: true };
    }
    return { kind: 'change', change: { state: RedemptionState.failed, reason: 'ticket already used' }, done: true };
  }

  private async change(t: WinningTicketJson, change: StateChange): Promise<RedemptionRow> {
    const before = await this.ledger.get(t.ticketHash);
    const row = await this.ledger.transition(t.ticketHash, change);
    const moved = !before || before.state !== row.state || before.reason !== row.reason;
    if (moved) this.metrics.redemptions.inc({ state: change.state, reason: reasonLabel(change.reason) });
    if (moved || before?.txHash !== row.txHash) {
      this.bus.publish(SettlementEvents.redemption, {
        ticketHash: t.ticketHash,
        state: change.state,
        ...(change.reason ? { reason: change.reason } : {}),
        ...(row.txHash ? { txHash: row.txHash } : {}),
      });
      this.logger.info({ ticket: t.ticketHash, state: change.state, reason: change.reason, txHash: row.txHash, ...(change.broadcast ? { nonce: change.broadcast.nonce } : {}) }, 'ticket state');
    }
    return row;
  }

  private redeemRequest(t: WinningTicketJson): { to: string; data: string; label: string } {
    const tb = this.ctx.clients.ticketBroker;
    return {
      to: tb.address,
      data: tb.iface.encodeFunctionData('redeemWinningTicket', [ticketTuple(toChainTicket(t)), t.sig, BigInt(t.recipientRand)]),
      label: 'TicketBroker.redeemWinningTicket',
    };
  }
}

/** The on-chain Ticket of a queued winning ticket (auxData = creationRound ‖ creationRoundBlockHash, or empty). */
export function toChainTicket(t: WinningTicketJson): Ticket {
  const round = BigInt(t.creationRound);
  const empty = round === 0n && t.creationRoundBlockHash.toLowerCase() === ZERO_HASH;
  return {
    recipient: getAddress(t.recipient),
    sender: getAddress(t.sender),
    faceValue: BigInt(t.faceValue),
    winProb: BigInt(t.winProb),
    senderNonce: BigInt(t.senderNonce),
    recipientRandHash: t.recipientRandHash,
    auxData: empty ? '0x' : solidityPacked(['uint256', 'bytes32'], [round, t.creationRoundBlockHash]),
  };
}

function ticketTuple(t: Ticket): unknown[] {
  return [t.recipient, t.sender, t.faceValue, t.winProb, t.senderNonce, t.recipientRandHash, t.auxData];
}

function droppedReason(nonce: number | undefined): string {
  return `tx dropped: nonce ${nonce ?? '?'} went to another transaction; submitting again`;
}

/** Low-cardinality metric label for a reason (the numbers stay in the ledger). */
export function reasonLabel(reason: string | undefined): string {
  if (!reason) return '';
  if (reason.startsWith('tx dropped')) return 'tx dropped';
  if (reason.startsWith('tx in flight')) return 'tx in flight';
  if (reason.startsWith('params expire')) return 'params not expired';
  if (reason.startsWith('insufficient sender funds for redeem tx cost')) return 'tx cost above available funds';
  if (reason.startsWith('insufficient ticket face value')) return 'tx cost above face value';
  if (reason.startsWith('insufficient sender funds')) return 'insufficient sender funds';
  if (reason.startsWith('expired')) return 'expired';
  if (reason.includes('not active')) return 'recipient not active';
  if (reason.includes('not initialized')) return 'round not initialized';
  if (reason.includes('unlocked')) return 'sender unlocked';
  if (reason.includes('#657')) return 'contract funds check (#657)';
  if (reason.includes('already used')) return 'already used';
  if (reason.startsWith('found used')) return 'confirmed after restart';
  if (reason.includes('reverted')) return 'reverted';
  return 'error';
}
