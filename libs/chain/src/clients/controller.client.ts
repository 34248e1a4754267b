import { id } from 'ethers';
import { CONTROLLER_ABI } from '../abi/livepeer-abis';
import { ContractClient, type ContractClientDeps } from './contract-client';

/** Controller id of a name: keccak256 of the raw UTF-8 bytes (CONTRACTS.md §1.1). */
export function contractId(name: string): string {
  return id(name);
}

export class ControllerClient extends ContractClient {
  constructor(address: string, deps: ContractClientDeps) {
    super('Controller', address, CONTROLLER_ABI, deps);
  }

  /** Zero address when the name is unknown. */
  getContract(name: string): Promise<string> {
    return this.readOne('getContract', [contractId(name)]);
  }
  paused(): Promise<boolean> {
    return this.readOne('paused');
  }
  owner(): Promise<string> {
    return this.readOne('owner');
  }
}
