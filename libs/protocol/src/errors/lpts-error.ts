/**
 * The one error base of lpts (CONVENTIONS.md "Errors").
 *
 * Every failure that crosses a module boundary is an LptsError of some family (TicketError,
 * ChainError, ConfigError, JobError, …) with a stable `code`, a `retryable` flag, and the numbers
 * that explain it in `details`. Families register themselves so that an error that travelled over
 * NATS (code + details in headers) is rebuilt on the caller side as the same typed class.
 */
export type ErrorDetails = Record<string, string | number | boolean | null | undefined>;

/** Details as given: bigints allowed (stored as decimal strings). */
export type ErrorDetailsInput = Record<string, string | number | bigint | boolean | null | undefined>;

export interface LptsErrorOptions {
  details?: ErrorDetailsInput;
  retryable?: boolean;
  cause?: unknown;
}

/** The serialisable shape of an error (NATS headers, logs, HTTP problem bodies). */
export interface SerializedError {
  family: string;
  code: string;
  message: string;
  retryable: boolean;
  details: ErrorDetails;
}

export class LptsError<C extends string = string> extends Error {
  /** Family name, e.g. 'TicketError'; equals the class name of the family. */
  readonly family: string = 'LptsError';
  readonly code: C;
  readonly retryable: boolean;
  readonly details: ErrorDetails;

  constructor(code: C, message: string, options: LptsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = normaliseDetails(options.details ?? {});
    this.name = new.target.name;
    this.family = new.target.name;
  }

  toWire(): SerializedError {
    return { family: this.family, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** bigint values become decimal strings so details survive JSON. */
function normaliseDetails(details: Record<string, unknown>): ErrorDetails {
  const out: ErrorDetails = {};
  for (const [k, v] of Object.entries(details)) {
    if (typeof v === 'bigint') out[k] = v.toString();
    else if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else out[k] = String(v);
  }
  return out;
}

type FamilyCtor = new (code: string, message: string, options?: LptsErrorOptions) => LptsError;
/** Any family class, whatever its code union. */
type AnyFamily = new (code: never, message: string, options?: LptsErrorOptions) => LptsError;
const families = new Map<string, FamilyCtor>();

/** Registers a family so `errorFromWire` can rebuild it. Call once at module load of the family. */
export function registerErrorFamily(ctor: AnyFamily): void {
  families.set(ctor.name, ctor as unknown as FamilyCtor);
}

/** Rebuilds a typed error from its wire form; unknown families become a plain LptsError. */
export function errorFromWire(wire: SerializedError): LptsError {
  const ctor = families.get(wire.family) ?? (LptsError as unknown as FamilyCtor);
  const err = new ctor(wire.code, wire.message, { details: wire.details, retryable: wire.retryable });
  if (err.family !== wire.family) Object.defineProperty(err, 'family', { value: wire.family });
  return err;
}

/** Predicate: is `e` an LptsError (optionally of the given code). Never match on message text. */
export function isLptsError(e: unknown, code?: string): e is LptsError {
  return e instanceof LptsError && (code === undefined || e.code === code);
}

/** Builds a family predicate, e.g. `export const isTicketError = familyPredicate(TicketError)`. */
export function familyPredicate<E extends LptsError>(ctor: abstract new (...args: never[]) => E) {
  return (e: unknown, code?: E['code']): e is E => e instanceof ctor && (code === undefined || e.code === code);
}
