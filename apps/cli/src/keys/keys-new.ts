import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Wallet } from 'ethers';

export interface NewKey {
  address: string;
  keystoreFile: string;
  passwordFile: string;
}

/**
 * `lpts keys new --dir DIR`: a fresh ETH key as an encrypted JSON keystore (scrypt) plus the random
 * password in a file beside it, both mode 0600: what the services' *_KEYSTORE_FILE and
 * *_KEYSTORE_PASSWORD_FILE settings take. Never overwrites an existing key.
 */
export async function keysNew(dir: string, progress: (line: string) => void = () => undefined): Promise<NewKey> {
  const keystoreFile = resolve(join(dir, 'keystore.json'));
  const passwordFile = resolve(join(dir, 'password'));
  for (const f of [keystoreFile, passwordFile]) if (existsSync(f)) throw new Error(`${f} exists: not overwriting a key (choose another --dir)`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const wallet = Wallet.createRandom();
  const password = randomBytes(32).toString('hex');
  progress('encrypting the key (scrypt, a few seconds)…');
  const json = await wallet.encrypt(password);
  writeFileSync(passwordFile, password + '\n', { mode: 0o600, flag: 'wx' });
  writeFileSync(keystoreFile, json, { mode: 0o600, flag: 'wx' });
  return { address: wallet.address, keystoreFile, passwordFile };
}
