import { Kvm } from '@nats-io/kv';
import type { ServiceRuntime } from '@lpts/platform';
import { chainStateBucket, redemptionQueueName } from '@lpts/protocol';
import { createChainContext, loadKeystore, type ChainContext } from '../chain/chain-context';
import type { SettlementConfig } from '../config/settlement.env';
import { RedemptionLedger, type Ledger } from '../ledger/ledger';
import { RedemptionService } from '../redemption/redemption.service';
import { RoundKeeper } from '../rounds/round-keeper';
import { ChainWatcher } from '../watcher/chain-watcher';
import { SettlementMetrics } from './settlement.metrics';

export const SETTLEMENT_CORE = Symbol('lpts.settlement.core');

/** The settlement pieces, built once in bootstrap and injected into the NATS controllers. */
export class SettlementCore {
  private constructor(
    readonly config: SettlementConfig,
    readonly chain: ChainContext,
    readonly ledger: Ledger,
    readonly watcher: ChainWatcher,
    readonly redemption: RedemptionService,
    readonly rounds: RoundKeeper,
    readonly metrics: SettlementMetrics,
  ) {}

  static async start(config: SettlementConfig, runtime: ServiceRuntime): Promise<SettlementCore> {
    const wallet = loadKeystore(config.SETTLEMENT_KEYSTORE_FILE, config.SETTLEMENT_KEYSTORE_PASSWORD_FILE);
    const chain = await createChainContext(config, wallet);
    const metrics = new SettlementMetrics(runtime.metrics);
    // A gateway-role settlement redeems nothing: its ledger opens only if a `redemptions` command asks.
    const ledger = await RedemptionLedger.open(config.LEDGER_URL, { lazy: config.SETTLEMENT_ROLE === 'gateway' });
    const cleanup: (() => Promise<void>)[] = [() => ledger.close()];
    try {
      const kv = await new Kvm(runtime.nats).create(chainStateBucket(config.NATS_SUBJECT_PREFIX), { history: 1 });
      const logger = runtime.logger;
      const ref: { redemption?: RedemptionService } = {};
      const watcher = new ChainWatcher(chain, kv, runtime.client, logger, metrics, {
        role: config.SETTLEMENT_ROLE,
        pollIntervalMs: config.SETTLEMENT_POLL_INTERVAL_MS,
        pendingAmount: (s) => ref.redemption?.pendingAmount(s) ?? 0n,
      });
      const redemption = new RedemptionService(chain, watcher, ledger, metrics, logger, runtime.client, {
        queueName: redemptionQueueName(config.NATS_SUBJECT_PREFIX),
        redisUrl: config.REDIS_URL,
        concurrency: config.SETTLEMENT_REDEEM_CONCURRENCY,
        lockDurationMs: config.SETTLEMENT_JOB_LOCK_MS,
        stalledIntervalMs: config.SETTLEMENT_STALLED_INTERVAL_MS,
        retryDelayMs: Math.max(2 * config.SETTLEMENT_POLL_INTERVAL_MS, 1_000),
        resyncIntervalMs: Math.max(20 * config.SETTLEMENT_POLL_INTERVAL_MS, 10_000),
      });
      ref.redemption = redemption;
      const rounds = new RoundKeeper(chain, watcher, metrics, logger, {
        initRounds: config.SETTLEMENT_INIT_ROUNDS,
        initMaxDelayBlocks: config.SETTLEMENT_INIT_ROUNDS_MAX_DELAY_BLOCKS,
        reward: config.SETTLEMENT_REWARD ?? config.SETTLEMENT_ROLE === 'orchestrator',
      });
      rounds.start();
      await watcher.start();
      cleanup.unshift(() => watcher.stop());
      if (config.SETTLEMENT_ROLE === 'orchestrator') {
        await redemption.start();
        cleanup.unshift(() => redemption.stop());
      }
      runtime.ops.addReadinessCheck('chain', () => (watcher.latest ? true : 'no block yet'));
      logger.info({ address: chain.address, role: config.SETTLEMENT_ROLE, chainId: chain.chainId.toString() }, 'settlement started');
      return new SettlementCore(config, chain, ledger, watcher, redemption, rounds, metrics);
    } catch (e) {
      for (const c of cleanup) await c().catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.watcher.stop();
    await this.redemption.stop();
    await this.ledger.close();
  }
}
