import { anvilBinary } from './binaries';
import { InfraStartError, spawnServer, waitUntilReady } from './process';
import { START_TIMEOUT_MS, type AnvilOptions, type DevAccount, type StartedAnvil } from './types';

/** JSON-RPC call over HTTP; a small helper for probes and tests. */
export async function jsonRpc<T = unknown>(rpcUrl: string, method: string, params: unknown[] = [], timeoutMs = 5000): Promise<T> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} (code ${body.error.code})`);
  return body.result as T;
}

/** Extracts the dev accounts from anvil's banner ("Available Accounts" / "Private Keys"). */
export function parseAnvilBanner(text: string): DevAccount[] {
  const addresses = new Map<number, string>();
  const keys = new Map<number, string>();
  for (const m of text.matchAll(/^\((\d+)\) (0x[0-9a-fA-F]{40})(?![0-9a-fA-F])/gm)) addresses.set(Number(m[1]), m[2] ?? '');
  for (const m of text.matchAll(/^\((\d+)\) (0x[0-9a-fA-F]{64})$/gm)) keys.set(Number(m[1]), m[2] ?? '');
  const accounts: DevAccount[] = [];
  for (let i = 0; addresses.has(i) && keys.has(i); i++) {
    accounts.push({ address: addresses.get(i) ?? '', privateKey: keys.get(i) ?? '' });
  }
  return accounts;
}

/** Starts anvil (from @foundry-rs/anvil) on 127.0.0.1 with the standard "test test ... junk" dev accounts. */
export async function startAnvilLocal(opts: AnvilOptions = {}): Promise<StartedAnvil> {
  const bin = anvilBinary();
  const chainId = opts.chainId ?? 31337;
  const args = ['--host', '127.0.0.1', '--port', String(opts.port ?? 0), '--chain-id', String(chainId)];
  args.push('--accounts', String(opts.accounts ?? 10));
  if (opts.balanceEth !== undefined) args.push('--balance', String(opts.balanceEth));
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  const proc = spawnServer(bin, args);

  // The banner (accounts, keys, then "Listening on host:port") arrives on stdout before the server answers.
  let banner = '';
  let port = 0;
  const off = proc.onOutput((text) => {
    if (port) return;
    banner += text;
    const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(banner);
    if (m) port = Number(m[1]);
  });
  try {
    await waitUntilReady(
      'anvil',
      proc,
      async () => port > 0 && (await jsonRpc<string>(`http://127.0.0.1:${port}`, 'eth_chainId', [], 1000)) === `0x${chainId.toString(16)}`,
      START_TIMEOUT_MS,
    );
  } finally {
    off();
  }
  const accounts = parseAnvilBanner(banner);
  if (accounts.length === 0) {
    await proc.terminate('SIGKILL', 0);
    throw new InfraStartError('anvil', 'could not read the dev accounts from its banner', banner.slice(0, 2000));
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    rpcUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    chainId,
    accounts,
    stop: () => (stopping ??= proc.terminate('SIGTERM', 3000)),
  };
}
