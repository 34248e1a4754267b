import { chainEnv, envBigInt, envBool, envMs, logEnv, natsEnv, opsEnv, redisEnv, serviceEnv, telemetryEnv } from '@lpts/platform';
import { z } from 'zod';

/** The settlement service's environment (apps/settlement/README.md lists every key). */
export const settlementEnv = z
  .object({
    ...natsEnv,
    ...opsEnv,
    ...logEnv,
    ...telemetryEnv,
    ...serviceEnv,
    ...redisEnv,
    ...chainEnv,
    OPS_PORT: opsEnv.OPS_PORT.default(9473),
    /** Encrypted JSON keystore (geth/ethers v3) of the operator's account; decrypted once at startup. */
    SETTLEMENT_KEYSTORE_FILE: z.string().min(1),
    /** File holding the keystore password (trailing newline ignored). */
    SETTLEMENT_KEYSTORE_PASSWORD_FILE: z.string().min(1),
    /** orchestrator: watch the own address as transcoder/recipient and redeem; gateway: watch the own sender account. */
    SETTLEMENT_ROLE: z.enum(['orchestrator', 'gateway']).default('orchestrator'),
    /** pglite://<dir> (embedded, default), pglite://memory or postgres://user[:password]@host:port/db (created if missing). */
    LEDGER_URL: z
      .string()
      .regex(/^(pglite:\/\/.+|postgres(ql)?:\/\/.+)$/, 'pglite://<dir>, pglite://memory or postgres://…')
      .default('pglite://./.lpts/settlement-ledger'),
    SETTLEMENT_INIT_ROUNDS: envBool.default(false),
    /** Round initialisation waits a random 0..N blocks into the round (spreads the race between operators). */
    SETTLEMENT_INIT_ROUNDS_MAX_DELAY_BLOCKS: z.coerce.number().int().nonnegative().max(10_000).default(5),
    /** Call reward once per round while active (default: true for orchestrators, false for gateways). */
    SETTLEMENT_REWARD: envBool.optional(),
    /** Never offer more than this gas price (wei). */
    SETTLEMENT_MAX_GAS_PRICE: envBigInt.default(100_000_000_000n),
    /** Block polling interval. */
    SETTLEMENT_POLL_INTERVAL_MS: envMs(1_000),
    /** Tickets redeemed in parallel (each is its own transaction; nonces are serialised by the tx manager). */
    SETTLEMENT_REDEEM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** bullmq lock of an active redemption job; a crashed worker's job is taken over after it lapses. */
    SETTLEMENT_JOB_LOCK_MS: envMs(30_000),
    /** How often bullmq looks for stalled jobs (a crashed worker's). */
    SETTLEMENT_STALLED_INTERVAL_MS: envMs(30_000),
    /** Per-transaction timeout of the tx manager. */
    SETTLEMENT_TX_TIMEOUT_MS: envMs(180_000),
    /** Wait this long for a receipt before re-sending at a higher price. */
    SETTLEMENT_TX_REPLACE_AFTER_MS: envMs(30_000),
  })
  .refine((c) => c.ETH_ADDRESS_BOOK !== undefined || c.ETH_CONTROLLER_ADDRESS !== undefined, {
    message: 'set ETH_ADDRESS_BOOK or ETH_CONTROLLER_ADDRESS',
    path: ['ETH_ADDRESS_BOOK'],
  });

export type SettlementConfig = z.output<typeof settlementEnv>;

/** The only place settlement reads process.env. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
