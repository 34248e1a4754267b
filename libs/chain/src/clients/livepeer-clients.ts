import type { ResolvedContracts } from '../address-book/address-book';
import { BondingManagerClient } from './bonding-manager.client';
import type { ContractClientDeps } from './contract-client';
import { ControllerClient } from './controller.client';
import { LivepeerTokenClient } from './livepeer-token.client';
import { MinterClient } from './minter.client';
import { RoundsManagerClient } from './rounds-manager.client';
import { ServiceRegistryClient } from './service-registry.client';
import { TicketBrokerClient } from './ticket-broker.client';

/** One typed client per contract the node uses, bound to the addresses resolved at startup. */
export interface LivepeerClients {
  controller: ControllerClient;
  livepeerToken: LivepeerTokenClient;
  minter: MinterClient;
  roundsManager: RoundsManagerClient;
  bondingManager: BondingManagerClient;
  ticketBroker: TicketBrokerClient;
  serviceRegistry: ServiceRegistryClient;
  /** Present when the address book names one (CONTRACTS.md §2.8). */
  aiServiceRegistry?: ServiceRegistryClient;
}

/** Builds every client from `resolveContracts` output; `deps.tx` makes them able to send. */
export function createLivepeerClients(resolved: ResolvedContracts, deps: ContractClientDeps): LivepeerClients {
  const r = resolved.required;
  return {
    controller: new ControllerClient(resolved.controller, deps),
    livepeerToken: new LivepeerTokenClient(r.LivepeerToken, deps),
    minter: new MinterClient(r.Minter, deps),
    roundsManager: new RoundsManagerClient(r.RoundsManager, deps),
    bondingManager: new BondingManagerClient(r.BondingManager, deps),
    ticketBroker: new TicketBrokerClient(r.TicketBroker, deps),
    serviceRegistry: new ServiceRegistryClient(r.ServiceRegistry, deps),
    ...(resolved.aiServiceRegistry ? { aiServiceRegistry: new ServiceRegistryClient(resolved.aiServiceRegistry, deps, 'AIServiceRegistry') } : {}),
  };
}
