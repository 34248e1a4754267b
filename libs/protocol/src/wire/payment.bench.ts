import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { PaymentSchema } from '../gen/net/lp_rpc_pb';
import type { Payment } from '../gen/net/lp_rpc_pb';
import { WireCodecs, decodePaymentHeader, encodePaymentHeader } from './codec';
import { bigIntToWire } from './fields';

/*
 * Wire benchmarks (never assert timing). Each prints one JSON line: the figure, a baseline measured
 * in the same run, their ratio and a target. Subject and baseline alternate over ROUNDS rounds of
 * ~WINDOW_MS each; the best round of each is reported to damp noise on a shared machine.
 *  - protobuf: Payment (10 tickets) encode+decode vs JSON.stringify+parse of the same data as hex.
 *  - header:   base64 header encode+decode (strict) vs Buffer base64 of the same bytes (no checks).
 * Target: 10,000 round trips/s, i.e. far more than the segment rate one O process can serve.
 */
const ROUNDS = 5;
const WINDOW_MS = 250;
const TARGET = 10_000;

function paymentWithTickets(n: number): Payment {
  return create(PaymentSchema, {
    ticketParams: {
      recipient: randomBytes(20),
      faceValue: bigIntToWire(24_000_000_000_000_000n),
      winProb: bigIntToWire((1n << 256n) / 3_000_000n),
      recipientRandHash: randomBytes(32),
      seed: randomBytes(32),
      expirationBlock: bigIntToWire(21_000_040n),
      expirationParams: { creationRound: 3_500n, creationRoundBlockHash: randomBytes(32) },
    },
    sender: randomBytes(20),
    expirationParams: { creationRound: 3_500n, creationRoundBlockHash: randomBytes(32) },
    ticketSenderParams: Array.from({ length: n }, (_, i) => ({ senderNonce: i + 1, sig: randomBytes(65) })),
    expectedPrice: { pricePerUnit: 1_200n, pixelsPerUnit: 1n },
  });
}

function perSecond(fn: () => void): number {
  const deadline = process.hrtime.bigint() + BigInt(WINDOW_MS) * 1_000_000n;
  const start = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

function best(subject: () => void, baseline: () => void): { subject: number; baseline: number } {
  let s = 0;
  let b = 0;
  for (let r = 0; r < ROUNDS; r++) {
    s = Math.max(s, perSecond(subject));
    b = Math.max(b, perSecond(baseline));
  }
  return { subject: s, baseline: b };
}

function report(bench: string, figures: { subject: number; baseline: number }, extra: Record<string, unknown>) {
  const line = {
    bench,
    perSecond: Math.round(figures.subject),
    baselinePerSecond: Math.round(figures.baseline),
    ratio: +(figures.subject / figures.baseline).toFixed(3),
    target: TARGET,
    ...extra,
  };
  process.stdout.write(JSON.stringify(line) + '\n');
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('wire benchmarks', () => {
  const payment = paymentWithTickets(10);
  const bytes = WireCodecs.Payment.encode(payment);
  const header = encodePaymentHeader(payment);

  it('Payment (10 tickets) protobuf encode+decode', () => {
    const tp = payment.ticketParams;
    const plain = {
      ticketParams: tp && { recipient: hex(tp.recipient), faceValue: hex(tp.faceValue), winProb: hex(tp.winProb), rrh: hex(tp.recipientRandHash), seed: hex(tp.seed), exp: hex(tp.expirationBlock) },
      sender: hex(payment.sender),
      expirationParams: { creationRound: '3500', hash: hex(payment.expirationParams?.creationRoundBlockHash ?? new Uint8Array()) },
      ticketSenderParams: payment.ticketSenderParams.map((t) => ({ senderNonce: t.senderNonce, sig: hex(t.sig) })),
      expectedPrice: { pricePerUnit: '1200', pixelsPerUnit: '1' },
    };
    let sink = 0;
    const figures = best(
      () => {
        sink += WireCodecs.Payment.decode(WireCodecs.Payment.encode(payment)).ticketSenderParams.length;
      },
      () => {
        sink += (JSON.parse(JSON.stringify(plain)) as typeof plain).ticketSenderParams.length;
      },
    );
    report('wire.payment10.protobuf.encode+decode', figures, { baseline: 'JSON stringify+parse (hex)', bytes: bytes.length });
    expect(sink).toBeGreaterThan(0);
  });

  it('Livepeer-Payment base64 header encode+decode', () => {
    let sink = 0;
    const figures = best(
      () => {
        sink += decodePaymentHeader(encodePaymentHeader(payment)).ticketSenderParams.length;
      },
      () => {
        sink += Buffer.from(Buffer.from(bytes).toString('base64'), 'base64').length;
      },
    );
    report('wire.payment10.header.encode+decode', figures, { baseline: 'Buffer base64 round trip of the same bytes', headerChars: header.length });
    expect(sink).toBeGreaterThan(0);
  });
});
