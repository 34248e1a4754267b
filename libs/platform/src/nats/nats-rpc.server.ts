import type { CommandDef } from '@lpts/protocol';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import { lastValueFrom, isObservable, type Observable } from 'rxjs';
import type { z } from 'zod';
import { extractTraceContext } from '../telemetry/telemetry';
import { NatsRpcError } from './nats.errors';
import { setErrorHeaders, serializeError } from './wire-headers';

/** What a handler gets as its context argument (`@Ctx()`). */
export interface NatsRpcContext {
  subject: string;
  /** The trailing id token of a `withId` command. */
  id?: string;
}

export interface NatsRpcServerOptions {
  connection: NatsConnection;
  prefix: string;
  /** Queue group: replicas of one service share the load. */
  queue: string;
  /** The commands this service serves; each @MessagePattern must be one of their patterns. */
  commands: readonly CommandDef<z.ZodType, z.ZodType>[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A Nest custom transport over NATS that speaks plain JSON (no Nest envelope), so non-Nest peers
 * can call it: handlers are `@MessagePattern(Commands.x.pattern)` methods; requests are validated
 * with the command's zod schema; thrown LptsErrors go back as error headers.
 */
export class NatsRpcServer extends Server implements CustomTransportStrategy {
  private readonly subs: Subscription[] = [];
  private readonly byPattern: Map<string, CommandDef<z.ZodType, z.ZodType>>;

  constructor(private readonly options: NatsRpcServerOptions) {
    super();
    this.byPattern = new Map(options.commands.map((c) => [c.pattern, c]));
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        const cmd = this.byPattern.get(pattern);
        if (!cmd) throw new Error(`@MessagePattern("${pattern}") is not a registered command of this service`);
        const subject = cmd.withId ? `${this.options.prefix}.${pattern}.*` : cmd.subject(this.options.prefix);
        const sub = this.options.connection.subscribe(subject, {
          queue: this.options.queue,
          callback: (err, msg) => {
            if (err) return;
            void this.handle(cmd, handler, msg);
          },
        });
        this.subs.push(sub);
      }
    } catch (e) {
      callback(e);
      return;
    }
    // Subscriptions are live only once the server has processed them.
    this.options.connection.flush().then(() => callback(), (e: unknown) => callback(e));
  }

  private async handle(cmd: CommandDef<z.ZodType, z.ZodType>, handler: (data: unknown, ctx?: unknown) => Promise<unknown>, msg: Msg): Promise<void> {
    const parent = msg.headers ? extractTraceContext({ get: (k) => msg.headers?.get(k), set: () => undefined }) : context.active();
    const span = trace.getTracer('lpts.nats').startSpan(`nats ${cmd.pattern}`, { attributes: { 'messaging.destination': msg.subject } }, parent);
    try {
      let body: unknown;
      try {
        body = JSON.parse(decoder.decode(msg.data));
      } catch {
        throw new NatsRpcError('INVALID_REQUEST', `request on ${msg.subject} is not JSON (${msg.data.length} bytes)`, { details: { subject: msg.subject, bytes: msg.data.length } });
      }
      const parsed = cmd.request.safeParse(body);
      if (!parsed.success) {
        throw new NatsRpcError('INVALID_REQUEST', `invalid request for ${cmd.pattern}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
          details: { subject: msg.subject, issues: parsed.error.issues.length },
        });
      }
      const id = cmd.withId ? msg.subject.slice(msg.subject.lastIndexOf('.') + 1) : undefined;
      const out = await context.with(trace.setSpan(parent, span), () => handler(parsed.data, { subject: msg.subject, id } satisfies NatsRpcContext));
      const result = isObservable(out) ? await lastValueFrom(out as Observable<unknown>) : out;
      msg.respond(encoder.encode(JSON.stringify(result ?? null)));
    } catch (e) {
      const wire = serializeError(e);
      span.setStatus({ code: SpanStatusCode.ERROR, message: wire.code });
      const h = headers();
      setErrorHeaders(h, wire);
      msg.respond(new Uint8Array(0), { headers: h });
    } finally {
      span.end();
    }
  }

  async close(): Promise<void> {
    for (const sub of this.subs.splice(0)) sub.unsubscribe();
  }

  on(): never {
    throw new Error('NatsRpcServer does not support event listeners');
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }
}
