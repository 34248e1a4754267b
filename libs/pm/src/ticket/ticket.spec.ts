import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { addressFromPrivateKey, fromHex, keccak256, toChecksumAddress, toHex } from '@lpts/protocol';
import { RecipientSecret, recipientRand, recipientRandBytes, recipientRandHash, recipientRandMessage } from './recipient-rand';
import {
  MAX_WIN_PROB,
  auxData,
  isWinningTicket,
  isWinningTicketBytes,
  signTicket,
  ticketEV,
  ticketHash,
  ticketSignatureValid,
  winValue,
  writeUint256,
  type TicketHashFields,
} from './ticket';
import { ratCmp, rat } from '../math/rational';

interface HashVector { name: string; inputs: HashInputs; auxData: string; preimageLength: number; ticketHash: string }
interface AuxVector { name: string; inputs: { creationRound: string; creationRoundBlockHash: string }; auxData: string }
interface RandVector { name: string; recipientRand: string; recipientRandHash: string }
interface WinVector { name: string; sig: string; recipientRand: string; winValue: string; winProb: string; won: boolean }
interface SigVector { name: string; msg: string; sig: string; address: string; privateKey?: string }

const vectors: { ticketHash: HashVector[]; auxData: AuxVector[]; recipientRandHash: RandVector[]; winCheck: WinVector[] } = JSON.parse(
  readFileSync(join(__dirname, '../../../../fixtures/vectors/tickets.json'), 'utf8'),
);
const sigVectors: { vectors: SigVector[] } = JSON.parse(
  readFileSync(join(__dirname, '../../../../fixtures/vectors/signatures.json'), 'utf8'),
);

interface HashInputs {
  recipient: string;
  sender: string;
  faceValue: string;
  winProb: string;
  senderNonce: string;
  recipientRandHash: string;
  creationRound: string;
  creationRoundBlockHash: string;
}

function fields(i: HashInputs): TicketHashFields {
  return {
    recipient: fromHex(i.recipient),
    sender: fromHex(i.sender),
    faceValue: BigInt(i.faceValue),
    winProb: BigInt(i.winProb),
    senderNonce: Number(i.senderNonce),
    recipientRandHash: fromHex(i.recipientRandHash),
    creationRound: BigInt(i.creationRound),
    creationRoundBlockHash: fromHex(i.creationRoundBlockHash),
  };
}

describe('tickets.json vectors', () => {
  it.each(vectors.ticketHash)('ticketHash: $name', (v) => {
    const f = fields(v.inputs);
    expect(toHex(auxData(f))).toBe(v.auxData);
    expect(168 + auxData(f).length).toBe(v.preimageLength);
    expect(toHex(ticketHash(f))).toBe(v.ticketHash);
  });

  it.each(vectors.auxData)('auxData: $name', (v) => {
    const p = { creationRound: BigInt(v.inputs.creationRound), creationRoundBlockHash: fromHex(v.inputs.creationRoundBlockHash) };
    expect(toHex(auxData(p))).toBe(v.auxData);
  });

  it.each(vectors.recipientRandHash)('recipientRandHash: $name', (v) => {
    expect(toHex(recipientRandHash(BigInt(v.recipientRand)))).toBe(v.recipientRandHash);
    expect(toHex(recipientRandHash(recipientRandBytes(BigInt(v.recipientRand))))).toBe(v.recipientRandHash);
  });

  it.each(vectors.winCheck)('winCheck: $name', (v) => {
    const rand = recipientRandBytes(BigInt(v.recipientRand));
    expect(toHex(winValue(fromHex(v.sig), rand))).toBe(v.winValue);
    expect(isWinningTicket(fromHex(v.sig), rand, BigInt(v.winProb))).toBe(v.won);
  });
});

describe('signatures.json ticket vectors (V1/V2 signed by anvil #2)', () => {
  const ticketVectors = sigVectors.vectors.filter((v) => v.privateKey);
  const byHash = new Map<string, HashInputs>(vectors.ticketHash.map((v) => [v.ticketHash, v.inputs]));

  it('has the two ticket vectors', () => expect(ticketVectors.length).toBe(2));

  it.each(ticketVectors)('$name', (v) => {
    const inputs = byHash.get(v.msg);
    expect(inputs).toBeDefined();
    const f = fields(inputs as HashInputs);
    const priv = fromHex(v.privateKey as string);
    expect(toChecksumAddress(addressFromPrivateKey(priv))).toBe(v.address);
    expect(toHex(signTicket(priv, f))).toBe(v.sig);
    expect(ticketSignatureValid(f.sender, ticketHash(f), fromHex(v.sig))).toBe(true);
  });
});

describe('recipientRand HMAC', () => {
  it('equals node:crypto createHmac for any key and message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), (key, msg) => {
        const expected = createHmac('sha256', key).update(msg).digest('hex');
        expect(toHex(new RecipientSecret(key).hmac(msg), false)).toBe(expected);
      }),
    );
  });

  it('one secret over many repeated messages (its remembered results) still equals createHmac; callers cannot alter what it remembers', () => {
    const key = new Uint8Array(32).fill(7);
    const secret = new RecipientSecret(key);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 120 }), { minLength: 1, maxLength: 40 }), (msgs) => {
        for (const msg of [...msgs, ...msgs]) {
          const got = secret.hmac(msg);
          expect(toHex(got, false)).toBe(createHmac('sha256', key).update(msg).digest('hex'));
          got.fill(0); // a caller scribbling on its copy
        }
      }),
    );
  });
});

describe('win check and EV', () => {
  it('winProb 0 never wins, 2^256−1 wins unless the hash is all ones', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 65, maxLength: 65 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (sig, r) => {
        expect(isWinningTicket(sig, r, 0n)).toBe(false);
        expect(isWinningTicket(sig, r, MAX_WIN_PROB)).toBe(true);
      }),
    );
  });

  it('EV = faceValue × winProb / (2^256 − 1) exactly', () => {
    expect(ratCmp(ticketEV(100n, MAX_WIN_PROB), rat(100n))).toBe(0);
    expect(ratCmp(ticketEV(1000n, MAX_WIN_PROB / 2n), rat(1000n * (MAX_WIN_PROB / 2n), MAX_WIN_PROB))).toBe(0);
  });
});

describe('statistical win rate', () => {
  it('200,000 tickets at winProb ≈ 1/100 win within 4σ of 2,000', () => {
    const n = 200_000;
    const winProb = MAX_WIN_PROB / 100n;
    const sig = new Uint8Array(65);
    sig.set(fromHex('0x206443228e8f784bc3a122de0d85eb3ebff82d6a79cca26c7eeb907099a6404f6dff57bc6828f28bd6cd073c89d94cf3364204679ed8365fa45b5ee6af19a9841c'));
    const rand = recipientRandBytes(5n);
    const view = new DataView(sig.buffer);
    let wins = 0;
    for (let i = 0; i < n; i++) {
      view.setUint32(0, i); // a distinct, deterministic signature per ticket
      if (isWinningTicket(sig, rand, winProb)) wins++;
    }
    const p = 0.01;
    const sigma = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(wins - n * p)).toBeLessThanOrEqual(4 * sigma);
  });
});

describe('recipientRand (message written in place)', () => {
  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
  const uint = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 48n) + 5n }), fc.bigInt({ min: 0n, max: MAX_WIN_PROB }), fc.constant(0n));
  it('equals HMAC over recipientRandMessage (the concatenating reference) for any input', () => {
    fc.assert(
      fc.property(
        bytes(32, 32), bytes(0, 40), bytes(20, 20), uint, uint, uint, uint, fc.bigInt({ min: 1n, max: MAX_WIN_PROB }),
        fc.boolean(), bytes(32, 32), uint,
        (key, seed, sender, faceValue, winProb, expirationBlock, num, den, emptyAux, blockHash, creationRound) => {
          const secret = new RecipientSecret(key);
          const input = {
            seed, sender, faceValue, winProb, expirationBlock, price: { num: num % 3n === 0n ? -num : num, den },
            expirationParams: emptyAux ? { creationRound: 0n, creationRoundBlockHash: new Uint8Array(32) } : { creationRound, creationRoundBlockHash: blockHash },
          };
          expect(toHex(recipientRand(secret, input))).toBe(toHex(secret.hmac(recipientRandMessage(input))));
          expect(toHex(secret.hmac(recipientRandMessage(input)))).toBe('0x' + createHmac('sha256', key).update(recipientRandMessage(input)).digest('hex'));
        },
      ),
    );
  });

  it('grows the HMAC buffer for long messages and keeps the key block', () => {
    const key = new Uint8Array(32).fill(9);
    const secret = new RecipientSecret(key);
    for (const n of [0, 255, 256, 257, 1000, 10]) {
      const m = new Uint8Array(n).fill(n & 0xff);
      expect(toHex(secret.hmac(m), false)).toBe(createHmac('sha256', key).update(m).digest('hex'));
    }
  });
});

describe('writeUint256', () => {
  it('writes the 32-byte big-endian word of any uint256 and refuses values outside', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 1n << 70n }), fc.bigInt({ min: 0n, max: MAX_WIN_PROB })), (v) => {
        const b = Buffer.alloc(40, 0xee);
        writeUint256(b, 4, v);
        expect(b.subarray(4, 36).toString('hex')).toBe(v.toString(16).padStart(64, '0'));
        expect(b[3]).toBe(0xee);
        expect(b[36]).toBe(0xee);
      }),
    );
    expect(() => writeUint256(Buffer.alloc(32), 0, -1n)).toThrow(RangeError);
    expect(() => writeUint256(Buffer.alloc(32), 0, MAX_WIN_PROB + 1n)).toThrow(RangeError);
  });
});

describe('isWinningTicketBytes (one-buffer hot path)', () => {
  it('agrees with isWinningTicket for 65/32-byte inputs and other lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 66 }), fc.uint8Array({ minLength: 31, maxLength: 32 }), fc.bigInt({ min: 1n, max: MAX_WIN_PROB }), (sig, r, winProb) => {
        const word = Buffer.alloc(32);
        writeUint256(word, 0, winProb);
        const expected = Buffer.compare(keccak256(sig, r), word) < 0;
        expect(isWinningTicketBytes(sig, r, word)).toBe(expected);
        if (r.length === 32) expect(isWinningTicketBytes(sig, r, word)).toBe(isWinningTicket(sig, r, winProb));
      }),
    );
  });
});
