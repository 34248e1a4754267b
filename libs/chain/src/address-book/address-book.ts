import { readFileSync } from 'node:fs';
import { getAddress, isAddress } from 'ethers';
import { ChainError } from '../errors/chain-error';
import { contractId } from '../clients/controller.client';
import { CONTROLLER_ABI } from '../abi/livepeer-abis';
import { Interface } from 'ethers';
import type { RpcClient } from '../rpc/rpc-client';

/** Names a node MUST resolve through the Controller (CONTRACTS.md §1.1). */
export const REQUIRED_CONTRACTS = ['LivepeerToken', 'ServiceRegistry', 'BondingManager', 'TicketBroker', 'RoundsManager', 'Minter'] as const;
export type RequiredContractName = (typeof REQUIRED_CONTRACTS)[number];

/** Names resolved when present; zero is not an error. */
export const OPTIONAL_CONTRACTS = ['LivepeerTokenFaucet', 'LivepeerGovernor'] as const;
export type OptionalContractName = (typeof OPTIONAL_CONTRACTS)[number];

export interface AddressBook {
  network: string;
  chainId: bigint;
  /** First block worth scanning for logs (deploy block). */
  startBlock?: bigint;
  /** Name → address; must hold `Controller`, may hold `AIServiceRegistry` and recorded copies of Controller entries. */
  contracts: Readonly<Record<string, string>>;
}

/** Arbitrum One (CONTRACTS.md §4.1): recorded for display and cross-checks; the Controller is authoritative. */
export const ARBITRUM_ONE_ADDRESS_BOOK: AddressBook = Object.freeze({
  network: 'arbitrum-one',
  chainId: 42161n,
  contracts: Object.freeze({
    Controller: '0xD8E8328501E9645d16Cf49539efC04f734606ee4',
    BondingManager: '0x35Bcf3c30594191d53231E4FF333E8A770453e40',
    TicketBroker: '0xa8bB618B1520E284046F3dFc448851A1Ff26e41B',
    RoundsManager: '0xdd6f56DcC28D3F5f27084381fE8Df634985cc39f',
    ServiceRegistry: '0xC92d3A360b8f9e083bA64DE15d95Cf8180897431',
    AIServiceRegistry: '0x04C0b249740175999E5BF5c9ac1dA92431EF34C5',
    Minter: '0xc20DE37170B45774e6CD3d2304017fc962f27252',
    LivepeerToken: '0x289ba1701C2F088cf0faf8B3705246331cB8A839',
    BondingVotes: '0x0B9C254837E72Ebe9Fe04960C43B69782E68169A',
    Treasury: '0xf82C1FF415F1fCf582554fDba790E27019c8E8C4',
    LivepeerGovernor: '0xcFE4E2879B786C3aa075813F0E364bb5acCb6aa0',
  }),
});

/**
 * Parses the devnet address book the @lpts/contracts deployer writes:
 * `{ chainId, startBlock, contracts: { Name: address } }` (numbers or decimal/hex strings).
 */
export function parseAddressBook(json: unknown, network = 'devnet'): AddressBook {
  const bad = (why: string): never => {
    throw new ChainError('INVALID_ADDRESS_BOOK', `${network} address book: ${why}`, { details: { network } });
  };
  if (!json || typeof json !== 'object') return bad('not an object');
  const o = json as { chainId?: unknown; startBlock?: unknown; contracts?: unknown; network?: unknown };
  const num = (v: unknown, field: string): bigint => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|\d+)$/.test(v)) return BigInt(v);
    return bad(`${field} is not a non-negative integer`);
  };
  const chainId = num(o.chainId, 'chainId');
  const startBlock = o.startBlock === undefined ? undefined : num(o.startBlock, 'startBlock');
  if (!o.contracts || typeof o.contracts !== 'object') return bad('contracts missing');
  const contracts: Record<string, string> = {};
  for (const [name, addr] of Object.entries(o.contracts as Record<string, unknown>)) {
    if (typeof addr !== 'string' || !isAddress(addr)) return bad(`${name} is not an address`);
    contracts[name] = getAddress(addr);
  }
  if (!contracts['Controller']) return bad('Controller missing');
  return {
    network: typeof o.network === 'string' ? o.network : network,
    chainId,
    ...(startBlock === undefined ? {} : { startBlock }),
    contracts,
  };
}

/** Reads and parses a devnet address book file. */
export function loadAddressBook(path: string, network = 'devnet'): AddressBook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ChainError('INVALID_ADDRESS_BOOK', `${network} address book ${path} unreadable`, { details: { path }, cause: e });
  }
  try {
    return parseAddressBook(JSON.parse(text), network);
  } catch (e) {
    if (e instanceof ChainError) throw e;
    throw new ChainError('INVALID_ADDRESS_BOOK', `${network} address book ${path} is not JSON`, { details: { path }, cause: e });
  }
}

export interface AddressMismatch {
  name: string;
  recorded: string;
  resolved: string;
}

export interface ResolvedContracts {
  chainId: bigint;
  controller: string;
  /** MUST names, resolved through the Controller (or the ServiceRegistry override). */
  required: Record<RequiredContractName, string>;
  /** Optional names that are registered (absent when zero). */
  optional: Partial<Record<OptionalContractName, string>>;
  /** From the address book (not in the Controller). */
  aiServiceRegistry?: string;
  /** Recorded addresses that differ from the Controller's: a warning, not an error. */
  mismatches: AddressMismatch[];
}

export interface ResolveOptions {
  /** Use this ServiceRegistry instead of the Controller's (CONTRACTS.md §1.1). */
  serviceRegistry?: string;
}

const ZERO = '0x0000000000000000000000000000000000000000';
const controllerIface = new Interface(CONTROLLER_ABI);

/**
 * Startup lookup (CONTRACTS.md §1.1): checks the chain id, then resolves every MUST and optional
 * name with `Controller.getContract(keccak256(name))` in one JSON-RPC batch. A zero address for a
 * MUST name is ChainError CONTRACT_NOT_REGISTERED; recorded addresses that differ are listed in
 * `mismatches` for the caller to warn about.
 */
export async function resolveContracts(rpc: RpcClient, book: AddressBook, options: ResolveOptions = {}): Promise<ResolvedContracts> {
  const controller = book.contracts['Controller'];
  if (!controller) throw new ChainError('INVALID_ADDRESS_BOOK', `${book.network} address book has no Controller`);
  const chainId = BigInt(await rpc.request<string>('eth_chainId', []));
  if (chainId !== book.chainId) {
    throw new ChainError('WRONG_CHAIN', `endpoint is chain ${chainId}, address book ${book.network} is chain ${book.chainId}`, {
      details: { chainId, expectedChainId: book.chainId, network: book.network },
    });
  }
  const names = [...REQUIRED_CONTRACTS, ...OPTIONAL_CONTRACTS];
  const answers = await rpc.batch(
    names.map((name) => ({
      method: 'eth_call',
      params: [{ to: controller, data: controllerIface.encodeFunctionData('getContract', [contractId(name)]) }, 'latest'],
    })),
  );
  const resolved = new Map<string, string>();
  names.forEach((name, i) => {
    const a = answers[i];
    if (!a || !a.ok || typeof a.result !== 'string' || a.result === '0x') {
      throw new ChainError('RPC_ERROR', `Controller.getContract(${name}) failed${a && !a.ok ? `: ${a.error.message}` : ''}`, {
        retryable: true,
        details: { name, controller },
      });
    }
    resolved.set(name, getAddress(String(controllerIface.decodeFunctionResult('getContract', a.result)[0])));
  });
  if (options.serviceRegistry) resolved.set('ServiceRegistry', getAddress(options.serviceRegistry));

  const required = {} as Record<RequiredContractName, string>;
  for (const name of REQUIRED_CONTRACTS) {
    const addr = resolved.get(name) as string;
    if (addr === ZERO) {
      throw new ChainError('CONTRACT_NOT_REGISTERED', `${name} is not registered in Controller ${controller}`, {
        details: { name, id: contractId(name), controller, network: book.network },
      });
    }
    required[name] = addr;
  }
  const optional: Partial<Record<OptionalContractName, string>> = {};
  for (const name of OPTIONAL_CONTRACTS) {
    const addr = resolved.get(name) as string;
    if (addr !== ZERO) optional[name] = addr;
  }
  const mismatches: AddressMismatch[] = [];
  for (const [name, addr] of resolved) {
    const recorded = book.contracts[name];
    if (recorded && addr !== ZERO && getAddress(recorded) !== addr) mismatches.push({ name, recorded: getAddress(recorded), resolved: addr });
  }
  const ai = book.contracts['AIServiceRegistry'];
  return {
    chainId,
    controller: getAddress(controller),
    required,
    optional,
    ...(ai ? { aiServiceRegistry: getAddress(ai) } : {}),
    mismatches,
  };
}
