import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet, encryptKeystoreJson } from 'ethers';

export interface KeyFiles {
  address: string;
  keystoreFile: string;
  passwordFile: string;
}

/**
 * Writes an encrypted JSON keystore and its password file for a devnet account. Services read keys
 * only from such files (never argv or plain env). scrypt N is lowered for the devnet's throwaway
 * anvil keys so start-up stays fast; real deployments use ethers' default cost.
 */
export async function writeDevKeystore(dir: string, name: string, privateKey: string): Promise<KeyFiles> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const wallet = new Wallet(privateKey);
  const password = `devnet-${name}-${wallet.address.slice(2, 10)}`;
  const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, { scrypt: { N: 1 << 10 } });
  const keystoreFile = join(dir, `${name}.keystore.json`);
  const passwordFile = join(dir, `${name}.password`);
  writeFileSync(keystoreFile, json, { mode: 0o600 });
  writeFileSync(passwordFile, password, { mode: 0o600 });
  return { address: wallet.address, keystoreFile, passwordFile };
}
