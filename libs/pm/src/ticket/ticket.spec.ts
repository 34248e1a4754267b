import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { addressFromPrivateKey, fromHex, toChecksumAddress, toHex } from '@lpts/protocol';
import { RecipientSecret, recipientRandBytes, recipientRandHash } from './recipient-rand';
import {
  MAX_WIN_PROB,
  auxData,
  isWinningTicket,
  signTicket,
  ticketEV,
  ticketHash,
  ticketSignatureValid,
  winValue,
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
