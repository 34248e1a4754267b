import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlQueryable } from './sql-driver';

/**
 * PostgreSQL settings for the embedded ledger. PGlite's defaults (shared_buffers 128MB) cost about
 * 190 MB of WASM memory; the ledger holds a few thousand rows, so 8MB of buffers is plenty
 * (apps/settlement/README.md "Memory" has the measurements).
 */
export const PGLITE_SETTINGS: readonly string[] = ['shared_buffers=8MB', 'temp_buffers=1MB', 'work_mem=1MB', 'maintenance_work_mem=4MB', 'wal_buffers=256kB'];

/** A first start runs initdb, which leaves ~450 MB of WASM memory behind in the process that ran it. */
const INITDB_SCRIPT = `const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2]).then((db) => db.close()).then(() => process.exit(0), (e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });`;

let liftoffOnly = false;

/**
 * V8 compiles PGlite's 9 MB of WASM twice (baseline Liftoff, then optimised TurboFan in the
 * background); the optimised copy costs ~40 MB resident. The ledger runs a handful of small queries
 * per ticket, so baseline code is fast enough. Must run before the first WASM compilation.
 */
function preferBaselineWasm(): void {
  if (liftoffOnly) return;
  setFlagsFromString('--liftoff-only');
  liftoffOnly = true;
}

function initDataDir(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', INITDB_SCRIPT, require.resolve('@electric-sql/pglite'), dir], { timeout: 120_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`pglite initdb of ${dir} failed: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}

/** The embedded adapter: PGlite (WASM PostgreSQL, single connection) on a directory or in memory. */
export class PgliteDriver implements SqlDriver {
  private constructor(private readonly db: PGlite) {}

  /**
   * `dir` undefined: in memory. A directory without a cluster is initialised by a short-lived child
   * process first, so this process never holds initdb's memory. Every statement is flushed to the
   * directory before its promise resolves (PGlite's default, not `relaxedDurability`).
   */
  static async open(dir: string | undefined): Promise<PgliteDriver> {
    if (dir !== undefined) {
      mkdirSync(dir, { recursive: true });
      if (!existsSync(join(dir, 'PG_VERSION'))) await initDataDir(dir);
    }
    preferBaselineWasm();
    const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])];
    const db = await PGlite.create(dir, { startParams });
    return new PgliteDriver(db);
  }

  async query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    const r = await this.db.query<T>(sql, params);
    return { rows: r.rows };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      fn({
        query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await tx.query<R>(sql, params)).rows }),
        exec: async (sql: string) => {
          await tx.exec(sql);
        },
      }),
    );
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
