import { ChainStateReader, type Logger } from '@lpts/platform';
import type { TranscoderStateJson } from '@lpts/protocol';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The part of settlement's chain view the orchestrator needs: `latest` (gas price for the
 * auto-adjust overhead) and its own `transcoder.<addr>` entry (registered service URI).
 */
export class ChainStateView extends ChainStateReader {
  constructor(
    nc: NatsConnection,
    prefix: string,
    private readonly address: string,
    logger: Logger,
  ) {
    super(nc, prefix, logger);
  }

  /** Gas price settlement last published (undefined when unknown). */
  get gasPrice(): bigint | undefined {
    const g = this.latest?.gasPrice;
    return g === undefined ? undefined : BigInt(g);
  }

  /** This orchestrator's on-chain record (undefined until settlement published it). */
  get ownTranscoder(): TranscoderStateJson | undefined {
    return this.transcoder(this.address);
  }

  /** Reads this orchestrator's record straight from the bucket. */
  fetchOwnTranscoder(): Promise<TranscoderStateJson | undefined> {
    return this.fetchTranscoder(this.address);
  }
}
