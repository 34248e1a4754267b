import { MINTER_ABI } from '../abi/livepeer-abis';
import { ContractClient, type ContractClientDeps } from './contract-client';

/** Minter reads; inflation figures are in PERC9 (1e9 = 100 %). */
export class MinterClient extends ContractClient {
  constructor(address: string, deps: ContractClientDeps) {
    super('Minter', address, MINTER_ABI, deps);
  }

  inflation(): Promise<bigint> {
    return this.readOne('inflation');
  }
  inflationChange(): Promise<bigint> {
    return this.readOne('inflationChange');
  }
  targetBondingRate(): Promise<bigint> {
    return this.readOne('targetBondingRate');
  }
  currentMintableTokens(): Promise<bigint> {
    return this.readOne('currentMintableTokens');
  }
  currentMintedTokens(): Promise<bigint> {
    return this.readOne('currentMintedTokens');
  }
  getGlobalTotalSupply(): Promise<bigint> {
    return this.readOne('getGlobalTotalSupply');
  }
}
