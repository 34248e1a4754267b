import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type Contract,
  type ContractTransactionResponse,
  JsonRpcProvider,
  NonceManager,
  type Signer,
  type TransactionReceipt,
  Wallet,
  ZeroAddress,
  getAddress,
  id,
} from 'ethers';
import { contractAt, contractFactory } from './artifacts';
import { PROFILES, type DeployProfile, type ProfileName } from './profiles';

/** Names the deployer registers in the Controller (JobsManager = TicketBroker alias, CONTRACTS.md §1.3). */
export const REGISTERED_NAMES = [
  'LivepeerToken',
  'Minter',
  'TicketBroker',
  'JobsManager',
  'BondingManager',
  'RoundsManager',
  'ServiceRegistry',
] as const;
export type RegisteredName = (typeof REGISTERED_NAMES)[number];

/** Devnet address book: every registered name, the Controller, AIServiceRegistry, chain id and start block. */
export interface AddressBook {
  network: 'devnet';
  profile: ProfileName;
  chainId: number;
  /** Block of the Controller deployment. */
  startBlock: number;
  deployer: string;
  contracts: { Controller: string; AIServiceRegistry: string } & Record<RegisteredName, string>;
}

export interface DevnetContracts {
  controller: Contract;
  token: Contract;
  minter: Contract;
  ticketBroker: Contract;
  bondingManager: Contract;
  roundsManager: Contract;
  serviceRegistry: Contract;
  aiServiceRegistry: Contract;
}

/** A deployed (or re-attached) devnet. */
export interface Devnet {
  book: AddressBook;
  provider: JsonRpcProvider;
  /** Account #0 (owner of everything), with nonce tracking. */
  deployer: Signer;
  profile: DeployProfile;
  contracts: DevnetContracts;
  /** True when an existing deployment from the address book was reused. */
  reused: boolean;
}

export interface DeployOptions {
  rpcUrl: string;
  /** Private key of the deployer (anvil account #0). */
  deployerKey: string;
  profile?: ProfileName;
  /** Where to write (and look for) the address book. */
  addressBookPath?: string;
  /** Reuse a deployment found in `addressBookPath` when its Controller has code (default true). */
  reuse?: boolean;
}

const GIT_COMMIT = `0x${'00'.repeat(20)}`;
const CALL_GAS = 1_000_000n;

/** A JSON-RPC provider tuned for a local node: no response cache, fast polling. */
export function localProvider(rpcUrl: string): JsonRpcProvider {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 50, batchMaxCount: 1 });
  return provider;
}

/** Waits for every transaction and throws if any of them failed. */
async function settle(txs: ContractTransactionResponse[], what: string): Promise<TransactionReceipt[]> {
  const receipts: TransactionReceipt[] = [];
  for (const tx of txs) {
    const r = await tx.wait();
    if (!r || r.status !== 1) throw new Error(`devnet deploy: ${what} failed in tx ${tx.hash}`);
    receipts.push(r);
  }
  return receipts;
}

function bookContracts(book: AddressBook, runner: Signer): DevnetContracts {
  const c = book.contracts;
  return {
    controller: contractAt('Controller', c.Controller, runner),
    token: contractAt('LivepeerToken', c.LivepeerToken, runner),
    minter: contractAt('Minter', c.Minter, runner),
    ticketBroker: contractAt('TicketBroker', c.TicketBroker, runner),
    bondingManager: contractAt('BondingManager', c.BondingManager, runner),
    roundsManager: contractAt('RoundsManager', c.RoundsManager, runner),
    serviceRegistry: contractAt('ServiceRegistry', c.ServiceRegistry, runner),
    aiServiceRegistry: contractAt('ServiceRegistry', c.AIServiceRegistry, runner),
  };
}

/** Reads an address book file; undefined when absent. */
export function readAddressBook(path: string): AddressBook | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as AddressBook;
}

export function writeAddressBook(path: string, book: AddressBook): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(book, null, 2)}\n`);
}

/**
 * Deploys and wires the devnet in the order of CONTRACTS.md §5 (steps 1–13): contracts, registry,
 * parameters (`setRoundLength` first), unpause, then mines to the next round boundary and initialises it.
 * Idempotent: if `addressBookPath` names a book whose Controller has code on this chain, that deployment is reused.
 */
export async function deployDevnet(opts: DeployOptions): Promise<Devnet> {
  const provider = localProvider(opts.rpcUrl);
  const deployer = new NonceManager(new Wallet(opts.deployerKey, provider));
  const deployerAddress = await deployer.getAddress();
  const chainId = Number((await provider.getNetwork()).chainId);

  if (opts.addressBookPath && opts.reuse !== false) {
    const existing = readAddressBook(opts.addressBookPath);
    if (existing && existing.chainId === chainId && (await provider.getCode(existing.contracts.Controller)) !== '0x') {
      return {
        book: existing,
        provider,
        deployer,
        profile: PROFILES[existing.profile],
        contracts: bookContracts(existing, deployer),
        reused: true,
      };
    }
  }

  const profile: DeployProfile = PROFILES[opts.profile ?? 'unit'];

  // Steps 1–8: deploy (independent, sent back to back).
  const controllerF = contractFactory('Controller', deployer);
  const controller = await controllerF.deploy();
  const startBlock = (await controller.deploymentTransaction()?.wait())?.blockNumber ?? 0;
  const ctl = await controller.getAddress();
  const deployed = await Promise.all([
    contractFactory('LivepeerToken', deployer).deploy(),
    contractFactory('Minter', deployer).deploy(ctl, profile.inflation, profile.inflationChange, profile.targetBondingRate),
    contractFactory('TicketBroker', deployer).deploy(ctl),
    contractFactory('BondingManager', deployer).deploy(ctl),
    contractFactory('RoundsManager', deployer).deploy(ctl),
    contractFactory('ServiceRegistry', deployer).deploy(ctl),
    contractFactory('ServiceRegistry', deployer).deploy(ctl),
  ]);
  await Promise.all(deployed.map((c) => c.waitForDeployment()));
  const [token, minter, ticketBroker, bondingManager, roundsManager, serviceRegistry, aiServiceRegistry] = await Promise.all(
    deployed.map((c) => c.getAddress()),
  );
  if (!token || !minter || !ticketBroker || !bondingManager || !roundsManager || !serviceRegistry || !aiServiceRegistry) {
    throw new Error('devnet deploy: missing contract address');
  }
  const book: AddressBook = {
    network: 'devnet',
    profile: profile.name,
    chainId,
    startBlock,
    deployer: deployerAddress,
    contracts: {
      Controller: ctl,
      LivepeerToken: token,
      Minter: minter,
      TicketBroker: ticketBroker,
      JobsManager: ticketBroker,
      BondingManager: bondingManager,
      RoundsManager: roundsManager,
      ServiceRegistry: serviceRegistry,
      AIServiceRegistry: aiServiceRegistry,
    },
  };
  const c = bookContracts(book, deployer);
  const g = { gasLimit: CALL_GAS };
  const minterRole = id('MINTER_ROLE');

  // Steps 2–11, in nonce order: registry, supply, Minter role, parameters (roundLength first), unpause.
  const txs: ContractTransactionResponse[] = [];
  for (const name of REGISTERED_NAMES) {
    txs.push(await c.controller.getFunction('setContractInfo')(id(name), book.contracts[name], GIT_COMMIT, g));
  }
  txs.push(await c.token.getFunction('grantRole')(minterRole, deployerAddress, g));
  txs.push(await c.token.getFunction('mint')(deployerAddress, profile.lptSupply, g));
  txs.push(await c.token.getFunction('revokeRole')(minterRole, deployerAddress, g));
  txs.push(await c.token.getFunction('grantRole')(minterRole, minter, g));
  txs.push(await c.roundsManager.getFunction('setRoundLength')(profile.roundLength, g));
  txs.push(await c.roundsManager.getFunction('setRoundLockAmount')(profile.roundLockAmount, g));
  txs.push(await c.bondingManager.getFunction('setUnbondingPeriod')(profile.unbondingPeriod, g));
  txs.push(await c.bondingManager.getFunction('setNumActiveTranscoders')(profile.numActiveTranscoders, g));
  txs.push(await c.ticketBroker.getFunction('setUnlockPeriod')(profile.unlockPeriod, g));
  txs.push(await c.ticketBroker.getFunction('setTicketValidityPeriod')(profile.ticketValidityPeriod, g));
  txs.push(await c.controller.getFunction('unpause')(g));
  await settle(txs, 'wiring');

  // Step 12: first usable round.
  await initializeNextRound({ provider, deployer, contracts: c });

  if (opts.addressBookPath) writeAddressBook(opts.addressBookPath, book);
  return { book, provider, deployer, profile, contracts: c, reused: false };
}

type DevnetLike = Pick<Devnet, 'provider' | 'deployer' | 'contracts'>;

/** Mines blocks (anvil_mine) until `block.number` reaches `target`. */
export async function mineTo(provider: JsonRpcProvider, target: bigint): Promise<void> {
  const now = BigInt(await provider.getBlockNumber());
  if (target > now) await provider.send('anvil_mine', [`0x${(target - now).toString(16)}`]);
}

/** Mines to the next round boundary and calls `initializeRound()`; returns the new round. */
export async function initializeNextRound(d: DevnetLike): Promise<bigint> {
  const rm = d.contracts.roundsManager;
  const start = (await rm.getFunction('currentRoundStartBlock')()) as bigint;
  const length = (await rm.getFunction('roundLength')()) as bigint;
  await mineTo(d.provider, start + length);
  await settle([await rm.connect(d.deployer).getFunction('initializeRound')({ gasLimit: CALL_GAS })], 'initializeRound');
  return (await rm.getFunction('currentRound')()) as bigint;
}

/** Step 14: sends ETH and/or LPT from the deployer to each address. */
export async function fundActors(
  d: DevnetLike,
  actors: readonly string[],
  amounts: { eth?: bigint; lpt?: bigint },
): Promise<void> {
  const txs: ContractTransactionResponse[] = [];
  const ethTxs = [];
  for (const to of actors) {
    if (amounts.eth && amounts.eth > 0n) ethTxs.push(await d.deployer.sendTransaction({ to: getAddress(to), value: amounts.eth }));
    if (amounts.lpt && amounts.lpt > 0n) {
      txs.push(await d.contracts.token.connect(d.deployer).getFunction('transfer')(getAddress(to), amounts.lpt, { gasLimit: CALL_GAS }));
    }
  }
  for (const tx of ethTxs) await tx.wait();
  await settle(txs, 'fundActors');
}

export interface OrchestratorRegistration {
  stake: bigint;
  /** PERC (1e6 = 100 %) */
  rewardCut: bigint;
  /** PERC (1e6 = 100 %) */
  feeShare: bigint;
  serviceURI: string;
}

/**
 * Step 15: approve + bondWithHint(self) + transcoder(rewardCut, feeShare) + setServiceURI.
 * The round must be initialised and not locked. The orchestrator needs LPT and ETH for gas.
 */
export async function registerOrchestrator(d: DevnetLike, orchestrator: Signer, reg: OrchestratorRegistration): Promise<TransactionReceipt[]> {
  const self = await orchestrator.getAddress();
  const bm = d.contracts.bondingManager.connect(orchestrator);
  const g = { gasLimit: CALL_GAS };
  const txs: ContractTransactionResponse[] = [];
  txs.push(await d.contracts.token.connect(orchestrator).getFunction('approve')(await bm.getAddress(), reg.stake, g));
  txs.push(await bm.getFunction('bondWithHint')(reg.stake, self, ZeroAddress, ZeroAddress, ZeroAddress, ZeroAddress, g));
  txs.push(await bm.getFunction('transcoder')(reg.rewardCut, reg.feeShare, g));
  txs.push(await d.contracts.serviceRegistry.connect(orchestrator).getFunction('setServiceURI')(reg.serviceURI, g));
  return settle(txs, 'registerOrchestrator');
}

/** Step 17a: `rewardWithHint(0, 0)` from the orchestrator. */
export async function callReward(d: DevnetLike, orchestrator: Signer): Promise<TransactionReceipt> {
  const tx = await d.contracts.bondingManager.connect(orchestrator).getFunction('rewardWithHint')(ZeroAddress, ZeroAddress, {
    gasLimit: CALL_GAS,
  });
  const [r] = await settle([tx], 'reward');
  return r as TransactionReceipt;
}

/** Step 17b: `fundDepositAndReserve(deposit, reserve)` with value deposit + reserve. */
export async function fundDepositAndReserve(d: DevnetLike, sender: Signer, deposit: bigint, reserve: bigint): Promise<TransactionReceipt> {
  const tx = await d.contracts.ticketBroker.connect(sender).getFunction('fundDepositAndReserve')(deposit, reserve, {
    value: deposit + reserve,
    gasLimit: CALL_GAS,
  });
  const [r] = await settle([tx], 'fundDepositAndReserve');
  return r as TransactionReceipt;
}
