/**
 * NATS API of the payment services (docs/nats-api.md). Big integers are decimal strings, byte
 * strings 0x-hex, exact wei amounts rationals {num, den} (ticket EV is a fraction of a wei).
 * Wire-protocol objects that the edge passes through unchanged travel as base64 protobuf.
 */
import { z } from 'zod';
import { ServicePing } from './messages';
import { defineCommand, defineEvent, zAddress, zDecimal, zHex } from './registry';

export const zBase64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected standard base64');
export const zSignedDecimal = z.string().regex(/^-?\d+$/, 'expected a decimal integer string');
/** An exact amount of wei: num/den, den > 0; num may be negative for balances. */
export const zRational = z.object({ num: zSignedDecimal, den: zDecimal.refine((d) => d !== '0', 'den must not be 0') });
export const zHash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hash');
export const zPrice = z.object({ pricePerUnit: zDecimal, pixelsPerUnit: zDecimal });
/** A typed error carried inside a reply (when the reply also carries partial results). */
export const zSerializedError = z.object({
  family: z.string(),
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

export const zExpirationParams = z.object({ creationRound: zDecimal, creationRoundBlockHash: zHash32 });
export const zTicketParams = z.object({
  recipient: zAddress,
  faceValue: zDecimal,
  winProb: zDecimal,
  recipientRandHash: zHash32,
  seed: zHex,
  expirationBlock: zDecimal,
  expirationParams: zExpirationParams,
});

/** A winning ticket with everything redemption needs; its hash is the queue job id. */
export const zWinningTicket = z.object({
  ticketHash: zHash32,
  recipient: zAddress,
  sender: zAddress,
  faceValue: zDecimal,
  winProb: zDecimal,
  senderNonce: zDecimal,
  recipientRandHash: zHash32,
  creationRound: zDecimal,
  creationRoundBlockHash: zHash32,
  paramsExpirationBlock: zDecimal,
  sig: zHex,
  recipientRand: zDecimal,
});
export type WinningTicketJson = z.output<typeof zWinningTicket>;

/** Recipient side: the orchestrator operator's broker. */
export const RecipientBrokerCommands = {
  /** Fresh TicketParams for a sender at a quoted price (§6.4); TicketError INSUFFICIENT_RESERVE etc. */
  quoteParams: defineCommand({
    domain: 'broker',
    entity: 'params',
    action: 'quote',
    request: z.object({ sender: zAddress, price: zPrice }),
    reply: z.object({ ticketParams: zTicketParams }),
  }),
  /** Validates a Livepeer-Payment header value and credits the session (§6.7); winners are queued durably first. */
  receivePayment: defineCommand({
    domain: 'broker',
    entity: 'payment',
    action: 'receive',
    request: z.object({ payment: zBase64, session: z.string().min(1).max(128) }),
    reply: z.object({
      sender: zAddress.nullable(),
      credited: zRational,
      creditedTickets: z.number().int().nonnegative(),
      winners: z.number().int().nonnegative(),
      balance: zRational,
      /** Present when a ticket failed: Livepeer's text in message; fatal = nothing credited. */
      error: zSerializedError.optional(),
    }),
  }),
  debit: defineCommand({
    domain: 'broker',
    entity: 'balance',
    action: 'debit',
    request: z.object({ sender: zAddress, session: z.string().min(1).max(128), amount: zRational }),
    reply: z.object({ balance: zRational }),
  }),
  balance: defineCommand({
    domain: 'broker',
    entity: 'balance',
    action: 'get',
    request: z.object({ sender: zAddress, session: z.string().min(1).max(128) }),
    reply: z.object({ balance: zRational }),
  }),
  maxFloat: defineCommand({
    domain: 'broker',
    entity: 'float',
    action: 'get',
    request: z.object({ sender: zAddress }),
    reply: z.object({ maxFloat: zSignedDecimal, reserveAlloc: zSignedDecimal, pendingAmount: zDecimal, deposit: zDecimal }),
  }),
} as const;

/** Sender side: the gateway operator's broker (holds the ETH key). */
export const SenderBrokerCommands = {
  /** Tickets covering a fee estimate for one orchestrator session (§6.5–6.6). */
  createPayment: defineCommand({
    domain: 'broker',
    entity: 'payment',
    action: 'create',
    request: z.object({
      /** base64 net.OrchestratorInfo as last received from the orchestrator. */
      orchestratorInfo: zBase64,
      /** Balance key: the orchestrator's auth-token session id. */
      session: z.string().min(1).max(128),
      feeEstimate: zRational,
    }),
    reply: z.object({
      /** base64 net.Payment, ready for the Livepeer-Payment header. */
      payment: zBase64,
      numTickets: z.number().int().nonnegative(),
      ev: zRational,
      /** Credit staged for this request (existing + new); pass it back to settle. */
      staged: zRational,
    }),
  }),
  /** Books the result of a request (§6.6): debit for work received, or put staged credit back. */
  settle: defineCommand({
    domain: 'broker',
    entity: 'balance',
    action: 'settle',
    request: z.object({
      recipient: zAddress,
      session: z.string().min(1).max(128),
      staged: zRational,
      outcome: z.enum(['completed', 'not-sent', 'lost']),
      debit: zRational,
    }),
    reply: z.object({ balance: zRational }),
  }),
  runway: defineCommand({
    domain: 'broker',
    entity: 'runway',
    action: 'get',
    request: z.object({ pricePerPixel: zRational.optional(), pixelsPerSecond: zDecimal.optional() }),
    reply: z.object({
      sender: zAddress,
      deposit: zDecimal,
      reserve: zDecimal,
      withdrawRound: zDecimal,
      activePoolSize: z.number().int().nonnegative(),
      perOrchestratorAllocation: zDecimal,
      /** Minutes of work left at the given price and rate (null when no price was given). */
      minutesLeft: z.number().nullable(),
    }),
  }),
} as const;

/** Chain state published by settlement (events + the KV view). */
export const zChainState = z.object({
  chainId: z.number().int(),
  blockNumber: zDecimal,
  l1BlockNumber: zDecimal,
  blockHash: zHash32,
  currentRound: zDecimal,
  lastInitializedRound: zDecimal,
  currentRoundInitialized: z.boolean(),
  currentRoundLocked: z.boolean(),
  currentRoundStartBlock: zDecimal,
  roundLength: zDecimal,
  /** Block hash of lastInitializedRound (zero-hash fallback already applied, §6.4). */
  expirationParams: zExpirationParams,
  activePoolSize: z.number().int().nonnegative(),
  /** Gas price (wei) settlement's oracle offers now, when it has a reading. */
  gasPrice: zDecimal.optional(),
  updatedAt: z.number().int(),
});
export type ChainStateJson = z.output<typeof zChainState>;

export const zSenderState = z.object({
  sender: zAddress,
  deposit: zDecimal,
  withdrawRound: zDecimal,
  reserve: z.object({ fundsRemaining: zDecimal, claimedInCurrentRound: zDecimal }),
  /** Reserve this operator's recipient claimed from the sender in the current round (recipient side only). */
  claimedReserve: zDecimal.optional(),
  /** Σ face values of this sender's tickets being redeemed by this operator now (recipient side only). */
  pendingAmount: zDecimal.optional(),
  updatedAt: z.number().int(),
});
export type SenderStateJson = z.output<typeof zSenderState>;

/** An orchestrator's activity as settlement sees it (KV key `transcoder.<lower-case address>`). */
export const zTranscoderState = z.object({
  address: zAddress,
  registered: z.boolean(),
  active: z.boolean(),
  activationRound: zDecimal,
  deactivationRound: zDecimal,
  stake: zDecimal,
  serviceUri: z.string(),
  updatedAt: z.number().int(),
});
export type TranscoderStateJson = z.output<typeof zTranscoderState>;

/** Keys of the chain-state KV bucket (bucket name: chainStateBucket(prefix)). */
export const ChainStateKeys = {
  latest: 'latest',
  sender: (address: string) => `sender.${address.toLowerCase()}`,
  transcoder: (address: string) => `transcoder.${address.toLowerCase()}`,
} as const;

const zTxReply = z.object({ txHash: zHash32, blockNumber: zDecimal });

export const SettlementEvents = {
  block: defineEvent({ domain: 'settlement', entity: 'block', action: 'new', payload: zChainState }),
  round: defineEvent({ domain: 'settlement', entity: 'round', action: 'initialized', payload: z.object({ round: zDecimal, blockHash: zHash32 }) }),
  sender: defineEvent({ domain: 'settlement', entity: 'sender', action: 'changed', payload: zSenderState }),
  redemption: defineEvent({
    domain: 'settlement',
    entity: 'ticket',
    action: 'state',
    payload: z.object({ ticketHash: zHash32, state: z.string(), reason: z.string().optional(), txHash: zHash32.optional() }),
  }),
} as const;

export const SettlementCommands = {
  ping: defineCommand({ domain: 'settlement', entity: 'service', action: 'ping', ...ServicePing }),
  state: defineCommand({ domain: 'settlement', entity: 'state', action: 'get', request: z.object({}), reply: zChainState }),
  sender: defineCommand({ domain: 'settlement', entity: 'sender', action: 'get', request: z.object({ sender: zAddress }), reply: zSenderState }),
  fund: defineCommand({ domain: 'settlement', entity: 'funds', action: 'deposit', request: z.object({ deposit: zDecimal, reserve: zDecimal }), reply: zTxReply }),
  unlock: defineCommand({ domain: 'settlement', entity: 'funds', action: 'unlock', request: z.object({}), reply: zTxReply }),
  cancelUnlock: defineCommand({ domain: 'settlement', entity: 'funds', action: 'cancel-unlock', request: z.object({}), reply: zTxReply }),
  withdraw: defineCommand({ domain: 'settlement', entity: 'funds', action: 'withdraw', request: z.object({}), reply: zTxReply }),
  bond: defineCommand({ domain: 'settlement', entity: 'stake', action: 'bond', request: z.object({ amount: zDecimal, to: zAddress.optional() }), reply: zTxReply }),
  setTranscoder: defineCommand({
    domain: 'settlement',
    entity: 'transcoder',
    action: 'set',
    request: z.object({ rewardCut: zDecimal, feeShare: zDecimal }),
    reply: zTxReply,
  }),
  setServiceUri: defineCommand({ domain: 'settlement', entity: 'service-uri', action: 'set', request: z.object({ uri: z.string().url() }), reply: zTxReply }),
  reward: defineCommand({ domain: 'settlement', entity: 'reward', action: 'call', request: z.object({}), reply: zTxReply }),
  initializeRound: defineCommand({ domain: 'settlement', entity: 'round', action: 'initialize', request: z.object({}), reply: zTxReply }),
  redemptions: defineCommand({
    domain: 'settlement',
    entity: 'ticket',
    action: 'list',
    request: z.object({ state: z.string().optional(), limit: z.number().int().positive().max(1000).default(100) }),
    reply: z.object({
      tickets: z.array(
        z.object({ ticketHash: zHash32, state: z.string(), faceValue: zDecimal, reason: z.string().nullable(), txHash: zHash32.nullable(), updatedAt: z.number() }),
      ),
    }),
  }),
} as const;

/** bullmq queue carrying winning tickets from recipient brokers to settlement (job id = ticket hash). */
export function redemptionQueueName(prefix: string): string {
  return `${prefix.replace(/\./g, '-')}-redemptions`;
}
/** NATS KV bucket holding settlement's latest chain view (keys: ChainStateKeys). */
export function chainStateBucket(prefix: string): string {
  return `${prefix.replace(/\./g, '_')}_chain_state`;
}
