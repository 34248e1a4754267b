import { type RpcCall, type RpcClient, type RpcOutcome, RpcResponseError, RpcTransportError } from './rpc-client';

export interface HttpRpcClientOptions {
  /** Abort a request (or a whole batch) after this many ms. Default 10 000. */
  timeoutMs?: number;
  /** Most requests per HTTP batch; bigger batches are split and sent in parallel. Default 200. */
  maxBatchSize?: number;
}

interface JsonRpcResponse {
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** JSON-RPC over HTTP (fetch) to one endpoint, with hand-built batches. */
export class HttpRpcClient implements RpcClient {
  private nextId = 1;
  private readonly timeoutMs: number;
  private readonly maxBatchSize: number;

  constructor(
    readonly url: string,
    options: HttpRpcClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxBatchSize = options.maxBatchSize ?? 200;
  }

  async request<T = unknown>(method: string, params: readonly unknown[]): Promise<T> {
    const id = this.nextId++;
    const body = (await this.post({ jsonrpc: '2.0', id, method, params })) as JsonRpcResponse;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new RpcTransportError(`malformed JSON-RPC answer to ${method}`, this.url);
    }
    if (body.error) throw toResponseError(body.error, this.url);
    return body.result as T;
  }

  async batch(calls: readonly RpcCall[]): Promise<RpcOutcome[]> {
    if (calls.length === 0) return [];
    const chunks: RpcCall[][] = [];
    for (let i = 0; i < calls.length; i += this.maxBatchSize) chunks.push(calls.slice(i, i + this.maxBatchSize));
    const answers = await Promise.all(chunks.map((c) => this.batchChunk(c)));
    return answers.flat();
  }

  private async batchChunk(calls: readonly RpcCall[]): Promise<RpcOutcome[]> {
    const first = this.nextId;
    this.nextId += calls.length;
    const payload = calls.map((c, i) => ({ jsonrpc: '2.0', id: first + i, method: c.method, params: c.params }));
    const body = await this.post(payload);
    if (!Array.isArray(body)) {
      // Some servers answer a whole batch with one error object (e.g. batch too large / rate limited).
      const err = (body as JsonRpcResponse | null)?.error;
      throw new RpcTransportError(`batch rejected: ${err ? err.message : 'not an array'}`, this.url);
    }
    const byId = new Map<number, JsonRpcResponse>();
    for (const r of body as JsonRpcResponse[]) byId.set(r.id, r);
    return calls.map((_c, i): RpcOutcome => {
      const r = byId.get(first + i);
      if (!r) throw new RpcTransportError(`batch answer lacks id ${first + i}`, this.url);
      return r.error ? { ok: false, error: toResponseError(r.error, this.url) } : { ok: true, result: r.result };
    });
  }

  private async post(payload: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      // Duck-typed: the DOMException may come from another realm (e.g. under Jest).
      const name = (e as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      throw new RpcTransportError(timedOut ? `timeout after ${this.timeoutMs} ms` : `fetch failed: ${describe(e)}`, this.url, { cause: e });
    }
    const text = await res.text().catch((e: unknown) => {
      throw new RpcTransportError(`reading body failed: ${describe(e)}`, this.url, { cause: e });
    });
    if (!res.ok) throw new RpcTransportError(`HTTP ${res.status}`, this.url);
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new RpcTransportError('malformed JSON body', this.url, { cause: e });
    }
  }
}

function toResponseError(err: { code: number; message: string; data?: unknown }, endpoint: string): RpcResponseError {
  return new RpcResponseError(err.code, err.message, err.data, endpoint);
}

function describe(e: unknown): string {
  const msg = (x: unknown): string | undefined => {
    const m = (x as { message?: unknown } | null)?.message;
    return typeof m === 'string' ? m : undefined;
  };
  const own = msg(e);
  if (own === undefined) return String(e);
  const cause = msg((e as { cause?: unknown }).cause);
  return cause ? `${own} (${cause})` : own;
}
