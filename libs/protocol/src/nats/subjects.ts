/**
 * NATS subjects inside one operator's subnet (ARCHITECTURE.md §3.3):
 *   <prefix>.<domain>.<cmd|evt>.<entity>.<action>[.<id>]
 * The prefix defaults to `lp` and is configurable per deployment (and per test file, so parallel
 * specs on one server never see each other's traffic). Subjects are built only here.
 */
import { LptsError, registerErrorFamily, familyPredicate } from '../errors/lpts-error';

export const DEFAULT_SUBJECT_PREFIX = 'lp';

export const SubjectKind = { CMD: 'cmd', EVT: 'evt' } as const;
export type SubjectKind = (typeof SubjectKind)[keyof typeof SubjectKind];

export type SubjectErrorCode = 'INVALID_TOKEN' | 'INVALID_PREFIX';
export class SubjectError extends LptsError<SubjectErrorCode> {}
registerErrorFamily(SubjectError);
export const isSubjectError = familyPredicate(SubjectError);

/** One subject token: lower-case letters, digits, '-' and '_'; never empty, never a wildcard. */
const TOKEN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** An id token may also carry upper-case hex/ids (addresses, session ids) but never '.', '*', '>' or spaces. */
const ID_TOKEN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** A prefix is one or more tokens joined by '.'. */
const PREFIX = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;

export function assertToken(role: string, value: string, pattern: RegExp = TOKEN): void {
  if (!pattern.test(value)) {
    throw new SubjectError('INVALID_TOKEN', `invalid subject ${role} token "${value}"`, {
      details: { role, value, length: value.length, pattern: pattern.source },
    });
  }
}

export function assertPrefix(prefix: string): void {
  if (!PREFIX.test(prefix)) {
    throw new SubjectError('INVALID_PREFIX', `invalid subject prefix "${prefix}"`, {
      details: { prefix, pattern: PREFIX.source },
    });
  }
}

export interface SubjectParts {
  domain: string;
  kind: SubjectKind;
  entity: string;
  action: string;
}

/** The prefix-less pattern of a subject: `<domain>.<kind>.<entity>.<action>`. */
export function subjectPattern(parts: SubjectParts): string {
  assertToken('domain', parts.domain);
  assertToken('entity', parts.entity);
  assertToken('action', parts.action);
  return `${parts.domain}.${parts.kind}.${parts.entity}.${parts.action}`;
}

/** A full subject: `<prefix>.<pattern>[.<id>]`. */
export function buildSubject(prefix: string, pattern: string, id?: string): string {
  assertPrefix(prefix);
  if (id === undefined) return `${prefix}.${pattern}`;
  assertToken('id', id, ID_TOKEN);
  return `${prefix}.${pattern}.${id}`;
}

/** Wildcard subscription subject for every id of a pattern: `<prefix>.<pattern>.*`. */
export function wildcardSubject(prefix: string, pattern: string): string {
  assertPrefix(prefix);
  return `${prefix}.${pattern}.*`;
}
