import { LptsError, familyPredicate, registerErrorFamily } from '@lpts/protocol';

/** Failures of the broker itself (not of a ticket): all retryable except the configuration ones. */
export const BrokerErrorCode = {
  /** Redis (nonces, balances, winner queue) did not answer in time: the payment was NOT acknowledged. */
  STATE_UNAVAILABLE: 'STATE_UNAVAILABLE',
  /** Settlement has not published chain state yet (KV `latest`). */
  CHAIN_STATE_MISSING: 'CHAIN_STATE_MISSING',
  /** The request could not be decoded (bad base64/protobuf, missing fields). */
  INVALID_PAYMENT: 'INVALID_PAYMENT',
  /** The keystore could not be read or decrypted. */
  KEYSTORE_UNREADABLE: 'KEYSTORE_UNREADABLE',
} as const;
export type BrokerErrorCode = (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode];

export class BrokerError extends LptsError<BrokerErrorCode> {}
registerErrorFamily(BrokerError);
export const isBrokerError = familyPredicate(BrokerError);

/** Runs `op`, turning a Redis failure or a stall longer than `timeoutMs` into a retryable STATE_UNAVAILABLE. */
export async function withStateTimeout<T>(what: string, timeoutMs: number, op: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BrokerError('STATE_UNAVAILABLE', `${what}: no answer from Redis within ${timeoutMs} ms`, { retryable: true, details: { what, timeoutMs } })),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([op(), timeout]);
  } catch (e) {
    if (e instanceof LptsError) throw e;
    throw new BrokerError('STATE_UNAVAILABLE', `${what}: Redis failed: ${(e as Error).message}`, {
      retryable: true,
      details: { what, problem: (e as Error).message },
      cause: e,
    });
  } finally {
    clearTimeout(timer);
  }
}
