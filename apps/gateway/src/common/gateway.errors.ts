import { familyPredicate, LptsError, registerErrorFamily } from '@lpts/protocol';

export const GatewayErrorCode = {
  /** No orchestrator can take the job; details carry the reason per candidate. */
  NO_ORCHESTRATORS: 'NO_ORCHESTRATORS',
  /** Every candidate is priced above the gateway's max; details name the max and each price. */
  PRICE_TOO_HIGH: 'PRICE_TOO_HIGH',
  /** Every attempt (up to GATEWAY_MAX_ATTEMPTS) failed; details list each attempt's failure. */
  ALL_ATTEMPTS_FAILED: 'ALL_ATTEMPTS_FAILED',
  /** A result's signature or pixel counts did not verify. */
  VERIFICATION_FAILED: 'VERIFICATION_FAILED',
  /** The orchestrator answered with an error or an unusable response. */
  ORCHESTRATOR_ERROR: 'ORCHESTRATOR_ERROR',
  /** Network failure towards an orchestrator (dial, reset, TLS). */
  ORCHESTRATOR_UNREACHABLE: 'ORCHESTRATOR_UNREACHABLE',
  /** A deadline of §2.2 passed. */
  ORCHESTRATOR_TIMEOUT: 'ORCHESTRATOR_TIMEOUT',
  /** Payment creation failed (sender broker). */
  PAYMENT_FAILED: 'PAYMENT_FAILED',
  /** Bad client input (stream name, sequence number, empty body). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** Segment larger than GATEWAY_MAX_SEGMENT_BYTES. */
  SEGMENT_TOO_LARGE: 'SEGMENT_TOO_LARGE',
  /** Unknown stream, rendition or segment. */
  NOT_FOUND: 'NOT_FOUND',
  /** The resource is in a state that does not allow the request (deleting a VOD job while it runs). */
  CONFLICT: 'CONFLICT',
} as const;
export type GatewayErrorCode = (typeof GatewayErrorCode)[keyof typeof GatewayErrorCode];

/** The gateway's error family; the HTTP filter maps codes to statuses. */
export class GatewayError extends LptsError<GatewayErrorCode> {}
registerErrorFamily(GatewayError);

export const isGatewayError = familyPredicate(GatewayError);

/** What kind of failure an attempt had; decides the suspension penalty and whether to retry elsewhere. */
export const FailureKind = {
  NETWORK: 'network',
  TIMEOUT: 'timeout',
  CAPACITY: 'capacity',
  PAYMENT: 'payment',
  VERIFICATION: 'verification',
  TRANSCODE: 'transcode',
  PROTOCOL: 'protocol',
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

/** Failure of one orchestrator call, with its kind (for penalties) and the O's text when it sent one. */
export class OrchestratorCallError extends GatewayError {
  constructor(
    readonly kind: FailureKind,
    code: GatewayErrorCode,
    message: string,
    options: ConstructorParameters<typeof LptsError>[2] = {},
  ) {
    super(code, message, { retryable: true, ...options, details: { kind, ...(options.details ?? {}) } });
  }
}
