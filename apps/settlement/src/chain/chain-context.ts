import { readFileSync } from 'node:fs';
import {
  FailoverRpcClient,
  GasPriceOracle,
  TxManager,
  createLivepeerClients,
  loadAddressBook,
  resolveContracts,
  type AddressBook,
  type LivepeerClients,
  type ResolvedContracts,
  type RpcClient,
} from '@lpts/chain';
import { ConfigError, readSecretFile } from '@lpts/platform';
import { Wallet, getAddress } from 'ethers';
import type { SettlementConfig } from '../config/settlement.env';

/** Everything settlement needs to talk to the chain: one RPC client, one signer, one tx manager. */
export interface ChainContext {
  rpc: RpcClient;
  chainId: bigint;
  address: string;
  contracts: ResolvedContracts;
  clients: LivepeerClients;
  gas: GasPriceOracle;
  /** The one transaction manager: every chain write goes through it. */
  tx: TxManager;
}

/** Decrypts the operator's keystore once (scrypt cost comes from the keystore itself). */
export function loadKeystore(keystoreFile: string, passwordFile: string): Wallet {
  let json: string;
  try {
    json = readFileSync(keystoreFile, 'utf8');
  } catch (cause) {
    throw new ConfigError('SECRET_FILE_UNREADABLE', `cannot read keystore from ${keystoreFile}`, { details: { path: keystoreFile }, cause });
  }
  const password = readSecretFile(passwordFile, 'keystore password');
  try {
    const w = Wallet.fromEncryptedJsonSync(json, password);
    return new Wallet(w.privateKey);
  } catch (cause) {
    throw new ConfigError('INVALID_CONFIG', `cannot decrypt keystore ${keystoreFile} (wrong password or not a keystore)`, {
      details: { path: keystoreFile },
      cause,
    });
  }
}

export async function createChainContext(config: SettlementConfig, wallet: Wallet): Promise<ChainContext> {
  const urls = config.ETH_RPC_URLS.split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const rpc = new FailoverRpcClient(urls, { timeoutMs: 10_000 });
  let book: AddressBook;
  if (config.ETH_ADDRESS_BOOK) {
    book = loadAddressBook(config.ETH_ADDRESS_BOOK);
  } else {
    const chainId = BigInt(await rpc.request<string>('eth_chainId', []));
    book = { network: `chain-${chainId}`, chainId, contracts: { Controller: getAddress(config.ETH_CONTROLLER_ADDRESS as string) } };
  }
  const contracts = await resolveContracts(rpc, book);
  const gas = new GasPriceOracle(rpc, { ceiling: config.SETTLEMENT_MAX_GAS_PRICE, cacheMs: Math.min(5_000, config.SETTLEMENT_POLL_INTERVAL_MS) });
  const tx = new TxManager(rpc, wallet, {
    chainId: contracts.chainId,
    gasPrice: gas,
    maxGasPrice: config.SETTLEMENT_MAX_GAS_PRICE,
    timeoutMs: config.SETTLEMENT_TX_TIMEOUT_MS,
    replaceAfterMs: config.SETTLEMENT_TX_REPLACE_AFTER_MS,
    pollMs: Math.min(500, config.SETTLEMENT_POLL_INTERVAL_MS),
  });
  const clients = createLivepeerClients(contracts, { rpc, tx });
  return { rpc, chainId: contracts.chainId, address: getAddress(wallet.address), contracts, clients, gas, tx };
}
