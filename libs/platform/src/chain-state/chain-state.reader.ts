import {
  ChainStateKeys,
  chainStateBucket,
  zChainState,
  zSenderState,
  zTranscoderState,
  type ChainStateJson,
  type SenderStateJson,
  type TranscoderStateJson,
} from '@lpts/protocol';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logging/logger';

/**
 * Settlement's chain view as every other service reads it: the KV bucket `chainStateBucket(prefix)`
 * (`latest`, `sender.<addr>`, `transcoder.<addr>`), parsed with the protocol schemas and kept
 * current with one watch. Reads are synchronous: hot paths never wait on NATS.
 */
export class ChainStateReader {
  #latest: ChainStateJson | undefined;
  readonly #senders = new Map<string, SenderStateJson>();
  readonly #transcoders = new Map<string, TranscoderStateJson>();
  #kv: KV | undefined;
  #stop: (() => void) | undefined;
  #done: Promise<void> | undefined;
  readonly #listeners: ((key: string) => void)[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  get bucket(): string {
    return chainStateBucket(this.prefix);
  }

  /** Opens (or creates, if settlement has not yet) the bucket and watches every key. */
  async start(): Promise<void> {
    const kvm = new Kvm(this.nc);
    try {
      this.#kv = await kvm.create(this.bucket);
    } catch {
      this.#kv = await kvm.open(this.bucket); // lost a creation race with settlement
    }
    // One filter subject: multi-key watches need nats-server 2.10+.
    const iter = await this.#kv.watch({ key: '>' });
    this.#stop = () => iter.stop();
    this.#done = (async () => {
      for await (const e of iter) {
        try {
          this.#apply(e.key, e.operation === 'PUT' ? e.string() : undefined);
          for (const l of this.#listeners) l(e.key);
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

  /** Called with the key of every entry that changed. */
  onChange(listener: (key: string) => void): void {
    this.#listeners.push(listener);
  }

  get latest(): ChainStateJson | undefined {
    return this.#latest;
  }
  sender(address: string): SenderStateJson | undefined {
    return this.#senders.get(address.toLowerCase());
  }
  hasSender(address: string): boolean {
    return this.#senders.has(address.toLowerCase());
  }
  /** Records a sender state obtained another way (e.g. asked of settlement) until the watch brings it. */
  putSender(state: SenderStateJson): void {
    const key = state.sender.toLowerCase();
    if (!this.#senders.has(key)) this.#senders.set(key, state);
  }
  transcoder(address: string): TranscoderStateJson | undefined {
    return this.#transcoders.get(address.toLowerCase());
  }
  get senders(): ReadonlyMap<string, SenderStateJson> {
    return this.#senders;
  }
  get transcoders(): ReadonlyMap<string, TranscoderStateJson> {
    return this.#transcoders;
  }

  /** Reads one transcoder entry straight from the bucket (start-up decisions must not race the watch). */
  async fetchTranscoder(address: string): Promise<TranscoderStateJson | undefined> {
    const e = await this.#kv?.get(ChainStateKeys.transcoder(address));
    if (e === undefined || e === null || e.operation !== 'PUT') return this.transcoder(address);
    return zTranscoderState.parse(JSON.parse(e.string()));
  }

  #apply(key: string, value: string | undefined): void {
    const json = value === undefined ? undefined : (JSON.parse(value) as unknown);
    if (key === ChainStateKeys.latest) {
      this.#latest = json === undefined ? undefined : zChainState.parse(json);
    } else if (key.startsWith('sender.')) {
      const addr = key.slice('sender.'.length).toLowerCase();
      if (json === undefined) this.#senders.delete(addr);
      else this.#senders.set(addr, zSenderState.parse(json));
    } else if (key.startsWith('transcoder.')) {
      const addr = key.slice('transcoder.'.length).toLowerCase();
      if (json === undefined) this.#transcoders.delete(addr);
      else this.#transcoders.set(addr, zTranscoderState.parse(json));
    }
  }
}
