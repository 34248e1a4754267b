import { readSecretFile } from '@lpts/platform';
import { addressesEqual, addressToBytes, fromHex } from '@lpts/protocol';
import { Wallet } from 'ethers';
import { readFile } from 'node:fs/promises';
import type { Signer } from '../orchestrator.core';

/** Decrypts the O's keystore once at start; refuses a key that is not ORCH_ADDRESS. */
export async function loadSigner(keystoreFile: string, passwordFile: string, expected: string): Promise<Signer> {
  const json = await readFile(keystoreFile, 'utf8');
  const password = readSecretFile(passwordFile, 'ORCH_KEYSTORE_PASSWORD_FILE');
  const wallet = await Wallet.fromEncryptedJson(json, password);
  if (!addressesEqual(wallet.address, expected)) {
    throw new Error(`keystore ${keystoreFile} holds ${wallet.address}, not ORCH_ADDRESS ${expected}`);
  }
  return { address: addressToBytes(wallet.address), privateKey: fromHex(wallet.privateKey) };
}
