import fc from 'fast-check';
import { fromHex } from '@lpts/protocol';
import { ratCmp, ratMulInt, rat } from '../math/rational';
import { PmSession, createTicketBatch, ticketSigner, type TicketBatch } from '../sender/ticket-batch';
import { RecipientSecret } from '../ticket/recipient-rand';
import { MAX_WIN_PROB, signTicket, ticketEV } from '../ticket/ticket';
import { generateTicketParams, type TicketParams } from '../ticket/ticket-params';
import { TicketErrorCode, isTicketError } from '../ticket/ticket.errors';
import { InMemoryBalances, accountKey } from '../state/balances';
import { InMemorySeenNonces } from '../state/seen-nonces';
import type { SenderInfo } from '../sender/sender-info';
import { receivePayment, type ChainView, type IncomingPayment, type RecipientContext } from './receive-payment';

const SENDER_KEY = fromHex('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const signer = ticketSigner(SENDER_KEY);
const O = fromHex('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
const SECRET = new Uint8Array(32).fill(7);
const HASH_A = new Uint8Array(32).fill(0xaa);
const HASH_B = new Uint8Array(32).fill(0xbb);
const FUNDED: SenderInfo = { deposit: 10n ** 18n, withdrawRound: 0n, reserve: { fundsRemaining: 10n ** 18n, claimedInCurrentRound: 0n } };

function chain(over: Partial<ChainView> = {}): ChainView {
  return {
    lastInitializedRound: 100n,
    lastSeenL1Block: 1000n,
    isRecipientActive: () => true,
    senderInfo: () => FUNDED,
    ...over,
  };
}

function quote(over: { ev?: bigint; gasPrice?: bigint; seed?: Uint8Array } = {}): TicketParams {
  return generateTicketParams(
    new RecipientSecret(SECRET),
    { ev: over.ev ?? 8_000_000_000n, redeemGas: 1_200_000n },
    {
      recipient: O,
      sender: signer.address,
      price: rat(1n, 2n),
      gasPrice: over.gasPrice ?? 100_000_000n,
      maxFloat: 10n ** 18n,
      lastSeenL1Block: 1000n,
      lastInitializedRound: 100n,
      lastInitializedL1BlockHash: HASH_A,
      previousRoundL1BlockHash: HASH_B,
      seed: over.seed ?? new Uint8Array(32).fill(3),
    },
  );
}

function batch(params: TicketParams, n: number): TicketBatch {
  return createTicketBatch(new PmSession(params), signer, n, {
    lastSeenL1Block: 1000n,
    lastInitializedRound: 100n,
    lastInitializedL1BlockHash: HASH_A,
    senderInfo: FUNDED,
  });
}

function paymentOf(b: TicketBatch): IncomingPayment {
  return {
    sender: b.sender,
    ticketParams: b.ticketParams,
    expirationParams: b.expirationParams,
    expectedPrice: { pricePerUnit: b.ticketParams.price.num, pixelsPerUnit: b.ticketParams.price.den },
    ticketSenderParams: b.senderParams,
  };
}

function ctx(over: Partial<RecipientContext> = {}): RecipientContext {
  return {
    recipientAddresses: [O],
    secret: new RecipientSecret(SECRET),
    chain: chain(),
    seenNonces: new InMemorySeenNonces(),
    balances: new InMemoryBalances(() => 0),
    balanceSession: 'session-1',
    ...over,
  };
}

const baseParams = quote();
const baseBatch = batch(baseParams, 1);

describe('receivePayment: accepted payments', () => {
  it('credits EV × n for a valid batch and stores the balance', async () => {
    const c = ctx();
    const b = batch(baseParams, 5);
    const out = await receivePayment(paymentOf(b), c);
    expect(out.error).toBeUndefined();
    expect(out.creditedTickets).toBe(5);
    const ev = ticketEV(baseParams.faceValue, baseParams.winProb);
    expect(ratCmp(out.credited, ratMulInt(ev, 5n))).toBe(0);
    expect(ratCmp((await c.balances.balance(accountKey(signer.address), 'session-1'))!, out.credited)).toBe(0);
  });

  it('sign → verify round-trips for any seed, gas price and batch size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 1, max: 4 }),
        async (seed, gasPrice, n) => {
          const p = quote({ seed, gasPrice });
          const out = await receivePayment(paymentOf(batch(p, n)), ctx());
          expect(out.error).toBeUndefined();
          expect(out.creditedTickets).toBe(n);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('no ticket params: accepted with price 0 fixed', async () => {
    const fixed: unknown[] = [];
    const out = await receivePayment(
      { sender: signer.address, ticketSenderParams: [] },
      ctx({ fixSessionPrice: (_s, session, price) => void fixed.push([session, price]) }),
    );
    expect(out.error).toBeUndefined();
    expect(fixed).toEqual([['session-1', { num: 0n, den: 1n }]]);
  });
});

type Mutation = { name: string; code: string; mutate: (p: IncomingPayment) => IncomingPayment };
const flipByte = (b: Uint8Array, i: number) => {
  const c = new Uint8Array(b);
  c[i % c.length] = (c[i % c.length] as number) ^ (1 + (i % 255));
  return c;
};
const withParams = (p: IncomingPayment, f: (tp: TicketParams) => Partial<TicketParams>): IncomingPayment => ({
  ...p,
  ticketParams: { ...(p.ticketParams as TicketParams), ...f(p.ticketParams as TicketParams) },
});

describe('receivePayment: any single change fails with the specific error (Livepeer order)', () => {
  const mutations = (i: number, d: bigint): Mutation[] => [
    { name: 'recipient', code: TicketErrorCode.INVALID_RECIPIENT, mutate: (p) => withParams(p, (tp) => ({ recipient: flipByte(tp.recipient, i) })) },
    { name: 'sender → other address', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => ({ ...p, sender: flipByte(p.sender as Uint8Array, i) }) },
    { name: 'sender → zero', code: TicketErrorCode.INVALID_SENDER, mutate: (p) => ({ ...p, sender: new Uint8Array(20) }) },
    { name: 'faceValue', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => withParams(p, (tp) => ({ faceValue: tp.faceValue + d })) },
    { name: 'winProb', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => withParams(p, (tp) => ({ winProb: tp.winProb - d })) },
    { name: 'expirationBlock', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => withParams(p, (tp) => ({ expirationBlock: tp.expirationBlock + d })) },
    { name: 'seed', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => withParams(p, (tp) => ({ seed: flipByte(tp.seed, i) })) },
    { name: 'recipientRandHash', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => withParams(p, (tp) => ({ recipientRandHash: flipByte(tp.recipientRandHash, i) })) },
    { name: 'expected price', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => ({ ...p, expectedPrice: { pricePerUnit: 1n + d, pixelsPerUnit: 3n } }) },
    { name: 'creationRound', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => ({ ...p, expirationParams: { ...p.expirationParams!, creationRound: p.expirationParams!.creationRound + d } }) },
    { name: 'creationRoundBlockHash', code: TicketErrorCode.INVALID_RECIPIENT_RAND, mutate: (p) => ({ ...p, expirationParams: { ...p.expirationParams!, creationRoundBlockHash: flipByte(p.expirationParams!.creationRoundBlockHash, i) } }) },
    { name: 'senderNonce', code: TicketErrorCode.INVALID_SIGNATURE, mutate: (p) => ({ ...p, ticketSenderParams: [{ ...p.ticketSenderParams[0]!, senderNonce: 1 + Number(d) }] }) },
    { name: 'signature byte', code: TicketErrorCode.INVALID_SIGNATURE, mutate: (p) => ({ ...p, ticketSenderParams: [{ ...p.ticketSenderParams[0]!, sig: flipByte(p.ticketSenderParams[0]!.sig, i) }] }) },
  ];

  it.each(mutations(0, 1n).map((m) => [m.name, m.code]))('%s → %s', async (name) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10_000 }), fc.bigInt({ min: 1n, max: 1000n }), async (i, d) => {
        const m = mutations(i, d).find((x) => x.name === name)!;
        const out = await receivePayment(m.mutate(paymentOf(baseBatch)), ctx());
        expect(out.error?.code).toBe(m.code);
        expect(out.creditedTickets).toBe(0);
        expect(out.winners).toHaveLength(0);
      }),
      { numRuns: 25 },
    );
  });

  it('a different recipient secret (another recipientRand) → invalid recipientRand, fatal', async () => {
    const out = await receivePayment(paymentOf(baseBatch), ctx({ secret: new RecipientSecret(new Uint8Array(32).fill(8)) }));
    expect(out.error?.message).toBe('invalid recipientRand for ticket recipientRandHash');
    expect(out.error?.fatal).toBe(true);
  });

  it('a bad signature is non-fatal: later tickets are still checked but not credited', async () => {
    const b = batch(quote({ ev: 8_000_000_000n }), 3);
    const p = paymentOf(b);
    const tsps = [...p.ticketSenderParams];
    tsps[1] = { ...tsps[1]!, sig: flipByte(tsps[1]!.sig, 3) };
    const c = ctx();
    const out = await receivePayment({ ...p, ticketSenderParams: tsps }, c);
    expect(out.error?.message).toBe('invalid ticket signature');
    expect(out.error?.fatal).toBe(false);
    expect(out.error?.details['nonce']).toBe(2);
    expect(out.creditedTickets).toBe(1);
    expect(await c.seenNonces.count(b.ticketParams.recipientRandHash ? '0x' + Buffer.from(b.ticketParams.recipientRandHash).toString('hex') : '')).toBe(2);
  });
});

describe('receivePayment: payment-level and replay rules', () => {
  it('1: params without sender', async () => {
    const out = await receivePayment({ ...paymentOf(baseBatch), sender: new Uint8Array(0) }, ctx());
    expect(isTicketError(out.error, 'MISSING_SENDER')).toBe(true);
    expect(out.error?.message.startsWith('Could not find Sender for payment: ')).toBe(true);
  });

  it('3: inactive recipient', async () => {
    const out = await receivePayment(paymentOf(baseBatch), ctx({ chain: chain({ isRecipientActive: () => false }) }));
    expect(out.error?.message).toBe('orchestrator 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 is inactive in round 100, cannot process payments');
  });

  it('4: expected price missing or pixelsPerUnit 0', async () => {
    const a = await receivePayment({ ...paymentOf(baseBatch), expectedPrice: undefined }, ctx());
    expect(a.error?.message).toBe('invalid expected price sent with payment err="expected price is nil"');
    const b = await receivePayment({ ...paymentOf(baseBatch), expectedPrice: { pricePerUnit: 1n, pixelsPerUnit: 0n } }, ctx());
    expect(b.error?.message).toBe('invalid expected price sent with payment err="pixels per unit is 0"');
  });

  it('6a: sender unlocking soon is fatal, with the numbers', async () => {
    const info = { ...FUNDED, withdrawRound: 101n };
    const out = await receivePayment(paymentOf(baseBatch), ctx({ chain: chain({ senderInfo: () => info }) }));
    expect(out.error?.message).toBe('deposit and reserve for sender 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC is set to unlock soon');
    expect(out.error?.fatal).toBe(true);
    expect(out.error?.details).toMatchObject({ withdrawRound: '101', lastInitializedRound: '100' });
    const later = await receivePayment(paymentOf(baseBatch), ctx({ chain: chain({ senderInfo: () => ({ ...FUNDED, withdrawRound: 102n }) }) }));
    expect(later.error).toBeUndefined();
  });

  it('6g: a replayed nonce is refused, non-fatal, not credited', async () => {
    const c = ctx();
    const p = paymentOf(baseBatch);
    expect((await receivePayment(p, c)).error).toBeUndefined();
    const again = await receivePayment(p, c);
    expect(again.error?.message).toBe('invalid ticket senderNonce: already seen sender=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC nonce=1');
    expect(again.error?.fatal).toBe(false);
    expect(again.creditedTickets).toBe(0);
  });

  it('6h: too many nonces per recipientRand', async () => {
    const c = ctx({ seenNonces: new InMemorySeenNonces(2) });
    const out = await receivePayment(paymentOf(batch(baseParams, 3)), c);
    expect(out.error?.message).toBe('invalid ticket senderNonce: too many values sender=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC nonce=3');
    expect(out.creditedTickets).toBe(2);
  });

  it('6i + 8: expired params are refused but winners are still returned', async () => {
    // faceValue = EV → winProb = 2^256 − 1: every ticket wins
    const p = generateTicketParams(new RecipientSecret(SECRET), { ev: 10n ** 15n, redeemGas: 1n }, {
      recipient: O, sender: signer.address, price: rat(1n), gasPrice: 0n, maxFloat: 10n ** 15n,
      lastSeenL1Block: 1000n, lastInitializedRound: 100n, lastInitializedL1BlockHash: HASH_A, previousRoundL1BlockHash: HASH_B,
    });
    expect(p.winProb).toBe(MAX_WIN_PROB);
    // the sender refuses winProb = 2^256 − 1 (`ticket faceValue too low`), so these are signed directly
    const b = [1, 2].map((senderNonce) => ({
      senderNonce,
      sig: signTicket(SENDER_KEY, { ...p, ...p.expirationParams!, sender: signer.address, senderNonce }),
    }));
    const out = await receivePayment(
      { ...paymentOf({ ticketParams: p, expirationParams: p.expirationParams!, sender: signer.address, senderParams: b }) },
      ctx({ chain: chain({ lastSeenL1Block: p.expirationBlock }) }),
    );
    expect(out.error?.message).toBe('TicketParams expired');
    expect(out.error?.retryable).toBe(true);
    expect(out.winners).toHaveLength(2);
    expect(out.creditedTickets).toBe(0);
  });
});
