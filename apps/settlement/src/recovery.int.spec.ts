import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SettlementCommands, type WinningTicketJson } from '@lpts/protocol';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { initializeNextRound } from '@lpts/contracts';
import { spawnTs, type TsProcess } from '@lpts/testing';
import { createApp, type SettlementApp } from './bootstrap';
import { ETH, startHarness, waitFor, type Harness } from './spec/harness.test';

jest.setTimeout(60_000);

const APP_ROOT = join(__dirname, '..');

/** settlement as a real process, from source; its output is echoed when SETTLEMENT_SPEC_DEBUG is set or it fails. */
function spawnSettlement(env: Record<string, string>): TsProcess {
  const proc = spawnTs(join(APP_ROOT, 'src', 'main.ts'), { cwd: APP_ROOT, env });
  void proc.exited.then((code) => {
    if ((code && code !== 0) || process.env['SETTLEMENT_SPEC_DEBUG']) process.stderr.write(`settlement child exited ${code ?? proc.child.signalCode}: ${proc.output().slice(-10_000)}\n`);
  });
  return proc;
}

async function exactlyOnce(h: Harness, tickets: WinningTicketJson[], fromBlock: number): Promise<void> {
  const transfers = await h.transfers(fromBlock);
  expect(transfers).toHaveLength(tickets.length);
  // Face values are distinct, so each transfer names its ticket.
  expect(transfers.map((t) => t.amount).sort()).toEqual(tickets.map((t) => BigInt(t.faceValue)).sort());
  for (const t of tickets) expect(await h.devnet.contracts.ticketBroker.getFunction('usedTickets')(t.ticketHash)).toBe(true);
}

/**
 * A JSON-RPC proxy that pins eth_estimateGas to the `latest` block, as geth and Arbitrum do by default
 * (anvil estimates against its pending block, which would hide a resubmission behind a "ticket is used" estimate).
 */
async function latestEstimateProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const pin = (c: { method?: string; params?: unknown[] }) => (c.method === 'eth_estimateGas' && c.params?.length === 1 ? { ...c, params: [...c.params, 'latest'] } : c);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
      const out = Array.isArray(body) ? body.map(pin) : pin(body as { method?: string });
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(out) })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' });
          res.end(await r.text());
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Hashes of every redeemWinningTicket tx `from` ever sent since `fromBlock`: mined ones, then the mempool's. */
async function redeemTxs(h: Harness, from: string, fromBlock: number): Promise<string[]> {
  const selector = h.devnet.contracts.ticketBroker.interface.getFunction('redeemWinningTicket')?.selector ?? '';
  const ours = (tx: { from?: string; input?: string }) => tx.from?.toLowerCase() === from.toLowerCase() && (tx.input ?? '').startsWith(selector);
  const hashes: string[] = [];
  const latest = Number(await h.blockNumber());
  for (let n = fromBlock; n <= latest; n++) {
    const block = await h.devnet.provider.send('eth_getBlockByNumber', ['0x' + n.toString(16), true]);
    for (const tx of (block?.transactions ?? []) as { hash: string; from?: string; input?: string }[]) if (ours(tx)) hashes.push(tx.hash);
  }
  const pool = (await h.devnet.provider.send('txpool_content', [])) as { pending: Record<string, Record<string, { hash: string; from?: string; input?: string }>> };
  for (const [addr, byNonce] of Object.entries(pool.pending)) {
    if (addr.toLowerCase() !== from.toLowerCase()) continue;
    for (const tx of Object.values(byNonce)) if (ours({ ...tx, from: addr })) hashes.push(tx.hash);
  }
  return hashes;
}

describe('settlement recovery (kill -9, Redis restart with AOF)', () => {
  let h: Harness;
  let nc: NatsConnection;
  let rpc: NatsRpcClient;
  let face = 0n;
  const nextFace = () => ETH(0.001) * ++face;

  beforeAll(async () => {
    h = await startHarness({ deposit: ETH(50), reserve: ETH(1) });
    nc = await connectNats(h.nats.url, 'spec');
    rpc = new NatsRpcClient(nc, h.prefix, 10_000);
  });
  afterAll(async () => {
    if (nc) await drainNats(nc);
    await h?.stop();
  });

  it('kill -9 of the settlement process with tickets queued: every ticket redeemed exactly once after restart', async () => {
    // Start of a fresh round: the 2-round validity window (20 blocks here) covers the whole test.
    await initializeNextRound(h.devnet);
    const start = Number(await h.blockNumber());
    const later = (await h.blockNumber()) + 6n;
    const tickets: WinningTicketJson[] = [];
    for (let i = 0; i < 4; i++) tickets.push(await h.ticket({ faceValue: nextFace() }));
    for (let i = 0; i < 4; i++) tickets.push(await h.ticket({ faceValue: nextFace(), paramsExpirationBlock: later }));
    for (const t of tickets) await h.enqueue(t);
    const env = h.env({ LEDGER_URL: `pglite://${join(h.dir, 'ledger')}`, SETTLEMENT_REDEEM_CONCURRENCY: '2', ...(process.env['SETTLEMENT_SPEC_DEBUG'] ? { LOG_LEVEL: 'info' } : {}) });

    const first = spawnSettlement(env);
    await waitFor('first redemption', async () => (await h.transfers(start)).length > 0, 40_000, 20);
    await first.kill('SIGKILL');
    const before = (await h.transfers(start)).length;
    expect(before).toBeLessThan(tickets.length);

    await h.mine(7);
    const second = spawnSettlement(env);
    try {
      await waitFor('every ticket redeemed', async () => (await h.transfers(start)).length >= tickets.length, 40_000, 100);
      const list = await waitFor('ledger shows all redeemed', async () => {
        const l = await rpc.request(SettlementCommands.redemptions, { state: 'redeemed', limit: 100 }).catch(() => undefined);
        return l && l.tickets.length === tickets.length ? l : undefined;
      });
      expect(new Set(list.tickets.map((t) => t.ticketHash))).toEqual(new Set(tickets.map((t) => t.ticketHash.toLowerCase())));
      await new Promise((r) => setTimeout(r, 500)); // nothing more may arrive
      await exactlyOnce(h, tickets, start);
    } finally {
      await second.kill('SIGTERM');
    }
  });

  it('kill -9 with the redemption tx in the mempool: the restarted process waits for it, never sends a second one', async () => {
    // The hash is recorded in the ledger before the raw tx reaches the node; the new process looks it up
    // (pending), waits for it instead of submitting again, and records its receipt.
    await initializeNextRound(h.devnet);
    const start = Number(await h.blockNumber());
    const t = await h.ticket({ faceValue: nextFace() });
    const proxy = await latestEstimateProxy(h.anvil.rpcUrl);
    const env = h.env({
      ETH_RPC_URLS: proxy.url,
      LEDGER_URL: `pglite://${join(h.dir, 'ledger-mempool')}`,
      ...(process.env['SETTLEMENT_SPEC_DEBUG'] ? { LOG_LEVEL: 'info' } : {}),
    });
    const redeemer = h.orchestrator.address;
    await h.devnet.provider.send('evm_setAutomine', [false]);
    let second: TsProcess | undefined;
    try {
      await h.enqueue(t);
      const first = spawnSettlement(env);
      const [pendingHash] = await waitFor('the redemption tx in the mempool', async () => {
        const txs = await redeemTxs(h, redeemer, start);
        return txs.length > 0 ? txs : undefined;
      }, 40_000, 20);
      // Recorded before the node saw it.
      const row = await waitFor('the hash in the ledger', async () => {
        const l = await rpc.request(SettlementCommands.redemptions, { limit: 10 }).catch(() => undefined);
        return l?.tickets.find((r) => r.ticketHash === t.ticketHash.toLowerCase() && r.txHash);
      });
      expect(row).toMatchObject({ state: 'submitting', txHash: pendingHash });
      await first.kill('SIGKILL');
      const job = await h.queue.getJob(t.ticketHash);
      const startedBefore = job?.attemptsStarted ?? 0;

      second = spawnSettlement(env);
      // The stalled job is taken over (lock 2 s) and processed again; give a resubmission every chance to happen.
      await waitFor('the job processed again', async () => ((await h.queue.getJob(t.ticketHash))?.attemptsStarted ?? 0) > startedBefore, 30_000);
      await new Promise((r) => setTimeout(r, 2_000));
      // Nothing is final before the tx is mined.
      const waiting = await rpc.request(SettlementCommands.redemptions, { limit: 10 });
      expect(waiting.tickets.find((r) => r.ticketHash === t.ticketHash.toLowerCase())).toMatchObject({ state: 'submitting', txHash: pendingHash });
      await h.devnet.provider.send('evm_mine', []);
      await h.devnet.provider.send('evm_setAutomine', [true]);
      const list = await waitFor('ledger shows the ticket redeemed', async () => {
        const l = await rpc.request(SettlementCommands.redemptions, { state: 'redeemed', limit: 100 }).catch(() => undefined);
        return l?.tickets.find((r) => r.ticketHash === t.ticketHash.toLowerCase());
      });
      await new Promise((r) => setTimeout(r, 1_000)); // nothing more may be sent
      await h.mine(1);
      const sent = await redeemTxs(h, redeemer, start);
      expect(sent).toEqual([pendingHash]);
      expect(list.txHash).toBe(pendingHash);
      await exactlyOnce(h, [t], start);
    } finally {
      await h.devnet.provider.send('evm_setAutomine', [true]);
      if (second) {
        await second.kill('SIGTERM');
      }
      await proxy.close();
    }
  });

  it('a recorded redemption tx the node never mined: dropped → submitted anew, unknown with its nonce free → re-sent at that nonce; once each', async () => {
    await initializeNextRound(h.devnet);
    const start = Number(await h.blockNumber());
    const redeemer = h.orchestrator.address;
    let app: SettlementApp | undefined;
    try {
      app = await createApp(h.env({ SETTLEMENT_INIT_ROUNDS: 'false' })); // no other tx of ours in between
      const core = app.core;
      // As if an earlier process had recorded a broadcast and died before the node took it.
      const seed = async (t: WinningTicketJson, nonce: number, hash: string) => {
        await core.ledger.admit(t);
        await core.ledger.transition(t.ticketHash, { state: 'submitting', attempt: true });
        await core.ledger.transition(t.ticketHash, { state: 'submitting', broadcast: { nonce, hash, gasPrice: 1n } });
        await h.enqueue(t);
        return waitFor('redeemed', async () => {
          const r = await core.ledger.get(t.ticketHash);
          return r?.state === 'redeemed' ? r : undefined;
        });
      };
      // dropped: nonce 0 went to the orchestrator's registration long ago.
      const dropped = await h.ticket({ faceValue: nextFace() });
      const lost = `0x${'ab'.repeat(32)}`;
      const a = await seed(dropped, 0, lost);
      expect(a.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(a.txHash).not.toBe(lost);
      expect(a.attempts).toBe(2);
      expect((await core.ledger.events(dropped.ticketHash)).some((e) => e.reason?.startsWith('tx dropped: nonce 0'))).toBe(true);
      // unknown: the account's next nonce, never broadcast.
      const unknown = await h.ticket({ faceValue: nextFace() });
      const next = await h.devnet.provider.getTransactionCount(redeemer, 'pending');
      const never = `0x${'cd'.repeat(32)}`;
      const b = await seed(unknown, next, never);
      expect(b.txNonce).toBe(next);
      expect(b.txAttempts.map((x) => x.hash)).toEqual([never, b.txHash]);
      expect(b.attempts).toBe(1);
      const sent = await redeemTxs(h, redeemer, start);
      expect(sent.sort()).toEqual([a.txHash, b.txHash].sort());
      await exactlyOnce(h, [dropped, unknown], start);
      const metrics = await (await fetch(`http://127.0.0.1:${app.runtime.opsPort}/metrics`)).text();
      expect(metrics).toMatch(/lpts_settlement_redeem_tx_recoveries_total\{found="dropped"[^}]*\} 1/);
      expect(metrics).toMatch(/lpts_settlement_redeem_tx_recoveries_total\{found="unknown"[^}]*\} 1/);
    } finally {
      await app?.close();
    }
  });

  it('a Redis restart (AOF on) loses no winning ticket, queued before or during the run', async () => {
    await initializeNextRound(h.devnet);
    const start = Number(await h.blockNumber());
    const tickets: WinningTicketJson[] = [];
    for (let i = 0; i < 3; i++) tickets.push(await h.ticket({ faceValue: nextFace() }));
    for (const t of tickets) await h.enqueue(t); // the broker queued them while settlement was down
    await h.redis.restart();
    let app: SettlementApp | undefined;
    try {
      app = await createApp(h.env());
      const later = (await h.blockNumber()) + 4n;
      const more: WinningTicketJson[] = [];
      for (let i = 0; i < 3; i++) more.push(await h.ticket({ faceValue: nextFace(), paramsExpirationBlock: later }));
      for (const t of more) await h.enqueue(t);
      const core = app.core;
      await waitFor('tickets waiting for expiry', async () => {
        const rows = await Promise.all(more.map((t) => core.ledger.get(t.ticketHash)));
        return rows.every((r) => r?.state === 'waiting-expiry');
      });
      await h.redis.restart();
      await h.mine(5);
      const all = [...tickets, ...more];
      await waitFor('all redeemed', async () => {
        const rows = await Promise.all(all.map((t) => core.ledger.get(t.ticketHash)));
        return rows.every((r) => r?.state === 'redeemed');
      }, 40_000);
      await exactlyOnce(h, all, start);
    } finally {
      await app?.close();
    }
  });

  it('tickets Redis lost altogether (FLUSHALL) are queued again from the ledger', async () => {
    await initializeNextRound(h.devnet);
    const start = Number(await h.blockNumber());
    let app: SettlementApp | undefined;
    try {
      app = await createApp(h.env());
      const core = app.core;
      const later = (await h.blockNumber()) + 4n;
      const tickets: WinningTicketJson[] = [];
      for (let i = 0; i < 2; i++) tickets.push(await h.ticket({ faceValue: nextFace(), paramsExpirationBlock: later }));
      for (const t of tickets) await h.enqueue(t);
      await waitFor('tickets waiting for expiry', async () => {
        const rows = await Promise.all(tickets.map((t) => core.ledger.get(t.ticketHash)));
        return rows.every((r) => r?.state === 'waiting-expiry');
      });
      const redis = new Redis(h.redis.url);
      await redis.flushall();
      await redis.quit();
      expect(await core.redemption.resync()).toBe(2);
      await h.mine(5);
      await waitFor('all redeemed', async () => {
        const rows = await Promise.all(tickets.map((t) => core.ledger.get(t.ticketHash)));
        return rows.every((r) => r?.state === 'redeemed');
      });
      await exactlyOnce(h, tickets, start);
    } finally {
      await app?.close();
    }
  });
});
