import { LptsError, familyPredicate, registerErrorFamily } from '@lpts/protocol';

export type NatsRpcErrorCode =
  | 'NO_RESPONDERS'
  | 'TIMEOUT'
  | 'INVALID_REQUEST'
  | 'INVALID_REPLY'
  | 'HANDLER_FAILED'
  | 'CONNECTION_FAILED';

/** Failures of the internal request/reply transport itself (not of the remote handler's domain). */
export class NatsRpcError extends LptsError<NatsRpcErrorCode> {}
registerErrorFamily(NatsRpcError);
export const isNatsRpcError = familyPredicate(NatsRpcError);
