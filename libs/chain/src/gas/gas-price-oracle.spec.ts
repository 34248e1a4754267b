import { isChainError } from '../errors/chain-error';
import type { RpcClient } from '../rpc/rpc-client';
import { GasPriceOracle } from './gas-price-oracle';

const GWEI = 1_000_000_000n;

/** A fake endpoint answering eth_gasPrice from a script of readings. */
function scripted(readings: (bigint | Error)[]): RpcClient & { calls: number } {
  const fake = {
    calls: 0,
    async request<T>(method: string): Promise<T> {
      expect(method).toBe('eth_gasPrice');
      const r = readings[Math.min(fake.calls, readings.length - 1)] as bigint | Error;
      fake.calls += 1;
      if (r instanceof Error) throw r;
      return ('0x' + r.toString(16)) as T;
    },
    async batch() {
      throw new Error('unused');
    },
  };
  return fake;
}

describe('GasPriceOracle', () => {
  let t = 0;
  const now = () => t;
  beforeEach(() => {
    t = 0;
  });

  it('ignores a zero reading and a reading above 10x the median', async () => {
    const rpc = scripted([1n * GWEI, 2n * GWEI, 0n, 30n * GWEI, 2n * GWEI]);
    const o = new GasPriceOracle(rpc, { ceiling: 100n * GWEI, cacheMs: 0, now });
    expect(await o.getGasPrice()).toBe(1n * GWEI);
    expect(await o.getGasPrice()).toBe(2n * GWEI);
    const zero = await o.read();
    expect(zero).toMatchObject({ ignored: 'zero', raw: 0n, gasPrice: 1_500_000_000n });
    const absurd = await o.read();
    expect(absurd).toMatchObject({ ignored: 'absurd', raw: 30n * GWEI, gasPrice: 1_500_000_000n });
    expect(await o.getGasPrice()).toBe(2n * GWEI);
    expect(o.median()).toBe(2n * GWEI); // median of 1, 2, 2: the ignored readings never entered it
  });

  it('accepts a high reading once it repeats (a real regime change)', async () => {
    const rpc = scripted([1n * GWEI, 50n * GWEI, 55n * GWEI, 52n * GWEI]);
    const o = new GasPriceOracle(rpc, { ceiling: 1000n * GWEI, cacheMs: 0, confirmations: 3, now });
    await o.getGasPrice();
    expect((await o.read()).ignored).toBe('absurd');
    expect((await o.read()).ignored).toBe('absurd');
    expect(await o.read()).toMatchObject({ gasPrice: 52n * GWEI });
    expect(o.median()).toBe(52n * GWEI);
  });

  it('clamps to floor and ceiling', async () => {
    const o = new GasPriceOracle(scripted([50_000_000n, 400_000_000n]), { floor: 100_000_000n, ceiling: 300_000_000n, cacheMs: 0, now });
    expect(await o.getGasPrice()).toBe(100_000_000n);
    expect(await o.getGasPrice()).toBe(300_000_000n);
  });

  it('caches readings for cacheMs and shares one request between concurrent callers', async () => {
    const rpc = scripted([1n * GWEI, 2n * GWEI]);
    const o = new GasPriceOracle(rpc, { ceiling: 100n * GWEI, cacheMs: 1000, now });
    const [a, b] = await Promise.all([o.getGasPrice(), o.getGasPrice()]);
    expect([a, b, rpc.calls]).toEqual([1n * GWEI, 1n * GWEI, 1]);
    t = 999;
    expect(await o.getGasPrice()).toBe(1n * GWEI);
    t = 1000;
    expect(await o.getGasPrice()).toBe(2n * GWEI);
    expect(rpc.calls).toBe(2);
  });

  it('keeps the median when the endpoint fails, and fails typed with no history', async () => {
    const o = new GasPriceOracle(scripted([1n * GWEI, new Error('down')]), { ceiling: 100n * GWEI, cacheMs: 0, now });
    await o.getGasPrice();
    expect(await o.read()).toMatchObject({ ignored: 'failed', gasPrice: 1n * GWEI });
    const cold = new GasPriceOracle(scripted([new Error('down')]), { ceiling: 100n * GWEI, cacheMs: 0, now });
    const err = await cold.getGasPrice().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isChainError(err, 'NO_GAS_PRICE') && err.retryable).toBe(true);
  });
});
