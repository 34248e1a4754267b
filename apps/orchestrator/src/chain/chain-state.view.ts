import { ChainStateKeys, chainStateBucket, zChainState, zTranscoderState, type ChainStateJson, type TranscoderStateJson } from '@lpts/protocol';
import type { Logger } from '@lpts/platform';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The part of settlement's chain view the orchestrator needs: `latest` (gas price for the
 * auto-adjust overhead) and its own `transcoder.<addr>` entry (registered service URI). Kept current
 * with a KV watch; reads never wait on NATS.
 */
export class ChainStateView {
  #latest: ChainStateJson | undefined;
  #me: TranscoderStateJson | undefined;
  #kv: KV | undefined;
  #stop: (() => void) | undefined;
  #done: Promise<void> | undefined;
  readonly #listeners: (() => void)[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly address: string,
    private readonly logger: Logger,
  ) {}

  get bucket(): string {
    return chainStateBucket(this.prefix);
  }

  async start(): Promise<void> {
    const kvm = new Kvm(this.nc);
    try {
      this.#kv = await kvm.create(this.bucket);
    } catch {
      this.#kv = await kvm.open(this.bucket);
    }
    const mine = ChainStateKeys.transcoder(this.address);
    // One filter subject: multi-key watches need nats-server 2.10+.
    const iter = await this.#kv.watch({ key: '>' });
    this.#stop = () => iter.stop();
    this.#done = (async () => {
      for await (const e of iter) {
        try {
          const json = e.operation === 'PUT' ? (JSON.parse(e.string()) as unknown) : undefined;
          if (e.key === ChainStateKeys.latest) this.#latest = json === undefined ? undefined : zChainState.parse(json);
          else if (e.key === mine) this.#me = json === undefined ? undefined : zTranscoderState.parse(json);
          for (const l of this.#listeners) l();
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

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Gas price settlement last published (undefined when unknown). */
  get gasPrice(): bigint | undefined {
    return this.#latest?.gasPrice === undefined ? undefined : BigInt(this.#latest.gasPrice);
  }

  get latest(): ChainStateJson | undefined {
    return this.#latest;
  }

  /** Reads this orchestrator's record straight from the bucket (start-up decisions must not race the watch). */
  async fetchTranscoder(): Promise<TranscoderStateJson | undefined> {
    const e = await this.#kv?.get(ChainStateKeys.transcoder(this.address));
    if (e === undefined || e === null || e.operation !== 'PUT') return this.#me;
    return zTranscoderState.parse(JSON.parse(e.string()));
  }

  /** This orchestrator's on-chain record (undefined until settlement published it). */
  get transcoder(): TranscoderStateJson | undefined {
    return this.#me;
  }
}
