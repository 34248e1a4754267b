import { randomInt } from 'node:crypto';
import { isChainError, type TxResult } from '@lpts/chain';
import type { Logger } from '@lpts/platform';
import type { ChainContext } from '../chain/chain-context';
import type { SettlementMetrics } from '../service/settlement.metrics';
import type { ChainView, ChainWatcher } from '../watcher/chain-watcher';

export interface RoundKeeperOptions {
  initRounds: boolean;
  initMaxDelayBlocks: number;
  reward: boolean;
}

const MAX_REWARD_TRIES_PER_ROUND = 3;

/**
 * Round initialisation (optional: after a random 0..N block delay into the round, skipped when
 * someone else did it) and reward (once per round while active, after initialisation).
 */
export class RoundKeeper {
  private initTarget?: { round: bigint; block: bigint };
  private initBusy = false;
  private rewardBusy = false;
  private rewardTries = new Map<bigint, number>();
  private rewardedRound = -1n;

  constructor(
    private readonly ctx: ChainContext,
    private readonly watcher: ChainWatcher,
    private readonly metrics: SettlementMetrics,
    private readonly logger: Logger,
    private readonly options: RoundKeeperOptions,
  ) {}

  start(): void {
    this.watcher.onBlock((view) => this.onBlock(view));
  }

  /**
   * The round the next block belongs to, when it still needs initialising (transactions run in the
   * next block's context: at a boundary, reads at 'latest' still show the old, initialised round).
   */
  roundToInitialize(view: ChainView): { round: bigint; startBlock: bigint } | undefined {
    const next = view.l1BlockNumber + 1n;
    const nextStart = view.round.startBlock + view.round.roundLength;
    if (next >= nextStart) return { round: view.round.currentRound + 1n, startBlock: nextStart };
    if (!view.round.initialized) return { round: view.round.currentRound, startBlock: view.round.startBlock };
    return undefined;
  }

  /** The block at which this node initialises `round` (random 0..N delay drawn once per round). */
  initBlockFor(round: bigint, startBlock: bigint): bigint {
    if (!this.initTarget || this.initTarget.round !== round) {
      const delay = this.options.initMaxDelayBlocks > 0 ? BigInt(randomInt(0, this.options.initMaxDelayBlocks + 1)) : 0n;
      this.initTarget = { round, block: startBlock + delay };
    }
    return this.initTarget.block;
  }

  private onBlock(view: ChainView): void {
    const due = this.options.initRounds && !this.initBusy ? this.roundToInitialize(view) : undefined;
    if (due && view.l1BlockNumber + 1n >= this.initBlockFor(due.round, due.startBlock)) {
      this.initBusy = true;
      void this.initializeIfNeeded().finally(() => {
        this.initBusy = false;
      });
    }
    const t = this.watcher.transcoderView;
    const round = view.round.currentRound;
    if (
      this.options.reward &&
      view.round.initialized &&
      t?.active &&
      t.lastRewardRound < round &&
      this.rewardedRound !== round &&
      !this.rewardBusy &&
      (this.rewardTries.get(round) ?? 0) < MAX_REWARD_TRIES_PER_ROUND
    ) {
      this.rewardBusy = true;
      this.rewardTries.set(round, (this.rewardTries.get(round) ?? 0) + 1);
      void this.reward(round)
        .catch(() => undefined)
        .finally(() => {
          this.rewardBusy = false;
        });
    }
  }

  /** Initialises the current round unless it already is; returns the tx, or undefined when skipped. */
  async initializeIfNeeded(): Promise<TxResult | undefined> {
    const rm = this.ctx.clients.roundsManager;
    try {
      // The estimate runs in the next block's context: "round already initialized" = someone else did it.
      const res = await rm.initializeRound();
      this.metrics.roundsInitialized.inc();
      this.metrics.tx('initializeRound', res.receipt, true);
      this.logger.info({ txHash: res.hash }, 'round initialised');
      void this.watcher.refresh().catch(() => undefined);
      return res;
    } catch (e) {
      const reason = isChainError(e) ? String(e.details['reason'] ?? '') : '';
      if (reason.includes('round already initialized')) {
        this.logger.debug('round already initialised by someone else');
        return undefined;
      }
      this.metrics.tx('initializeRound', undefined, false);
      this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'initializeRound failed');
      return undefined;
    }
  }

  async reward(round: bigint): Promise<TxResult> {
    try {
      const res = await this.ctx.clients.bondingManager.rewardWithHint();
      this.rewardedRound = round;
      this.metrics.rewards.inc({ result: 'ok' });
      this.metrics.tx('reward', res.receipt, true);
      this.logger.info({ round: round.toString(), txHash: res.hash }, 'reward called');
      void this.watcher.refresh().catch(() => undefined);
      return res;
    } catch (e) {
      this.metrics.rewards.inc({ result: 'failed' });
      this.metrics.tx('reward', undefined, false);
      this.logger.warn({ round: round.toString(), err: e instanceof Error ? e.message : String(e) }, 'reward failed');
      throw e;
    }
  }
}
