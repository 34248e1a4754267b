import { Interface, Wallet } from 'ethers';
import { startAnvil, type StartedAnvil } from '@lpts/testing';
import { isChainError } from '../errors/chain-error';
import { HttpRpcClient } from '../rpc/http-rpc-client';
import { type RpcClient, RpcResponseError } from '../rpc/rpc-client';
import { TxManager, type SentTx, type TxBroadcast } from './tx-manager';

const solc = require('solc') as { compile(input: string): string };

/** A tiny contract written for this spec: reverts with a reason, bare, or succeeds. */
const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract Reverter {
  uint256 public count;
  function fail(string calldata reason) external { count += 1; revert(reason); }
  function ok() external { count += 1; }
}`;
const iface = new Interface(['function fail(string reason)', 'function ok()', 'function count() view returns (uint256)']);

function compile(): string {
  const input = { language: 'Solidity', sources: { 'R.sol': { content: SOURCE } }, settings: { outputSelection: { '*': { '*': ['evm.bytecode.object'] } } } };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as { contracts: Record<string, Record<string, { evm: { bytecode: { object: string } } }>> };
  return '0x' + (out.contracts['R.sol']?.['Reverter']?.evm.bytecode.object ?? '');
}

const GWEI = 1_000_000_000n;
const fixedPrice = (p: bigint) => ({ getGasPrice: async () => p });

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('TxManager on anvil', () => {
  let anvil: StartedAnvil;
  let rpc: HttpRpcClient;
  let reverter: string;

  beforeAll(async () => {
    const [a, bytecode] = await Promise.all([startAnvil(), Promise.resolve(compile())]);
    anvil = a;
    rpc = new HttpRpcClient(anvil.rpcUrl);
    const deployer = new TxManager(rpc, new Wallet(key(0)), { chainId: 31337n, gasPrice: fixedPrice(3n * GWEI), maxGasPrice: 100n * GWEI, pollMs: 20 });
    const res = await deployer.send({ data: bytecode, gasLimit: 1_000_000n, label: 'deploy' });
    const receipt = await rpc.request<{ contractAddress: string }>('eth_getTransactionReceipt', [res.hash]);
    reverter = receipt.contractAddress;
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  function key(i: number): string {
    const k = anvil.accounts[i]?.privateKey;
    if (!k) throw new Error(`no account ${i}`);
    return k;
  }

  it('gives concurrent sends of one signer consecutive chain nonces', async () => {
    const signer = new Wallet(key(1));
    const start = Number(BigInt(await rpc.request<string>('eth_getTransactionCount', [signer.address, 'pending'])));
    const tm = new TxManager(rpc, signer, { chainId: 31337n, gasPrice: fixedPrice(3n * GWEI), maxGasPrice: 100n * GWEI, pollMs: 20 });
    const results = await Promise.all(Array.from({ length: 8 }, () => tm.send({ to: reverter, data: iface.encodeFunctionData('ok') })));
    expect(results.map((r) => r.nonce).sort((a, b) => a - b)).toEqual(Array.from({ length: 8 }, (_v, i) => start + i));
    expect(results.every((r) => r.receipt.status === 1)).toBe(true);
    // A second manager for the same account picks up where the chain is (the chain is the source of truth).
    const fresh = new TxManager(rpc, signer, { chainId: 31337n, gasPrice: fixedPrice(3n * GWEI), maxGasPrice: 100n * GWEI, pollMs: 20 });
    expect((await fresh.send({ to: reverter, data: iface.encodeFunctionData('ok') })).nonce).toBe(start + 8);
  });

  it('surfaces an estimateGas revert as ChainError REVERTED with the reason', async () => {
    const tm = new TxManager(rpc, new Wallet(key(2)), { chainId: 31337n, gasPrice: fixedPrice(3n * GWEI), maxGasPrice: 100n * GWEI });
    const err = await caught(tm.send({ to: reverter, data: iface.encodeFunctionData('fail', ['ticket is used']), label: 'Reverter.fail' }));
    expect(isChainError(err, 'REVERTED')).toBe(true);
    expect(isChainError(err) && err.details).toMatchObject({ reason: 'ticket is used', method: 'Reverter.fail', to: reverter });
  });

  it('recovers the revert string of a transaction that failed on chain', async () => {
    const tm = new TxManager(rpc, new Wallet(key(2)), { chainId: 31337n, gasPrice: fixedPrice(3n * GWEI), maxGasPrice: 100n * GWEI, pollMs: 20 });
    const err = await caught(tm.send({ to: reverter, data: iface.encodeFunctionData('fail', ['sender is unlocked']), gasLimit: 100_000n }));
    expect(isChainError(err, 'REVERTED')).toBe(true);
    expect(isChainError(err) && err.details['reason']).toBe('sender is unlocked');
    expect(isChainError(err) && typeof err.details['txHash']).toBe('string');
  });

  it('treats "already known" (a re-sent broadcast, e.g. after failover) as sent, not as a nonce conflict', async () => {
    const signer = new Wallet(key(5));
    const start = Number(BigInt(await rpc.request<string>('eth_getTransactionCount', [signer.address, 'pending'])));
    const lostAnswer: RpcClient = {
      request: async <T>(method: string, params: readonly unknown[]): Promise<T> => {
        const out = await rpc.request<T>(method, params);
        if (method === 'eth_sendRawTransaction') throw new RpcResponseError(-32000, 'already known', undefined, 'second-endpoint');
        return out;
      },
      batch: (calls) => rpc.batch(calls),
    };
    const tm = new TxManager(lostAnswer, signer, { chainId: 31337n, gasPrice: fixedPrice(3n * GWEI), maxGasPrice: 100n * GWEI, pollMs: 20 });
    const res = await tm.send({ to: reverter, data: iface.encodeFunctionData('ok') });
    expect(res.nonce).toBe(start);
    expect(res.receipt.status).toBe(1);
    expect(Number(BigInt(await rpc.request<string>('eth_getTransactionCount', [signer.address, 'latest'])))).toBe(start + 1);
  });

  it('refuses a gas price above the maximum', async () => {
    const tm = new TxManager(rpc, new Wallet(key(2)), { chainId: 31337n, gasPrice: fixedPrice(200n * GWEI), maxGasPrice: 100n * GWEI });
    const err = await caught(tm.send({ to: reverter, data: iface.encodeFunctionData('ok') }));
    expect(isChainError(err, 'GAS_PRICE_ABOVE_MAX')).toBe(true);
    expect(isChainError(err) && err.details).toMatchObject({ gasPrice: String(200n * GWEI), maxGasPrice: String(100n * GWEI) });
  });

  describe('with automine off', () => {
    beforeEach(async () => {
      await rpc.request('evm_setAutomine', [false]);
    });
    afterEach(async () => {
      await rpc.request('evm_setAutomine', [true]);
      await rpc.request('evm_mine', []);
    });

    it('replaces a stuck transaction with bumped prices, never above the max, then times out', async () => {
      const signer = new Wallet(key(3));
      const p = 2n * GWEI;
      const tm = new TxManager(rpc, signer, {
        chainId: 31337n,
        gasPrice: fixedPrice(p),
        maxGasPrice: (p * 13n) / 10n, // room for two +12 % bumps, not a third
        bumpPercent: 12,
        replaceAfterMs: 100,
        timeoutMs: 1200,
        pollMs: 25,
      });
      const err = await caught(tm.send({ to: reverter, data: iface.encodeFunctionData('ok') }));
      expect(isChainError(err, 'TX_TIMEOUT')).toBe(true);
      expect(isChainError(err) && err.details).toMatchObject({
        attempts: 3,
        gasPrice: String(2_508_800_000n), // 2 gwei × 1.12 × 1.12
        maxGasPrice: String(2_600_000_000n),
        replacementBlockedByMax: true,
      });
      // The node holds only the last replacement for that nonce.
      const pool = await rpc.request<{ pending: Record<string, Record<string, { gasPrice: string }>> }>('txpool_content', []);
      const mine = Object.entries(pool.pending).find(([a]) => a.toLowerCase() === signer.address.toLowerCase())?.[1] ?? {};
      expect(Object.values(mine).map((t) => BigInt(t.gasPrice))).toEqual([2_508_800_000n]);
    });

    it('returns the receipt of the replacement that gets mined', async () => {
      const signer = new Wallet(key(4));
      const tm = new TxManager(rpc, signer, {
        chainId: 31337n,
        gasPrice: fixedPrice(2n * GWEI),
        maxGasPrice: 10n * GWEI,
        replaceAfterMs: 100,
        timeoutMs: 5000,
        pollMs: 25,
      });
      const seen: TxBroadcast[] = [];
      const sending = tm.send({ to: reverter, data: iface.encodeFunctionData('ok'), onBroadcast: (b) => void seen.push(b) });
      await new Promise((r) => setTimeout(r, 160)); // first replacement is out
      await rpc.request('evm_mine', []);
      const res = await sending;
      expect(res.attempts.length).toBeGreaterThanOrEqual(2);
      expect(res.attempts[1]?.gasPrice).toBe(2_240_000_000n);
      expect(res.receipt.status).toBe(1);
      expect(res.attempts.map((a) => a.hash)).toContain(res.hash);
      expect(res.receipt.effectiveGasPrice).toBe(res.attempts.find((a) => a.hash === res.hash)?.gasPrice);
      // every broadcast, replacements included, went through onBroadcast first
      expect(seen.map((b) => [b.hash, b.nonce, b.replacement])).toEqual(res.attempts.map((a, i) => [a.hash, res.nonce, i]));
    });
  });

  describe('crash safety: onBroadcast, lookup, resume', () => {
    const pendingCount = async (a: string) => Number(BigInt(await rpc.request<string>('eth_getTransactionCount', [a, 'pending'])));
    const manager = (signer: Wallet, over: Partial<ConstructorParameters<typeof TxManager>[2]> = {}) =>
      new TxManager(rpc, signer, { chainId: 31337n, gasPrice: fixedPrice(3n * GWEI), maxGasPrice: 100n * GWEI, pollMs: 20, ...over });
    const okCall = () => ({ to: reverter, data: iface.encodeFunctionData('ok'), label: 'Reverter.ok' });

    it('hands each signed tx to onBroadcast before the node sees it; a throw there sends nothing', async () => {
      const signer = new Wallet(key(6));
      const tm = manager(signer);
      const seen: { b: TxBroadcast; known: unknown }[] = [];
      const res = await tm.send({
        ...okCall(),
        onBroadcast: async (b) => {
          seen.push({ b, known: await rpc.request('eth_getTransactionByHash', [b.hash]) });
        },
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.known).toBeNull();
      expect(seen[0]?.b).toMatchObject({ hash: res.hash, nonce: res.nonce, from: signer.address, gasPrice: 3n * GWEI, gasLimit: res.gasLimit, replacement: 0, label: 'Reverter.ok' });
      const before = await pendingCount(signer.address);
      const refused = await caught(
        tm.send({
          ...okCall(),
          onBroadcast: () => {
            throw new Error('ledger down');
          },
        }),
      );
      expect(refused).toEqual(new Error('ledger down'));
      expect(await pendingCount(signer.address)).toBe(before);
    });

    /** A tx signed and recorded by onBroadcast, then never sent (the hook throws: a crash between the two). */
    async function recordedNeverSent(tm: ReturnType<typeof manager>): Promise<SentTx> {
      let recorded: TxBroadcast | undefined;
      await caught(
        tm.send({
          ...okCall(),
          onBroadcast: (b) => {
            recorded = b;
            throw new Error('crash');
          },
        }),
      );
      return { nonce: recorded?.nonce ?? -1, attempts: [{ hash: recorded?.hash ?? '', gasPrice: recorded?.gasPrice ?? 0n }] };
    }

    it('looks a recorded tx up: mined, unknown (nonce free), dropped (nonce used by another tx)', async () => {
      const signer = new Wallet(key(7));
      const tm = manager(signer);
      const mined = await tm.send(okCall());
      expect(await tm.lookup({ nonce: mined.nonce, attempts: mined.attempts })).toMatchObject({ state: 'mined', hash: mined.hash, receipt: { status: 1 } });
      // Signed and recorded, never sent (a crash between the two).
      const sent = await recordedNeverSent(tm);
      expect(sent.nonce).toBe(mined.nonce + 1);
      expect(await tm.lookup(sent)).toEqual({ state: 'unknown', nonce: sent.nonce });
      await tm.send({ ...okCall(), gasLimit: 90_000n }); // another tx takes that nonce
      expect(await tm.lookup(sent)).toEqual({ state: 'dropped', nonce: sent.nonce });
      const err = await caught(tm.resume(okCall(), sent));
      expect(isChainError(err, 'TX_DROPPED')).toBe(true);
      expect(isChainError(err) && err.details).toMatchObject({ nonce: sent.nonce, hashes: sent.attempts[0]?.hash });
    });

    it('resumes an unknown tx by re-sending at its own nonce (recorded through onBroadcast)', async () => {
      const signer = new Wallet(key(8));
      const tm = manager(signer);
      const sent = await recordedNeverSent(tm);
      const fresh = manager(signer); // the restarted process
      const seen: TxBroadcast[] = [];
      const res = await fresh.resume({ ...okCall(), onBroadcast: (b) => void seen.push(b) }, sent);
      expect(res.nonce).toBe(sent.nonce);
      expect(seen).toMatchObject([{ nonce: sent.nonce, replacement: 1, hash: res.hash }]);
      expect(res.attempts.map((a) => a.hash)).toEqual([sent.attempts[0]?.hash, res.hash]);
      expect(await pendingCount(signer.address)).toBe(sent.nonce + 1);
    });

    describe('with automine off', () => {
      beforeEach(async () => {
        await rpc.request('evm_setAutomine', [false]);
      });
      afterEach(async () => {
        await rpc.request('evm_setAutomine', [true]);
        await rpc.request('evm_mine', []);
      });

      it('finds a broadcast tx pending and resumes by waiting for it, sending nothing new', async () => {
        const signer = new Wallet(key(9));
        const tm = manager(signer, { timeoutMs: 300, replaceAfterMs: 60_000 });
        const recorded: TxBroadcast[] = [];
        const err = await caught(tm.send({ ...okCall(), gasLimit: 100_000n, onBroadcast: (b) => void recorded.push(b) }));
        expect(isChainError(err, 'TX_TIMEOUT')).toBe(true); // the process gave up (or died); the tx is in the mempool
        const sent = { nonce: recorded[0]?.nonce ?? -1, attempts: recorded.map((b) => ({ hash: b.hash, gasPrice: b.gasPrice })) };
        const found = await tm.lookup(sent);
        expect(found).toEqual({ state: 'pending', hash: sent.attempts[0]?.hash, gasPrice: 3n * GWEI, gasLimit: 100_000n });
        const fresh = manager(signer);
        const seen: TxBroadcast[] = [];
        const resuming = fresh.resume({ ...okCall(), onBroadcast: (b) => void seen.push(b) }, sent, found);
        await new Promise((r) => setTimeout(r, 100));
        await rpc.request('evm_mine', []);
        const res = await resuming;
        expect(res).toMatchObject({ hash: sent.attempts[0]?.hash, nonce: sent.nonce, gasLimit: 100_000n, receipt: { status: 1 } });
        expect(seen).toEqual([]);
        expect(await pendingCount(signer.address)).toBe(sent.nonce + 1);
      });
    });
  });

  it('computes the replacement price as at least +10 %, capped by the max', () => {
    const tm = new TxManager(rpc, new Wallet(key(0)), { chainId: 1n, gasPrice: fixedPrice(1n), maxGasPrice: 1_000n, bumpPercent: 10 });
    expect(tm.nextGasPrice(100n)).toBe(110n);
    expect(tm.nextGasPrice(101n)).toBe(112n); // rounded up
    expect(tm.nextGasPrice(910n)).toBeUndefined(); // 1001 > max
    expect(() => new TxManager(rpc, new Wallet(key(0)), { chainId: 1n, gasPrice: fixedPrice(1n), maxGasPrice: 1n, bumpPercent: 5 })).toThrow(/at least 10/);
  });
});
