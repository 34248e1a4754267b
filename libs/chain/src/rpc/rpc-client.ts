/** One JSON-RPC request. */
export interface RpcCall {
  method: string;
  params: readonly unknown[];
}

/** One entry of a batch answer: either a result or the endpoint's JSON-RPC error. */
export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: RpcResponseError };

/**
 * What every chain component talks to: a single request, or a JSON-RPC batch (one HTTP round trip).
 * `HttpRpcClient` talks to one endpoint; `FailoverRpcClient` spreads over several.
 */
export interface RpcClient {
  request<T = unknown>(method: string, params: readonly unknown[]): Promise<T>;
  batch(calls: readonly RpcCall[]): Promise<RpcOutcome[]>;
}

/**
 * The endpoint answered, with a JSON-RPC error object. This is an answer (a revert, a rejected
 * nonce, bad params), not an endpoint failure, so failover does not move to another endpoint.
 */
export class RpcResponseError extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data: unknown,
    readonly endpoint: string,
  ) {
    super(message);
    this.name = 'RpcResponseError';
  }
}

/** The endpoint itself failed: network error, timeout, HTTP status, malformed body. */
export class RpcTransportError extends Error {
  constructor(
    message: string,
    readonly endpoint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RpcTransportError';
  }
}
