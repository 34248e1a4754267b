import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WinningTicketJson } from '@lpts/protocol';
import { startPostgres, type StartedPostgres } from '@lpts/testing';
import { RedemptionLedger, type Ledger } from './ledger';
import { LEDGER_MIGRATIONS, migrateLedger } from './ledger.migrations';
import { PgliteDriver } from './pglite.driver';
import { PostgresDriver } from './postgres.driver';

jest.setTimeout(60_000);

/**
 * One suite, every adapter: PGlite in memory, PGlite on a directory (reopened by a fresh instance),
 * and a real PostgreSQL from @lpts/testing (each test on its own database, created by the driver).
 */
interface Backend {
  name: string;
  /** A fresh ledger location for one test. */
  location(): string;
  /** Whether closing and reopening `location()` keeps the data. */
  persistent: boolean;
}

let pg: StartedPostgres | undefined;
const dirs: string[] = [];
let seq = 0;

const backends: Backend[] = [
  { name: 'PGlite in memory', location: () => 'pglite://memory', persistent: false },
  {
    name: 'PGlite on a directory',
    location: () => {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-conf-'));
      dirs.push(dir);
      return `pglite://${join(dir, 'ledger')}`;
    },
    persistent: true,
  },
  {
    name: 'PostgreSQL (pg Pool)',
    location: () => {
      if (!pg) throw new Error('postgres not started');
      return pg.url.replace(/\/[^/]*$/, `/ledger_${process.pid}_${++seq}`);
    },
    persistent: true,
  },
];

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let n = 0;
function ticket(over: Partial<WinningTicketJson> = {}): WinningTicketJson {
  n++;
  return {
    ticketHash: `0x${n.toString(16).padStart(4, '0')}${'AA'.repeat(30)}`,
    recipient: `0x${'0A'.repeat(20)}`,
    sender: `0x${'0B'.repeat(20)}`,
    faceValue: '123456789012345678901234567890',
    winProb: '1',
    senderNonce: String(n),
    recipientRandHash: `0x${'cd'.repeat(32)}`,
    creationRound: '3',
    creationRoundBlockHash: `0x${'ef'.repeat(32)}`,
    paramsExpirationBlock: '10',
    sig: '0x12',
    recipientRand: '9',
    ...over,
  };
}

describe.each(backends)('ledger conformance: $name', (backend) => {
  let url: string;
  let ledger: Ledger;

  beforeEach(async () => {
    url = backend.location();
    ledger = await RedemptionLedger.open(url);
  });
  afterEach(async () => {
    await ledger.close();
  });

  it('admits a ticket once (addresses and hash lower-cased, 78-digit face value kept exactly)', async () => {
    const t = ticket({ faceValue: '9'.repeat(78) });
    const first = await ledger.admit(t);
    expect(first.created).toBe(true);
    expect(first.row).toMatchObject({
      ticketHash: t.ticketHash.toLowerCase(),
      sender: t.sender.toLowerCase(),
      recipient: t.recipient.toLowerCase(),
      faceValue: '9'.repeat(78),
      creationRound: '3',
      paramsExpirationBlock: '10',
      state: 'queued',
      reason: null,
      txHash: null,
      attempts: 0,
    });
    expect(typeof first.row.createdAt).toBe('number');
    const again = await ledger.admit({ ...t, ticketHash: t.ticketHash.toUpperCase().replace('0X', '0x') });
    expect(again.created).toBe(false);
    expect(again.row.ticketHash).toBe(t.ticketHash.toLowerCase());
    expect((await ledger.events(t.ticketHash)).map((e) => e.state)).toEqual(['queued']);
  });

  it('records state changes once each, in order, with their details; counts attempts', async () => {
    const t = ticket();
    await ledger.admit(t);
    await ledger.transition(t.ticketHash, { state: 'skipped', reason: 'r1', details: { deposit: '5', gas: 21000, final: false } });
    await ledger.transition(t.ticketHash, { state: 'skipped', reason: 'r1' }); // unchanged: no event
    await ledger.transition(t.ticketHash, { state: 'submitting', attempt: true });
    await ledger.transition(t.ticketHash, { state: 'submitting', attempt: true }); // same state, one more attempt: an event
    const row = await ledger.transition(t.ticketHash, { state: 'redeemed', txHash: `0x${'11'.repeat(32)}` });
    expect(row).toMatchObject({ state: 'redeemed', attempts: 2, faceValue: t.faceValue, txHash: `0x${'11'.repeat(32)}`, reason: null });
    const events = await ledger.events(t.ticketHash.toUpperCase().replace('0X', '0x'));
    expect(events.map((e) => e.state)).toEqual(['queued', 'skipped', 'submitting', 'submitting', 'redeemed']);
    expect(events[1]).toEqual({ state: 'skipped', reason: 'r1', txHash: null, details: { deposit: '5', gas: 21000, final: false } });
    expect(events[4]?.txHash).toBe(`0x${'11'.repeat(32)}`);
    // the tx hash sticks when a later change does not name one
    expect((await ledger.transition(t.ticketHash, { state: 'redeemed', reason: 'confirmed' })).txHash).toBe(`0x${'11'.repeat(32)}`);
  });

  it('records each broadcast (nonce and hashes, restarted for a new nonce), clears them on request, keeps them across a reopen', async () => {
    const t = ticket();
    await ledger.admit(t);
    expect(await ledger.get(t.ticketHash)).toMatchObject({ txNonce: null, txAttempts: [] });
    const h = (n: number) => `0x${String(n).repeat(64)}`;
    await ledger.transition(t.ticketHash, { state: 'submitting', attempt: true });
    await ledger.transition(t.ticketHash, { state: 'submitting', broadcast: { nonce: 7, hash: h(1), gasPrice: 10n }, details: { replacement: 0 } });
    await ledger.transition(t.ticketHash, { state: 'submitting', broadcast: { nonce: 7, hash: h(2), gasPrice: 12n } });
    await ledger.transition(t.ticketHash, { state: 'submitting', broadcast: { nonce: 7, hash: h(2), gasPrice: 12n } }); // the same again: no event
    expect(await ledger.get(t.ticketHash)).toMatchObject({
      state: 'submitting',
      txHash: h(2),
      txNonce: 7,
      txAttempts: [
        { hash: h(1), gasPrice: '10' },
        { hash: h(2), gasPrice: '12' },
      ],
      attempts: 1,
    });
    const events = await ledger.events(t.ticketHash);
    expect(events.map((e) => e.txHash)).toEqual([null, null, h(1), h(2)]);
    expect(events[2]?.details).toEqual({ nonce: 7, gasPrice: '10', replacement: 0 });
    if (backend.persistent) {
      await ledger.close();
      ledger = await RedemptionLedger.open(url);
      expect((await ledger.get(t.ticketHash))?.txAttempts).toHaveLength(2);
    }
    // a new nonce starts a new list; clearTx forgets it but keeps the last hash
    await ledger.transition(t.ticketHash, { state: 'submitting', broadcast: { nonce: 9, hash: h(3), gasPrice: 11n } });
    expect(await ledger.get(t.ticketHash)).toMatchObject({ txNonce: 9, txAttempts: [{ hash: h(3), gasPrice: '11' }] });
    const cleared = await ledger.transition(t.ticketHash, { state: 'submitting', reason: 'tx dropped', clearTx: true });
    expect(cleared).toMatchObject({ txNonce: null, txAttempts: [], txHash: h(3), reason: 'tx dropped' });
    // a later redemption records its own broadcast and keeps it on `redeemed`
    await ledger.transition(t.ticketHash, { state: 'submitting', broadcast: { nonce: 12, hash: h(4), gasPrice: 11n } });
    expect(await ledger.transition(t.ticketHash, { state: 'redeemed', txHash: h(4) })).toMatchObject({ state: 'redeemed', txHash: h(4), txNonce: 12 });
  });

  it('refuses a transition of an unknown ticket and leaves no event', async () => {
    await expect(ledger.transition(`0x${'ff'.repeat(32)}`, { state: 'failed' })).rejects.toThrow(/unknown ticket/);
    expect(await ledger.events(`0x${'ff'.repeat(32)}`)).toEqual([]);
    expect(await ledger.get(`0x${'ff'.repeat(32)}`)).toBeUndefined();
  });

  it('lists by state (newest change first, limited), counts by state and returns open tickets as queued', async () => {
    const ts = [ticket(), ticket(), ticket(), ticket()] as const;
    for (const t of ts) await ledger.admit(t);
    await ledger.transition(ts[0].ticketHash, { state: 'redeemed', txHash: '0x01' });
    await ledger.transition(ts[1].ticketHash, { state: 'failed', reason: 'expired' });
    await ledger.transition(ts[2].ticketHash, { state: 'skipped', reason: 'short' });
    expect(await ledger.countByState()).toEqual({ redeemed: 1, failed: 1, skipped: 1, queued: 1 });
    expect((await ledger.list({ state: 'failed', limit: 10 })).map((r) => r.ticketHash)).toEqual([ts[1].ticketHash.toLowerCase()]);
    expect(await ledger.list({ limit: 2 })).toHaveLength(2);
    expect(await ledger.list({ limit: 10 })).toHaveLength(4);
    const open = await ledger.openTickets();
    // Oldest first; tickets admitted in the same millisecond come in hash order. JSON comes back as queued.
    expect(open.map((t) => t.ticketHash).sort()).toEqual([ts[2].ticketHash, ts[3].ticketHash].sort());
    expect(open.find((t) => t.ticketHash === ts[2].ticketHash)).toEqual(ts[2]);
  });

  it('serialises concurrent transitions of one ticket (no lost attempt, one event each)', async () => {
    const t = ticket();
    await ledger.admit(t);
    await Promise.all(Array.from({ length: 12 }, () => ledger.transition(t.ticketHash, { state: 'submitting', attempt: true })));
    expect((await ledger.get(t.ticketHash))?.attempts).toBe(12);
    expect(await ledger.events(t.ticketHash)).toHaveLength(13);
    const admits = await Promise.all(Array.from({ length: 6 }, () => ledger.admit(ticket({ ticketHash: `0x${'77'.repeat(32)}` }))));
    expect(admits.filter((a) => a.created)).toHaveLength(1);
  });

  it('keeps its rows across a close and reopen, and migrates once', async () => {
    const t = ticket();
    await ledger.admit(t);
    await ledger.transition(t.ticketHash, { state: 'redeemed', txHash: '0x02' });
    if (!backend.persistent) return;
    await ledger.close();
    ledger = await RedemptionLedger.open(url);
    expect((await ledger.get(t.ticketHash))?.state).toBe('redeemed');
    expect((await ledger.events(t.ticketHash)).map((e) => e.state)).toEqual(['queued', 'redeemed']);
    await ledger.close();
    const driver = url.startsWith('pglite://') ? await PgliteDriver.open(url.slice('pglite://'.length)) : await PostgresDriver.open(url);
    try {
      expect(await migrateLedger(driver)).toEqual([]); // already at the latest version
      const v = await driver.query<{ v: number }>('SELECT max(version) AS v FROM ledger_migrations');
      expect(Number(v.rows[0]?.v)).toBe(LEDGER_MIGRATIONS.at(-1)?.version);
    } finally {
      await driver.close();
    }
    ledger = await RedemptionLedger.open(url);
  });
});
