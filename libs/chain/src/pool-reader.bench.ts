/**
 * Benchmark: reading the active pool (stake, service URI, status) of 100 registered orchestrators
 * with the batched reader vs one call at a time, same anvil, same run. Prints one JSON line.
 * Never asserts timing; asserts only that both readers agree.
 */
import { parseEther, Wallet } from 'ethers';
import { deployDevnet } from '@lpts/contracts';
import { startAnvil } from '@lpts/testing';
import { BondingManagerClient } from './clients/bonding-manager.client';
import { LivepeerTokenClient } from './clients/livepeer-token.client';
import { RoundsManagerClient } from './clients/rounds-manager.client';
import { ServiceRegistryClient } from './clients/service-registry.client';
import { readActivePoolBatched, readActivePoolSequential, readActivePoolSingleCall, type ActivePool } from './pool/pool-reader';
import { HttpRpcClient } from './rpc/http-rpc-client';
import { TxManager } from './tx/tx-manager';

const ORCHESTRATORS = 100;
const RUNS = 5;
const GWEI = 1_000_000_000n;

async function inBatches<T>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(items.slice(i, i + width).map((item, k) => fn(item, i + k)));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function timed(fn: () => Promise<ActivePool>): Promise<{ ms: number; pool: ActivePool }> {
  const t0 = process.hrtime.bigint();
  const pool = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, pool };
}

describe('pool reader benchmark', () => {
  it(`reads ${ORCHESTRATORS} orchestrators batched vs one call at a time`, async () => {
    const anvil = await startAnvil({ accounts: ORCHESTRATORS + 1 });
    const rpc = new HttpRpcClient(anvil.rpcUrl);
    const tx = (key: string) =>
      new TxManager(rpc, new Wallet(key), { chainId: 31337n, gasPrice: { getGasPrice: async () => 2n * GWEI }, maxGasPrice: 50n * GWEI, pollMs: 50 });
    try {
      const deployerKey = anvil.accounts[0]?.privateKey ?? '';
      const devnet = await deployDevnet({ rpcUrl: anvil.rpcUrl, deployerKey, profile: 'unit', reuse: false });
      const c = devnet.book.contracts;
      const owner = tx(deployerKey);
      const iface = devnet.contracts.bondingManager.interface;
      // The unit profile allows 3 active transcoders and 10-block rounds: widen both for the setup.
      await owner.send({ to: c.BondingManager, data: iface.encodeFunctionData('setNumActiveTranscoders', [ORCHESTRATORS]) });
      const rmIface = devnet.contracts.roundsManager.interface;
      await owner.send({ to: c.RoundsManager, data: rmIface.encodeFunctionData('setRoundLength', [1_000_000]) });

      const orchestrators = anvil.accounts.slice(1, ORCHESTRATORS + 1);
      const lpt = new LivepeerTokenClient(c.LivepeerToken, { rpc, tx: owner });
      await Promise.all(orchestrators.map((o, i) => lpt.transfer(o.address, parseEther(String(1000 + i)))));
      await inBatches(orchestrators, 10, async (o, i) => {
        const t = tx(o.privateKey);
        const stake = parseEther(String(1000 + i));
        await new LivepeerTokenClient(c.LivepeerToken, { rpc, tx: t }).approve(c.BondingManager, stake);
        const bm = new BondingManagerClient(c.BondingManager, { rpc, tx: t });
        await bm.bondWithHint(stake, o.address);
        await bm.transcoder(100_000n, 500_000n);
        await new ServiceRegistryClient(c.ServiceRegistry, { rpc, tx: t }).setServiceURI(`https://orchestrator-${i}.example:8935`);
      });
      // Back to short rounds (re-anchored at the current round), then start the next round so all are active.
      await owner.send({ to: c.RoundsManager, data: rmIface.encodeFunctionData('setRoundLength', [10]) });
      const rm = new RoundsManagerClient(c.RoundsManager, { rpc, tx: owner });
      if (await rm.currentRoundInitialized()) {
        const info = await rm.roundInfo();
        const now = BigInt(await rpc.request<string>('eth_blockNumber', []));
        await rpc.request('anvil_mine', ['0x' + (info.startBlock + info.roundLength - now).toString(16)]);
      }
      await rm.initializeRound();

      const addrs = { bondingManager: c.BondingManager, serviceRegistry: c.ServiceRegistry };
      // Warm-up (JIT, connection pool), then alternate the two readers.
      const first = await readActivePoolBatched(rpc, addrs);
      const check = await readActivePoolSequential(rpc, addrs, { blockNumber: first.blockNumber });
      expect(check.members).toEqual(first.members);
      expect((await readActivePoolSingleCall(rpc, addrs, { blockNumber: first.blockNumber })).members).toEqual(first.members);
      expect(first.members).toHaveLength(ORCHESTRATORS);
      expect(first.members.every((m) => m.active && m.status === 1 && m.serviceURI.startsWith('https://'))).toBe(true);
      expect(first.members[0]?.stake).toBe(parseEther(String(1000 + ORCHESTRATORS - 1)));

      const batched: number[] = [];
      const single: number[] = [];
      const sequential: number[] = [];
      let roundTrips = { batched: 0, singleCall: 0, oneAtATime: 0 };
      for (let r = 0; r < RUNS; r++) {
        const b = await timed(() => readActivePoolBatched(rpc, addrs));
        const o = await timed(() => readActivePoolSingleCall(rpc, addrs));
        const s = await timed(() => readActivePoolSequential(rpc, addrs));
        batched.push(b.ms);
        single.push(o.ms);
        sequential.push(s.ms);
        roundTrips = { batched: b.pool.roundTrips, singleCall: o.pool.roundTrips, oneAtATime: s.pool.roundTrips };
      }
      const b = median(batched);
      const o = median(single);
      const s = median(sequential);
      const ms = (x: number) => Number(x.toFixed(1));
      console.log(
        JSON.stringify({
          bench: 'chain.pool-reader',
          orchestrators: ORCHESTRATORS,
          readsPerMember: 4,
          runs: RUNS,
          statistic: 'median',
          batchedMs: ms(b),
          oneAtATimeMs: ms(s),
          ratio: Number((s / b).toFixed(2)),
          singleCallMs: ms(o),
          singleCallRatio: Number((s / o).toFixed(2)),
          roundTrips,
        }),
      );
      devnet.provider.destroy();
    } finally {
      await anvil.stop();
    }
  }, 600_000);
});
