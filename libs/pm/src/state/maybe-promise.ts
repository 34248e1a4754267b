/** A port method may answer synchronously (in-memory) or asynchronously (Redis). */
export type MaybePromise<T> = T | Promise<T>;

/** One case of a conformance suite: framework-free, throws (node:assert) on failure. */
export interface ConformanceCase {
  readonly name: string;
  run(): Promise<void>;
}

/** Milliseconds since the epoch; injected so expiry is testable. */
export type Clock = () => number;

/** True for a Promise or any thenable (from any realm), false for a synchronous answer. */
export function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
