import { LIVEPEER_TOKEN_ABI } from '../abi/livepeer-abis';
import type { TxResult } from '../tx/tx-manager';
import { ContractClient, type ContractClientDeps } from './contract-client';

export class LivepeerTokenClient extends ContractClient {
  constructor(address: string, deps: ContractClientDeps) {
    super('LivepeerToken', address, LIVEPEER_TOKEN_ABI, deps);
  }

  balanceOf(owner: string): Promise<bigint> {
    return this.readOne('balanceOf', [owner]);
  }
  allowance(owner: string, spender: string): Promise<bigint> {
    return this.readOne('allowance', [owner, spender]);
  }
  totalSupply(): Promise<bigint> {
    return this.readOne('totalSupply');
  }
  approve(spender: string, amount: bigint): Promise<TxResult> {
    return this.write('approve', [spender, amount]);
  }
  transfer(to: string, amount: bigint): Promise<TxResult> {
    return this.write('transfer', [to, amount]);
  }
}
