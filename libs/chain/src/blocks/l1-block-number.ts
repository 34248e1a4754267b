import type { RpcClient } from '../rpc/rpc-client';

export type BlockTag = 'latest' | 'safe' | 'finalized' | 'pending' | bigint;

export interface BlockNumbers {
  /** The chain's own (L2 on Arbitrum) block number. */
  blockNumber: bigint;
  /** The L1 block number contracts see as `block.number` (Arbitrum), else equal to `blockNumber`. */
  l1BlockNumber: bigint;
  /** True when the header carried Arbitrum's `l1BlockNumber` field. */
  fromL1Field: boolean;
}

/**
 * Block numbers for round and expiry logic (CONTRACTS.md §4.2): Arbitrum headers carry
 * `l1BlockNumber`, which is what `block.number` means inside Arbitrum contracts; on other chains
 * (anvil) the plain header number is used.
 */
export async function getBlockNumbers(rpc: RpcClient, tag: BlockTag = 'latest'): Promise<BlockNumbers> {
  const param = typeof tag === 'bigint' ? '0x' + tag.toString(16) : tag;
  const block = await rpc.request<{ number: string; l1BlockNumber?: string } | null>('eth_getBlockByNumber', [param, false]);
  if (!block) throw new Error(`block ${String(tag)} not found`);
  const blockNumber = BigInt(block.number);
  if (typeof block.l1BlockNumber === 'string' && block.l1BlockNumber !== '') {
    return { blockNumber, l1BlockNumber: BigInt(block.l1BlockNumber), fromL1Field: true };
  }
  return { blockNumber, l1BlockNumber: blockNumber, fromL1Field: false };
}

/** The L1 block number for `tag` (see getBlockNumbers). */
export async function getL1BlockNumber(rpc: RpcClient, tag: BlockTag = 'latest'): Promise<bigint> {
  return (await getBlockNumbers(rpc, tag)).l1BlockNumber;
}
