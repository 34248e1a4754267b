import { fromHex } from '@lpts/protocol';
import { rat, ratCmp } from '../math/rational';
import { RecipientSecret } from '../ticket/recipient-rand';
import { MAX_WIN_PROB, ticketHash, ticketSignatureValid } from '../ticket/ticket';
import { faceValueFor, generateTicketParams, recipientExpirationParams, winProbFor, type TicketParams } from '../ticket/ticket-params';
import { TicketErrorCode, isTicketError, type TicketError } from '../ticket/ticket.errors';
import { checkPriceNotDoubled } from './price-guard';
import { ticketsNeeded } from './num-tickets';
import { PmSession, batchExpirationParams, createTicketBatch, ticketSigner } from './ticket-batch';
import { validateTicketParams, type SenderView } from './validate-ticket-params';
import { availableFunds, maxFloat, reserveAlloc } from '../recipient/max-float';

const signer = ticketSigner(fromHex('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'));
const O = fromHex('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
const H = new Uint8Array(32).fill(1);
const FUNDED = { deposit: 10n ** 18n, withdrawRound: 0n, reserve: { fundsRemaining: 10n ** 18n, claimedInCurrentRound: 0n } };
const view: SenderView = { lastSeenL1Block: 1000n, lastInitializedRound: 100n, senderInfo: FUNDED };

function caught(f: () => unknown): TicketError {
  try {
    f();
  } catch (e) {
    if (isTicketError(e)) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('ticket params generation (§6.4)', () => {
  const cfg = { ev: 1000n, redeemGas: 10n };
  it('faceValue = txCost × 100, EV × 100 when below EV, capped by max float and maxFaceValue', () => {
    expect(faceValueFor(cfg, 50n, 10n ** 9n)).toBe(50_000n);
    expect(faceValueFor(cfg, 0n, 10n ** 9n)).toBe(100_000n);
    expect(faceValueFor(cfg, undefined, 10n ** 9n)).toBe(100_000n);
    expect(faceValueFor(cfg, 50n, 20_000n)).toBe(20_000n);
    expect(faceValueFor({ ...cfg, maxFaceValue: 5000n }, 50n, 20_000n)).toBe(5000n);
  });
  it('insufficient sender reserve when faceValue < EV, with the numbers', () => {
    const e = caught(() => faceValueFor(cfg, 50n, 999n));
    expect(e.message).toBe('insufficient sender reserve');
    expect(e.code).toBe(TicketErrorCode.INSUFFICIENT_RESERVE);
    expect(e.details).toMatchObject({ faceValue: '999', ev: '1000', maxFloat: '999', txCost: '500' });
  });
  it('insufficient sender reserve when faceValue < txCost and < redeemGas × 3 gwei', () => {
    const big = { ev: 1n, redeemGas: 1_000_000n };
    const e = caught(() => faceValueFor(big, 4_000_000_000n, 2_000_000_000_000_000n));
    expect(e.details['reason']).toBe('faceValue < txCost and faceValue < avgTxCost');
    // below txCost but above redeemGas × 3 gwei: accepted
    expect(faceValueFor(big, 4_000_000_000n, 3_500_000_000_000_000n)).toBe(3_500_000_000_000_000n);
  });
  it('winProb: 0, max at faceValue = EV, EV × (q + 1) with a remainder, EV × q without', () => {
    expect(winProbFor(5n, 0n)).toBe(0n);
    expect(winProbFor(5n, 5n)).toBe(MAX_WIN_PROB);
    expect(winProbFor(5n, 3n)).toBe(5n * (MAX_WIN_PROB / 3n)); // 2^256−1 divisible by 3
    expect(winProbFor(5n, 7n)).toBe(5n * (MAX_WIN_PROB / 7n + 1n));
    // Go checks only the low 64 bits of the remainder: a remainder of exactly 2^64 adds nothing
    const fv = MAX_WIN_PROB - (1n << 64n); // (2^256 − 1) = 1·fv + 2^64, and 2^64 < fv
    expect(MAX_WIN_PROB % fv).toBe(1n << 64n);
    expect(winProbFor(1n, fv)).toBe(MAX_WIN_PROB / fv);
  });
  it('expiration params fall back to round − 1 when the block hash is zero', () => {
    expect(recipientExpirationParams(10n, H, new Uint8Array(32).fill(2))).toEqual({ creationRound: 10n, creationRoundBlockHash: H });
    expect(recipientExpirationParams(10n, new Uint8Array(32), H)).toEqual({ creationRound: 9n, creationRoundBlockHash: H });
  });
  it('price 0 gives faceValue 0 and winProb 0; expirationBlock = L1 + 40', () => {
    const p = generateTicketParams(new RecipientSecret(H), cfg, {
      recipient: O, sender: signer.address, price: rat(0n), gasPrice: 1n, maxFloat: 0n,
      lastSeenL1Block: 500n, lastInitializedRound: 3n, lastInitializedL1BlockHash: H, previousRoundL1BlockHash: H,
    });
    expect([p.faceValue, p.winProb, p.expirationBlock]).toEqual([0n, 0n, 540n]);
    expect(p.seed).toHaveLength(32);
  });
});

function params(over: Partial<TicketParams> = {}): TicketParams {
  return {
    recipient: O, faceValue: 10n ** 15n, winProb: MAX_WIN_PROB / 1000n, recipientRandHash: H, seed: H,
    expirationBlock: 1040n, price: rat(1n), expirationParams: { creationRound: 100n, creationRoundBlockHash: H }, ...over,
  };
}

describe('validateTicketParams (§6.5), in order, exact texts', () => {
  const v = (p: TicketParams | undefined, n = 1, w: Partial<SenderView> = {}) => caught(() => validateTicketParams(p, n, { ...view, ...w }));
  it('accepts good params and returns the EV', () => {
    expect(ratCmp(validateTicketParams(params(), 1, view), { num: 10n ** 15n * (MAX_WIN_PROB / 1000n), den: MAX_WIN_PROB })).toBe(0);
  });
  it('each check', () => {
    expect(v(undefined).message).toBe('ticketParams is nil');
    expect(v(params({ expirationBlock: 0n })).message).toBe('ticketParams expiration block is 0');
    const exp = v(params({ expirationBlock: 1001n }));
    expect([exp.message, exp.retryable, exp.details['lastSeenL1Block']]).toEqual(['TicketParams expired', true, '1000']);
    expect(validateTicketParams(params({ expirationBlock: 1002n }), 1, view)).toBeDefined();
    expect(validateTicketParams(params({ winProb: 0n }), 1, { ...view, senderInfo: { ...FUNDED, deposit: 0n } }).num).toBe(0n);
    expect(v(params({ winProb: MAX_WIN_PROB })).message).toBe(`ticket faceValue too low faceValue=${10n ** 15n}`);
    expect(v(params({ faceValue: 10n ** 17n, winProb: MAX_WIN_PROB / 10n })).message).toBe(
      'ticket EV 10000000000000000.00000 > max ticket EV 3000000000000.00000',
    );
    expect(v(params(), 1, { senderInfo: { ...FUNDED, withdrawRound: 101n } }).message).toBe(
      'unable to validate sender: deposit and reserve is set to unlock soon',
    );
    expect(v(params(), 1, { senderInfo: { ...FUNDED, reserve: { fundsRemaining: 0n, claimedInCurrentRound: 0n } } }).message).toBe('no sender reserve');
    expect(v(params(), 1, { senderInfo: { ...FUNDED, deposit: 0n } }).message).toBe('no sender deposit');
    expect(v(params(), 21).message).toBe(
      'total ticket EV 21000000000000.00000 for 21 tickets > max total ticket EV 20000000000000.00000',
    );
    const fvHigh = v(params(), 1, { senderInfo: { ...FUNDED, deposit: 10n ** 14n } });
    expect(fvHigh.message).toBe(`ticket faceValue ${10n ** 15n} > max faceValue ${10n ** 14n}`);
    expect(fvHigh.details).toMatchObject({ deposit: String(10n ** 14n), depositMultiplier: '1' });
  });
});

describe('PM sessions and batches', () => {
  const bview = { ...view, lastInitializedL1BlockHash: new Uint8Array(32).fill(9) };
  it('session id is the hex recipientRandHash; nonces are pre-incremented and consecutive', () => {
    const s = new PmSession(params());
    expect(s.id).toBe('0x' + '01'.repeat(32));
    const a = createTicketBatch(s, signer, 2, bview);
    const b = createTicketBatch(s, signer, 3, bview);
    expect([...a.senderParams, ...b.senderParams].map((x) => x.senderNonce)).toEqual([1, 2, 3, 4, 5]);
    for (const tsp of b.senderParams) {
      const hash = ticketHash({ ...b.ticketParams, ...b.expirationParams, sender: signer.address, senderNonce: tsp.senderNonce });
      expect(ticketSignatureValid(signer.address, hash, tsp.sig)).toBe(true);
    }
  });
  it('a batch validates its params for its size', () => {
    expect(caught(() => createTicketBatch(new PmSession(params()), signer, 20_001, bview)).code).toBe(TicketErrorCode.TOTAL_EV_TOO_HIGH);
  });
  it('falls back to the sender round when O gave none, round 0 or a zero hash', () => {
    const own = { lastInitializedRound: 7n, lastInitializedL1BlockHash: H };
    const mine = { creationRound: 7n, creationRoundBlockHash: H };
    expect(batchExpirationParams(undefined, own)).toEqual(mine);
    expect(batchExpirationParams({ creationRound: 0n, creationRoundBlockHash: H }, own)).toEqual(mine);
    expect(batchExpirationParams({ creationRound: 5n, creationRoundBlockHash: new Uint8Array(32) }, own)).toEqual(mine);
    const theirs = { creationRound: 5n, creationRoundBlockHash: new Uint8Array(32).fill(4) };
    expect(batchExpirationParams(theirs, own)).toBe(theirs);
  });
});

describe('number of tickets (§6.6)', () => {
  it('covers max(fee, EV) after existing credit', () => {
    expect(ticketsNeeded(rat(0n), rat(250n), rat(100n))).toMatchObject({ numTickets: 3, newCredit: { num: 300n, den: 1n } });
    expect(ticketsNeeded(rat(60n), rat(250n), rat(100n)).numTickets).toBe(2);
    expect(ticketsNeeded(rat(300n), rat(250n), rat(100n)).numTickets).toBe(0);
    expect(ticketsNeeded(rat(0n), rat(10n), rat(100n)).numTickets).toBe(1);
    expect(ticketsNeeded(rat(-50n), rat(100n), rat(100n)).numTickets).toBe(2);
    expect(ticketsNeeded(rat(0n), rat(100n), rat(0n)).numTickets).toBe(0);
  });
});

describe('max float and reserve allocation (§6.8)', () => {
  it('formulas', () => {
    expect(reserveAlloc({ fundsRemaining: 1000n, claimedInCurrentRound: 50n }, 10n, 5n)).toBe(100n);
    expect(reserveAlloc({ fundsRemaining: 1000n, claimedInCurrentRound: 0n }, 0n, 0n)).toBe(0n);
    expect(maxFloat(100n, 300n, 100n)).toBe(100n);
    expect(maxFloat(100n, 299n, 100n)).toBe(0n);
    expect(maxFloat(100n, 5n, 0n)).toBe(100n);
    expect(availableFunds(100n, 50n, 30n)).toBe(120n);
  });
});

describe('price guard (§5.6)', () => {
  it('refuses more than 2× the initial price, and a missing price', () => {
    expect(() => checkPriceNotDoubled({ pricePerUnit: 2n, pixelsPerUnit: 1n }, rat(1n))).not.toThrow();
    expect(caught(() => checkPriceNotDoubled({ pricePerUnit: 4001n, pixelsPerUnit: 2000n }, rat(1n))).message).toBe(
      'Orchestrator price has more than doubled, Orchestrator price: 4001/2000, Orchestrator initial price: 1/1',
    );
    expect(caught(() => checkPriceNotDoubled(undefined, rat(1n))).message).toBe('missing orchestrator price');
  });
});
