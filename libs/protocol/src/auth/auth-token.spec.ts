import { createHmac } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { AuthTokenSchema } from '../gen/net/lp_rpc_pb';
import { AuthError, AuthTokenAuthority, authTokenNeedsRefresh, computeAuthToken, isAuthError, newSessionId, validateAuthToken } from './auth-token';

const KEY = new Uint8Array(32).fill(5);

function authError(f: () => void): AuthError {
  try {
    f();
  } catch (e) {
    if (e instanceof AuthError) return e;
    throw e;
  }
  throw new Error('expected AuthError');
}

describe('auth token (§3.4)', () => {
  let now = 1_700_000_000;
  const auth = new AuthTokenAuthority(KEY, { clock: () => now, random: (n) => new Uint8Array(n).fill(0xab) });

  it('session id is 8 lower-case hex chars from 4 random bytes', () => {
    expect(newSessionId(() => Uint8Array.from([0xde, 0xad, 0xbe, 0xef]))).toBe('deadbeef');
    expect(newSessionId()).toMatch(/^[0-9a-f]{8}$/);
  });

  it('token = HMAC-SHA256(key, utf8(sessionId) ‖ minimal BE expiration)', () => {
    const t = auth.issue();
    expect(t.sessionId).toBe('abababab');
    expect(t.expiration).toBe(BigInt(now + 1800));
    const exp = Buffer.from((now + 1800).toString(16).padStart(8, '0'), 'hex'); // 4 bytes, no leading zero here
    expect(exp[0]).not.toBe(0);
    const expected = createHmac('sha256', KEY).update('abababab').update(exp).digest();
    expect(Buffer.from(t.token).equals(expected)).toBe(true);
    expect(Buffer.from(computeAuthToken(KEY, 'x', 0n)).equals(createHmac('sha256', KEY).update('x').digest())).toBe(true);
  });

  it('valid until expiration inclusive, then expired with the numbers', () => {
    const t = auth.issue();
    expect(() => auth.validate(t)).not.toThrow();
    now += 1800;
    expect(() => auth.validate(t)).not.toThrow();
    now += 1;
    const e = authError(() => auth.validate(t));
    expect([e.code, e.message]).toEqual(['EXPIRED', 'expired auth token']);
    expect(e.details).toMatchObject({ sessionId: 'abababab', now, secondsPastExpiry: '1' });
    now -= 1801;
  });

  it('tampered token, session id, expiration or key → invalid auth token; none → missing', () => {
    const t = auth.issue();
    const tamper = (f: (x: typeof t) => void) => {
      const c = create(AuthTokenSchema, { token: Uint8Array.from(t.token), sessionId: t.sessionId, expiration: t.expiration });
      f(c);
      return authError(() => auth.validate(c));
    };
    expect(tamper((c) => (c.token[0] = (c.token[0] as number) ^ 1)).message).toBe('invalid auth token');
    expect(tamper((c) => (c.token = c.token.subarray(0, 31))).details['tokenLength']).toBe(31);
    expect(tamper((c) => (c.sessionId = 'abababac')).code).toBe('INVALID');
    expect(tamper((c) => (c.expiration += 3600n)).code).toBe('INVALID');
    expect(isAuthError(authError(() => validateAuthToken(new Uint8Array(32), t, now)), 'INVALID')).toBe(true);
    const m = authError(() => auth.validate(undefined));
    expect([m.code, m.message]).toEqual(['MISSING', 'missing auth token']);
  });

  it('gateway refreshes in the last 10 %', () => {
    const t = auth.issue();
    expect(authTokenNeedsRefresh(t, now + 1619)).toBe(false);
    expect(authTokenNeedsRefresh(t, now + 1620)).toBe(true);
    expect(authTokenNeedsRefresh(undefined, now)).toBe(true);
  });
});
