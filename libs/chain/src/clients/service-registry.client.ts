import { SERVICE_REGISTRY_ABI } from '../abi/livepeer-abis';
import type { TxResult } from '../tx/tx-manager';
import { ContractClient, type ContractClientDeps } from './contract-client';

/** ServiceRegistry, and AIServiceRegistry (a second instance of the same contract). */
export class ServiceRegistryClient extends ContractClient {
  constructor(address: string, deps: ContractClientDeps, name = 'ServiceRegistry') {
    super(name, address, SERVICE_REGISTRY_ABI, deps);
  }

  /** "" when unset. */
  getServiceURI(addr: string): Promise<string> {
    return this.readOne('getServiceURI', [addr]);
  }
  setServiceURI(uri: string): Promise<TxResult> {
    return this.write('setServiceURI', [uri]);
  }
}
