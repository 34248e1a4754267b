import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConfigError, loadConfig } from '@lpts/platform';
import { Wallet, encryptKeystoreJsonSync } from 'ethers';
import { loadKeystore } from './chain/chain-context';
import { settlementEnv } from './config/settlement.env';
import { reasonLabel, toChainTicket } from './redemption/redemption.service';
import { createApp } from './bootstrap';

const base = {
  ETH_RPC_URLS: 'http://127.0.0.1:8545,http://127.0.0.1:8546',
  ETH_ADDRESS_BOOK: '/tmp/devnet.json',
  SETTLEMENT_KEYSTORE_FILE: '/tmp/ks.json',
  SETTLEMENT_KEYSTORE_PASSWORD_FILE: '/tmp/pw',
};

describe('settlement config', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(settlementEnv, base);
    expect(c.SETTLEMENT_ROLE).toBe('orchestrator');
    expect(c.SETTLEMENT_INIT_ROUNDS).toBe(false);
    expect(c.SETTLEMENT_REWARD).toBeUndefined();
    expect(c.LEDGER_URL).toBe('pglite://./.lpts/settlement-ledger');
    expect(c.SETTLEMENT_MAX_GAS_PRICE).toBe(100_000_000_000n);
    expect(c.OPS_PORT).toBe(9473);
  });

  it('names every bad key at once and needs an address book or a controller', () => {
    let err: unknown;
    try {
      loadConfig(settlementEnv, { ETH_RPC_URLS: 'ftp://x', SETTLEMENT_ROLE: 'miner', LEDGER_URL: 'mysql://x', SETTLEMENT_INIT_ROUNDS: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err, 'INVALID_CONFIG')).toBe(true);
    for (const key of ['ETH_RPC_URLS', 'SETTLEMENT_ROLE', 'LEDGER_URL', 'SETTLEMENT_INIT_ROUNDS', 'SETTLEMENT_KEYSTORE_FILE']) {
      expect((err as Error).message).toContain(key);
    }
    const noBook = { ...base, ETH_ADDRESS_BOOK: undefined };
    expect(() => loadConfig(settlementEnv, noBook)).toThrow(/ETH_ADDRESS_BOOK/);
    expect(loadConfig(settlementEnv, { ...noBook, ETH_CONTROLLER_ADDRESS: `0x${'11'.repeat(20)}` }).ETH_CONTROLLER_ADDRESS).toBeDefined();
  });

  it('refuses to start on a bad environment', async () => {
    const err = await createApp({ ETH_RPC_URLS: 'nope' }).catch((e: unknown) => e);
    expect(isConfigError(err, 'INVALID_CONFIG')).toBe(true);
  });
});

describe('keystore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'settlement-ks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const w = Wallet.createRandom();
  writeFileSync(join(dir, 'ks.json'), encryptKeystoreJsonSync({ address: w.address, privateKey: w.privateKey }, 'pw', { scrypt: { N: 1 << 10 } }));
  writeFileSync(join(dir, 'pw'), 'pw\n');
  writeFileSync(join(dir, 'bad'), 'nope\n');

  it('decrypts with the password file (trailing newline ignored)', () => {
    expect(loadKeystore(join(dir, 'ks.json'), join(dir, 'pw')).address).toBe(w.address);
  });
  it('fails with a config error on a wrong password or a missing file', () => {
    expect(() => loadKeystore(join(dir, 'ks.json'), join(dir, 'bad'))).toThrow(/cannot decrypt keystore/);
    expect(() => loadKeystore(join(dir, 'missing.json'), join(dir, 'pw'))).toThrow(/cannot read keystore/);
  });
});

describe('redemption helpers', () => {
  const t = {
    ticketHash: `0x${'ab'.repeat(32)}`,
    recipient: `0x${'01'.repeat(20)}`,
    sender: `0x${'02'.repeat(20)}`,
    faceValue: '1000',
    winProb: '5',
    senderNonce: '7',
    recipientRandHash: `0x${'cd'.repeat(32)}`,
    creationRound: '3',
    creationRoundBlockHash: `0x${'ef'.repeat(32)}`,
    paramsExpirationBlock: '10',
    sig: '0x1234',
    recipientRand: '99',
  };
  it('builds auxData = uint256 creationRound ‖ block hash, empty for round 0 with a zero hash', () => {
    expect(toChainTicket(t).auxData).toBe(`0x${'00'.repeat(31)}03${'ef'.repeat(32)}`);
    expect(toChainTicket({ ...t, creationRound: '0', creationRoundBlockHash: `0x${'00'.repeat(32)}` }).auxData).toBe('0x');
    expect(toChainTicket(t).senderNonce).toBe(7n);
  });
  it('maps reasons to low-cardinality metric labels', () => {
    expect(reasonLabel('insufficient sender funds: deposit 1 + reserve slice 0 - pending 0 < faceValue 5')).toBe('insufficient sender funds');
    expect(reasonLabel('insufficient ticket face value for redeem tx cost: txCost 9 >= faceValue 5')).toBe('tx cost above face value');
    expect(reasonLabel('expired: creationRound 1 + validity 2 <= current round 3')).toBe('expired');
    expect(reasonLabel('submit reverted: sender deposit and reserve insufficient to cover ticket face value (#657, retrying)')).toBe('contract funds check (#657)');
    expect(reasonLabel('tx dropped: nonce 4 went to another transaction; submitting again')).toBe('tx dropped');
    expect(reasonLabel('tx in flight: TransactionBroker.redeemWinningTicket: no receipt after 180000 ms, sender not active')).toBe('tx in flight');
    expect(reasonLabel(undefined)).toBe('');
  });
});
