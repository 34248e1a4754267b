import type { RpcClient } from '../rpc/rpc-client';
import { getBlockNumbers, getL1BlockNumber } from './l1-block-number';

function fakeBlock(block: Record<string, string>): RpcClient & { params: unknown[][] } {
  const params: unknown[][] = [];
  return {
    params,
    async request<T>(method: string, p: readonly unknown[]): Promise<T> {
      expect(method).toBe('eth_getBlockByNumber');
      params.push([...p]);
      return block as T;
    },
    async batch() {
      throw new Error('unused');
    },
  };
}

describe('L1 block numbers', () => {
  it("uses Arbitrum's l1BlockNumber header field when present", async () => {
    const rpc = fakeBlock({ number: '0xc0a4e45', l1BlockNumber: '0x13d8f2a' });
    expect(await getBlockNumbers(rpc)).toEqual({ blockNumber: 0xc0a4e45n, l1BlockNumber: 0x13d8f2an, fromL1Field: true });
    expect(rpc.params[0]).toEqual(['latest', false]);
  });

  it('falls back to the header number on a chain without the field (anvil)', async () => {
    const rpc = fakeBlock({ number: '0x2a' });
    expect(await getL1BlockNumber(rpc, 42n)).toBe(42n);
    expect(rpc.params[0]).toEqual(['0x2a', false]);
  });
});
