import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { keysNew } from './keys-new';

jest.setTimeout(60_000);

describe('lpts keys new', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lpts-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an encrypted keystore and its password (0600) that decrypt to the printed address; never overwrites', async () => {
    const key = await keysNew(join(dir, 'gw'));
    expect(key.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    for (const f of [key.keystoreFile, key.passwordFile]) expect(statSync(f).mode & 0o777).toBe(0o600);
    const password = readFileSync(key.passwordFile, 'utf8').trim();
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    const wallet = await Wallet.fromEncryptedJson(readFileSync(key.keystoreFile, 'utf8'), password);
    expect(wallet.address).toBe(key.address);
    await expect(keysNew(join(dir, 'gw'))).rejects.toThrow(`${key.keystoreFile} exists: not overwriting a key (choose another --dir)`);
  });
});
