import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isChainError } from '../errors/chain-error';
import { ARBITRUM_ONE_ADDRESS_BOOK, loadAddressBook, parseAddressBook, REQUIRED_CONTRACTS } from './address-book';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('address books', () => {
  it('records the Arbitrum One book of CONTRACTS.md §4.1', () => {
    expect(ARBITRUM_ONE_ADDRESS_BOOK.chainId).toBe(42161n);
    expect(ARBITRUM_ONE_ADDRESS_BOOK.contracts['Controller']).toBe('0xD8E8328501E9645d16Cf49539efC04f734606ee4');
    expect(ARBITRUM_ONE_ADDRESS_BOOK.contracts['AIServiceRegistry']).toBe('0x04C0b249740175999E5BF5c9ac1dA92431EF34C5');
    for (const name of REQUIRED_CONTRACTS) expect(ARBITRUM_ONE_ADDRESS_BOOK.contracts[name]).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(Object.isFrozen(ARBITRUM_ONE_ADDRESS_BOOK.contracts)).toBe(true);
  });

  it('parses the devnet book the deployer writes (checksumming addresses)', () => {
    const book = parseAddressBook({
      network: 'devnet',
      profile: 'unit',
      chainId: 31337,
      startBlock: 1,
      deployer: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      contracts: { Controller: '0x5fbdb2315678afecb367f032d93f642f64180aa3', AIServiceRegistry: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' },
    });
    expect(book).toEqual({
      network: 'devnet',
      chainId: 31337n,
      startBlock: 1n,
      contracts: { Controller: '0x5FbDB2315678afecb367f032d93F642f64180aa3', AIServiceRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' },
    });
  });

  it('rejects malformed books with INVALID_ADDRESS_BOOK', () => {
    const bad = [null, { chainId: -1, contracts: {} }, { chainId: 1 }, { chainId: 1, contracts: { Controller: '0x12' } }, { chainId: 1, contracts: {} }];
    for (const b of bad) expect(isChainError(errorOf(() => parseAddressBook(b)), 'INVALID_ADDRESS_BOOK')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'lpts-book-'));
    writeFileSync(join(dir, 'broken.json'), '{not json');
    expect(isChainError(errorOf(() => loadAddressBook(join(dir, 'broken.json'))), 'INVALID_ADDRESS_BOOK')).toBe(true);
    expect(isChainError(errorOf(() => loadAddressBook(join(dir, 'missing.json'))), 'INVALID_ADDRESS_BOOK')).toBe(true);
  });
});
