import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Signature, type Wallet, ZeroAddress, getBytes, hexlify, keccak256, parseEther, toUtf8Bytes } from 'ethers';
import { signTicket as pmSignTicket, ticketHash as pmTicketHash } from '@lpts/pm';
import { CONTRACTS_ROOT, fundActors } from './index';
import {
  type Harness,
  type Ticket,
  MAX_WIN_PROB,
  asTuple,
  auxData,
  call,
  currentRound,
  eventsOf,
  expectEvent,
  expectRevert,
  nextRound,
  randHash,
  revertTo,
  send,
  signTicket,
  snapshot,
  startHarness,
  ticketHash,
  topicOf,
  topicOrder,
  winValue,
} from './spec/harness';

const ETH = (n: number | string): bigint => parseEther(String(n));
const vectors = JSON.parse(readFileSync(join(CONTRACTS_ROOT, '..', '..', 'fixtures', 'vectors', 'tickets.json'), 'utf8')) as {
  ticketHash: { name: string; inputs: Record<string, string>; auxData: string; ticketHash: string }[];
};
const SECP256K1_N = BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141');

describe('devnet TicketBroker (CONTRACTS.md §2.7, §6)', () => {
  let h: Harness;
  let snap: string;
  let O1: Wallet, O2: Wallet, O3: Wallet, O4: Wallet, S: Wallet, T: Wallet, U: Wallet;
  let nonce = 0n;
  const c = (): Harness['devnet']['contracts'] => h.devnet.contracts;

  const bond = async (w: Wallet, amount: bigint) => {
    await send(c().token, w, 'approve', [c().bondingManager.target, amount]);
    await send(c().bondingManager, w, 'bond', [amount, w.address]);
    await send(c().bondingManager, w, 'transcoder', [0n, 500000n]);
  };

  beforeAll(async () => {
    h = await startHarness();
    [O1, O2, O3, O4, S, T, U] = h.wallets as [Wallet, Wallet, Wallet, Wallet, Wallet, Wallet, Wallet];
    await fundActors(h.devnet, [O1, O2, O3, O4].map((w) => w.address), { lpt: ETH(1000) });
    await nextRound(h);
    await bond(O1, ETH(300));
    await bond(O2, ETH(200));
    await nextRound(h);
    await bond(O3, ETH(100));
    await nextRound(h);
  }, 60_000);
  afterAll(async () => h?.stop());
  beforeEach(async () => {
    snap = await snapshot(h);
    await nextRound(h);
  });
  afterEach(async () => revertTo(h, snap));

  async function makeTicket(over: Partial<Ticket> = {}, rand = 5n): Promise<{ t: Ticket; rand: bigint }> {
    const round = await currentRound(h);
    const hash = await call<string>(c().roundsManager, 'blockHashForRound', round);
    nonce++;
    const t: Ticket = {
      recipient: O1.address,
      sender: S.address,
      faceValue: ETH(0.1),
      winProb: MAX_WIN_PROB,
      senderNonce: nonce,
      recipientRandHash: randHash(rand),
      auxData: auxData(round, hash),
      ...over,
    };
    return { t, rand };
  }
  const redeem = (t: Ticket, sig: string, rand: bigint, from: Wallet = O1) =>
    send(c().ticketBroker, from, 'redeemWinningTicket', [asTuple(t), sig, rand]);
  const fund = (w: Wallet, d: bigint, r: bigint) => send(c().ticketBroker, w, 'fundDepositAndReserve', [d, r], { value: d + r });

  it('AC-20 fundDepositAndReserve value check, event order, sender info, Minter ETH', async () => {
    await expectRevert(
      send(c().ticketBroker, S, 'fundDepositAndReserve', [ETH(1), ETH(1)], { value: ETH(1.5) }),
      'msg.value does not equal sum of deposit amount and reserve amount',
    );
    const before = await h.provider.getBalance(c().minter.target);
    const r = await fund(S, ETH(1), ETH(1));
    expect(topicOrder(r)).toEqual([topicOf('ReserveFunded(address,uint256)'), topicOf('DepositFunded(address,uint256)')]);
    expectEvent(r, c().ticketBroker, 'ReserveFunded(address,uint256)', { reserveHolder: S.address, amount: ETH(1) });
    expectEvent(r, c().ticketBroker, 'DepositFunded(address,uint256)', { sender: S.address, amount: ETH(1) });
    const info = await call<[[bigint, bigint], [bigint, bigint]]>(c().ticketBroker, 'getSenderInfo', S.address);
    expect(info.map((x) => [...x])).toEqual([
      [ETH(1), 0n],
      [ETH(1), 0n],
    ]);
    expect(await h.provider.getBalance(c().minter.target)).toBe(before + ETH(2));
  });

  it('AC-21/22 redeem a winning ticket; fee booked and withdrawable; replay rejected', async () => {
    await fund(S, ETH(1), 0n);
    const { t, rand } = await makeTicket();
    const sig = await signTicket(S, t);
    const r = await redeem(t, sig, rand);
    const R = await currentRound(h);
    expect(topicOrder(r)).toEqual([topicOf('WinningTicketTransfer(address,address,uint256)'), topicOf('WinningTicketRedeemed(address,address,uint256,uint256,uint256,uint256,bytes)')]);
    expectEvent(r, c().ticketBroker, 'WinningTicketTransfer(address,address,uint256)', { sender: S.address, recipient: O1.address, amount: ETH(0.1) });
    expectEvent(r, c().ticketBroker, 'WinningTicketRedeemed(address,address,uint256,uint256,uint256,uint256,bytes)', {
      sender: S.address,
      recipient: O1.address,
      faceValue: ETH(0.1),
      winProb: MAX_WIN_PROB,
      senderNonce: t.senderNonce,
      recipientRand: rand,
      auxData: t.auxData,
    });
    expect(await call(c().ticketBroker, 'usedTickets', ticketHash(t))).toBe(true);
    expect(await call(c().ticketBroker, 'getTicketHash', asTuple(t))).toBe(ticketHash(t));
    const info = await call<[[bigint, bigint]]>(c().ticketBroker, 'getSenderInfo', S.address);
    expect(info[0][0]).toBe(ETH(0.9));
    const tr = await call<bigint[]>(c().bondingManager, 'getTranscoder', O1.address);
    expect(tr[9]).toBe(R);
    const pool = await call<bigint[]>(c().bondingManager, 'getTranscoderEarningsPoolForRound', O1.address, R);
    expect(pool[4]).toBeGreaterThan(0n);
    const pending = await call<bigint>(c().bondingManager, 'pendingFees', O1.address, R);
    expect(ETH(0.1) - pending).toBeGreaterThanOrEqual(0n);
    expect(ETH(0.1) - pending).toBeLessThanOrEqual(10n);
    const x = ETH(0.05);
    const bal = await h.provider.getBalance(U.address);
    const w = await send(c().bondingManager, O1, 'withdrawFees', [U.address, x]);
    expectEvent(w, c().bondingManager, 'WithdrawFees(address,address,uint256)', { delegator: O1.address, recipient: U.address, amount: x });
    expect(await h.provider.getBalance(U.address)).toBe(bal + x);
    await expectRevert(send(c().bondingManager, O1, 'withdrawFees', [U.address, ETH(1)]), 'insufficient fees to withdraw');
    await expectRevert(send(c().bondingManager, O1, 'withdrawFees', [ZeroAddress, 1n]), 'invalid recipient');
    // AC-22
    await expectRevert(redeem(t, sig, rand), 'ticket is used');
  });

  it('AC-23 valid in R+1, expired in R+2', async () => {
    await fund(S, ETH(1), 0n);
    const a = await makeTicket();
    const b = await makeTicket();
    await nextRound(h);
    await redeem(a.t, await signTicket(S, a.t), a.rand);
    await nextRound(h);
    await expectRevert(redeem(b.t, await signTicket(S, b.t), b.rand), 'ticket is expired');
  });

  it('AC-24 block hash and auxData checks', async () => {
    await fund(S, ETH(1), 0n);
    const R = await currentRound(h);
    const wrong = await makeTicket({ auxData: auxData(R, keccak256(toUtf8Bytes('foo'))) });
    await expectRevert(redeem(wrong.t, await signTicket(S, wrong.t), wrong.rand), 'ticket creationRoundBlockHash invalid for creationRound');
    const future = await makeTicket({ auxData: auxData(R + 1n, keccak256(toUtf8Bytes('foo'))) });
    await expectRevert(redeem(future.t, await signTicket(S, future.t), future.rand), 'ticket creationRound does not have a block hash');
    const short = await makeTicket();
    short.t.auxData = short.t.auxData.slice(0, -2);
    await expectRevert(redeem(short.t, await signTicket(S, short.t), short.rand), 'invalid length for ticket auxData: must be 64 bytes');
  });

  it('AC-25 signature variants', async () => {
    await fund(S, ETH(1), 0n);
    const { t, rand } = await makeTicket();
    const sig = Signature.from(await signTicket(S, t));
    await expectRevert(redeem(t, sig.compactSerialized, rand), 'INVALID_SIGNATURE_LENGTH');
    const raw = getBytes(sig.serialized);
    const v01 = new Uint8Array(raw);
    v01[64] = (v01[64] ?? 27) - 27;
    await expectRevert(redeem(t, `0x${Buffer.from(v01).toString('hex')}`, rand), ["ECDSA: invalid signature 'v' value", 'ECDSA: invalid signature']);
    const highS = (SECP256K1_N - BigInt(sig.s)).toString(16).padStart(64, '0');
    const flippedV = sig.v === 27 ? '1c' : '1b';
    await expectRevert(redeem(t, `${sig.r}${highS}${flippedV}`, rand), "ECDSA: invalid signature 's' value");
    await expectRevert(redeem(t, await signTicket(T, t), rand), 'invalid signature over ticket hash');
    const noPrefix = S.signingKey.sign(ticketHash(t)).serialized;
    await expectRevert(redeem(t, noPrefix, rand), 'invalid signature over ticket hash');
    expect(await call(c().ticketBroker, 'usedTickets', ticketHash(t))).toBe(false);
  });

  it('AC-26 recipientRand and win boundary', async () => {
    await fund(S, ETH(1), 0n);
    const probe = await makeTicket();
    await expectRevert(redeem(probe.t, await signTicket(S, probe.t), 6n), 'recipientRand does not match recipientRandHash');
    // winProb is signed, so "winProb == win value" has no practical fixed point; check the strict rule at 0
    // (win value >= 0 always loses) and a certain win at 2^256 - 1.
    const lose = await makeTicket({ winProb: 0n });
    const sigLose = await signTicket(S, lose.t);
    expect(winValue(sigLose, lose.rand)).toBeGreaterThanOrEqual(0n);
    await expectRevert(redeem(lose.t, sigLose, lose.rand), 'ticket did not win');
    const winner = await makeTicket({ winProb: MAX_WIN_PROB });
    await redeem(winner.t, await signTicket(S, winner.t), winner.rand);
  });

  it('AC-27 null addresses and unregistered recipient', async () => {
    await fund(S, ETH(1), 0n);
    const a = await makeTicket({ recipient: ZeroAddress });
    await expectRevert(redeem(a.t, await signTicket(S, a.t), a.rand), 'ticket recipient is null address');
    const b = await makeTicket({ sender: ZeroAddress });
    await expectRevert(redeem(b.t, await signTicket(S, b.t), b.rand), 'ticket sender is null address');
    const u = await makeTicket({ recipient: U.address });
    await expectRevert(redeem(u.t, await signTicket(S, u.t), u.rand, U), 'transcoder must be registered');
    expect(await call(c().ticketBroker, 'usedTickets', ticketHash(u.t))).toBe(false);
  });

  it('AC-28 [#657] insufficient deposit + reserve, retry after top-up', async () => {
    await send(c().ticketBroker, T, 'fundDepositAndReserveFor', [S.address, 1n, 0n], { value: 1n });
    const { t, rand } = await makeTicket({ faceValue: ETH(1) });
    const sig = await signTicket(S, t);
    await expectRevert(redeem(t, sig, rand), 'sender deposit and reserve insufficient to cover ticket face value');
    expect(await call(c().ticketBroker, 'usedTickets', ticketHash(t))).toBe(false);
    await fund(S, ETH(1), 0n);
    const r = await redeem(t, sig, rand);
    expectEvent(r, c().ticketBroker, 'WinningTicketTransfer(address,address,uint256)', { amount: ETH(1) });
  });

  it('AC-29 reserve split across 3 active transcoders; #663 gap', async () => {
    await fund(S, 0n, ETH(3));
    for (const o of [O1, O2, O3]) expect(await call(c().ticketBroker, 'claimableReserve', S.address, o.address)).toBe(ETH(1));
    const { t, rand } = await makeTicket({ faceValue: ETH(2) });
    const r = await redeem(t, await signTicket(S, t), rand);
    expect(topicOrder(r)).toEqual([
      topicOf('ReserveClaimed(address,address,uint256)'),
      topicOf('WinningTicketTransfer(address,address,uint256)'),
      topicOf('WinningTicketRedeemed(address,address,uint256,uint256,uint256,uint256,bytes)'),
    ]);
    expectEvent(r, c().ticketBroker, 'ReserveClaimed(address,address,uint256)', { reserveHolder: S.address, claimant: O1.address, amount: ETH(1) });
    expectEvent(r, c().ticketBroker, 'WinningTicketTransfer(address,address,uint256)', { amount: ETH(1) });
    expect(await call(c().ticketBroker, 'usedTickets', ticketHash(t))).toBe(true);
    expect(await call(c().ticketBroker, 'claimedReserve', S.address, O1.address)).toBe(ETH(1));
    expect(await call(c().ticketBroker, 'claimableReserve', S.address, O1.address)).toBe(0n);
    expect(await call(c().ticketBroker, 'claimableReserve', S.address, O2.address)).toBe(ETH(1));
    expect([...(await call<bigint[]>(c().ticketBroker, 'getReserveInfo', S.address))]).toEqual([ETH(2), ETH(1)]);
    await nextRound(h);
    expect(await call(c().ticketBroker, 'claimableReserve', S.address, O1.address)).toBe(ETH(2) / 3n);
  });

  it('AC-31 pool grows mid-round: every slice shrinks at once', async () => {
    await send(c().bondingManager, h.owner, 'setNumActiveTranscoders', [4n]);
    await fund(S, 0n, ETH(4));
    const { t, rand } = await makeTicket({ faceValue: ETH(0.5) });
    await redeem(t, await signTicket(S, t), rand);
    await send(c().token, O4, 'approve', [c().bondingManager.target, ETH(50)]);
    await send(c().bondingManager, O4, 'bond', [ETH(50), O4.address]);
    expect(await call(c().bondingManager, 'getTranscoderPoolSize')).toBe(4n);
    const slice = (ETH(3.5) + ETH(0.5)) / 4n;
    expect(await call(c().ticketBroker, 'claimableReserve', S.address, O1.address)).toBe(slice - ETH(0.5));
    expect(await call(c().ticketBroker, 'claimableReserve', S.address, O2.address)).toBe(slice);
    expect(await call(c().ticketBroker, 'claimableReserve', S.address, O4.address)).toBe(0n);
  });

  it('AC-32 registered but non-active recipient is paid from the deposit', async () => {
    await send(c().token, O4, 'approve', [c().bondingManager.target, ETH(10)]);
    await send(c().bondingManager, O4, 'bond', [ETH(10), O4.address]);
    expect(await call(c().bondingManager, 'isActiveTranscoder', O4.address)).toBe(false);
    await fund(S, ETH(1), ETH(3));
    expect(await call(c().ticketBroker, 'claimableReserve', S.address, O4.address)).toBe(0n);
    const { t, rand } = await makeTicket({ recipient: O4.address, faceValue: ETH(0.5) });
    const r = await redeem(t, await signTicket(S, t), rand, O4);
    expectEvent(r, c().ticketBroker, 'WinningTicketTransfer(address,address,uint256)', { recipient: O4.address, amount: ETH(0.5) });
    expect(eventsOf(r, c().ticketBroker, 'ReserveClaimed(address,address,uint256)')).toHaveLength(0);
  });

  it('AC-40/41 unlock, locked withdraw, redemption during unlock, withdraw after', async () => {
    await fund(S, ETH(1), ETH(0.5));
    const R = await currentRound(h);
    const u = await send(c().ticketBroker, S, 'unlock');
    expectEvent(u, c().ticketBroker, 'Unlock(address,uint256,uint256)', { sender: S.address, startRound: R, endRound: R + 2n });
    expect(await call(c().ticketBroker, 'isUnlockInProgress', S.address)).toBe(true);
    await expectRevert(send(c().ticketBroker, S, 'unlock'), 'unlock already initiated');
    await nextRound(h);
    await expectRevert(send(c().ticketBroker, S, 'withdraw'), 'account is locked');
    const a = await makeTicket();
    await redeem(a.t, await signTicket(S, a.t), a.rand);
    const b = await makeTicket();
    await nextRound(h);
    await expectRevert(redeem(b.t, await signTicket(S, b.t), b.rand), 'sender is unlocked');
    const bal = await h.provider.getBalance(S.address);
    const w = await send(c().ticketBroker, S, 'withdraw');
    expectEvent(w, c().ticketBroker, 'Withdrawal(address,uint256,uint256)', { sender: S.address, deposit: ETH(0.9), reserve: ETH(0.5) });
    const gas = w.gasUsed * w.gasPrice;
    expect(await h.provider.getBalance(S.address)).toBe(bal + ETH(1.4) - gas);
    const info = await call<[[bigint, bigint], [bigint, bigint]]>(c().ticketBroker, 'getSenderInfo', S.address);
    expect(info.map((x) => [...x])).toEqual([
      [0n, 0n],
      [0n, 0n],
    ]);
  });

  it('AC-42 third-party funding keeps the unlock; own funding cancels it', async () => {
    await fund(S, ETH(1), 0n);
    await send(c().ticketBroker, S, 'unlock');
    const r1 = await send(c().ticketBroker, T, 'fundDepositAndReserveFor', [S.address, 1n, 0n], { value: 1n });
    expect(eventsOf(r1, c().ticketBroker, 'UnlockCancelled(address)')).toHaveLength(0);
    expect(await call(c().ticketBroker, 'isUnlockInProgress', S.address)).toBe(true);
    const r2 = await send(c().ticketBroker, S, 'fundDeposit', [], { value: 1n });
    expectEvent(r2, c().ticketBroker, 'UnlockCancelled(address)', { sender: S.address });
    const info = await call<[[bigint, bigint]]>(c().ticketBroker, 'getSenderInfo', S.address);
    expect(info[0][1]).toBe(0n);
  });

  it('AC-43 cancelUnlock / withdraw without unlock; unlock without funds', async () => {
    await expectRevert(send(c().ticketBroker, T, 'unlock'), 'sender deposit and reserve are zero');
    await fund(S, ETH(1), 0n);
    await expectRevert(send(c().ticketBroker, S, 'cancelUnlock'), 'no unlock request in progress');
    await expectRevert(send(c().ticketBroker, S, 'withdraw'), 'no unlock request in progress');
    await send(c().ticketBroker, S, 'unlock');
    const r = await send(c().ticketBroker, S, 'cancelUnlock');
    expectEvent(r, c().ticketBroker, 'UnlockCancelled(address)', { sender: S.address });
  });

  it('AC-30 getTicketHash known answers (fixtures/vectors/tickets.json)', async () => {
    expect(vectors.ticketHash.length).toBeGreaterThanOrEqual(7);
    for (const v of vectors.ticketHash) {
      const i = v.inputs;
      const t = [i['recipient'], i['sender'], i['faceValue'], i['winProb'], i['senderNonce'], i['recipientRandHash'], v.auxData];
      expect(await call(c().ticketBroker, 'getTicketHash', t)).toBe(v.ticketHash);
    }
  });

  it('tickets signed with @lpts/pm redeem on our TicketBroker (one hashing rule)', async () => {
    await fund(S, ETH(1), 0n);
    const round = await currentRound(h);
    const blockHash = await call<string>(c().roundsManager, 'blockHashForRound', round);
    const fields = {
      recipient: getBytes(O1.address),
      sender: getBytes(S.address),
      faceValue: ETH(0.1),
      winProb: MAX_WIN_PROB,
      senderNonce: 77,
      recipientRandHash: getBytes(randHash(9n)),
      creationRound: round,
      creationRoundBlockHash: getBytes(blockHash),
    };
    const t: Ticket = { recipient: O1.address, sender: S.address, faceValue: ETH(0.1), winProb: MAX_WIN_PROB, senderNonce: 77n, recipientRandHash: randHash(9n), auxData: auxData(round, blockHash) };
    expect(await call(c().ticketBroker, 'getTicketHash', asTuple(t))).toBe(hexlify(pmTicketHash(fields)));
    const sig = hexlify(pmSignTicket(getBytes(S.privateKey), fields));
    const r = await redeem(t, sig, 9n);
    expectEvent(r, c().ticketBroker, 'WinningTicketTransfer(address,address,uint256)', { sender: S.address, recipient: O1.address, amount: ETH(0.1) });
  });

  it('parameter events and ticketValidityPeriod guard', async () => {
    await expectRevert(send(c().ticketBroker, h.owner, 'setTicketValidityPeriod', [0n]), 'ticketValidityPeriod must be greater than 0');
    const r = await send(c().ticketBroker, h.owner, 'setTicketValidityPeriod', [2n]);
    expectEvent(r, c().ticketBroker, 'ParameterUpdate(string)', { param: 'ticketValidityPeriod' });
  });
});
