import { readFileSync } from 'node:fs';
import { ConfigError, readSecretFile } from '@lpts/platform';
import { ticketSigner, type TicketSigner } from '@lpts/pm';
import { fromHex } from '@lpts/protocol';
import { Wallet } from 'ethers';

/** Decrypts the sender's encrypted JSON keystore once at start (scrypt: slow by design). */
export async function loadKeystoreSigner(keystoreFile: string, passwordFile: string): Promise<TicketSigner> {
  let json: string;
  try {
    json = readFileSync(keystoreFile, 'utf8');
  } catch (cause) {
    throw new ConfigError('SECRET_FILE_UNREADABLE', `cannot read the ETH keystore from ${keystoreFile}`, { details: { path: keystoreFile }, cause });
  }
  const password = readSecretFile(passwordFile, 'keystore password');
  let wallet;
  try {
    wallet = await Wallet.fromEncryptedJson(json, password);
  } catch (cause) {
    throw new ConfigError('SECRET_FILE_UNREADABLE', `cannot decrypt the ETH keystore ${keystoreFile}: ${(cause as Error).message}`, {
      details: { path: keystoreFile },
      cause,
    });
  }
  return ticketSigner(fromHex(wallet.privateKey));
}
