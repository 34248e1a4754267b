/** What the ledger needs from a SQL connection: parameterised queries and multi-statement scripts. */
export interface SqlQueryable {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The ledger's port onto a database. Two adapters: `PgliteDriver` (embedded WASM PostgreSQL, the
 * default) and `PostgresDriver` (node-postgres Pool). `ledger.conformance.int.spec.ts` runs the same
 * suite against both.
 */
export interface SqlDriver extends SqlQueryable {
  /** Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Hides the password of a database URL for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
