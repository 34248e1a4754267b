import type { AiPipeline } from '../capabilities/capability-ids';
import { PricingError } from './pricing.errors';
import { addPrices, multiplyPrice } from './price';
import type { Price } from './price';

/* ---------- transcoding (§5.5) ---------- */

/** Pass-through fps (fps = 0) is estimated as 60. */
export const PASS_THROUGH_FPS_ESTIMATE = 60;
/** Pixel estimate multiplier 1.02, exact (Go multiplies by the float64 1.02, which is 1.7e-17 larger). */
export const PIXEL_ESTIMATE_MULTIPLIER: Price = Object.freeze({ num: 51n, den: 50n });

export interface ProfileDimensions {
  width: number;
  height: number;
  /** 0 = pass through. */
  fps: number;
  /** 0 = 1. */
  fpsDen?: number;
}

/** Σ w × h × ceil(fps/fpsDen) × ceil(segSeconds) (pass-through fps counted as 60). */
export function estimateTranscodePixels(profiles: readonly ProfileDimensions[], segmentSeconds: number): bigint {
  if (!(segmentSeconds >= 0) || !Number.isFinite(segmentSeconds)) {
    throw new PricingError('INVALID_JOB_INPUT', `invalid segment duration ${segmentSeconds}`, { details: { segmentSeconds } });
  }
  const secs = BigInt(Math.ceil(segmentSeconds));
  let total = 0n;
  for (const p of profiles) {
    const fps = BigInt(p.fps === 0 ? PASS_THROUGH_FPS_ESTIMATE : p.fps);
    const den = BigInt(p.fpsDen && p.fpsDen > 0 ? p.fpsDen : 1);
    const fpsCeil = (fps + den - 1n) / den;
    total += BigInt(p.width) * BigInt(p.height) * fpsCeil * secs;
  }
  return total;
}

/** Gateway fee estimate for one segment: pixels × 1.02 × price (exact rational, wei). */
export function estimateTranscodeFee(profiles: readonly ProfileDimensions[], segmentSeconds: number, pricePerPixel: Price): Price {
  return multiplyPrice(multiplyPrice(PIXEL_ESTIMATE_MULTIPLIER, estimateTranscodePixels(profiles, segmentSeconds)), pricePerPixel);
}

/** Debit for reported encoded pixels (both sides): Σ pixels × price. */
export function feeForUnits(units: bigint, pricePerUnit: Price): Price {
  return multiplyPrice(pricePerUnit, units);
}

/* ---------- AI units (§5.5) ---------- */

/** Default model id per pipeline when a request names none. */
export const DEFAULT_AI_MODELS: Readonly<Record<AiPipeline, string>> = Object.freeze({
  'text-to-image': 'stabilityai/sdxl-turbo',
  'image-to-image': 'stabilityai/sdxl-turbo',
  'image-to-video': 'stabilityai/stable-video-diffusion-img2vid-xt',
  upscale: 'stabilityai/stable-diffusion-x4-upscaler',
  'audio-to-text': 'openai/whisper-large-v3',
  llm: 'meta-llama/llama-3.1-8B-Instruct',
  'segment-anything-2': 'facebook/sam2-hiera-large',
  'image-to-text': 'Salesforce/blip-image-captioning-large',
  'text-to-speech': 'parler-tts/parler-tts-large-v1',
  'live-video-to-video': 'noop',
});

/** Live video: first payment covers 60 s of 1280×720×30; later payments 1280×720×30 per elapsed second. */
export const LIVE_VIDEO_UNITS_PER_SECOND = 1280n * 720n * 30n; // 27,648,000
export const LIVE_VIDEO_FIRST_PAYMENT_UNITS = 60n * LIVE_VIDEO_UNITS_PER_SECOND; // 1,658,880,000
export const LIVE_PAYMENT_INTERVAL_SECONDS = 5;

/** What the unit count of each pipeline depends on. Dimensions of image inputs are of the decoded input image. */
export type AiUnitsInput =
  | { pipeline: 'text-to-image'; width?: number; height?: number; numImagesPerPrompt?: number }
  | { pipeline: 'image-to-image'; width: number; height: number; numImagesPerPrompt?: number }
  | { pipeline: 'image-to-video'; width?: number; height?: number }
  | { pipeline: 'upscale' | 'segment-anything-2' | 'image-to-text'; width: number; height: number }
  | { pipeline: 'audio-to-text'; durationMs?: number }
  | { pipeline: 'llm'; maxTokens?: number }
  | { pipeline: 'text-to-speech'; text: string }
  | { pipeline: 'live-video-to-video'; elapsedSeconds?: number };

function positive(n: number | undefined, fallback: number): bigint {
  return BigInt(n !== undefined && n > 0 ? Math.floor(n) : fallback);
}

/** Units an AI job is paid for (fee = units × price, no multiplier). */
export function aiUnits(input: AiUnitsInput): bigint {
  switch (input.pipeline) {
    case 'text-to-image':
      return positive(input.height, 512) * positive(input.width, 512) * positive(input.numImagesPerPrompt, 1);
    case 'image-to-image':
      return BigInt(input.height) * BigInt(input.width) * positive(input.numImagesPerPrompt, 1);
    case 'image-to-video':
      return positive(input.height, 576) * positive(input.width, 1024) * 25n;
    case 'upscale':
    case 'segment-anything-2':
    case 'image-to-text':
      return BigInt(input.height) * BigInt(input.width);
    case 'audio-to-text':
      if (input.durationMs === undefined || !Number.isFinite(input.durationMs) || input.durationMs < 0) {
        throw new PricingError('INVALID_JOB_INPUT', 'Unable to calculate duration', { details: { pipeline: input.pipeline } });
      }
      return BigInt(Math.ceil(input.durationMs));
    case 'llm':
      if (input.maxTokens === undefined || input.maxTokens <= 0) {
        throw new PricingError('INVALID_JOB_INPUT', 'MaxTokens not specified', { details: { pipeline: input.pipeline, maxTokens: input.maxTokens } });
      }
      return BigInt(input.maxTokens);
    case 'text-to-speech':
      return 1000n * BigInt([...input.text].length);
    case 'live-video-to-video':
      return input.elapsedSeconds === undefined
        ? LIVE_VIDEO_FIRST_PAYMENT_UNITS
        : LIVE_VIDEO_UNITS_PER_SECOND * BigInt(Math.max(0, Math.floor(input.elapsedSeconds)));
  }
}

/* ---------- gateway max price (§5.6) ---------- */

export interface MaxPriceConfig {
  /** `-maxPricePerUnit`/`-pixelsPerUnit`; undefined or 0 = accept any. */
  global?: Price;
  /** `-maxPricePerCapability`: capability → model id (or `default`) → max price. */
  perCapability?: Readonly<Partial<Record<number, Readonly<Record<string, Price>>>>>;
}

/**
 * Max price for a request: Σ over requested (capability, model) of that model's max, else the
 * capability's `default`; if none of them is configured, the global max. undefined = no limit.
 */
export function maxPriceForRequest(config: MaxPriceConfig, requested: readonly { capability: number; modelId: string }[] = []): Price | undefined {
  let sum: Price | undefined;
  for (const { capability, modelId } of requested) {
    const byModel = config.perCapability?.[capability];
    const p = byModel?.[modelId] ?? byModel?.['default'];
    if (p !== undefined) sum = sum === undefined ? p : addPrices(sum, p);
  }
  if (sum !== undefined) return sum;
  return config.global !== undefined && config.global.num !== 0n ? config.global : undefined;
}

/** Selection filter: false when the O's price exceeds the max (a missing price is refused when a max is set). */
export function priceWithinMax(orchestratorPrice: Price | undefined, max: Price | undefined): boolean {
  if (max === undefined) return true;
  if (orchestratorPrice === undefined) return false;
  return orchestratorPrice.num * max.den <= max.num * orchestratorPrice.den;
}

/**
 * Per-payment guard (`validatePrice`): refuses when the O's current price is more than twice the
 * session's initial price. Texts are Go's.
 */
export function validatePriceNotDoubled(current: Price | undefined, initial: Price | undefined): void {
  if (current === undefined) throw new PricingError('MISSING_PRICE', 'missing orchestrator price');
  if (initial === undefined) return;
  if (current.num * initial.den > 2n * initial.num * current.den) {
    throw new PricingError(
      'PRICE_MORE_THAN_DOUBLED',
      `Orchestrator price has more than doubled, Orchestrator price: ${current.num}/${current.den}, Orchestrator initial price: ${initial.num}/${initial.den}`,
      { details: { priceNum: current.num, priceDen: current.den, initialNum: initial.num, initialDen: initial.den } },
    );
  }
}

