import {
  envAddress,
  envBigInt,
  envBool,
  envJson,
  envNonNegativeInt,
  envPort,
  envPositiveInt,
  logEnv,
  natsEnv,
  opsEnv,
  redisEnv,
  serviceEnv,
  telemetryEnv,
} from '@lpts/platform';
import { DEFAULT_TRANSCODING_PROFILES } from '@lpts/protocol';
import { z } from 'zod';

const commaList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );

/** `-maxPricePerCapability` JSON (PROTOCOL.md §5.6). */
const capabilityPrices = z.object({
  capabilities_prices: z.array(
    z.object({
      pipeline: z.string().min(1),
      model_id: z.string().min(1).default('default'),
      price_per_unit: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]),
      pixels_per_unit: z.union([z.number().int().positive(), z.string().regex(/^[1-9]\d*$/)]).default(1),
      currency: z.string().optional(),
    }),
  ),
});

/** Selection weights: stake, price, latency, success (any non-negative numbers; normalised at use). */
const weights = z
  .string()
  .regex(/^\s*[\d.]+\s*(,\s*[\d.]+\s*){3}$/, 'four comma-separated numbers: stake,price,latency,success')
  .transform((v) => {
    const [stake, price, latency, success] = v.split(',').map((s) => Number(s.trim())) as [number, number, number, number];
    return { stake, price, latency, success };
  });

/** The gateway's environment (README "Configuration"). */
export const gatewayEnv = z
  .object({
    ...natsEnv,
    ...opsEnv,
    ...logEnv,
    ...telemetryEnv,
    ...serviceEnv,
    OPS_PORT: opsEnv.OPS_PORT.default(9476),
    /** Redis of the VOD job queue (bullmq); unset = no VOD API (live ingest needs no Redis). */
    REDIS_URL: redisEnv.REDIS_URL.removeDefault().optional(),
    /** bullmq key prefix (trailing colon dropped); the queue is `<NATS_SUBJECT_PREFIX>-vod`, so gateways of several deployments can share a Redis. */
    REDIS_KEY_PREFIX: redisEnv.REDIS_KEY_PREFIX,
    /** Public client API (segment push, HLS playback, /openapi.json). */
    GATEWAY_HTTP_PORT: envPort.default(9935),
    GATEWAY_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    /** The gateway operator's ETH address (OrchestratorRequest.address, Payment.sender). */
    GATEWAY_ADDRESS: envAddress.optional(),
    /** Encrypted JSON keystore of that address (signs OrchestratorRequest.sig and SegData.sig). */
    GATEWAY_KEYSTORE_FILE: z.string().min(1).optional(),
    GATEWAY_KEYSTORE_PASSWORD_FILE: z.string().min(1).optional(),
    /** No payments and no signatures (interop with offchain orchestrators, as Go without an ETH account). */
    GATEWAY_OFFCHAIN: envBool.default(false),
    /** Where the registry comes from. */
    GATEWAY_DISCOVERY: z.enum(['static', 'webhook', 'chain']).default('static'),
    /** Static list: comma-separated `host:port` or `https://host:port` (default port 8935, https). */
    GATEWAY_ORCH_ADDRS: commaList,
    /** Webhook answering `[{"address":"https://…","score":…}]`. */
    GATEWAY_ORCH_WEBHOOK_URL: z.string().url().optional(),
    /** Registry refresh period (GetOrchestrator to every entry). */
    GATEWAY_DISCOVERY_REFRESH_S: envPositiveInt.default(300),
    /** Per-orchestrator GetOrchestrator deadline (dial + call) during discovery. */
    GATEWAY_DISCOVERY_TIMEOUT_MS: envPositiveInt.default(3000),
    /** Most GetOrchestrator calls in flight during one refresh. */
    GATEWAY_DISCOVERY_CONCURRENCY: envPositiveInt.default(32),
    /** Orchestrator addresses (ETH) or service URIs never used, comma separated. */
    GATEWAY_ORCH_BLOCKLIST: commaList,
    /** `-maxPricePerUnit`/`-pixelsPerUnit`: max wei per pixel = MAX_PRICE_PER_UNIT / PIXELS_PER_UNIT (0 = any). */
    GATEWAY_MAX_PRICE_PER_UNIT: envBigInt.default(0n),
    GATEWAY_PIXELS_PER_UNIT: envBigInt.refine((v) => v > 0n, 'must be > 0').default(1n),
    /** `-maxPricePerCapability` JSON. */
    GATEWAY_MAX_PRICE_PER_CAPABILITY: envJson(capabilityPrices).optional(),
    /** `-ignoreMaxPriceIfNeeded`. */
    GATEWAY_IGNORE_MAX_PRICE_IF_NEEDED: envBool.default(false),
    /** Transcoding ladder (lpms preset names). */
    GATEWAY_TRANSCODING_PROFILES: z.string().min(1).default(DEFAULT_TRANSCODING_PROFILES),
    /** Orchestrators tried per segment (`-maxAttempts`). */
    GATEWAY_MAX_ATTEMPTS: envPositiveInt.default(3),
    /** Selection weights stake,price,latency,success. */
    GATEWAY_SELECTION_WEIGHTS: weights.default({ stake: 0.3, price: 0.2, latency: 0.3, success: 0.2 }),
    /** Share of decisions that pick a random eligible orchestrator (exploration). */
    GATEWAY_EXPLORATION_SHARE: z.coerce.number().min(0).max(1).default(0.1),
    /** Price scale for the price score e^(−price/factor), price in wei per pixel (Go's exp factor). */
    GATEWAY_PRICE_EXP_FACTOR: z.coerce.number().positive().default(100),
    /** Swap a stream's orchestrator when its last segment took longer than this × segment duration. */
    GATEWAY_SWAP_LATENCY_RATIO: z.coerce.number().positive().default(1),
    /** `/segment` timeouts (§2.2): whole call max(min, mult × duration), upload max(min, mult × duration). */
    GATEWAY_SEGMENT_TIMEOUT_MIN_MS: envPositiveInt.default(8000),
    GATEWAY_SEGMENT_UPLOAD_TIMEOUT_MIN_MS: envPositiveInt.default(2000),
    GATEWAY_TIMEOUT_MULTIPLIER: z.coerce.number().min(1).default(1),
    /** TLS/TCP dial timeout towards orchestrators (HTTP dial 2 s in Go). */
    GATEWAY_DIAL_TIMEOUT_MS: envPositiveInt.default(2000),
    /** Decode every rendition and compare its pixels with the O's claim. */
    GATEWAY_VERIFY_PIXELS: envBool.default(true),
    /** Largest segment accepted on push. */
    GATEWAY_MAX_SEGMENT_BYTES: envPositiveInt.default(64 * 1024 * 1024),
    /** Renditions kept in memory: total byte budget and segments per stream (playlist window). */
    GATEWAY_STORAGE_MAX_BYTES: envPositiveInt.default(512 * 1024 * 1024),
    GATEWAY_STORAGE_WINDOW_SEGMENTS: envPositiveInt.default(300),
    /** VOD jobs: largest input (upload or download), segment length, finished jobs kept in Redis (each of completed and failed). */
    GATEWAY_VOD_MAX_INPUT_BYTES: envPositiveInt.default(1024 * 1024 * 1024),
    GATEWAY_VOD_SEGMENT_S: envPositiveInt.default(2),
    GATEWAY_VOD_MAX_JOBS: envPositiveInt.default(100),
    /** Uploaded VOD inputs (until their job ends) and completed outputs (until deleted or past GATEWAY_VOD_KEEP_S); share it between gateways that share the queue. */
    GATEWAY_VOD_DIR: z.string().min(1).default('./.lpts/vod'),
    /** A completed VOD job's output and record are removed this long after it finished (0 = kept until DELETE). */
    GATEWAY_VOD_KEEP_S: envNonNegativeInt.default(7 * 24 * 3600),
    /** Deadline of a VOD input download, and of ffmpeg cutting one input. */
    GATEWAY_VOD_DOWNLOAD_TIMEOUT_MS: envPositiveInt.default(300_000),
    GATEWAY_VOD_FFMPEG_TIMEOUT_MS: envPositiveInt.default(600_000),
    /** VOD jobs this gateway processes at once; 0 = it only accepts jobs (others sharing the Redis process them). */
    GATEWAY_VOD_CONCURRENCY: envNonNegativeInt.default(2),
    /** Streams without a push for this long are dropped. */
    GATEWAY_STREAM_IDLE_S: envPositiveInt.default(600),
    /** Chain discovery: stake below this (wei) is ignored. */
    GATEWAY_MIN_STAKE: envBigInt.default(0n),
    /** Suspension penalties per failure kind (ms). */
    GATEWAY_PENALTY_NETWORK_MS: envNonNegativeInt.default(30_000),
    GATEWAY_PENALTY_TIMEOUT_MS: envNonNegativeInt.default(15_000),
    GATEWAY_PENALTY_CAPACITY_MS: envNonNegativeInt.default(5_000),
    GATEWAY_PENALTY_PAYMENT_MS: envNonNegativeInt.default(10_000),
    GATEWAY_PENALTY_VERIFICATION_MS: envNonNegativeInt.default(120_000),
    GATEWAY_PENALTY_TRANSCODE_MS: envNonNegativeInt.default(3_000),
  })
  .superRefine((c, ctx) => {
    if (!c.GATEWAY_OFFCHAIN) {
      for (const key of ['GATEWAY_ADDRESS', 'GATEWAY_KEYSTORE_FILE', 'GATEWAY_KEYSTORE_PASSWORD_FILE'] as const) {
        if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required unless GATEWAY_OFFCHAIN=true' });
      }
    }
    if (c.GATEWAY_DISCOVERY === 'webhook' && c.GATEWAY_ORCH_WEBHOOK_URL === undefined) {
      ctx.addIssue({ code: 'custom', path: ['GATEWAY_ORCH_WEBHOOK_URL'], message: 'required when GATEWAY_DISCOVERY=webhook' });
    }
  });

export type GatewayConfig = z.output<typeof gatewayEnv>;

/** The only place the gateway reads process.env. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
