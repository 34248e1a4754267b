import type { WinningTicketJson } from '@lpts/protocol';
import { ConfigError } from '@lpts/platform';
import { migrateLedger } from './ledger.migrations';
import { PgliteDriver } from './pglite.driver';
import { PostgresDriver } from './postgres.driver';
import { redactUrl, type SqlDriver, type SqlQueryable } from './sql-driver';

/**
 * Redemption states (README "Ledger states"). Terminal: redeemed, failed.
 * queued → waiting-expiry → submitting → redeemed | skipped (retrying) | failed
 */
export const RedemptionState = {
  queued: 'queued',
  waitingExpiry: 'waiting-expiry',
  submitting: 'submitting',
  redeemed: 'redeemed',
  skipped: 'skipped',
  failed: 'failed',
} as const;
export type RedemptionState = (typeof RedemptionState)[keyof typeof RedemptionState];

export const TERMINAL_STATES: readonly RedemptionState[] = [RedemptionState.redeemed, RedemptionState.failed];

export interface RedemptionRow {
  ticketHash: string;
  sender: string;
  recipient: string;
  faceValue: string;
  creationRound: string;
  paramsExpirationBlock: string;
  state: RedemptionState;
  reason: string | null;
  txHash: string | null;
  /**
   * The redemption tx that may be on the wire: its nonce (recorded before each broadcast) and every
   * hash broadcast for it, oldest first. Cleared once known not to have redeemed the ticket (mined
   * revert, dropped); kept on `redeemed`. Non-null on an open ticket: look it up before anything else.
   */
  txNonce: number | null;
  txAttempts: TxAttemptRecord[];
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

/** One broadcast of the redemption tx (gas price in wei, decimal). */
export interface TxAttemptRecord {
  hash: string;
  gasPrice: string;
}

export interface StateChange {
  state: RedemptionState;
  reason?: string | undefined;
  txHash?: string | undefined;
  /** Extra numbers for the audit trail (amounts, gas). */
  details?: Record<string, string | number | boolean> | undefined;
  /** Count a submission attempt. */
  attempt?: boolean;
  /**
   * A broadcast is about to go out (recorded before the node sees it): sets `txHash`, and `txNonce` /
   * `txAttempts` (appended for the same nonce, restarted for a new one).
   */
  broadcast?: { nonce: number; hash: string; gasPrice: bigint | string } | undefined;
  /** The recorded tx is known not to have redeemed the ticket (mined revert, dropped): forget nonce and attempts. */
  clearTx?: boolean;
}

interface DbRow {
  ticket_hash: string;
  sender: string;
  recipient: string;
  face_value: string;
  creation_round: string | number;
  params_expiration_block: string | number;
  state: RedemptionState;
  reason: string | null;
  tx_hash: string | null;
  tx_nonce: string | number | null;
  tx_attempts: TxAttemptRecord[] | string | null;
  attempts: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `ticket_hash, sender, recipient, face_value::text AS face_value, creation_round::text AS creation_round,
  params_expiration_block::text AS params_expiration_block, state, reason, tx_hash, tx_nonce::text AS tx_nonce, tx_attempts, attempts, created_at, updated_at`;

function toRow(r: DbRow): RedemptionRow {
  return {
    ticketHash: r.ticket_hash,
    sender: r.sender,
    recipient: r.recipient,
    faceValue: String(r.face_value),
    creationRound: String(r.creation_round),
    paramsExpirationBlock: String(r.params_expiration_block),
    state: r.state,
    reason: r.reason,
    txHash: r.tx_hash,
    txNonce: r.tx_nonce === null ? null : Number(r.tx_nonce),
    txAttempts: typeof r.tx_attempts === 'string' ? (JSON.parse(r.tx_attempts) as TxAttemptRecord[]) : (r.tx_attempts ?? []),
    attempts: r.attempts,
    createdAt: new Date(r.created_at).getTime(),
    updatedAt: new Date(r.updated_at).getTime(),
  };
}

export interface LedgerEvent {
  state: string;
  reason: string | null;
  txHash: string | null;
  details: unknown;
}

/**
 * The redemption ledger: one row per winning ticket with its current state, plus an append-only
 * `redemption_events` trail of every state change (audit). `RedemptionLedger` implements it over either
 * SQL adapter (PGlite, PostgreSQL); `ledger.conformance.int.spec.ts` holds both to the same behaviour.
 */
export interface Ledger {
  /** Records a ticket as queued unless it is already known; returns its row. */
  admit(t: WinningTicketJson): Promise<{ row: RedemptionRow; created: boolean }>;
  get(ticketHash: string): Promise<RedemptionRow | undefined>;
  /** Moves a ticket to a new state; an event is appended when state, reason, tx hash or the recorded tx change. */
  transition(ticketHash: string, change: StateChange): Promise<RedemptionRow>;
  list(opts: { state?: string | undefined; limit: number }): Promise<RedemptionRow[]>;
  events(ticketHash: string): Promise<LedgerEvent[]>;
  /** Tickets not yet terminal, with their queued JSON (to re-queue what Redis lost). */
  openTickets(): Promise<WinningTicketJson[]>;
  countByState(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface OpenLedgerOptions {
  /** Open the database on first use instead of now (a gateway-role settlement may never touch it). */
  lazy?: boolean;
}

/** Opens the adapter a LEDGER_URL names and migrates its schema. */
async function openDriver(url: string): Promise<SqlDriver> {
  let db: SqlDriver;
  if (url === 'pglite://memory') db = await PgliteDriver.open(undefined);
  else if (url.startsWith('pglite://')) db = await PgliteDriver.open(url.slice('pglite://'.length));
  else if (/^postgres(ql)?:\/\/./.test(url)) db = await PostgresDriver.open(url);
  else throw new ConfigError('INVALID_CONFIG', `LEDGER_URL ${redactUrl(url)}: expected pglite://<dir>, pglite://memory or postgres://…`, { details: { key: 'LEDGER_URL' } });
  try {
    await migrateLedger(db);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return db;
}

/** A driver opened on the first query (and never, when nothing asks). */
class LazyDriver implements SqlDriver {
  private opening: Promise<SqlDriver> | undefined;
  private closed = false;

  constructor(private readonly url: string) {}

  private db(): Promise<SqlDriver> {
    if (this.closed) return Promise.reject(new Error('ledger: closed'));
    this.opening ??= openDriver(this.url).catch((e: unknown) => {
      this.opening = undefined; // try again on the next query
      throw e;
    });
    return this.opening;
  }

  async query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    return (await this.db()).query<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await (await this.db()).exec(sql);
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return (await this.db()).transaction(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    const opening = this.opening;
    this.opening = undefined;
    if (opening) await (await opening).close();
  }
}

/** The `Ledger` over a SQL adapter (the statements are plain PostgreSQL, shared by both adapters). */
export class RedemptionLedger implements Ledger {
  private constructor(private readonly sql: SqlDriver) {}

  /** `pglite://memory`, `pglite://<dir>` or `postgres://user[:password]@host:port/db`. */
  static async open(url: string, opts: OpenLedgerOptions = {}): Promise<RedemptionLedger> {
    return new RedemptionLedger(opts.lazy ? new LazyDriver(url) : await openDriver(url));
  }

  async admit(t: WinningTicketJson): Promise<{ row: RedemptionRow; created: boolean }> {
    const hash = t.ticketHash.toLowerCase();
    const created = await this.sql.transaction(async (tx) => {
      const ins = await tx.query<DbRow>(
        `INSERT INTO redemptions (ticket_hash, sender, recipient, face_value, creation_round, params_expiration_block, state, ticket)
         VALUES ($1, $2, $3, $4::numeric, $5::bigint, $6::bigint, 'queued', $7::jsonb)
         ON CONFLICT (ticket_hash) DO NOTHING
         RETURNING ${COLUMNS}`,
        [hash, t.sender.toLowerCase(), t.recipient.toLowerCase(), t.faceValue, t.creationRound, t.paramsExpirationBlock, JSON.stringify(t)],
      );
      const row = ins.rows[0];
      if (row) await appendEvent(tx, hash, { state: RedemptionState.queued });
      return row;
    });
    if (created) return { row: toRow(created), created: true };
    const row = await this.get(hash);
    if (!row) throw new Error(`ledger: ${t.ticketHash} vanished`);
    return { row, created: false };
  }

  async get(ticketHash: string): Promise<RedemptionRow | undefined> {
    const r = await this.sql.query<DbRow>(`SELECT ${COLUMNS} FROM redemptions WHERE ticket_hash = $1`, [ticketHash.toLowerCase()]);
    return r.rows[0] ? toRow(r.rows[0]) : undefined;
  }

  /**
   * Moves a ticket to a new state, row and event in one transaction (the row locked meanwhile). An
   * event is appended when the state, reason or tx hash changes (a ticket skipped for the same reason
   * every block leaves one event, not one per block).
   */
  async transition(ticketHash: string, change: StateChange): Promise<RedemptionRow> {
    const hash = ticketHash.toLowerCase();
    return this.sql.transaction(async (tx) => {
      const cur = await tx.query<DbRow>(`SELECT ${COLUMNS} FROM redemptions WHERE ticket_hash = $1 FOR UPDATE`, [hash]);
      const found = cur.rows[0];
      if (!found) throw new Error(`ledger: unknown ticket ${ticketHash}`);
      const before = toRow(found);
      const reason = change.reason ?? null;
      const b = change.broadcast;
      const txHash = b?.hash ?? change.txHash ?? before.txHash;
      let txNonce = before.txNonce;
      let txAttempts = before.txAttempts;
      if (change.clearTx) {
        txNonce = null;
        txAttempts = [];
      }
      if (b) {
        const attempt = { hash: b.hash, gasPrice: b.gasPrice.toString() };
        if (txNonce !== b.nonce) txAttempts = [attempt];
        else if (!txAttempts.some((a) => a.hash === b.hash)) txAttempts = [...txAttempts, attempt];
        txNonce = b.nonce;
      }
      const txChanged = txNonce !== before.txNonce || txAttempts.length !== before.txAttempts.length;
      const changed = before.state !== change.state || before.reason !== reason || before.txHash !== txHash || txChanged;
      if (!changed && !change.attempt) return before;
      const r = await tx.query<DbRow>(
        `UPDATE redemptions SET state = $2, reason = $3, tx_hash = $4, attempts = attempts + $5, tx_nonce = $6::bigint, tx_attempts = $7::jsonb, updated_at = now()
         WHERE ticket_hash = $1 RETURNING ${COLUMNS}`,
        [hash, change.state, reason, txHash, change.attempt ? 1 : 0, txNonce, JSON.stringify(txAttempts)],
      );
      await appendEvent(tx, hash, { ...change, txHash: b?.hash ?? change.txHash, details: b ? { nonce: b.nonce, gasPrice: b.gasPrice.toString(), ...change.details } : change.details });
      return toRow(r.rows[0] as DbRow);
    });
  }

  async list(opts: { state?: string | undefined; limit: number }): Promise<RedemptionRow[]> {
    const r = opts.state
      ? await this.sql.query<DbRow>(`SELECT ${COLUMNS} FROM redemptions WHERE state = $1 ORDER BY updated_at DESC LIMIT $2`, [opts.state, opts.limit])
      : await this.sql.query<DbRow>(`SELECT ${COLUMNS} FROM redemptions ORDER BY updated_at DESC LIMIT $1`, [opts.limit]);
    return r.rows.map(toRow);
  }

  async events(ticketHash: string): Promise<LedgerEvent[]> {
    const r = await this.sql.query<{ state: string; reason: string | null; tx_hash: string | null; details: unknown }>(
      `SELECT state, reason, tx_hash, details FROM redemption_events WHERE ticket_hash = $1 ORDER BY id`,
      [ticketHash.toLowerCase()],
    );
    return r.rows.map((e) => ({ state: e.state, reason: e.reason, txHash: e.tx_hash, details: e.details }));
  }

  /** Tickets not yet terminal, with their queued JSON (to re-queue what Redis lost). */
  async openTickets(): Promise<WinningTicketJson[]> {
    const r = await this.sql.query<{ ticket: WinningTicketJson | string }>(`SELECT ticket FROM redemptions WHERE state NOT IN ('redeemed', 'failed') ORDER BY created_at, ticket_hash`);
    return r.rows.map((x) => (typeof x.ticket === 'string' ? (JSON.parse(x.ticket) as WinningTicketJson) : x.ticket));
  }

  async countByState(): Promise<Record<string, number>> {
    const r = await this.sql.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM redemptions GROUP BY state`);
    return Object.fromEntries(r.rows.map((x) => [x.state, Number(x.n)]));
  }

  async close(): Promise<void> {
    await this.sql.close();
  }
}

async function appendEvent(tx: SqlQueryable, ticketHash: string, change: StateChange): Promise<void> {
  await tx.query(`INSERT INTO redemption_events (ticket_hash, state, reason, tx_hash, details) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
    ticketHash,
    change.state,
    change.reason ?? null,
    change.txHash ?? null,
    change.details ? JSON.stringify(change.details) : null,
  ]);
}
