import { createServer, type AddressInfo } from 'node:net';
import { InfraStartError, jsonRpc, startAnvil } from './index';

// Starting servers can take a few seconds on a loaded 2-core machine.
jest.setTimeout(30_000);

// The first keys of the standard "test test test test test test test test test test test junk" mnemonic.
const DEV0 = {
  address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
};

describe('startAnvil', () => {
  it('answers eth_chainId and eth_accounts with the dev accounts', async () => {
    const anvil = await startAnvil({ accounts: 3, chainId: 1337, balanceEth: 42 });
    try {
      expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`);
      expect(anvil.wsUrl).toBe(`ws://127.0.0.1:${anvil.port}`);
      expect(await jsonRpc(anvil.rpcUrl, 'eth_chainId')).toBe('0x539');
      const accounts = await jsonRpc<string[]>(anvil.rpcUrl, 'eth_accounts');
      expect(accounts.map((a) => a.toLowerCase())).toEqual(anvil.accounts.map((a) => a.address.toLowerCase()));
      expect(anvil.accounts).toHaveLength(3);
      expect(anvil.accounts[0]).toEqual(DEV0);
      const balance = await jsonRpc<string>(anvil.rpcUrl, 'eth_getBalance', [DEV0.address, 'latest']);
      expect(BigInt(balance)).toBe(42n * 10n ** 18n);
    } finally {
      await anvil.stop();
      await anvil.stop();
    }
    await expect(jsonRpc(anvil.rpcUrl, 'eth_chainId', [], 500)).rejects.toThrow();
  });

  it('mines on a timer with blockTime and defaults to chain 31337', async () => {
    const anvil = await startAnvil({ blockTime: 1 });
    try {
      expect(await jsonRpc(anvil.rpcUrl, 'eth_chainId')).toBe('0x7a69');
      expect(anvil.accounts).toHaveLength(10);
      const start = BigInt(await jsonRpc<string>(anvil.rpcUrl, 'eth_blockNumber'));
      await new Promise((r) => setTimeout(r, 2200));
      expect(BigInt(await jsonRpc<string>(anvil.rpcUrl, 'eth_blockNumber'))).toBeGreaterThan(start);
    } finally {
      await anvil.stop();
    }
  });
});

describe('start failures', () => {
  it('rejects with InfraStartError carrying the server output when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const err = await startAnvil({ port }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(InfraStartError);
      expect(err?.message).toMatch(/^anvil did not start: process exited/);
      expect(err?.message).toMatch(/last output of anvil[\s\S]*(in use|bind)/i);
    } finally {
      blocker.close();
    }
  });
});
