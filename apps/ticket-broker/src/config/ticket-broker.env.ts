import { envAddress, envPositiveInt, envWei, logEnv, natsEnv, opsEnv, redisEnv, serviceEnv, telemetryEnv } from '@lpts/platform';
import { z } from 'zod';

/** The broker's environment (README "Configuration"). */
export const ticketBrokerEnv = z
  .object({
    ...natsEnv,
    ...opsEnv,
    ...logEnv,
    ...telemetryEnv,
    ...serviceEnv,
    ...redisEnv,
    OPS_PORT: opsEnv.OPS_PORT.default(9471),
    /** recipient = the orchestrator operator's broker, sender = the gateway operator's, both = one process for both. */
    BROKER_MODE: z.enum(['recipient', 'sender', 'both']).default('recipient'),
    /** Recipient: the O's ETH address; tickets must name it. */
    BROKER_RECIPIENT_ADDRESS: envAddress.optional(),
    /** Recipient: further addresses tickets may name (`-ethOrchAddr`), comma separated. */
    BROKER_EXTRA_RECIPIENT_ADDRESSES: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))
      .pipe(z.array(envAddress)),
    /** Recipient: desired ticket EV in wei (§5.4). */
    BROKER_TICKET_EV: envWei.default(8_000_000_000n),
    /** Recipient: gas to redeem one ticket (1,200,000 on Arbitrum, 350,000 on L1). */
    BROKER_REDEEM_GAS: envWei.default(1_200_000n),
    /** Recipient: `-maxFaceValue` in wei; 0 = off. */
    BROKER_MAX_FACE_VALUE: envWei.default(0n),
    /** Recipient: gas price used when the chain state carries none. */
    BROKER_GAS_PRICE_WEI: envWei.optional(),
    /** Recipient: most nonces per recipientRand (§6.7 6h). */
    BROKER_MAX_NONCES: envPositiveInt.default(600),
    /** Recipient: real-time TTL backstop of a nonce set (the block-based prune is the normal path). */
    BROKER_NONCE_TTL_S: envPositiveInt.default(3600),
    /** Recipient: how long a Redis write (nonces, balances, the winner queue) may take before the payment is refused as retryable. */
    BROKER_REDIS_TIMEOUT_MS: envPositiveInt.default(2000),
    /** Sender: encrypted JSON keystore of the ETH key. */
    BROKER_KEYSTORE_FILE: z.string().min(1).optional(),
    /** Sender: file holding the keystore password. */
    BROKER_KEYSTORE_PASSWORD_FILE: z.string().min(1).optional(),
    /** Sender: `-maxTicketEV` in envWei. */
    BROKER_MAX_TICKET_EV: envWei.default(3_000_000_000_000n),
    /** Sender: `-maxTotalEV` in envWei. */
    BROKER_MAX_TOTAL_EV: envWei.default(20_000_000_000_000n),
    /** Sender: `-depositMultiplier`. */
    BROKER_DEPOSIT_MULTIPLIER: envWei.default(1n).refine((v) => v > 0n, 'must be > 0'),
  })
  .superRefine((c, ctx) => {
    const recipient = c.BROKER_MODE !== 'sender';
    const sender = c.BROKER_MODE !== 'recipient';
    if (recipient && c.BROKER_RECIPIENT_ADDRESS === undefined) {
      ctx.addIssue({ code: 'custom', path: ['BROKER_RECIPIENT_ADDRESS'], message: `required when BROKER_MODE=${c.BROKER_MODE}` });
    }
    if (sender) {
      for (const key of ['BROKER_KEYSTORE_FILE', 'BROKER_KEYSTORE_PASSWORD_FILE'] as const) {
        if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required when BROKER_MODE=${c.BROKER_MODE}` });
      }
    }
  });

export type TicketBrokerConfig = z.output<typeof ticketBrokerEnv>;

export function hasRecipient(c: TicketBrokerConfig): boolean {
  return c.BROKER_MODE !== 'sender';
}
export function hasSender(c: TicketBrokerConfig): boolean {
  return c.BROKER_MODE !== 'recipient';
}

/** The only place the broker reads process.env. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
