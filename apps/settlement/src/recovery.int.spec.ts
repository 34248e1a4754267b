import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SettlementCommands, type WinningTicketJson } from '@lpts/protocol';
import { NatsRpcClient, connectNats, drainNats } from '@lpts/platform';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { initializeNextRound } from '@lpts/contracts';
import { createApp, type SettlementApp } from './bootstrap';
import { ETH, startHarness, waitFor, type Harness } from './spec/harness.test';

jest.setTimeout(60_000);

const APP_ROOT = join(__dirname, '..');

/** settlement as a real process, from source (the root scripts/register-ts.cjs compiles the .ts on require). */
function spawnSettlement(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@lpts/source', '-r', join(APP_ROOT, '../../scripts/register-ts.cjs'), join(APP_ROOT, 'src', 'main.ts')], {
    cwd: APP_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', process.env['SETTLEMENT_SPEC_DEBUG'] ? 'inherit' : 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 20_000) err = err.slice(-10_000);
  });
  child.on('exit', (code, signal) => {
    if ((code && code !== 0) || process.env['SETTLEMENT_SPEC_DEBUG']) process.stderr.write(`settlement child exited ${code} ${signal ?? ''}: ${err}\n`);
  });
  return child;
}

async function exactlyOnce(h: Harness, tickets: WinningTicketJson[], fromBlock: number): Promise<void> {
  const transfers = await h.transfers(fromBlock);
  expect(transfers).toHaveLength(tickets.length);
  // Face values are distinct, so each transfer names its ticket.
  expect(transfers.map((t) => t.amount).sort()).toEqual(tickets.map((t) => BigInt(t.faceValue)).sort());
  for (const t of tickets) expect(await h.devnet.contracts.ticketBroker.getFunction('usedTickets')(t.ticketHash)).toBe(true);
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
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
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
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
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
