import { getAddress, Interface } from 'ethers';
import { BONDING_MANAGER_ABI, SERVICE_REGISTRY_ABI } from '../abi/livepeer-abis';
import { ChainError } from '../errors/chain-error';
import { toChainError } from '../rpc/revert';
import { type RpcCall, type RpcClient, type RpcOutcome, RpcResponseError } from '../rpc/rpc-client';
import { revertDataOf } from '../rpc/revert';
import { POOL_WALKER_RUNTIME } from './pool-walker.generated';

const ZERO = '0x0000000000000000000000000000000000000000';
const bm = new Interface(BONDING_MANAGER_ABI);
const sr = new Interface(SERVICE_REGISTRY_ABI);
const walker = new Interface([
  'function walk(address bondingManager, address serviceRegistry, uint256 maxMembers) view returns (bool complete, address[] members, uint256[] stakes, bool[] active, uint8[] status, string[] uris)',
]);
/** Scratch address the walker code is placed at through the eth_call state override (no contract lives there). */
export const POOL_WALKER_ADDRESS = '0x000000000000000000000000000000000001a575';

export interface PoolMember {
  address: string;
  /** `transcoderTotalStake` (delegated stake, wei of LPT). */
  stake: bigint;
  /** ServiceRegistry URI ("" when unset). */
  serviceURI: string;
  /** Active in the current round. */
  active: boolean;
  /** transcoderStatus: 0 NotRegistered, 1 Registered. */
  status: number;
}

export interface ActivePool {
  /** All reads were made at this block, so the snapshot is consistent. */
  blockNumber: bigint;
  /** Pool order (largest stake first). */
  members: PoolMember[];
  /** JSON-RPC round trips used (HTTP requests; a batch counts once). */
  roundTrips: number;
}

export interface PoolReaderAddresses {
  bondingManager: string;
  serviceRegistry: string;
}

export interface PoolReaderOptions {
  /** Stop after this many members (guards against a corrupt list). Default 1 000. */
  maxMembers?: number;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint;
}

/**
 * Reads the transcoder pool with batched JSON-RPC (PROTOCOL.md §8 A7): the linked-list walk
 * (getFirstTranscoderInPool / getNextTranscoderInPool — each step needs the previous answer),
 * then every member's stake, service URI, active flag and status in one batch (split by the client
 * into chunks), all pinned to one block.
 */
export async function readActivePoolBatched(rpc: RpcClient, addrs: PoolReaderAddresses, options: PoolReaderOptions = {}): Promise<ActivePool> {
  const counter = { n: 0 };
  const blockNumber = options.blockNumber ?? (await pinBlock(rpc, counter));
  const tag = hex(blockNumber);
  const members = await walk(rpc, addrs.bondingManager, tag, options.maxMembers ?? 1000, counter);
  const calls: RpcCall[] = [];
  for (const a of members) {
    calls.push(ethCall(addrs.bondingManager, bm.encodeFunctionData('transcoderTotalStake', [a]), tag));
    calls.push(ethCall(addrs.serviceRegistry, sr.encodeFunctionData('getServiceURI', [a]), tag));
    calls.push(ethCall(addrs.bondingManager, bm.encodeFunctionData('isActiveTranscoder', [a]), tag));
    calls.push(ethCall(addrs.bondingManager, bm.encodeFunctionData('transcoderStatus', [a]), tag));
  }
  counter.n += 1;
  const out = await rpc.batch(calls);
  const pick = (i: number, label: string): string => unwrap(out[i], label);
  return {
    blockNumber,
    roundTrips: counter.n,
    members: members.map((address, k) => ({
      address,
      stake: bm.decodeFunctionResult('transcoderTotalStake', pick(4 * k, 'transcoderTotalStake'))[0] as bigint,
      serviceURI: sr.decodeFunctionResult('getServiceURI', pick(4 * k + 1, 'getServiceURI'))[0] as string,
      active: bm.decodeFunctionResult('isActiveTranscoder', pick(4 * k + 2, 'isActiveTranscoder'))[0] as boolean,
      status: Number(bm.decodeFunctionResult('transcoderStatus', pick(4 * k + 3, 'transcoderStatus'))[0]),
    })),
  };
}

/**
 * Reads the whole pool in ONE eth_call: the PoolWalker runtime (solidity/PoolWalker.sol, never
 * deployed) is placed at a scratch address with an eth_call state override and does the walk and
 * every member read on the node. Needs an endpoint that supports state overrides (geth, Nitro, anvil).
 */
export async function readActivePoolSingleCall(rpc: RpcClient, addrs: PoolReaderAddresses, options: PoolReaderOptions = {}): Promise<ActivePool> {
  const counter = { n: 0 };
  const blockNumber = options.blockNumber ?? (await pinBlock(rpc, counter));
  const max = options.maxMembers ?? 1000;
  counter.n += 1;
  let out: string;
  try {
    out = await rpc.request<string>('eth_call', [
      { to: POOL_WALKER_ADDRESS, data: walker.encodeFunctionData('walk', [addrs.bondingManager, addrs.serviceRegistry, max]) },
      hex(blockNumber),
      { [POOL_WALKER_ADDRESS]: { code: POOL_WALKER_RUNTIME } },
    ]);
  } catch (e) {
    throw toChainError(e, { method: 'PoolWalker.walk', to: addrs.bondingManager });
  }
  const [complete, members, stakes, active, status, uris] = walker.decodeFunctionResult('walk', out) as unknown as [
    boolean,
    string[],
    bigint[],
    boolean[],
    bigint[],
    string[],
  ];
  if (!complete) {
    throw new ChainError('RPC_ERROR', `transcoder pool walk did not end within ${max} members`, { details: { members: members.length } });
  }
  return {
    blockNumber,
    roundTrips: counter.n,
    members: members.map((address, i) => ({
      address: getAddress(address),
      stake: stakes[i] as bigint,
      serviceURI: uris[i] as string,
      active: active[i] as boolean,
      status: Number(status[i]),
    })),
  };
}

/**
 * The pool reader to use: one eth_call with a state override, falling back to the walk + JSON-RPC
 * batch reader when the endpoint does not accept state overrides (a non-revert RPC error).
 */
export async function readActivePool(rpc: RpcClient, addrs: PoolReaderAddresses, options: PoolReaderOptions = {}): Promise<ActivePool> {
  const counter = { n: 0 };
  const pinned = { ...options, blockNumber: options.blockNumber ?? (await pinBlock(rpc, counter)) };
  try {
    const pool = await readActivePoolSingleCall(rpc, addrs, pinned);
    return { ...pool, roundTrips: pool.roundTrips + counter.n };
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const unsupported = cause instanceof RpcResponseError && revertDataOf(cause) === undefined;
    if (!unsupported) throw e;
    const pool = await readActivePoolBatched(rpc, addrs, pinned);
    return { ...pool, roundTrips: pool.roundTrips + counter.n + 1 };
  }
}

/** The same reads, one request at a time (the baseline the batched reader is measured against). */
export async function readActivePoolSequential(rpc: RpcClient, addrs: PoolReaderAddresses, options: PoolReaderOptions = {}): Promise<ActivePool> {
  const counter = { n: 0 };
  const blockNumber = options.blockNumber ?? (await pinBlock(rpc, counter));
  const tag = hex(blockNumber);
  const members = await walk(rpc, addrs.bondingManager, tag, options.maxMembers ?? 1000, counter);
  const one = async (to: string, iface: Interface, fn: string, args: unknown[]): Promise<unknown> => {
    counter.n += 1;
    const c = ethCall(to, iface.encodeFunctionData(fn, args), tag);
    const data = await rpc.request<string>(c.method, c.params).catch((e: unknown) => {
      throw toChainError(e, { method: fn, to });
    });
    return iface.decodeFunctionResult(fn, data)[0];
  };
  const result: PoolMember[] = [];
  for (const address of members) {
    const stake = (await one(addrs.bondingManager, bm, 'transcoderTotalStake', [address])) as bigint;
    const serviceURI = (await one(addrs.serviceRegistry, sr, 'getServiceURI', [address])) as string;
    const active = (await one(addrs.bondingManager, bm, 'isActiveTranscoder', [address])) as boolean;
    const status = Number(await one(addrs.bondingManager, bm, 'transcoderStatus', [address]));
    result.push({ address, stake, serviceURI, active, status });
  }
  return { blockNumber, members: result, roundTrips: counter.n };
}

async function pinBlock(rpc: RpcClient, counter: { n: number }): Promise<bigint> {
  counter.n += 1;
  return BigInt(await rpc.request<string>('eth_blockNumber', []));
}

async function walk(rpc: RpcClient, bondingManager: string, tag: string, max: number, counter: { n: number }): Promise<string[]> {
  const call = async (data: string, fn: string): Promise<string> => {
    counter.n += 1;
    const c = ethCall(bondingManager, data, tag);
    const out = await rpc.request<string>(c.method, c.params).catch((e: unknown) => {
      throw toChainError(e, { method: `BondingManager.${fn}`, to: bondingManager });
    });
    return getAddress(String(bm.decodeFunctionResult(fn, out)[0]));
  };
  const members: string[] = [];
  const seen = new Set<string>();
  let cur = await call(bm.encodeFunctionData('getFirstTranscoderInPool', []), 'getFirstTranscoderInPool');
  while (cur !== ZERO) {
    if (seen.has(cur) || members.length >= max) {
      throw new ChainError('RPC_ERROR', `transcoder pool walk did not end (${members.length} members, revisited ${seen.has(cur)})`, {
        details: { members: members.length, at: cur },
      });
    }
    seen.add(cur);
    members.push(cur);
    cur = await call(bm.encodeFunctionData('getNextTranscoderInPool', [cur]), 'getNextTranscoderInPool');
  }
  return members;
}

function ethCall(to: string, data: string, tag: string): RpcCall {
  return { method: 'eth_call', params: [{ to, data }, tag] };
}

function unwrap(o: RpcOutcome | undefined, label: string): string {
  if (!o) throw new ChainError('RPC_ERROR', `batch answer missing for ${label}`);
  if (!o.ok) throw toChainError(o.error, { method: label });
  return o.result as string;
}

function hex(n: bigint): string {
  return '0x' + n.toString(16);
}
