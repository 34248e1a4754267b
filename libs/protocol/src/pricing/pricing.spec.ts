import { create } from '@bufbuild/protobuf';
import { PriceInfoSchema } from '../gen/net/lp_rpc_pb';
import {
  autoAdjustPrice,
  ceilRational,
  comparePrices,
  formatPrice,
  integerCapabilityPrice,
  price,
  priceFromInfo,
  priceToInfo,
} from './price';
import {
  DEFAULT_AI_MODELS,
  LIVE_VIDEO_FIRST_PAYMENT_UNITS,
  LIVE_VIDEO_UNITS_PER_SECOND,
  aiUnits,
  estimateTranscodeFee,
  estimateTranscodePixels,
  feeForUnits,
  maxPriceForRequest,
  priceWithinMax,
  validatePriceNotDoubled,
} from './fees';
import { PricingError, isPricingError } from './pricing.errors';

function pricingError(f: () => unknown): PricingError {
  try {
    f();
  } catch (e) {
    if (e instanceof PricingError) return e;
    throw e;
  }
  throw new Error('expected PricingError');
}

describe('prices (§5.1)', () => {
  it('are reduced rationals; pixelsPerUnit 0 is invalid', () => {
    expect(priceFromInfo(create(PriceInfoSchema, { pricePerUnit: 2000n, pixelsPerUnit: 1000n }))).toEqual({ num: 2n, den: 1n });
    expect(price(3n, -6n)).toEqual({ num: -1n, den: 2n });
    const e = pricingError(() => priceFromInfo(create(PriceInfoSchema, { pricePerUnit: 5n, pixelsPerUnit: 0n })));
    expect([e.code, e.message, e.details]).toEqual(['PIXELS_PER_UNIT_ZERO', 'pixels per unit is 0', { pricePerUnit: '5', pixelsPerUnit: '0' }]);
    expect(priceToInfo(price(101n, 200n), { capability: 27, constraint: 'm' })).toMatchObject({ pricePerUnit: 101n, pixelsPerUnit: 200n, capability: 27, constraint: 'm' });
    expect(pricingError(() => priceToInfo(price(1n << 63n))).code).toBe('INVALID_PRICE');
  });

  it('compare by cross-multiplication; Go text num/den', () => {
    expect(comparePrices(price(1n, 3n), price(2n, 6n))).toBe(0);
    expect(comparePrices(price(1n, 3n), price(1n, 2n))).toBe(-1);
    expect(comparePrices(price(3n), price(1n, 2n))).toBe(1);
    expect(formatPrice(price(6n, 2n))).toBe('3/1');
    expect(ceilRational(price(7n, 2n))).toBe(4n);
    expect(ceilRational(price(8n, 2n))).toBe(4n);
    expect(integerCapabilityPrice({ pricePerUnit: 7n, pixelsPerUnit: 2n })).toEqual({ num: 3n, den: 1n });
  });
});

describe('auto-adjust (§5.3)', () => {
  it('base 1/2 wei with txCost = faceValue/100 → 101/200', () => {
    expect(autoAdjustPrice(price(1n, 2n), { txCost: 1n, faceValue: 100n })).toEqual({ num: 101n, den: 200n });
    // realistic numbers: faceValue = txCost × 100
    expect(autoAdjustPrice(price(1n, 2n), { txCost: 240_000_000_000_000n, faceValue: 24_000_000_000_000_000n })).toEqual({ num: 101n, den: 200n });
  });

  it('overhead 1 for zero base or no tx cost; result truncated to 1/1000', () => {
    expect(autoAdjustPrice(price(0n), { txCost: 5n, faceValue: 100n })).toEqual({ num: 0n, den: 1n });
    expect(autoAdjustPrice(price(1n, 3n), { txCost: 0n, faceValue: 100n })).toEqual({ num: 333n, den: 1000n });
    // small reserve: faceValue = 2 × txCost → overhead 1.5
    expect(autoAdjustPrice(price(1200n), { txCost: 10n, faceValue: 20n })).toEqual({ num: 1800n, den: 1n });
    expect(pricingError(() => autoAdjustPrice(price(1n), { txCost: 1n, faceValue: 0n })).code).toBe('INVALID_PRICE');
  });
});

describe('fees (§5.5)', () => {
  it('transcoding estimate, computed by hand', () => {
    // P240p30fps16x9 + P360p30fps16x9 (pass-through fps), 2.5 s segment, price 3/2 wei per pixel:
    //   426×240×30×3 = 9,201,600 ; 640×360×60×3 = 41,472,000 ; Σ = 50,673,600 pixels
    //   × 1.02 = 51,687,072 ; × 3/2 = 77,530,608 wei
    const profiles = [
      { width: 426, height: 240, fps: 30 },
      { width: 640, height: 360, fps: 0 },
    ];
    expect(estimateTranscodePixels(profiles, 2.5)).toBe(50_673_600n);
    expect(estimateTranscodeFee(profiles, 2.5, price(3n, 2n))).toEqual({ num: 77_530_608n, den: 1n });
    // fractional fps is rounded up: 30000/1001 → 30
    expect(estimateTranscodePixels([{ width: 10, height: 10, fps: 30000, fpsDen: 1001 }], 2)).toBe(10n * 10n * 30n * 2n);
    expect(pricingError(() => estimateTranscodePixels(profiles, Number.NaN)).code).toBe('INVALID_JOB_INPUT');
  });

  it('debit by pixels', () => {
    expect(feeForUnits(1_000_000n, price(101n, 200n))).toEqual({ num: 505_000n, den: 1n });
  });

  it('AI units per pipeline, with defaults', () => {
    expect(aiUnits({ pipeline: 'text-to-image' })).toBe(512n * 512n);
    expect(aiUnits({ pipeline: 'text-to-image', width: 1024, height: 768, numImagesPerPrompt: 2 })).toBe(1024n * 768n * 2n);
    expect(aiUnits({ pipeline: 'image-to-image', width: 100, height: 50 })).toBe(5000n);
    expect(aiUnits({ pipeline: 'image-to-video' })).toBe(576n * 1024n * 25n);
    expect(aiUnits({ pipeline: 'upscale', width: 10, height: 20 })).toBe(200n);
    expect(aiUnits({ pipeline: 'audio-to-text', durationMs: 12_345 })).toBe(12_345n);
    expect(aiUnits({ pipeline: 'llm', maxTokens: 256 })).toBe(256n);
    expect(aiUnits({ pipeline: 'text-to-speech', text: 'héllo 👋' })).toBe(7000n);
    expect(aiUnits({ pipeline: 'live-video-to-video' })).toBe(1_658_880_000n);
    expect(LIVE_VIDEO_FIRST_PAYMENT_UNITS).toBe(1_658_880_000n);
    expect(LIVE_VIDEO_UNITS_PER_SECOND).toBe(27_648_000n);
    expect(aiUnits({ pipeline: 'live-video-to-video', elapsedSeconds: 5 })).toBe(5n * 27_648_000n);
    expect(pricingError(() => aiUnits({ pipeline: 'llm' })).message).toBe('MaxTokens not specified');
    expect(pricingError(() => aiUnits({ pipeline: 'audio-to-text' })).message).toBe('Unable to calculate duration');
    expect(DEFAULT_AI_MODELS['live-video-to-video']).toBe('noop');
    expect(DEFAULT_AI_MODELS.llm).toBe('meta-llama/llama-3.1-8B-Instruct');
  });
});

describe('gateway max price (§5.6)', () => {
  it('sums per-capability model maxima (or the cap default), else the global max', () => {
    const config = {
      global: price(10n),
      perCapability: { 27: { default: price(5n), 'some/model': price(1n, 2n) }, 33: { default: price(1n, 3n) } },
    };
    expect(maxPriceForRequest(config, [{ capability: 27, modelId: 'some/model' }])).toEqual(price(1n, 2n));
    expect(maxPriceForRequest(config, [{ capability: 27, modelId: 'x' }, { capability: 33, modelId: 'y' }])).toEqual(price(16n, 3n));
    expect(maxPriceForRequest(config, [{ capability: 30, modelId: 'x' }])).toEqual(price(10n));
    expect(maxPriceForRequest({ global: price(0n) })).toBeUndefined();
    expect(priceWithinMax(price(10n), price(10n))).toBe(true);
    expect(priceWithinMax(price(21n, 2n), price(10n))).toBe(false);
    expect(priceWithinMax(undefined, price(10n))).toBe(false);
    expect(priceWithinMax(undefined, undefined)).toBe(true);
  });

  it('refuses a price more than doubled, with Go’s text', () => {
    expect(() => validatePriceNotDoubled(price(2n), price(1n))).not.toThrow();
    expect(() => validatePriceNotDoubled(price(5n), undefined)).not.toThrow();
    const e = pricingError(() => validatePriceNotDoubled(price(201n, 100n), price(1n)));
    expect(e.message).toBe('Orchestrator price has more than doubled, Orchestrator price: 201/100, Orchestrator initial price: 1/1');
    expect(e.details).toEqual({ priceNum: '201', priceDen: '100', initialNum: '1', initialDen: '1' });
    const m = pricingError(() => validatePriceNotDoubled(undefined, price(1n)));
    expect(isPricingError(m, 'MISSING_PRICE')).toBe(true);
    expect(m.message).toBe('missing orchestrator price');
  });
});
