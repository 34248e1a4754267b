import {
  ChainStateKeys,
  SettlementCommands,
  chainStateBucket,
  fromHex,
  toHex,
  zChainState,
  zSenderState,
  zTranscoderState,
  type ChainStateJson,
  type SenderStateJson,
  type TranscoderStateJson,
} from '@lpts/protocol';
import type { ChainView, SenderInfo, TicketExpirationParams } from '@lpts/pm';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsRpcClient, type Logger } from '@lpts/platform';
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
 * Settlement's chain view, read from the NATS KV bucket chainStateBucket(prefix) and kept current
 * with a watch: `latest` (zChainState), `sender.<addr>` (zSenderState), `transcoder.<addr>`
 * (zTranscoderState). Reads are synchronous (the hot path never waits on NATS).
 */
export class ChainStateView {
  #latest: ChainStateJson | undefined;
  readonly #senders = new Map<string, SenderStateJson>();
  readonly #transcoders = new Map<string, TranscoderStateJson>();
  #snapshot: ChainSnapshot | undefined;
  #kv: KV | undefined;
  #stop: (() => void) | undefined;
  #done: Promise<void> | undefined;
  readonly #blockListeners: ((l1Block: bigint) => void)[] = [];
  /** Senders asked of settlement and not yet seen in the bucket (one request in flight per sender). */
  readonly #asking = new Map<string, Promise<void>>();
  readonly #settlement: NatsRpcClient;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.#settlement = new NatsRpcClient(nc, prefix, 10_000);
  }

  /**
   * Makes sure a sender's funding is in the view: settlement watches only senders it has been told
   * about, so a sender seen for the first time is looked up through `settlement.cmd.sender.get`
   * (which also publishes it to the bucket and keeps it fresh). A failed lookup leaves the sender
   * unknown; the caller's check then reports `could not get sender info`.
   */
  async ensureSender(sender: string): Promise<void> {
    const key = sender.toLowerCase();
    if (this.#senders.has(key)) return;
    let asking = this.#asking.get(key);
    if (!asking) {
      asking = this.#settlement
        .request(SettlementCommands.sender, { sender })
        .then((state) => {
          if (!this.#senders.has(key)) {
            this.#senders.set(key, state);
            this.#snapshot = undefined;
          }
        })
        .catch((e: unknown) => this.logger.warn({ sender, err: (e as Error).message }, 'sender lookup through settlement failed'))
        .finally(() => this.#asking.delete(key));
      this.#asking.set(key, asking);
    }
    await asking;
  }

  get bucket(): string {
    return chainStateBucket(this.prefix);
  }

  /** Opens (or creates, if settlement has not yet) the bucket and starts watching every key. */
  async start(): Promise<void> {
    const kvm = new Kvm(this.nc);
    try {
      this.#kv = await kvm.create(this.bucket);
    } catch {
      this.#kv = await kvm.open(this.bucket); // lost a creation race with settlement
    }
    const iter = await this.#kv.watch({ key: '>' });
    this.#stop = () => iter.stop();
    this.#done = (async () => {
      for await (const e of iter) {
        try {
          this.#apply(e.key, e.operation === 'PUT' ? e.string() : undefined);
        } catch (err) {
          this.logger.warn({ key: e.key, err: (err as Error).message }, 'ignoring malformed chain-state entry');
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop?.();
    await this.#done;
  }

  /** Called with the new L1 block whenever `latest` changes it. */
  onNewBlock(listener: (l1Block: bigint) => void): void {
    this.#blockListeners.push(listener);
  }

  get ready(): boolean {
    return this.#latest !== undefined;
  }

  /** The current snapshot; throws a retryable CHAIN_STATE_MISSING until settlement has published `latest`. */
  snapshot(): ChainSnapshot {
    if (this.#snapshot !== undefined) return this.#snapshot;
    if (this.#latest === undefined) {
      throw new BrokerError('CHAIN_STATE_MISSING', `no chain state yet in KV bucket ${this.bucket} (key ${ChainStateKeys.latest})`, {
        retryable: true,
        details: { bucket: this.bucket, key: ChainStateKeys.latest },
      });
    }
    this.#snapshot = new ChainSnapshot(this.#latest, this.#senders, this.#transcoders);
    return this.#snapshot;
  }

  #apply(key: string, value: string | undefined): void {
    const json = value === undefined ? undefined : (JSON.parse(value) as unknown);
    if (key === ChainStateKeys.latest) {
      const before = this.#latest?.l1BlockNumber;
      this.#latest = json === undefined ? undefined : zChainState.parse(json);
      this.#snapshot = undefined;
      if (this.#latest !== undefined && this.#latest.l1BlockNumber !== before) {
        const block = BigInt(this.#latest.l1BlockNumber);
        for (const l of this.#blockListeners) l(block);
      }
    } else if (key.startsWith('sender.')) {
      const addr = key.slice('sender.'.length).toLowerCase();
      if (json === undefined) this.#senders.delete(addr);
      else this.#senders.set(addr, zSenderState.parse(json));
      this.#snapshot = undefined;
    } else if (key.startsWith('transcoder.')) {
      const addr = key.slice('transcoder.'.length).toLowerCase();
      if (json === undefined) this.#transcoders.delete(addr);
      else this.#transcoders.set(addr, zTranscoderState.parse(json));
      this.#snapshot = undefined;
    }
  }
}
