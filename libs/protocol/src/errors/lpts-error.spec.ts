import { LptsError, errorFromWire, familyPredicate, isLptsError, registerErrorFamily } from './lpts-error';

type DemoCode = 'TOO_LOW' | 'TOO_HIGH';
class DemoError extends LptsError<DemoCode> {}
registerErrorFamily(DemoError);
const isDemoError = familyPredicate(DemoError);

describe('LptsError families', () => {
  it('keeps code, details (bigints as decimal) and retryable across the wire', () => {
    const e = new DemoError('TOO_LOW', 'faceValue too low', { details: { faceValue: 10n ** 20n, ev: 5 }, retryable: true });
    const back = errorFromWire(JSON.parse(JSON.stringify(e.toWire())));
    expect(back).toBeInstanceOf(DemoError);
    expect(isDemoError(back, 'TOO_LOW')).toBe(true);
    expect(isDemoError(back, 'TOO_HIGH')).toBe(false);
    expect(back.details).toEqual({ faceValue: '100000000000000000000', ev: 5 });
    expect(back.retryable).toBe(true);
    expect(back.message).toBe('faceValue too low');
  });

  it('rebuilds an unknown family as a plain LptsError that still names its family', () => {
    const back = errorFromWire({ family: 'NoSuchError', code: 'X', message: 'm', retryable: false, details: {} });
    expect(isLptsError(back, 'X')).toBe(true);
    expect(back.family).toBe('NoSuchError');
  });
});
