/**
 * Every internal NATS message is defined once here: a zod schema, its inferred TS type, and the
 * subject it travels on. Commands (`cmd`) are request/reply and map to a request and a reply
 * schema; events (`evt`) are fire-and-forget with one payload schema.
 */
import { z } from 'zod';
import { SubjectKind, buildSubject, subjectPattern } from './subjects';

export interface CommandDef<Req extends z.ZodType, Rep extends z.ZodType> {
  readonly kind: typeof SubjectKind.CMD;
  /** Prefix-less pattern, e.g. `broker.cmd.service.ping`; also the Nest @MessagePattern key. */
  readonly pattern: string;
  readonly request: Req;
  readonly reply: Rep;
  /** Whether the subject carries a trailing id token (e.g. per-sender routing). */
  readonly withId: boolean;
  subject(prefix: string, id?: string): string;
}

export interface EventDef<P extends z.ZodType> {
  readonly kind: typeof SubjectKind.EVT;
  readonly pattern: string;
  readonly payload: P;
  readonly withId: boolean;
  subject(prefix: string, id?: string): string;
}

export type RequestOf<C> = C extends CommandDef<infer Req, z.ZodType> ? z.input<Req> : never;
export type ReplyOf<C> = C extends CommandDef<z.ZodType, infer Rep> ? z.output<Rep> : never;
export type PayloadOf<E> = E extends EventDef<infer P> ? z.output<P> : never;

export function defineCommand<Req extends z.ZodType, Rep extends z.ZodType>(def: {
  domain: string;
  entity: string;
  action: string;
  request: Req;
  reply: Rep;
  withId?: boolean;
}): CommandDef<Req, Rep> {
  const pattern = subjectPattern({ domain: def.domain, kind: SubjectKind.CMD, entity: def.entity, action: def.action });
  return {
    kind: SubjectKind.CMD,
    pattern,
    request: def.request,
    reply: def.reply,
    withId: def.withId ?? false,
    subject: (prefix, id) => buildSubject(prefix, pattern, id),
  };
}

export function defineEvent<P extends z.ZodType>(def: {
  domain: string;
  entity: string;
  action: string;
  payload: P;
  withId?: boolean;
}): EventDef<P> {
  const pattern = subjectPattern({ domain: def.domain, kind: SubjectKind.EVT, entity: def.entity, action: def.action });
  return {
    kind: SubjectKind.EVT,
    pattern,
    payload: def.payload,
    withId: def.withId ?? false,
    subject: (prefix, id) => buildSubject(prefix, pattern, id),
  };
}

/** Shared field schemas. Big integers travel as decimal strings; addresses as 0x-hex. */
export const zDecimal = z.string().regex(/^\d+$/, 'expected a non-negative decimal integer string');
export const zAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address');
export const zHex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex bytes');
