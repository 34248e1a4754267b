import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { WinningTicketJson } from '@lpts/protocol';
import { ConfigError } from '@lpts/platform';

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
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

export interface StateChange {
  state: RedemptionState;
  reason?: string | undefined;
  txHash?: string | undefined;
  /** Extra numbers for the audit trail (amounts, gas). */
  details?: Record<string, string | number | boolean> | undefined;
  /** Count a submission attempt. */
  attempt?: boolean;
}

/** A minimal SQL surface (PGlite; a postgres driver would implement the same). */
interface Sql {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS redemptions (
  ticket_hash text PRIMARY KEY,
  sender text NOT NULL,
  recipient text NOT NULL,
  face_value numeric(78, 0) NOT NULL,
  creation_round bigint NOT NULL,
  params_expiration_block bigint NOT NULL,
  state text NOT NULL,
  reason text,
  tx_hash text,
  attempts integer NOT NULL DEFAULT 0,
  ticket jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS redemptions_state_idx ON redemptions (state, updated_at);
CREATE TABLE IF NOT EXISTS redemption_events (
  id bigserial PRIMARY KEY,
  ticket_hash text NOT NULL,
  state text NOT NULL,
  reason text,
  tx_hash text,
  details jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS redemption_events_ticket_idx ON redemption_events (ticket_hash, id);
`;

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
  attempts: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `ticket_hash, sender, recipient, face_value::text AS face_value, creation_round::text AS creation_round,
  params_expiration_block::text AS params_expiration_block, state, reason, tx_hash, attempts, created_at, updated_at`;

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
    attempts: r.attempts,
    createdAt: new Date(r.created_at).getTime(),
    updatedAt: new Date(r.updated_at).getTime(),
  };
}

/**
 * The redemption ledger: one row per winning ticket with its current state, plus an append-only
 * `redemption_events` trail of every state change (audit). PGlite by default.
 */
export class RedemptionLedger {
  private constructor(private readonly sql: Sql) {}

  /** `pglite://memory`, `pglite://<dir>`; postgres:// is refused (no driver in this build). */
  static async open(url: string): Promise<RedemptionLedger> {
    let db: PGlite;
    if (url === 'pglite://memory') {
      db = await PGlite.create();
    } else if (url.startsWith('pglite://')) {
      const dir = url.slice('pglite://'.length);
      mkdirSync(dir, { recursive: true });
      db = await PGlite.create(dir);
    } else {
      throw new ConfigError('INVALID_CONFIG', `LEDGER_URL ${url.replace(/\/\/[^@]*@/, '//***@')}: postgres:// ledgers need a PostgreSQL driver, which this build lacks; use pglite://<dir>`, {
        details: { key: 'LEDGER_URL' },
      });
    }
    const ledger = new RedemptionLedger(db as unknown as Sql);
    await db.exec(SCHEMA);
    return ledger;
  }

  /** Records a ticket as queued unless it is already known; returns its row. */
  async admit(t: WinningTicketJson): Promise<{ row: RedemptionRow; created: boolean }> {
    const ins = await this.sql.query<DbRow>(
      `INSERT INTO redemptions (ticket_hash, sender, recipient, face_value, creation_round, params_expiration_block, state, ticket)
       VALUES ($1, $2, $3, $4::numeric, $5::bigint, $6::bigint, 'queued', $7::jsonb)
       ON CONFLICT (ticket_hash) DO NOTHING
       RETURNING ${COLUMNS}`,
      [t.ticketHash.toLowerCase(), t.sender.toLowerCase(), t.recipient.toLowerCase(), t.faceValue, t.creationRound, t.paramsExpirationBlock, JSON.stringify(t)],
    );
    const created = ins.rows[0];
    if (created) {
      await this.appendEvent(t.ticketHash, { state: RedemptionState.queued });
      return { row: toRow(created), created: true };
    }
    const row = await this.get(t.ticketHash);
    if (!row) throw new Error(`ledger: ${t.ticketHash} vanished`);
    return { row, created: false };
  }

  async get(ticketHash: string): Promise<RedemptionRow | undefined> {
    const r = await this.sql.query<DbRow>(`SELECT ${COLUMNS} FROM redemptions WHERE ticket_hash = $1`, [ticketHash.toLowerCase()]);
    return r.rows[0] ? toRow(r.rows[0]) : undefined;
  }

  /**
   * Moves a ticket to a new state. An event is appended when the state, reason or tx hash changes
   * (a ticket skipped for the same reason every block leaves one event, not one per block).
   */
  async transition(ticketHash: string, change: StateChange): Promise<RedemptionRow> {
    const hash = ticketHash.toLowerCase();
    const before = await this.get(hash);
    if (!before) throw new Error(`ledger: unknown ticket ${ticketHash}`);
    const reason = change.reason ?? null;
    const txHash = change.txHash ?? before.txHash;
    const changed = before.state !== change.state || before.reason !== reason || before.txHash !== txHash;
    if (!changed && !change.attempt) return before;
    const r = await this.sql.query<DbRow>(
      `UPDATE redemptions SET state = $2, reason = $3, tx_hash = $4, attempts = attempts + $5, updated_at = now()
       WHERE ticket_hash = $1 RETURNING ${COLUMNS}`,
      [hash, change.state, reason, txHash, change.attempt ? 1 : 0],
    );
    await this.appendEvent(hash, change);
    return toRow(r.rows[0] as DbRow);
  }

  async list(opts: { state?: string | undefined; limit: number }): Promise<RedemptionRow[]> {
    const r = opts.state
      ? await this.sql.query<DbRow>(`SELECT ${COLUMNS} FROM redemptions WHERE state = $1 ORDER BY updated_at DESC LIMIT $2`, [opts.state, opts.limit])
      : await this.sql.query<DbRow>(`SELECT ${COLUMNS} FROM redemptions ORDER BY updated_at DESC LIMIT $1`, [opts.limit]);
    return r.rows.map(toRow);
  }

  async events(ticketHash: string): Promise<{ state: string; reason: string | null; txHash: string | null; details: unknown }[]> {
    const r = await this.sql.query<{ state: string; reason: string | null; tx_hash: string | null; details: unknown }>(
      `SELECT state, reason, tx_hash, details FROM redemption_events WHERE ticket_hash = $1 ORDER BY id`,
      [ticketHash.toLowerCase()],
    );
    return r.rows.map((e) => ({ state: e.state, reason: e.reason, txHash: e.tx_hash, details: e.details }));
  }

  /** Tickets not yet terminal, with their queued JSON (to re-queue what Redis lost). */
  async openTickets(): Promise<WinningTicketJson[]> {
    const r = await this.sql.query<{ ticket: WinningTicketJson | string }>(`SELECT ticket FROM redemptions WHERE state NOT IN ('redeemed', 'failed') ORDER BY created_at`);
    return r.rows.map((x) => (typeof x.ticket === 'string' ? (JSON.parse(x.ticket) as WinningTicketJson) : x.ticket));
  }

  async countByState(): Promise<Record<string, number>> {
    const r = await this.sql.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM redemptions GROUP BY state`);
    return Object.fromEntries(r.rows.map((x) => [x.state, Number(x.n)]));
  }

  async close(): Promise<void> {
    await this.sql.close();
  }

  private async appendEvent(ticketHash: string, change: StateChange): Promise<void> {
    await this.sql.query(`INSERT INTO redemption_events (ticket_hash, state, reason, tx_hash, details) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
      ticketHash.toLowerCase(),
      change.state,
      change.reason ?? null,
      change.txHash ?? null,
      change.details ? JSON.stringify(change.details) : null,
    ]);
  }
}
