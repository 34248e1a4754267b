import { envAddress, envBigInt, envBool, envJson, envPort, envPositiveInt, envWei, logEnv, natsEnv, opsEnv, redisEnv, serviceEnv, telemetryEnv } from '@lpts/platform';
import { z } from 'zod';

const zPriceJson = z.object({ pricePerUnit: z.union([z.string(), z.number()]).transform(String).pipe(envBigInt), pixelsPerUnit: z.union([z.string(), z.number()]).default('1').transform(String).pipe(envBigInt) });

/**
 * `ORCH_PRICE_PER_GATEWAY`: `{"0xGateway": {"pricePerUnit": "1", "pixelsPerUnit": "1"}, ...}` (also accepts
 * go-livepeer's `{"prices":[{"ethaddress":"0x..","priceperunit":1,"pixelsperunit":1}]}` shape).
 */
const zPerGateway = z.union([
  z.record(envAddress, zPriceJson),
  z
    .object({ prices: z.array(z.object({ ethaddress: envAddress, priceperunit: z.union([z.string(), z.number()]), pixelsperunit: z.union([z.string(), z.number()]).default(1) })) })
    .transform((v) =>
      Object.fromEntries(v.prices.map((p) => [p.ethaddress, { pricePerUnit: BigInt(String(p.priceperunit)), pixelsPerUnit: BigInt(String(p.pixelsperunit)) }])),
    ),
]);

/**
 * `ORCH_PRICE_PER_CAPABILITY`: `[{"capability": 27, "modelId": "default", "pricePerUnit": "5", "pixelsPerUnit": "1", "gateway": "0x.."?}]`.
 */
const zPerCapability = z.array(
  z.object({
    capability: z.number().int().nonnegative(),
    modelId: z.string().min(1).default('default'),
    pricePerUnit: z.union([z.string(), z.number()]).transform(String).pipe(envBigInt),
    pixelsPerUnit: z.union([z.string(), z.number()]).default('1').transform(String).pipe(envBigInt),
    gateway: envAddress.optional(),
  }),
);

/** The orchestrator's environment (README "Configuration"). */
export const orchestratorEnv = z
  .object({
    ...natsEnv,
    ...opsEnv,
    ...logEnv,
    ...telemetryEnv,
    ...serviceEnv,
    ...redisEnv,
    OPS_PORT: opsEnv.OPS_PORT.default(9472),
    /** The O's ETH address: ticket recipient and the signer of results. */
    ORCH_ADDRESS: envAddress,
    /** Encrypted JSON keystore of ORCH_ADDRESS (decrypted once at start). */
    ORCH_KEYSTORE_FILE: z.string().min(1),
    ORCH_KEYSTORE_PASSWORD_FILE: z.string().min(1),
    /** Advertised service URI (`https://host:port`), OrchestratorInfo.transcoder. */
    ORCH_SERVICE_URI: z.string().url().refine((u) => u.startsWith('https://'), 'must be an https:// URI'),
    ORCH_WIRE_HOST: z.string().min(1).default('0.0.0.0'),
    /** Public wire port (gRPC + HTTPS); 0 = a free port (tests). */
    ORCH_WIRE_PORT: envPort.default(8935),
    /** PEM certificate/key; unset = a self-signed ECDSA P-256 certificate made at start (SAN = service host). */
    ORCH_TLS_CERT_FILE: z.string().min(1).optional(),
    ORCH_TLS_KEY_FILE: z.string().min(1).optional(),
    /** Base transcoding price: wei per ORCH_PIXELS_PER_UNIT pixels. */
    ORCH_PRICE_PER_UNIT: envBigInt.default(0n),
    ORCH_PIXELS_PER_UNIT: envBigInt.refine((v) => v > 0n, 'pixels per unit is 0').default(1n),
    ORCH_PRICE_PER_GATEWAY: envJson(zPerGateway).optional(),
    ORCH_PRICE_PER_CAPABILITY: envJson(zPerCapability).optional(),
    /** `-autoAdjustPrice`: add the ticket redemption overhead (1 + txCost/faceValue) to quotes. */
    ORCH_AUTO_ADJUST_PRICE: envBool.default(true),
    /** Gas of one ticket redemption (txCost = this × chain-state gas price). */
    ORCH_REDEEM_GAS: envWei.default(1_200_000n),
    /** Open transcode sessions at most (`OrchestratorCapped` beyond). */
    ORCH_MAX_SESSIONS: envPositiveInt.default(10),
    /** Segments waiting per session at most (`OrchestratorBusy` beyond). */
    ORCH_SESSION_QUEUE_DEPTH: envPositiveInt.default(4),
    /** A session without segments for this long is closed (Go: 70 s). */
    ORCH_SESSION_IDLE_MS: envPositiveInt.default(70_000),
    /** Largest /segment body in bytes (300 s × 8 Mbit/s). */
    ORCH_MAX_BODY_BYTES: envPositiveInt.default(300_000_000),
    /** Ticket EV (wei): a priced session must hold at least this much credit before work starts. */
    ORCH_TICKET_EV: envWei.default(8_000_000_000n),
    /** Ask settlement to set the on-chain service URI at start when it differs. */
    ORCH_REGISTER_SERVICE_URI: envBool.default(false),
    /** Advertised node version (gateways check `-orchMinLivepeerVersion` against it). */
    ORCH_VERSION: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a semver such as 0.9.1').default('0.9.1'),
    /** Where segments are transcoded: `workers` (WorkerRegistry + Dispatcher over NATS) or `local` (in-process ffmpeg). */
    ORCH_TRANSCODER: z.enum(['workers', 'local']).default('workers'),
    /** `local` transcoder: concurrent segments (advertised capacity). */
    ORCH_LOCAL_CAPACITY: envPositiveInt.default(2),
    /** Rendition store (GET /stream/...): total bytes kept and time to live. */
    ORCH_STORE_MAX_BYTES: envPositiveInt.default(512 * 1024 * 1024),
    ORCH_STORE_TTL_MS: envPositiveInt.default(120_000),
  })
  .superRefine((c, ctx) => {
    if ((c.ORCH_TLS_CERT_FILE === undefined) !== (c.ORCH_TLS_KEY_FILE === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ORCH_TLS_CERT_FILE'], message: 'set ORCH_TLS_CERT_FILE and ORCH_TLS_KEY_FILE together' });
    }
  });

export type OrchestratorConfig = z.output<typeof orchestratorEnv>;

/** The only place the orchestrator reads process.env. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
