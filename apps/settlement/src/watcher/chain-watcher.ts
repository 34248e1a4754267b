import { decodeLog, getBlockNumbers, readActivePool, type DecodedLog, type RawLog, type RoundInfo, type SenderInfo } from '@lpts/chain';
import type { Logger, NatsRpcClient } from '@lpts/platform';
import { ChainStateKeys, SettlementEvents, type ChainStateJson, type SenderStateJson, type TranscoderStateJson } from '@lpts/protocol';
import type { KV } from '@nats-io/kv';
import { getAddress } from 'ethers';
import type { ChainContext } from '../chain/chain-context';
import type { SettlementMetrics } from '../service/settlement.metrics';

const ZERO_HASH = `0x${'00'.repeat(32)}`;
const POOL_REFRESH_BLOCKS = 20n;

/** The watcher's view of the chain after a tick (bigints; the JSON form goes to NATS). */
export interface ChainView {
  chainId: bigint;
  blockNumber: bigint;
  l1BlockNumber: bigint;
  blockHash: string;
  round: RoundInfo;
  /** lastInitializedRound and its block hash (zero-hash → previous-round fallback applied). */
  expirationRound: bigint;
  expirationBlockHash: string;
  activePoolSize: bigint;
  ticketValidityPeriod: bigint;
  gasPrice?: bigint | undefined;
  updatedAt: number;
}

export interface SenderView {
  sender: string;
  info: SenderInfo;
  /** Reserve claimable by this operator's recipient now (orchestrator role). */
  claimable?: bigint | undefined;
  /** Reserve this operator's recipient claimed in the current round. */
  claimed?: bigint | undefined;
  updatedAt: number;
}

export interface TranscoderView {
  address: string;
  registered: boolean;
  active: boolean;
  activationRound: bigint;
  deactivationRound: bigint;
  lastRewardRound: bigint;
  stake: bigint;
  serviceUri: string;
}

export type BlockListener = (view: ChainView, previous: ChainView | undefined) => void;

export interface ChainWatcherOptions {
  role: 'orchestrator' | 'gateway';
  pollIntervalMs: number;
  /** Amount being redeemed per sender now (for the KV sender state). */
  pendingAmount: (sender: string) => bigint;
}

/**
 * Polls `eth_blockNumber` (via the header, for the L1 number) every interval; on a new block reads
 * rounds, pool size, the operator's transcoder state and the senders of interest, decodes the ★
 * events to know which senders changed, and publishes SettlementEvents + the KV view. Runs on its
 * own timer: a slow RPC delays the next tick, never a request handler (handlers read the cache).
 */
export class ChainWatcher {
  private view?: ChainView;
  private transcoder?: TranscoderView;
  private readonly senders = new Map<string, SenderView>();
  /** Senders of interest (lower case) → whether their info must be re-read. */
  private readonly watched = new Map<string, boolean>();
  private readonly listeners: BlockListener[] = [];
  private timer?: NodeJS.Timeout;
  private running = false;
  private ticking?: Promise<void>;
  private lastProcessedBlock?: bigint;
  private lastTickAt = Date.now();
  private validityPeriod?: bigint;
  /** The pool is re-read when it may have changed (round, pool events, service URIs) or every POOL_REFRESH_BLOCKS. */
  private poolDirty = true;
  private poolReadAt = 0n;

  constructor(
    private readonly ctx: ChainContext,
    private readonly kv: KV,
    private readonly bus: NatsRpcClient,
    private readonly logger: Logger,
    private readonly metrics: SettlementMetrics,
    private readonly options: ChainWatcherOptions,
  ) {
    if (options.role === 'gateway') this.watched.set(ctx.address.toLowerCase(), true);
  }

  get latest(): ChainView | undefined {
    return this.view;
  }
  get transcoderView(): TranscoderView | undefined {
    return this.transcoder;
  }
  senderView(sender: string): SenderView | undefined {
    return this.senders.get(sender.toLowerCase());
  }

  onBlock(listener: BlockListener): void {
    this.listeners.push(listener);
  }

  /** Adds a sender to the watch list (its info is read on the next tick). */
  watchSender(sender: string): void {
    const key = sender.toLowerCase();
    if (!this.watched.has(key)) this.watched.set(key, true);
  }

  /** Marks a sender stale (read again next tick), e.g. after a redemption. */
  invalidateSender(sender: string): void {
    this.watched.set(sender.toLowerCase(), true);
  }

  /** First tick (so the state is ready), then the polling loop. */
  async start(): Promise<void> {
    this.running = true;
    await this.tick();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking?.catch(() => undefined);
  }

  /** Runs one tick now (serialised with the loop); for commands that just changed chain state. */
  async refresh(force = true): Promise<ChainView> {
    await this.ticking?.catch(() => undefined);
    await this.tick(force);
    return this.view as ChainView;
  }

  /** Reads one sender now (and caches / publishes it). */
  async readSender(sender: string): Promise<SenderView> {
    this.watchSender(sender);
    const v = await this.loadSender(sender.toLowerCase());
    await this.publishSender(v);
    return v;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().catch((e: unknown) => {
        this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'watcher tick failed');
      });
      void this.ticking.finally(() => this.schedule());
    }, this.options.pollIntervalMs);
    this.timer.unref?.();
  }

  private async tick(force = false): Promise<void> {
    const nums = await getBlockNumbers(this.ctx.rpc, 'latest');
    this.metrics.watcherLag.set((Date.now() - this.lastTickAt) / 1000);
    if (!force && this.view && nums.blockNumber === this.view.blockNumber) return;
    const { roundsManager, bondingManager, ticketBroker } = this.ctx.clients;
    const tag = '0x' + nums.blockNumber.toString(16);
    const [block, round, poolSize, gasPrice] = await Promise.all([
      this.ctx.rpc.request<{ hash: string } | null>('eth_getBlockByNumber', [tag, false]),
      roundsManager.roundInfo(),
      bondingManager.getTranscoderPoolSize(),
      this.ctx.gas.getGasPrice().catch(() => undefined),
    ]);
    this.validityPeriod ??= await ticketBroker.ticketValidityPeriod();
    const { expirationRound, expirationBlockHash } = await this.expirationParams(round.lastInitializedRound);
    const events = await this.readEvents(nums.blockNumber);
    const previous = this.view;
    const roundChanged = !previous || previous.round.currentRound !== round.currentRound || previous.round.lastInitializedRound !== round.lastInitializedRound;
    const view: ChainView = {
      chainId: this.ctx.chainId,
      blockNumber: nums.blockNumber,
      l1BlockNumber: nums.l1BlockNumber,
      blockHash: block?.hash ?? ZERO_HASH,
      round,
      expirationRound,
      expirationBlockHash,
      activePoolSize: poolSize,
      ticketValidityPeriod: this.validityPeriod,
      gasPrice,
      updatedAt: Date.now(),
    };
    this.view = view;
    this.lastProcessedBlock = nums.blockNumber;
    this.lastTickAt = Date.now();
    this.metrics.watcherLag.set(0);
    this.metrics.blockNumber.set(Number(nums.blockNumber));
    this.metrics.currentRound.set(Number(round.currentRound));

    for (const ev of events) this.apply(ev);
    if (roundChanged) for (const k of this.watched.keys()) this.watched.set(k, true);
    if (this.options.role === 'orchestrator') await this.loadTranscoder();
    if (roundChanged || (previous && previous.activePoolSize !== poolSize) || nums.blockNumber - this.poolReadAt >= POOL_REFRESH_BLOCKS) this.poolDirty = true;
    if (this.poolDirty) await this.publishPool(nums.blockNumber);
    await this.refreshSenders();

    const json = this.chainStateJson(view);
    this.bus.publish(SettlementEvents.block, json);
    await this.kv.put(ChainStateKeys.latest, JSON.stringify(json));
    if (previous && previous.round.lastInitializedRound !== round.lastInitializedRound) {
      this.bus.publish(SettlementEvents.round, { round: round.lastInitializedRound.toString(), blockHash: expirationBlockHash });
    }
    for (const l of this.listeners) {
      try {
        l(view, previous);
      } catch (e) {
        this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'block listener failed');
      }
    }
  }

  /** blockHashForRound(lastInitializedRound), falling back to the previous round when zero (§6.4). */
  private async expirationParams(lastInitialized: bigint): Promise<{ expirationRound: bigint; expirationBlockHash: string }> {
    const rm = this.ctx.clients.roundsManager;
    let r = lastInitialized;
    let hash = await rm.blockHashForRound(r);
    if (hash === ZERO_HASH && r > 0n) {
      r -= 1n;
      hash = await rm.blockHashForRound(r);
    }
    return { expirationRound: r, expirationBlockHash: hash };
  }

  private async readEvents(to: bigint): Promise<DecodedLog[]> {
    const from = this.lastProcessedBlock === undefined ? to : this.lastProcessedBlock + 1n;
    if (from > to) return [];
    const r = this.ctx.contracts.required;
    const logs = await this.ctx.rpc.request<RawLog[]>('eth_getLogs', [
      { fromBlock: '0x' + from.toString(16), toBlock: '0x' + to.toString(16), address: [r.TicketBroker, r.BondingManager, r.RoundsManager] },
    ]);
    const sources = { TicketBroker: r.TicketBroker, BondingManager: r.BondingManager, RoundsManager: r.RoundsManager };
    const out: DecodedLog[] = [];
    for (const log of logs) {
      try {
        const ev = decodeLog(log, sources);
        if (ev) out.push(ev);
      } catch (e) {
        this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'undecodable log');
      }
    }
    return out;
  }

  /** ★ events → which caches are stale. */
  private apply(ev: DecodedLog): void {
    const mark = (addr: string) => {
      const k = addr.toLowerCase();
      if (this.watched.has(k)) this.watched.set(k, true);
    };
    switch (ev.name) {
      case 'DepositFunded':
      case 'Withdrawal':
      case 'Unlock':
      case 'UnlockCancelled':
      case 'WinningTicketTransfer':
        mark(ev.sender);
        break;
      case 'ReserveFunded':
        mark(ev.reserveHolder);
        break;
      case 'ReserveClaimed':
        mark(ev.reserveHolder);
        break;
      case 'NewRound':
        for (const k of this.watched.keys()) this.watched.set(k, true);
        this.poolDirty = true;
        break;
      case 'TranscoderActivated':
      case 'TranscoderDeactivated':
        this.poolDirty = true;
        break;
      default:
        break;
    }
  }

  private async refreshSenders(): Promise<void> {
    const stale = [...this.watched].filter(([, dirty]) => dirty).map(([k]) => k);
    await Promise.all(
      stale.map(async (s) => {
        try {
          const v = await this.loadSender(s);
          await this.publishSender(v);
        } catch (e) {
          this.logger.warn({ sender: s, err: e instanceof Error ? e.message : String(e) }, 'sender refresh failed');
        }
      }),
    );
  }

  private async loadSender(s: string): Promise<SenderView> {
    const tb = this.ctx.clients.ticketBroker;
    const me = this.ctx.address;
    const recipientSide = this.options.role === 'orchestrator';
    const [info, claimable, claimed] = await Promise.all([
      tb.getSenderInfo(s),
      recipientSide ? tb.claimableReserve(s, me) : Promise.resolve(undefined),
      recipientSide ? tb.claimedReserve(s, me) : Promise.resolve(undefined),
    ]);
    this.watched.set(s, false);
    const v: SenderView = { sender: s, info, claimable, claimed, updatedAt: Date.now() };
    this.senders.set(s, v);
    return v;
  }

  private async publishSender(v: SenderView): Promise<void> {
    const json = this.senderStateJson(v);
    this.bus.publish(SettlementEvents.sender, json);
    await this.kv.put(ChainStateKeys.sender(v.sender), JSON.stringify(json));
  }

  /** Re-publishes a sender's state (pendingAmount changed) from the cache. */
  async republishSender(sender: string): Promise<void> {
    const v = this.senders.get(sender.toLowerCase());
    if (v) await this.publishSender({ ...v, updatedAt: Date.now() });
  }

  private async loadTranscoder(): Promise<void> {
    const bm = this.ctx.clients.bondingManager;
    const me = this.ctx.address;
    const [t, status, active, stake, uri] = await Promise.all([
      bm.getTranscoder(me),
      bm.transcoderStatus(me),
      bm.isActiveTranscoder(me),
      bm.transcoderTotalStake(me),
      this.ctx.clients.serviceRegistry.getServiceURI(me),
    ]);
    this.transcoder = {
      address: me,
      registered: status === 1,
      active,
      activationRound: t.activationRound,
      deactivationRound: t.deactivationRound,
      lastRewardRound: t.lastRewardRound,
      stake,
      serviceUri: uri,
    };
    const json: TranscoderStateJson = {
      address: me,
      registered: this.transcoder.registered,
      active,
      activationRound: t.activationRound.toString(),
      deactivationRound: t.deactivationRound.toString(),
      stake: stake.toString(),
      serviceUri: uri,
      updatedAt: Date.now(),
    };
    await this.kv.put(ChainStateKeys.transcoder(me), JSON.stringify(json));
  }

  /**
   * Publishes every member of the active pool as `transcoder.<address>` (stake, service URI,
   * activity): the on-chain discovery source of this operator's gateway. One batched read.
   */
  private async publishPool(block: bigint): Promise<void> {
    const pool = await readActivePool(this.ctx.rpc, {
      bondingManager: this.ctx.contracts.required.BondingManager,
      serviceRegistry: this.ctx.contracts.required.ServiceRegistry,
    });
    const now = Date.now();
    const me = this.ctx.address.toLowerCase();
    for (const m of pool.members) {
      if (m.address.toLowerCase() === me && this.options.role === 'orchestrator') continue; // loadTranscoder has the full record
      const json: TranscoderStateJson = {
        address: getAddress(m.address),
        registered: m.status === 1,
        active: m.active,
        activationRound: '0',
        deactivationRound: '0',
        stake: m.stake.toString(),
        serviceUri: m.serviceURI,
        updatedAt: now,
      };
      await this.kv.put(ChainStateKeys.transcoder(m.address), JSON.stringify(json));
    }
    this.poolDirty = false;
    this.poolReadAt = block;
  }

  chainStateJson(v: ChainView): ChainStateJson {
    return {
      chainId: Number(v.chainId),
      blockNumber: v.blockNumber.toString(),
      l1BlockNumber: v.l1BlockNumber.toString(),
      blockHash: v.blockHash,
      currentRound: v.round.currentRound.toString(),
      lastInitializedRound: v.round.lastInitializedRound.toString(),
      currentRoundInitialized: v.round.initialized,
      currentRoundLocked: v.round.locked,
      currentRoundStartBlock: v.round.startBlock.toString(),
      roundLength: v.round.roundLength.toString(),
      expirationParams: { creationRound: v.expirationRound.toString(), creationRoundBlockHash: v.expirationBlockHash },
      activePoolSize: Number(v.activePoolSize),
      ...(v.gasPrice === undefined ? {} : { gasPrice: v.gasPrice.toString() }),
      updatedAt: v.updatedAt,
    };
  }

  senderStateJson(v: SenderView): SenderStateJson {
    return {
      sender: getAddress(v.sender),
      deposit: v.info.sender.deposit.toString(),
      withdrawRound: v.info.sender.withdrawRound.toString(),
      reserve: { fundsRemaining: v.info.reserve.fundsRemaining.toString(), claimedInCurrentRound: v.info.reserve.claimedInCurrentRound.toString() },
      ...(v.claimed === undefined ? {} : { claimedReserve: v.claimed.toString() }),
      ...(this.options.role === 'orchestrator' ? { pendingAmount: this.options.pendingAmount(v.sender).toString() } : {}),
      updatedAt: v.updatedAt,
    };
  }
}
