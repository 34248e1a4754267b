import { fromHex, initCrypto, personalDigest, rawEcdsaRecover, rawEcdsaSign } from '@lpts/protocol';
import { rat } from './math/rational';
import { receivePayment, type IncomingPayment, type RecipientContext } from './recipient/receive-payment';
import { PmSession, createTicketBatch, ticketSigner } from './sender/ticket-batch';
import { InMemoryBalances } from './state/balances';
import { InMemorySeenNonces } from './state/seen-nonces';
import { RecipientSecret } from './ticket/recipient-rand';
import { generateTicketParams } from './ticket/ticket-params';

/*
 * Benchmarks (never assert timing): each prints one JSON line with the figure, its baseline measured
 * in the same run, and the ratio. Baseline and subject alternate over several rounds; the best round
 * of each is reported, which damps noise from other work on a shared machine (more rounds give both
 * sides the same chances of a quiet window). The receive baseline, rawEcdsaRecover, goes through the
 * same direct native binding as the subject's recovery.
 */
const KEY = fromHex('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const signer = ticketSigner(KEY);
const O = fromHex('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
const SECRET = new Uint8Array(32).fill(7);
const HASH = new Uint8Array(32).fill(0xaa);
const FUNDED = { deposit: 10n ** 18n, withdrawRound: 0n, reserve: { fundsRemaining: 10n ** 18n, claimedInCurrentRound: 0n } };
const VIEW = { lastSeenL1Block: 1000n, lastInitializedRound: 100n, lastInitializedL1BlockHash: HASH, senderInfo: FUNDED };
const ROUNDS = 12;

function params(seedByte: number) {
  return generateTicketParams(new RecipientSecret(SECRET), { ev: 8_000_000_000n, redeemGas: 1_200_000n }, {
    recipient: O, sender: signer.address, price: rat(1n, 2n), gasPrice: 100_000_000n, maxFloat: 10n ** 18n,
    lastSeenL1Block: 1000n, lastInitializedRound: 100n, lastInitializedL1BlockHash: HASH,
    previousRoundL1BlockHash: HASH, seed: new Uint8Array(32).fill(seedByte),
  });
}

function report(bench: string, perSecond: number, baselinePerSecond: number, target: number) {
  const line = { bench, perSecond: Math.round(perSecond), baselinePerSecond: Math.round(baselinePerSecond), ratio: +(perSecond / baselinePerSecond).toFixed(3), target };
  process.stdout.write(JSON.stringify(line) + '\n');
}

function rate(n: number, start: bigint): number {
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

describe('pm benchmarks', () => {
  // keccak256 on its WebAssembly implementation, as a node runs after startup (ADR 007)
  beforeAll(() => initCrypto());

  it('recipient-side validation of one ticket vs raw secp256k1 recover', async () => {
    // 4 sessions × 500 tickets (under the 600-nonce cap), each ticket its own one-ticket payment
    const payments: IncomingPayment[] = [];
    const recovers: { sig: Uint8Array; recid: number; digest: Uint8Array }[] = [];
    for (let s = 0; s < 4; s++) {
      const p = params(s + 1);
      const b = createTicketBatch(new PmSession(p), signer, 500, VIEW);
      for (const tsp of b.senderParams) {
        payments.push({
          sender: b.sender, ticketParams: p, expirationParams: b.expirationParams,
          expectedPrice: { pricePerUnit: 1n, pixelsPerUnit: 2n }, ticketSenderParams: [tsp],
        });
        recovers.push({ sig: tsp.sig.subarray(0, 64), recid: (tsp.sig[64] as number) - 27, digest: personalDigest(tsp.sig.subarray(0, 32)) });
      }
    }
    const ctx = (): RecipientContext => ({
      recipientAddresses: [O], secret: new RecipientSecret(SECRET),
      chain: { lastInitializedRound: 100n, lastSeenL1Block: 1000n, isRecipientActive: () => true, senderInfo: () => FUNDED },
      seenNonces: new InMemorySeenNonces(), balances: new InMemoryBalances(), balanceSession: 'bench',
    });
    // Subject and baseline alternate in chunks of CHUNK tickets (a few ms each), every payment once per
    // round; the best chunk of each side is reported, so a preemption on a busy machine spoils one
    // chunk rather than a whole round, for either side alike.
    const CHUNK = 100;
    let best = 0;
    let bestBase = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const c = ctx();
      for (let i = 0; i < payments.length; i += CHUNK) {
        const end = Math.min(i + CHUNK, payments.length);
        let t = process.hrtime.bigint();
        for (let j = i; j < end; j++) {
          const out = await receivePayment(payments[j] as IncomingPayment, c);
          if (out.error) throw out.error;
        }
        best = Math.max(best, rate(end - i, t));
        t = process.hrtime.bigint();
        for (let j = i; j < end; j++) {
          const x = recovers[j] as (typeof recovers)[number];
          rawEcdsaRecover(x.sig, x.recid, x.digest);
        }
        bestBase = Math.max(bestBase, rate(end - i, t));
      }
    }
    report('pm.receive-ticket', best, bestBase, 0.8);
  });

  it('ticket creation (hash + sign) vs raw secp256k1 sign', () => {
    const p = params(9);
    const n = 2000;
    const digests = Array.from({ length: n }, (_, i) => personalDigest(new Uint8Array(32).fill(i & 0xff)));
    let best = 0;
    let bestBase = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const session = new PmSession(p);
      let t = process.hrtime.bigint();
      for (let i = 0; i < n / 100; i++) createTicketBatch(session, signer, 100, VIEW);
      best = Math.max(best, rate(n, t));
      t = process.hrtime.bigint();
      for (const d of digests) rawEcdsaSign(d, KEY);
      bestBase = Math.max(bestBase, rate(n, t));
    }
    report('pm.create-ticket', best, bestBase, 0.8);
  });
});
