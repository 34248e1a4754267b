import type { SqlDriver } from './sql-driver';

/**
 * Ledger schema versions, applied in order and recorded in `ledger_migrations`. Version 1 is the
 * schema ledgers had before migrations were tracked (every statement is IF NOT EXISTS, so it is a
 * no-op on such a ledger). Append new versions; never edit an applied one.
 */
export const LEDGER_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'redemptions and redemption_events',
    sql: `
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
`,
  },
  {
    version: 2,
    name: 'redemption tx in flight: nonce and every broadcast hash',
    sql: `
ALTER TABLE redemptions ADD COLUMN IF NOT EXISTS tx_nonce bigint;
ALTER TABLE redemptions ADD COLUMN IF NOT EXISTS tx_attempts jsonb NOT NULL DEFAULT '[]'::jsonb;
`,
  },
];

/** Arbitrary constant key of the advisory lock that serialises migrations of one database. */
const MIGRATION_LOCK_KEY = 7_106_312_001;

/**
 * Brings the schema up to the latest version, in one transaction under an advisory lock (several
 * settlement processes may start against one PostgreSQL database at once). Returns the versions applied.
 */
export async function migrateLedger(db: SqlDriver): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS ledger_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const r = await tx.query<{ v: number | null }>(`SELECT max(version) AS v FROM ledger_migrations`);
    const current = r.rows[0]?.v ?? 0;
    const applied: number[] = [];
    for (const m of LEDGER_MIGRATIONS) {
      if (m.version <= current) continue;
      await tx.exec(m.sql);
      await tx.query(`INSERT INTO ledger_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
