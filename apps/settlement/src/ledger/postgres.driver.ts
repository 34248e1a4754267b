import { Client, Pool, type PoolClient } from 'pg';
import { redactUrl, type SqlDriver, type SqlQueryable } from './sql-driver';

/** Connections per settlement process: redemption concurrency (≤ 4 by default) plus the resync. */
const POOL_MAX = 6;
const CONNECT_TIMEOUT_MS = 10_000;

function pgCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

/** `CREATE DATABASE` for the URL's database through the server's `postgres` database (3D000 on first connect). */
async function createDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`ledger ${redactUrl(url)}: no database name to create`);
  u.pathname = '/postgres';
  const admin = new Client({ connectionString: u.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (e) {
    if (pgCode(e) !== '42P04') throw e; // duplicate_database: another settlement created it first
  } finally {
    await admin.end();
  }
}

function queryable(c: Pool | PoolClient): SqlQueryable {
  return {
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await c.query(sql, params)).rows as T[] }),
    exec: async (sql: string) => {
      await c.query(sql); // no parameters: simple protocol, several statements allowed
    },
  };
}

/**
 * The PostgreSQL adapter: a node-postgres Pool on `postgres://user[:password]@host:port/db`. The
 * database is created when it does not exist yet (one database per settlement process: the ledger
 * of one recipient must not be read by another's resync).
 */
export class PostgresDriver implements SqlDriver {
  private readonly q: SqlQueryable;

  private constructor(private readonly pool: Pool) {
    this.q = queryable(pool);
  }

  static async open(url: string): Promise<PostgresDriver> {
    const make = () => {
      const pool = new Pool({ connectionString: url, max: POOL_MAX, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
      // An idle connection that breaks (server restart) is dropped by the pool; the next query reconnects.
      pool.on('error', () => undefined);
      return pool;
    };
    let pool = make();
    try {
      await pool.query('SELECT 1');
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (pgCode(e) !== '3D000') throw new Error(`ledger ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      await createDatabase(url);
      pool = make();
    }
    return new PostgresDriver(pool);
  }

  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    return this.q.query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.q.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const out = await fn(queryable(client));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch((re: unknown) => {
        broken = re;
      });
      throw e;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
