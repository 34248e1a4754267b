import type { CommandDef, EventDef, ReplyOf, RequestOf, PayloadOf } from '@lpts/protocol';
import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { injectTraceContext } from '../telemetry/telemetry';
import { NatsRpcError } from './nats.errors';
import { errorFromHeaders } from './wire-headers';

export interface RequestOptions {
  /** Trailing id token for commands defined `withId`. */
  id?: string;
  timeoutMs?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The active trace context as NATS headers; none at all when there is nothing to propagate (no empty header block on the wire). */
function traceHeaders(): MsgHdrs | undefined {
  let h: MsgHdrs | undefined;
  injectTraceContext({ set: (k, v) => (h ??= headers()).set(k, v), get: (k) => h?.get(k) });
  return h;
}

/**
 * Typed request/reply and events over NATS. The request is validated before it leaves, the reply
 * after it arrives; a remote failure comes back as the same typed LptsError the handler threw.
 */
export class NatsRpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly defaultTimeoutMs = 5_000,
  ) {}

  async request<C extends CommandDef<z.ZodType, z.ZodType>>(cmd: C, data: RequestOf<C>, opts: RequestOptions = {}): Promise<ReplyOf<C>> {
    const subject = cmd.subject(this.prefix, opts.id);
    const parsed = cmd.request.safeParse(data);
    if (!parsed.success) {
      throw new NatsRpcError('INVALID_REQUEST', `invalid request for ${cmd.pattern}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
        details: { subject, issues: parsed.error.issues.length },
      });
    }
    const h = traceHeaders();
    const timeout = opts.timeoutMs ?? this.defaultTimeoutMs;
    let msg;
    try {
      msg = await this.nc.request(subject, encoder.encode(JSON.stringify(parsed.data)), h === undefined ? { timeout } : { timeout, headers: h });
    } catch (e) {
      const noResponders = (e as { isNoResponders?: () => boolean }).isNoResponders?.() ?? false;
      if (noResponders) {
        throw new NatsRpcError('NO_RESPONDERS', `no service answers ${subject}`, { details: { subject }, retryable: true, cause: e });
      }
      if ((e as Error).name === 'TimeoutError' || (e as Error).cause instanceof Error && ((e as Error).cause as Error).name === 'TimeoutError') {
        throw new NatsRpcError('TIMEOUT', `request ${subject} timed out after ${timeout} ms`, { details: { subject, timeoutMs: timeout }, retryable: true, cause: e });
      }
      throw new NatsRpcError('CONNECTION_FAILED', `request ${subject} failed: ${(e as Error).message}`, { details: { subject }, retryable: true, cause: e });
    }
    const remote = errorFromHeaders(msg.headers);
    if (remote) throw remote;
    let body: unknown;
    try {
      body = JSON.parse(decoder.decode(msg.data));
    } catch {
      throw new NatsRpcError('INVALID_REPLY', `reply on ${subject} is not JSON (${msg.data.length} bytes)`, { details: { subject, bytes: msg.data.length } });
    }
    const reply = cmd.reply.safeParse(body);
    if (!reply.success) {
      throw new NatsRpcError('INVALID_REPLY', `invalid reply on ${subject}: ${reply.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
        details: { subject, issues: reply.error.issues.length },
      });
    }
    return reply.data as ReplyOf<C>;
  }

  publish<E extends EventDef<z.ZodType>>(evt: E, payload: PayloadOf<E>, id?: string): void {
    const subject = evt.subject(this.prefix, id);
    const parsed = evt.payload.parse(payload);
    const h = traceHeaders();
    this.nc.publish(subject, encoder.encode(JSON.stringify(parsed)), h === undefined ? undefined : { headers: h });
  }
}
