import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AbiCoder,
  type Contract,
  type ContractTransactionResponse,
  type JsonRpcProvider,
  type Overrides,
  type Signer,
  type TransactionReceipt,
  Wallet,
  concat,
  getBytes,
  keccak256,
  solidityPacked,
  toBeHex,
} from 'ethers';
import { startAnvil, type StartedAnvil } from '@lpts/testing';
import { CONTRACTS_ROOT } from '../compile';
import { deployDevnet, initializeNextRound, mineTo, type Devnet } from '../deployer';

const abiFixture = JSON.parse(readFileSync(join(CONTRACTS_ROOT, 'fixtures', 'livepeer-abi.json'), 'utf8')) as {
  events: Record<string, string>;
};

export interface Harness {
  anvil: StartedAnvil;
  devnet: Devnet;
  provider: JsonRpcProvider;
  /** Account #0, the Controller owner, as a plain wallet (safe across evm_revert). */
  owner: Wallet;
  /** Accounts #1.. as wallets. */
  wallets: Wallet[];
  stop(): Promise<void>;
}

/** anvil + devnet deployed by our deployer (unit profile). One per spec file. */
export async function startHarness(): Promise<Harness> {
  const anvil = await startAnvil({ accounts: 20 });
  const key0 = anvil.accounts[0]?.privateKey ?? '';
  const devnet = await deployDevnet({ rpcUrl: anvil.rpcUrl, deployerKey: key0, profile: 'unit' });
  const provider = devnet.provider;
  const wallets = anvil.accounts.map((a) => new Wallet(a.privateKey, provider));
  const owner = wallets.shift() as Wallet;
  return {
    anvil,
    devnet,
    provider,
    owner,
    wallets,
    stop: async () => {
      provider.destroy();
      await anvil.stop();
    },
  };
}

export async function snapshot(h: Harness): Promise<string> {
  return (await h.provider.send('evm_snapshot', [])) as string;
}
export async function revertTo(h: Harness, id: string): Promise<void> {
  await h.provider.send('evm_revert', [id]);
}

/** Sends `method(args)` from `signer` and returns the successful receipt. */
export async function send(c: Contract, signer: Signer, method: string, args: unknown[] = [], overrides: Overrides = {}): Promise<TransactionReceipt> {
  const tx = (await c.connect(signer).getFunction(method)(...args, overrides)) as ContractTransactionResponse;
  const r = await tx.wait();
  if (!r || r.status !== 1) throw new Error(`${method} failed`);
  return r;
}

export async function call<T = unknown>(c: Contract, method: string, ...args: unknown[]): Promise<T> {
  return (await c.getFunction(method)(...args)) as T;
}

/** Asserts the call reverts with exactly `reason` (one of `reason` when an array is given). */
export async function expectRevert(p: Promise<unknown>, reason: string | string[]): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeDefined();
  const got = (err as { reason?: string | null }).reason;
  if (Array.isArray(reason)) expect(reason).toContain(got);
  else expect(got).toBe(reason);
}

/** Decoded logs of `eventSig` emitted by `c`; checks topic0 against the Livepeer fixture. */
export function eventsOf(r: TransactionReceipt, c: Contract, eventSig: string): Record<string, unknown>[] {
  const topic0 = abiFixture.events[eventSig];
  const frag = c.interface.getEvent(eventSig);
  expect(frag?.topicHash).toBe(topic0);
  const address = (c.target as string).toLowerCase();
  return r.logs
    .filter((l) => l.address.toLowerCase() === address && l.topics[0] === topic0)
    .map((l) => {
      const parsed = c.interface.parseLog(l);
      const out: Record<string, unknown> = {};
      parsed?.fragment.inputs.forEach((inp, i) => (out[inp.name] = parsed.args[i]));
      return out;
    });
}

/** The single `eventSig` log; asserts its decoded fields contain `expected`. */
export function expectEvent(r: TransactionReceipt, c: Contract, eventSig: string, expected: Record<string, unknown>): Record<string, unknown> {
  const evs = eventsOf(r, c, eventSig);
  expect(evs).toHaveLength(1);
  const ev = evs[0] as Record<string, unknown>;
  expect(ev).toMatchObject(expected);
  return ev;
}

/** Topic0 values of all logs in order. */
export function topicOrder(r: TransactionReceipt): string[] {
  return r.logs.map((l) => l.topics[0] ?? '');
}
export function topicOf(eventSig: string): string {
  return abiFixture.events[eventSig] ?? '';
}

export async function currentRound(h: Harness): Promise<bigint> {
  return call<bigint>(h.devnet.contracts.roundsManager, 'currentRound');
}

export async function nextRound(h: Harness): Promise<bigint> {
  return initializeNextRound({ provider: h.provider, deployer: h.owner, contracts: h.devnet.contracts });
}

/** Mines so that the next (pending) block is the last, locked block of the current round (unit profile: 1 locked block). */
export async function mineToLock(h: Harness): Promise<void> {
  const rm = h.devnet.contracts.roundsManager;
  const start = await call<bigint>(rm, 'currentRoundStartBlock');
  const len = await call<bigint>(rm, 'roundLength');
  await mineTo(h.provider, start + len - 2n);
}

// ---- tickets (PROTOCOL.md §6.2) ----

export interface Ticket {
  recipient: string;
  sender: string;
  faceValue: bigint;
  winProb: bigint;
  senderNonce: bigint;
  recipientRandHash: string;
  auxData: string;
}

export const MAX_WIN_PROB = (1n << 256n) - 1n;

export function auxData(round: bigint, blockHash: string): string {
  return AbiCoder.defaultAbiCoder().encode(['uint256', 'bytes32'], [round, blockHash]);
}

export function randHash(rand: bigint): string {
  return keccak256(toBeHex(rand, 32));
}

export function ticketHash(t: Ticket): string {
  return keccak256(
    solidityPacked(
      ['address', 'address', 'uint256', 'uint256', 'uint256', 'bytes32', 'bytes'],
      [t.recipient, t.sender, t.faceValue, t.winProb, t.senderNonce, t.recipientRandHash, t.auxData],
    ),
  );
}

export async function signTicket(signer: Wallet, t: Ticket): Promise<string> {
  return signer.signMessage(getBytes(ticketHash(t)));
}

export function winValue(sig: string, rand: bigint): bigint {
  return BigInt(keccak256(concat([sig, toBeHex(rand, 32)])));
}

export function asTuple(t: Ticket): unknown[] {
  return [t.recipient, t.sender, t.faceValue, t.winProb, t.senderNonce, t.recipientRandHash, t.auxData];
}
