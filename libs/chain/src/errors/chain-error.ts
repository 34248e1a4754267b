import { LptsError, familyPredicate, registerErrorFamily } from '@lpts/protocol';

/** Stable codes of the chain error family. */
export const ChainErrorCode = {
  /** A call or transaction reverted; `details.reason` carries the revert string when there is one. */
  REVERTED: 'REVERTED',
  /** A MUST contract name resolves to the zero address in the Controller. */
  CONTRACT_NOT_REGISTERED: 'CONTRACT_NOT_REGISTERED',
  /** No receipt within the per-transaction timeout (after every allowed replacement). */
  TX_TIMEOUT: 'TX_TIMEOUT',
  /** A transaction broadcast earlier can never be mined: the node knows none of its hashes and its nonce went to another transaction. */
  TX_DROPPED: 'TX_DROPPED',
  /** The price needed (oracle or replacement bump) is above the configured maximum. */
  GAS_PRICE_ABOVE_MAX: 'GAS_PRICE_ABOVE_MAX',
  /** The node rejected the nonce (too low / already known / replacement underpriced). */
  NONCE_CONFLICT: 'NONCE_CONFLICT',
  /** Every configured RPC endpoint failed or is cooling down. */
  ALL_ENDPOINTS_DOWN: 'ALL_ENDPOINTS_DOWN',
  /** The endpoint answered a JSON-RPC error that is not a revert (bad params, unsupported method…). */
  RPC_ERROR: 'RPC_ERROR',
  /** The connected chain id is not the one the address book names. */
  WRONG_CHAIN: 'WRONG_CHAIN',
  /** An address book file is malformed. */
  INVALID_ADDRESS_BOOK: 'INVALID_ADDRESS_BOOK',
  /** The gas oracle has no usable reading. */
  NO_GAS_PRICE: 'NO_GAS_PRICE',
} as const;
export type ChainErrorCode = (typeof ChainErrorCode)[keyof typeof ChainErrorCode];

export class ChainError extends LptsError<ChainErrorCode> {}
registerErrorFamily(ChainError);

export const isChainError = familyPredicate(ChainError);
