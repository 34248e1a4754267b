import { accountKey, type TicketSigner } from '@lpts/pm';
import type { Redis } from 'ioredis';
import type { TicketBrokerConfig } from '../config/ticket-broker.env';
import { RedisBalances } from '../state/redis-balances';
import { SenderSessions } from '../state/sender-sessions';
import { SessionPrices } from '../state/session-prices';

/** The sender side's key and its state in Redis (shared by every sender broker of that key), built once at start. */
export interface SenderDeps {
  readonly signer: TicketSigner;
  /** Credit per (recipient, O session) (§6.6). */
  readonly balances: RedisBalances;
  /** Nonce counters per PM session and initial prices per (recipient, O session). */
  readonly sessions: SenderSessions;
}

/** Keys: `<REDIS_KEY_PREFIX>broker:sender:<address>:` + `nonce:<recipientRandHash>`, `session-price:<recipient>:<session>`, `balance:…`. */
export function createSenderDeps(redis: Redis, config: TicketBrokerConfig, signer: TicketSigner): SenderDeps {
  const prefix = `${config.REDIS_KEY_PREFIX}broker:sender:${accountKey(signer.address)}:`;
  return {
    signer,
    balances: new RedisBalances(redis, { prefix }),
    sessions: new SenderSessions(redis, { prefix, prices: new SessionPrices(redis, prefix) }),
  };
}
