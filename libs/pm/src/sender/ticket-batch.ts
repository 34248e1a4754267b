import { addressFromPrivateKey, personalSign, toHex } from '@lpts/protocol';
import type { TicketParams } from '../ticket/ticket-params';
import { TicketPreimage, hasEmptyAuxData, isZeroBytes, type TicketExpirationParams } from '../ticket/ticket';
import { TicketErrorCode, ticketError } from '../ticket/ticket.errors';
import { DEFAULT_SENDER_CONFIG, validateTicketParams, type SenderConfig, type SenderView } from './validate-ticket-params';

const MAX_UINT32 = 0xffffffff;

/** PM session id = hex of recipientRandHash, 0x-prefixed lower case (Go's Hash.Hex()). */
export function pmSessionId(recipientRandHash: Uint8Array): string {
  return toHex(recipientRandHash);
}

/**
 * One PM session on the sender: one set of TicketParams and a nonce counter that starts at 0 and is
 * pre-incremented (the first ticket has nonce 1). New params (every OrchestratorInfo update) start a
 * new session (§6.5).
 */
export class PmSession {
  readonly id: string;
  #nonce = 0;

  constructor(readonly params: TicketParams) {
    this.id = pmSessionId(params.recipientRandHash);
  }

  get lastNonce(): number {
    return this.#nonce;
  }

  /** Reserves `count` consecutive nonces and returns the first. */
  takeNonces(count: number): number {
    if (this.#nonce + count > MAX_UINT32) {
      throw ticketError(TicketErrorCode.NONCE_OVERFLOW, 'ticket senderNonce would overflow uint32', {
        lastNonce: this.#nonce,
        requested: count,
        session: this.id,
      });
    }
    const first = this.#nonce + 1;
    this.#nonce += count;
    return first;
  }
}

/** The sender's signing key (raw 32-byte secp256k1 private key) and its address. */
export interface TicketSigner {
  readonly privateKey: Uint8Array;
  /** 20 bytes. */
  readonly address: Uint8Array;
}

export function ticketSigner(privateKey: Uint8Array): TicketSigner {
  return { privateKey, address: addressFromPrivateKey(privateKey) };
}

export interface TicketSenderParams {
  readonly senderNonce: number;
  /** 65 bytes r‖s‖v. */
  readonly sig: Uint8Array;
}

/** One Payment's tickets: shared params + expiration params + N (nonce, sig) (§6.5). */
export interface TicketBatch {
  readonly ticketParams: TicketParams;
  readonly expirationParams: TicketExpirationParams;
  /** 20 bytes. */
  readonly sender: Uint8Array;
  readonly senderParams: readonly TicketSenderParams[];
}

/** What the sender's own chain view adds for batches: its last initialised round and that round's L1 block hash. */
export interface SenderBatchView extends SenderView {
  readonly lastInitializedL1BlockHash: Uint8Array;
}

/**
 * The expiration params a batch uses: the O's, unless it gave none, round 0 or a zero hash — then the
 * sender's own last initialised round and L1 block hash (Go's backwards-compatibility rule, §6.5).
 */
export function batchExpirationParams(
  fromO: TicketExpirationParams | undefined,
  own: { lastInitializedRound: bigint; lastInitializedL1BlockHash: Uint8Array },
): TicketExpirationParams {
  if (fromO === undefined || fromO.creationRound === 0n || isZeroBytes(fromO.creationRoundBlockHash)) {
    return { creationRound: own.lastInitializedRound, creationRoundBlockHash: own.lastInitializedL1BlockHash };
  }
  return fromO;
}

/**
 * Validates the session's params for `size` tickets (§6.5, throws TicketError), then creates and signs
 * `size` tickets with consecutive pre-incremented nonces. The preimage is built once; each ticket
 * rewrites its 4 nonce bytes, hashes and signs.
 */
export function createTicketBatch(
  session: PmSession,
  signer: TicketSigner,
  size: number,
  view: SenderBatchView,
  config: SenderConfig = DEFAULT_SENDER_CONFIG,
): TicketBatch {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`batch size ${size} is not a non-negative integer`);
  validateTicketParams(session.params, size, view, config);
  const expirationParams = batchExpirationParams(session.params.expirationParams, view);
  const preimage = new TicketPreimage({ ...session.params, ...expirationParams, sender: signer.address });
  const first = session.takeNonces(size);
  const senderParams: TicketSenderParams[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const senderNonce = first + i;
    senderParams[i] = { senderNonce, sig: personalSign(signer.privateKey, preimage.setNonce(senderNonce).hash()) };
  }
  return { ticketParams: session.params, expirationParams, sender: signer.address, senderParams };
}

/** True when a batch's tickets carry auxData the contract can redeem (64 bytes, §6.2). */
export function batchIsRedeemable(batch: TicketBatch): boolean {
  return !hasEmptyAuxData(batch.expirationParams);
}
