import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { startAnvil, type StartedAnvil } from '@lpts/testing';
import { isChainError } from '../errors/chain-error';
import { FailoverRpcClient } from './failover-rpc-client';
import { HttpRpcClient } from './http-rpc-client';
import { RpcResponseError } from './rpc-client';

/** An endpoint that is up but broken: answers 503 (or never answers), counting hits. */
async function brokenEndpoint(mode: '503' | 'hang'): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits += 1;
    if (mode === '503') res.writeHead(503).end('unavailable');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('FailoverRpcClient (dead endpoints + live anvil)', () => {
  let anvil: StartedAnvil;
  let broken: Awaited<ReturnType<typeof brokenEndpoint>>;
  let hanging: Awaited<ReturnType<typeof brokenEndpoint>>;
  let t = 0;
  const now = () => t;

  beforeAll(async () => {
    [anvil, broken, hanging] = await Promise.all([startAnvil(), brokenEndpoint('503'), brokenEndpoint('hang')]);
  });
  afterAll(async () => {
    await Promise.all([anvil?.stop(), broken?.close(), hanging?.close()]);
  });
  beforeEach(() => {
    t = 1_000_000;
  });

  it('serves calls from the live endpoint when the first one is dead, and moves the scores', async () => {
    const refused = 'http://127.0.0.1:1'; // nothing listens on port 1
    const rpc = new FailoverRpcClient([refused, broken.url, anvil.rpcUrl], { timeoutMs: 500, cooldownMs: 5000, now });
    expect(BigInt(await rpc.request<string>('eth_chainId', []))).toBe(31337n);
    const h = rpc.health();
    expect(h.map((e) => [e.consecutiveFailures, e.coolingDown])).toEqual([
      [1, true],
      [1, true],
      [0, false],
    ]);
    expect(h[0]?.score).toBeCloseTo(0.5);
    expect(h[1]?.lastError).toMatch(/HTTP 503/);
    expect(h[2]?.score).toBe(1);

    // While they cool down, the dead endpoints are not tried again.
    const before = broken.hits();
    await rpc.request('eth_blockNumber', []);
    expect(broken.hits()).toBe(before);
  });

  it('recovers a failed endpoint over time and puts it back in rotation', async () => {
    const rpc = new FailoverRpcClient([broken.url, anvil.rpcUrl], { cooldownMs: 1000, recoveryMs: 10_000, now });
    await rpc.request('eth_chainId', []);
    expect(rpc.health()[0]?.score).toBeCloseTo(0.5);
    t += 2_500; // cooldown over, 25 % recovered
    expect(rpc.health()[0]).toMatchObject({ coolingDown: false });
    expect(rpc.health()[0]?.score).toBeCloseTo(0.75);
    t += 10_000; // fully recovered: back in first place, tried first again
    const before = broken.hits();
    await rpc.request('eth_chainId', []);
    expect(broken.hits()).toBe(before + 1);
    expect(rpc.health()[0]).toMatchObject({ consecutiveFailures: 2, coolingDown: true }); // second failure in a row: longer cooldown
  });

  it('times out a hanging endpoint and fails over', async () => {
    const rpc = new FailoverRpcClient([hanging.url, anvil.rpcUrl], { timeoutMs: 200, now });
    const started = Date.now();
    expect(typeof (await rpc.request('eth_blockNumber', []))).toBe('string');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(rpc.health()[0]?.lastError).toMatch(/timeout after 200 ms/);
  });

  it('returns a JSON-RPC error answer at once, without failing over or lowering the score', async () => {
    const rpc = new FailoverRpcClient([anvil.rpcUrl, broken.url], { now });
    const before = broken.hits();
    await expect(rpc.request('eth_sendRawTransaction', ['0x1234'])).rejects.toBeInstanceOf(RpcResponseError);
    expect(broken.hits()).toBe(before);
    expect(rpc.health()[0]).toMatchObject({ score: 1, consecutiveFailures: 0 });
  });

  it('fails over a whole batch, keeping answers in request order', async () => {
    const rpc = new FailoverRpcClient([broken.url, new HttpRpcClient(anvil.rpcUrl, { maxBatchSize: 2 })], { now });
    const out = await rpc.batch([
      { method: 'eth_chainId', params: [] },
      { method: 'eth_getBalance', params: [anvil.accounts[0]?.address, 'latest'] },
      { method: 'eth_sendRawTransaction', params: ['0x1234'] },
    ]);
    expect(out[0]).toEqual({ ok: true, result: '0x7a69' });
    expect(out[1]?.ok).toBe(true);
    expect(out[2]?.ok).toBe(false);
  });

  it('throws ChainError ALL_ENDPOINTS_DOWN (retryable) when every endpoint fails', async () => {
    const rpc = new FailoverRpcClient(['http://127.0.0.1:1', broken.url], { now });
    const err = await rpc.request('eth_chainId', []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isChainError(err, 'ALL_ENDPOINTS_DOWN')).toBe(true);
    expect(isChainError(err) && [err.retryable, err.details['endpoints']]).toEqual([true, 2]);
  });
});
