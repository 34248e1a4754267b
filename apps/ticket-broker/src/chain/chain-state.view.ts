import { ChainStateKeys, SettlementCommands, fromHex, toHex, type ChainStateJson, type SenderStateJson, type TranscoderStateJson } from '@lpts/protocol';
import type { ChainView, SenderInfo, TicketExpirationParams } from '@lpts/pm';
import type { NatsConnection } from '@nats-io/transport-node';
import { ChainStateReader, NatsRpcClient, type Logger } from '@lpts/platform';
import { BrokerError } from '../common/broker.errors';

/** An immutable snapshot of what settlement published, with pm's ChainView on top. */
export class ChainSnapshot implements ChainView {
  readonly lastInitializedRound: bigint;
  readonly lastSeenL1Block: bigint;
  readonly expirationParams: TicketExpirationParams;
  readonly activePoolSize: bigint;
  readonly gasPrice: bigint | undefined;

  constructor(
    readonly latest: ChainStateJson,
    private readonly senders: ReadonlyMap<string, SenderStateJson>,
    private readonly transcoders: ReadonlyMap<string, TranscoderStateJson>,
  ) {
    this.lastInitializedRound = BigInt(latest.lastInitializedRound);
    this.lastSeenL1Block = BigInt(latest.l1BlockNumber);
    this.expirationParams = {
      creationRound: BigInt(latest.expirationParams.creationRound),
      creationRoundBlockHash: fromHex(latest.expirationParams.creationRoundBlockHash),
    };
    this.activePoolSize = BigInt(latest.activePoolSize);
    this.gasPrice = latest.gasPrice === undefined ? undefined : BigInt(latest.gasPrice);
  }

  isRecipientActive(recipient: Uint8Array): boolean {
    return this.transcoders.get(toHex(recipient))?.active === true;
  }

  senderState(sender: Uint8Array | string): SenderStateJson | undefined {
    return this.senders.get(typeof sender === 'string' ? sender.toLowerCase() : toHex(sender));
  }

  senderInfo(sender: Uint8Array): SenderInfo | undefined {
    const s = this.senderState(sender);
    if (s === undefined) return undefined;
    return {
      deposit: BigInt(s.deposit),
      withdrawRound: BigInt(s.withdrawRound),
      reserve: { fundsRemaining: BigInt(s.reserve.fundsRemaining), claimedInCurrentRound: BigInt(s.reserve.claimedInCurrentRound) },
    };
  }
}

/**
 * Settlement's chain view (platform's ChainStateReader) with what the broker adds: pm ChainView
 * snapshots (rebuilt only when an entry changed), new-block notifications, and on-demand sender
 * lookups through settlement.
 */
export class ChainStateView extends ChainStateReader {
  #snapshot: ChainSnapshot | undefined;
  #lastBlock: string | undefined;
  readonly #blockListeners: ((l1Block: bigint) => void)[] = [];
  /** Senders asked of settlement and not yet seen in the bucket (one request in flight per sender). */
  readonly #asking = new Map<string, Promise<void>>();
  readonly #settlement: NatsRpcClient;

  constructor(nc: NatsConnection, prefix: string, private readonly log: Logger) {
    super(nc, prefix, log);
    this.#settlement = new NatsRpcClient(nc, prefix, 10_000);
    this.onChange((key) => {
      this.#snapshot = undefined;
      const l1 = this.latest?.l1BlockNumber;
      if (key === ChainStateKeys.latest && l1 !== undefined && l1 !== this.#lastBlock) {
        this.#lastBlock = l1;
        for (const l of this.#blockListeners) l(BigInt(l1));
      }
    });
  }

  /**
   * Makes sure a sender's funding is in the view: settlement watches only senders it has been told
   * about, so a sender seen for the first time is looked up through `settlement.cmd.sender.get`
   * (which also publishes it to the bucket and keeps it fresh). A failed lookup leaves the sender
   * unknown; the caller's check then reports `could not get sender info`.
   */
  async ensureSender(sender: string): Promise<void> {
    const key = sender.toLowerCase();
    if (this.hasSender(key)) return;
    let asking = this.#asking.get(key);
    if (!asking) {
      asking = this.#settlement
        .request(SettlementCommands.sender, { sender })
        .then((state) => {
          this.putSender(state);
          this.#snapshot = undefined;
        })
        .catch((e: unknown) => this.log.warn({ sender, err: (e as Error).message }, 'sender lookup through settlement failed'))
        .finally(() => this.#asking.delete(key));
      this.#asking.set(key, asking);
    }
    await asking;
  }

  /** Called with the new L1 block whenever `latest` changes it. */
  onNewBlock(listener: (l1Block: bigint) => void): void {
    this.#blockListeners.push(listener);
  }

  get ready(): boolean {
    return this.latest !== undefined;
  }

  /** The current snapshot; throws a retryable CHAIN_STATE_MISSING until settlement has published `latest`. */
  snapshot(): ChainSnapshot {
    if (this.#snapshot !== undefined) return this.#snapshot;
    const latest = this.latest;
    if (latest === undefined) {
      throw new BrokerError('CHAIN_STATE_MISSING', `no chain state yet in KV bucket ${this.bucket} (key ${ChainStateKeys.latest})`, {
        retryable: true,
        details: { bucket: this.bucket, key: ChainStateKeys.latest },
      });
    }
    this.#snapshot = new ChainSnapshot(latest, this.senders, this.transcoders);
    return this.#snapshot;
  }
}
