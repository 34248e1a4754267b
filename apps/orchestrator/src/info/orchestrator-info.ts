import { create } from '@bufbuild/protobuf';
import {
  DEFAULT_CAPABILITIES,
  OrchestratorInfoSchema,
  buildCapabilities,
  comparePrices,
  priceToInfo,
  toChecksumAddress,
  ZERO_PRICE,
  type AuthToken,
  type Capabilities,
  type OrchestratorInfo,
  type Price,
} from '@lpts/protocol';
import type { BrokerClient } from '../broker/broker.client';
import type { ChainStateView } from '../chain/chain-state.view';
import type { PriceBook } from '../pricing/price-book';
import type { TranscodeBackend } from '../transcode/transcode-backend';
import type { SessionPrices } from '../pricing/session-prices';

export interface InfoBuilderDeps {
  serviceUri: string;
  address: Uint8Array;
  version: string;
  redeemGas: bigint;
  prices: PriceBook;
  sessionPrices: SessionPrices;
  broker: BrokerClient;
  chain: ChainStateView | undefined;
  backend: TranscodeBackend;
  clock?: () => number;
}

const FACE_VALUE_TTL_MS = 30_000;

/**
 * Builds OrchestratorInfo (GetOrchestrator, and the `info` of /segment and /payment responses):
 * service URI, fresh ticket params for the sender at the quoted price, price_info (session-fixed,
 * per-gateway, per-capability, auto-adjusted with the sender's face value), capabilities with
 * capacities from live workers, the auth token and the O's address.
 */
export class InfoBuilder {
  private readonly faceValues = new Map<string, { faceValue: bigint; at: number }>();
  private readonly clock: () => number;

  constructor(private readonly d: InfoBuilderDeps) {
    this.clock = d.clock ?? Date.now;
  }

  /** O's advertised capabilities: union of live workers' sets plus the default set the protocol requires. */
  capabilities(): Capabilities {
    const live = this.d.backend.capabilities();
    const total = this.d.backend.capacity().total;
    const capacities: Record<number, number> = {};
    for (const c of DEFAULT_CAPABILITIES) capacities[c] = Math.max(1, total);
    for (const [c, n] of live) capacities[c] = Math.max(1, n);
    return buildCapabilities({ capabilities: Object.keys(capacities).map(Number), capacities, version: this.d.version });
  }

  txCost(): bigint {
    const gas = this.d.chain?.gasPrice;
    return gas === undefined ? 0n : gas * this.d.redeemGas;
  }

  /** The price quoted to `sender` (and params bound to it). */
  async priceAndParams(sender: string, caps: Capabilities | undefined, sessionId: string | undefined) {
    const fixed = sessionId === undefined ? undefined : await this.d.sessionPrices.get(sender, sessionId);
    if (fixed !== undefined) {
      const q = await this.d.broker.quoteParams(sender, fixed);
      return { price: fixed, params: q.params };
    }
    const base = this.d.prices.quote(sender, caps);
    const txCost = this.txCost();
    if (!this.d.prices.autoAdjust || comparePrices(base, ZERO_PRICE) <= 0 || txCost <= 0n) {
      const q = await this.d.broker.quoteParams(sender, base);
      return { price: base, params: q.params };
    }
    // faceValue(sender) does not depend on a positive price; a cached value saves one broker call.
    const key = sender.toLowerCase();
    const cached = this.faceValues.get(key);
    let faceValue = cached !== undefined && this.clock() - cached.at < FACE_VALUE_TTL_MS ? cached.faceValue : undefined;
    if (faceValue === undefined) {
      faceValue = (await this.d.broker.quoteParams(sender, base)).faceValue;
      this.faceValues.set(key, { faceValue, at: this.clock() });
    }
    let adjusted = this.d.prices.adjust(base, txCost, faceValue);
    let q = await this.d.broker.quoteParams(sender, adjusted);
    if (q.faceValue !== faceValue) {
      this.faceValues.set(key, { faceValue: q.faceValue, at: this.clock() });
      const again = this.d.prices.adjust(base, txCost, q.faceValue);
      if (comparePrices(again, adjusted) !== 0) {
        adjusted = again;
        q = await this.d.broker.quoteParams(sender, adjusted);
      }
    }
    return { price: adjusted, params: q.params };
  }

  async build(sender: Uint8Array, caps: Capabilities | undefined, authToken: AuthToken, sessionId?: string): Promise<{ info: OrchestratorInfo; price: Price }> {
    const senderText = toChecksumAddress(sender);
    const { price, params } = await this.priceAndParams(senderText, caps, sessionId);
    const info = create(OrchestratorInfoSchema, {
      transcoder: this.d.serviceUri,
      ticketParams: params,
      priceInfo: priceToInfo(price),
      address: this.d.address,
      capabilities: this.capabilities(),
      authToken,
    });
    if (caps === undefined) {
      info.capabilitiesPrices = this.d.prices
        .capabilityPriceList(senderText)
        .map((e) => priceToInfo(e.price, { capability: e.capability, constraint: e.modelId }));
    }
    return { info, price };
  }
}
