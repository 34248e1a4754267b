import fc from 'fast-check';
import { create, equals, ScalarType } from '@bufbuild/protobuf';
import type { DescField, DescMessage } from '@bufbuild/protobuf';
import { PaymentSchema, PriceInfoSchema, SegDataSchema, TicketParamsSchema } from '../gen/net/lp_rpc_pb';
import { WireCodecs, decodePaymentHeader, decodeSegmentHeader, encodePaymentHeader, encodeSegmentHeader } from './codec';
import type { WireMessageName } from './codec';
import { base64ErrorOffset, decodeBase64Strict, encodeBase64 } from './base64';
import { addressFromWire, addressToWire, bigIntFromWire, bigIntToWire, ticketParamsFromWire, ticketParamsToWire } from './fields';
import { WireError, isWireError } from './wire.errors';
import { isLptsError } from '../errors/lpts-error';

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** An arbitrary value for one scalar type, edges (uint64 max, int64 min/max) included. */
function scalarArb(t: ScalarType): fc.Arbitrary<unknown> {
  switch (t) {
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.oneof(fc.constantFrom(INT64_MIN, INT64_MAX, 0n, -1n), fc.bigInt({ min: INT64_MIN, max: INT64_MAX }));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.oneof(fc.constantFrom(UINT64_MAX, 0n, 1n), fc.bigInt({ min: 0n, max: UINT64_MAX }));
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.constant(2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.STRING:
      return fc.string({ unit: 'binary', maxLength: 24 });
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 70 });
    default:
      return fc.double({ noNaN: true });
  }
}

function enumArb(field: DescField): fc.Arbitrary<number> {
  const values = field.enum?.values.map((v) => v.number) ?? [0];
  // proto3 enums are open: unknown numbers survive a round trip too.
  return fc.oneof(fc.constantFrom(...values), fc.integer({ min: -5, max: 1000 }));
}

const memo = new Map<string, fc.Arbitrary<unknown>>();

/** Arbitrary init object for any message, generated from its descriptor (depth-limited). */
function messageArb(desc: DescMessage, depth = 0): fc.Arbitrary<unknown> {
  const key = `${desc.typeName}@${depth}`;
  const cached = memo.get(key);
  if (cached) return cached;
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  const sub = (m: DescMessage): fc.Arbitrary<unknown> => (depth >= 3 ? fc.constant(create(m)) : messageArb(m, depth + 1));
  const single = (f: DescField): fc.Arbitrary<unknown> => {
    if (f.fieldKind === 'scalar') return scalarArb(f.scalar);
    if (f.fieldKind === 'enum') return enumArb(f);
    if (f.fieldKind === 'message') return sub(f.message);
    throw new Error('unreachable');
  };
  for (const f of desc.fields) {
    if (f.oneof) continue;
    switch (f.fieldKind) {
      case 'list': {
        const el = f.listKind === 'scalar' ? scalarArb(f.scalar) : f.listKind === 'enum' ? enumArb(f) : sub(f.message);
        shape[f.localName] = fc.array(el, { maxLength: depth > 1 ? 2 : 4 });
        break;
      }
      case 'map': {
        const k = f.mapKey === ScalarType.STRING ? fc.string({ maxLength: 10 }) : fc.nat({ max: 2 ** 32 - 1 }).map(String);
        const v = f.mapKind === 'scalar' ? scalarArb(f.scalar) : f.mapKind === 'enum' ? enumArb(f) : sub(f.message);
        shape[f.localName] = fc.dictionary(k, v, { maxKeys: 3 });
        break;
      }
      case 'message':
        shape[f.localName] = fc.option(sub(f.message), { nil: undefined });
        break;
      default:
        shape[f.localName] = single(f);
    }
  }
  for (const o of desc.oneofs) {
    shape[o.localName] = fc.oneof(
      fc.constant({ case: undefined }),
      ...o.fields.map((f) => single(f).map((value) => ({ case: f.localName, value }))),
    );
  }
  const arb = fc.record(shape).map((init) => create(desc, init as never));
  memo.set(key, arb);
  return arb;
}

const names = Object.keys(WireCodecs) as WireMessageName[];

describe('wire codecs', () => {
  it('has a codec for every message of both proto files', () => {
    expect(names).toHaveLength(35);
    for (const n of names) expect(WireCodecs[n].typeName).toBe(`net.${n.replace(/_/g, '.')}`);
  });

  it.each(names)('%s: encode → decode round-trips arbitrary values', (name) => {
    const codec = WireCodecs[name] as (typeof WireCodecs)['Payment'];
    const desc = codec.schema as DescMessage;
    fc.assert(
      fc.property(messageArb(desc), (msg) => {
        const bytes = codec.encode(msg as never);
        const back = codec.decode(bytes);
        expect(equals(desc, back as never, msg as never)).toBe(true);
        expect(Buffer.compare(codec.encode(back), bytes)).toBe(0);
        const viaHeader = codec.decodeBase64(codec.encodeBase64(msg as never));
        expect(equals(desc, viaHeader as never, msg as never)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it.each(names)('%s: random bytes decode to a message or a typed WireError', (name) => {
    const codec = WireCodecs[name];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          codec.decode(bytes);
        } catch (e) {
          expect(isWireError(e, 'PROTOBUF_DECODE')).toBe(true);
          const err = e as WireError;
          expect(err.details['message']).toBe(codec.typeName);
          expect(err.details['byteLength']).toBe(bytes.length);
          expect(typeof err.details['problem']).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps uint64 max in Capabilities.bitstring and int64 extremes in PriceInfo', () => {
    const caps = WireCodecs.Capabilities.create({ bitstring: [UINT64_MAX, 0n, 1n], capacities: { 4294967295: 4294967295 } });
    const back = WireCodecs.Capabilities.decode(WireCodecs.Capabilities.encode(caps));
    expect(back.bitstring).toEqual([UINT64_MAX, 0n, 1n]);
    expect(back.capacities[4294967295]).toBe(4294967295);
    const price = create(PriceInfoSchema, { pricePerUnit: INT64_MAX, pixelsPerUnit: 1n });
    expect(WireCodecs.PriceInfo.decode(WireCodecs.PriceInfo.encode(price)).pricePerUnit).toBe(INT64_MAX);
  });

  it('ignores unknown fields and accepts unpacked repeated scalars', () => {
    // field 1 (bitstring) unpacked: tag 0x08 varint 5, twice; then unknown field 99 (varint).
    const bytes = Uint8Array.from([0x08, 0x05, 0x08, 0x07, 0x98, 0x06, 0x01]);
    expect(WireCodecs.Capabilities.decode(bytes).bitstring).toEqual([5n, 7n]);
  });

  it('omits proto3 zero values on the wire', () => {
    expect(WireCodecs.SegData.encode(create(SegDataSchema, { seq: 0n, duration: 0 }))).toHaveLength(0);
  });
});

describe('headers (Livepeer-Segment / Livepeer-Payment)', () => {
  const payment = create(PaymentSchema, {
    sender: new Uint8Array(20).fill(0xab),
    ticketSenderParams: [{ senderNonce: 1, sig: new Uint8Array(65).fill(7) }],
    expectedPrice: { pricePerUnit: 3n, pixelsPerUnit: 2n },
  });

  it('round-trips a Payment and a SegData through base64', () => {
    const h = encodePaymentHeader(payment);
    expect(h).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(equals(PaymentSchema, decodePaymentHeader(h), payment)).toBe(true);
    const seg = create(SegDataSchema, { manifestId: Buffer.from('m'), seq: 7n, sig: new Uint8Array(65) });
    expect(equals(SegDataSchema, decodeSegmentHeader(encodeSegmentHeader(seg)), seg)).toBe(true);
  });

  it('decodes an empty Livepeer-Payment (offchain) to an empty Payment', () => {
    expect(equals(PaymentSchema, decodePaymentHeader(''), create(PaymentSchema))).toBe(true);
  });

  it('rejects bad base64 with a typed error naming the message, the length and the offset', () => {
    const h = encodePaymentHeader(payment);
    const bad = h.slice(0, 8) + '*' + h.slice(9);
    let err: unknown;
    try {
      decodePaymentHeader(bad);
    } catch (e) {
      err = e;
    }
    expect(isWireError(err, 'BASE64_DECODE')).toBe(true);
    expect(isLptsError(err)).toBe(true);
    const w = err as WireError;
    expect(w.message).toBe(`base64 decode error: net.Payment (${bad.length} chars): illegal base64 data at input byte 8`);
    expect(w.details).toMatchObject({ message: 'net.Payment', textLength: bad.length, offset: 8 });
    expect(() => decodeSegmentHeader('abc')).toThrow(WireError);
    expect(() => decodeSegmentHeader('ab\ncd==')).toThrow(WireError);
  });

  it('rejects valid base64 carrying bad protobuf with PROTOBUF_DECODE and the byte length', () => {
    const text = encodeBase64(Uint8Array.from([0x0a, 0x50, 0x01]));
    try {
      decodePaymentHeader(text);
      throw new Error('expected failure');
    } catch (e) {
      expect(isWireError(e, 'PROTOBUF_DECODE')).toBe(true);
      expect((e as WireError).message).toMatch(/^protobuf unmarshal error: net\.Payment \(3 bytes\): /);
    }
  });

  it('random text: decodes or throws a typed WireError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          decodeSegmentHeader(s);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('strict base64 agrees with Node on valid input and refuses what Go refuses', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const t = encodeBase64(b);
        expect(base64ErrorOffset(t)).toBe(-1);
        expect(Buffer.from(decodeBase64Strict(t) as Uint8Array).equals(Buffer.from(b))).toBe(true);
      }),
    );
    expect(base64ErrorOffset('QQ')).toBe(0);
    expect(base64ErrorOffset('QQ=')).toBe(2);
    expect(base64ErrorOffset('Q=Q=')).toBe(1);
    expect(base64ErrorOffset('QQ==')).toBe(-1);
  });
});

describe('field conventions', () => {
  it('big integers: minimal big-endian, zero is empty, leading zeros accepted on decode', () => {
    expect(bigIntToWire(0n)).toHaveLength(0);
    expect(Array.from(bigIntToWire(256n))).toEqual([1, 0]);
    expect(bigIntFromWire(Uint8Array.from([0, 0, 1, 0]))).toBe(256n);
    expect(() => bigIntToWire(-1n, 'faceValue')).toThrow(expect.objectContaining({ code: 'INVALID_FIELD' }));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (v) => {
        const b = bigIntToWire(v);
        expect(b[0] === 0).toBe(false);
        expect(bigIntFromWire(b)).toBe(v);
      }),
    );
  });

  it('addresses: 20 bytes out, Go parsing (last 20 / left pad) in', () => {
    const a = addressToWire('0x' + '11'.repeat(20));
    expect(a).toHaveLength(20);
    expect(() => addressToWire(new Uint8Array(19))).toThrow(expect.objectContaining({ code: 'INVALID_FIELD', details: expect.objectContaining({ byteLength: 19 }) }));
    expect(Array.from(addressFromWire(Uint8Array.from([...new Uint8Array(12).fill(9), ...a])))).toEqual(Array.from(a));
    expect(Array.from(addressFromWire(Uint8Array.from([1])))).toEqual([...new Array(19).fill(0), 1]);
  });

  it('TicketParams: bigint view round-trips, including leading-zero big ints from a peer', () => {
    fc.assert(
      fc.property(
        fc.record({
          faceValue: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
          winProb: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
          seed: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
          expirationBlock: fc.bigInt({ min: 0n, max: 1n << 64n }),
          round: fc.bigInt({ min: 0n, max: INT64_MAX }),
        }),
        (r) => {
          const v = {
            recipient: new Uint8Array(20).fill(1),
            faceValue: r.faceValue,
            winProb: r.winProb,
            recipientRandHash: new Uint8Array(32).fill(2),
            seed: r.seed,
            expirationBlock: r.expirationBlock,
            expirationParams: { creationRound: r.round, creationRoundBlockHash: new Uint8Array(32).fill(3) },
          };
          const wire = WireCodecs.TicketParams.decode(WireCodecs.TicketParams.encode(ticketParamsToWire(v)));
          expect(ticketParamsFromWire(wire)).toEqual(v);
        },
      ),
    );
    const padded = create(TicketParamsSchema, { faceValue: Uint8Array.from([0, 0, 5]) });
    expect(ticketParamsFromWire(padded).faceValue).toBe(5n);
  });
});
