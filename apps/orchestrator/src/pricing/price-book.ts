import { addPrices, autoAdjustPrice, comparePrices, integerCapabilityPrice, modelConstraints, price, ZERO_PRICE, type Capabilities, type Price } from '@lpts/protocol';

export interface CapabilityPriceEntry {
  capability: number;
  modelId: string;
  pricePerUnit: bigint;
  pixelsPerUnit: bigint;
  /** Lower-case gateway address when the entry is gateway-specific. */
  gateway?: string | undefined;
}

export interface PriceBookOptions {
  base: Price;
  perGateway?: Readonly<Record<string, { pricePerUnit: bigint; pixelsPerUnit: bigint }>>;
  perCapability?: readonly CapabilityPriceEntry[];
  autoAdjust: boolean;
}

/** What a quote was made of (for metrics/logs and the auto-adjust step). */
export interface Quote {
  /** Price before auto-adjust. */
  base: Price;
  /** Whether auto-adjust applies (no webhook override etc.). */
  adjustable: boolean;
}

/**
 * The O's prices (PROTOCOL.md §5.2–5.3): base transcoding price, per-gateway overrides, per-(capability,
 * model) prices (gateway-specific replacing `default`), and the auto-adjust overhead.
 */
export class PriceBook {
  private readonly perGateway = new Map<string, Price>();
  private readonly capPrices: CapabilityPriceEntry[];

  constructor(private readonly o: PriceBookOptions) {
    for (const [addr, p] of Object.entries(o.perGateway ?? {})) this.perGateway.set(addr.toLowerCase(), price(p.pricePerUnit, p.pixelsPerUnit));
    this.capPrices = (o.perCapability ?? []).map((e) => ({ ...e, gateway: e.gateway?.toLowerCase() }));
  }

  get autoAdjust(): boolean {
    return this.o.autoAdjust;
  }

  /** Transcoding base price for a sender: its `-pricePerGateway` entry, else the default. */
  basePrice(sender: string): Price {
    return this.perGateway.get(sender.toLowerCase()) ?? this.o.base;
  }

  /** Integer price of one (capability, model) for a sender; undefined when none is configured. */
  capabilityPrice(sender: string, capability: number, modelId: string): Price | undefined {
    const s = sender.toLowerCase();
    const match = (gw: string | undefined, model: string) =>
      this.capPrices.find((e) => e.capability === capability && e.modelId === model && e.gateway === gw);
    const e = match(s, modelId) ?? match(undefined, modelId) ?? match(s, 'default') ?? match(undefined, 'default');
    return e === undefined ? undefined : integerCapabilityPrice({ pricePerUnit: e.pricePerUnit, pixelsPerUnit: e.pixelsPerUnit });
  }

  /** Price list for requests without capabilities (`capabilities_prices`), gateway entries replacing defaults. */
  capabilityPriceList(sender: string): { capability: number; modelId: string; price: Price }[] {
    const seen = new Map<string, { capability: number; modelId: string; price: Price }>();
    const s = sender.toLowerCase();
    for (const e of this.capPrices) {
      if (e.gateway !== undefined && e.gateway !== s) continue;
      const key = `${e.capability}/${e.modelId}`;
      if (e.gateway === undefined && seen.has(key)) continue;
      seen.set(key, { capability: e.capability, modelId: e.modelId, price: integerCapabilityPrice({ pricePerUnit: e.pricePerUnit, pixelsPerUnit: e.pixelsPerUnit }) });
    }
    return [...seen.values()];
  }

  /**
   * The unadjusted quote (§5.2): without capabilities the base price; with capabilities the sum over
   * capabilities present in both `capacities` and `constraints.PerCapability`, over each listed model;
   * 0 → the base price.
   */
  quote(sender: string, caps: Capabilities | undefined): Price {
    if (caps === undefined) return this.basePrice(sender);
    let sum: Price = ZERO_PRICE;
    for (const key of Object.keys(caps.capacities)) {
      const cap = Number(key);
      const models = modelConstraints(caps, cap);
      if (models === undefined) continue;
      for (const modelId of Object.keys(models)) {
        const p = this.capabilityPrice(sender, cap, modelId);
        if (p !== undefined) sum = addPrices(sum, p);
      }
    }
    return comparePrices(sum, ZERO_PRICE) === 0 ? this.basePrice(sender) : sum;
  }

  /** §5.3: base × (1 + txCost/faceValue), truncated to 1/1000, when auto-adjust is on. */
  adjust(base: Price, txCost: bigint, faceValue: bigint): Price {
    if (!this.o.autoAdjust || faceValue <= 0n) return base;
    return autoAdjustPrice(base, { txCost, faceValue });
  }
}
