import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { bigIntToMinimalBytes } from '../bytes/bytes';
import { LptsError, familyPredicate, registerErrorFamily } from '../errors/lpts-error';
import { AuthTokenSchema } from '../gen/net/lp_rpc_pb';
import type { AuthToken } from '../gen/net/lp_rpc_pb';

/** Auth token failures with Livepeer's exact texts (§2.5 step 6). */
export const AuthErrorCode = {
  MISSING: 'MISSING',
  INVALID: 'INVALID',
  EXPIRED: 'EXPIRED',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

export const AuthErrorText = {
  MISSING: 'missing auth token',
  INVALID: 'invalid auth token',
  EXPIRED: 'expired auth token',
} as const;

export class AuthError extends LptsError<AuthErrorCode> {}
registerErrorFamily(AuthError);
export const isAuthError = familyPredicate(AuthError);

/** Auth token validity (30 min) and the gateway's refresh window (last 10 %). */
export const AUTH_TOKEN_VALIDITY_SECONDS = 1800;
export const AUTH_TOKEN_REFRESH_SECONDS = 180;

/** Current unix time in seconds; injectable for tests. */
export type UnixClock = () => number;
export const systemClock: UnixClock = () => Math.floor(Date.now() / 1000);

/** 4 random bytes as 8 lower-case hex chars. */
export function newSessionId(random: (n: number) => Uint8Array = randomBytes): string {
  return Buffer.from(random(4)).toString('hex');
}

/** HMAC-SHA256(key, UTF-8(sessionId) ‖ minimal big-endian bytes of expiration). */
export function computeAuthToken(key: Uint8Array, sessionId: string, expiration: bigint): Uint8Array {
  const exp = expiration < 0n ? -expiration : expiration; // Go's big.Int.Bytes() is unsigned
  return new Uint8Array(createHmac('sha256', key).update(Buffer.from(sessionId, 'utf8')).update(bigIntToMinimalBytes(exp)).digest());
}

export interface AuthTokenOptions {
  clock?: UnixClock;
  validitySeconds?: number;
  random?: (n: number) => Uint8Array;
}

/**
 * Issues and checks session auth tokens with one HMAC key. Every O replica serving a session must
 * hold the same key (§3.4); the key is 32 random bytes drawn once and kept (not rotated silently).
 */
export class AuthTokenAuthority {
  private readonly clock: UnixClock;
  private readonly validity: number;
  private readonly random: (n: number) => Uint8Array;

  constructor(
    private readonly key: Uint8Array,
    options: AuthTokenOptions = {},
  ) {
    if (key.length === 0) throw new RangeError('auth token key must not be empty');
    this.clock = options.clock ?? systemClock;
    this.validity = options.validitySeconds ?? AUTH_TOKEN_VALIDITY_SECONDS;
    this.random = options.random ?? randomBytes;
  }

  /** A fresh token (new session id, expiration now + 30 min). */
  issue(sessionId: string = newSessionId(this.random)): AuthToken {
    const expiration = BigInt(this.clock() + this.validity);
    return create(AuthTokenSchema, { token: computeAuthToken(this.key, sessionId, expiration), sessionId, expiration });
  }

  /** Throws AuthError (`missing auth token` / `invalid auth token` / `expired auth token`). */
  validate(token: AuthToken | undefined): void {
    validateAuthToken(this.key, token, this.clock());
  }
}

/** Stand-alone check: recomputed token equals the received one and now ≤ expiration. */
export function validateAuthToken(key: Uint8Array, token: AuthToken | undefined, now: number): void {
  if (token === undefined) throw new AuthError('MISSING', AuthErrorText.MISSING);
  const expected = computeAuthToken(key, token.sessionId, token.expiration);
  if (token.token.length !== expected.length || !timingSafeEqual(token.token, expected)) {
    throw new AuthError('INVALID', AuthErrorText.INVALID, {
      details: { sessionId: token.sessionId, tokenLength: token.token.length, expiration: token.expiration },
    });
  }
  if (BigInt(now) > token.expiration) {
    throw new AuthError('EXPIRED', AuthErrorText.EXPIRED, {
      details: { sessionId: token.sessionId, expiration: token.expiration, now, secondsPastExpiry: BigInt(now) - token.expiration },
    });
  }
}

/** Gateway side: refresh the token (GetOrchestrator again) in its last 10 % of validity. */
export function authTokenNeedsRefresh(token: AuthToken | undefined, now: number, refreshSeconds = AUTH_TOKEN_REFRESH_SECONDS): boolean {
  return token === undefined || BigInt(now) >= token.expiration - BigInt(refreshSeconds);
}
