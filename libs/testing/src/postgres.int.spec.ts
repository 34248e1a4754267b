import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pgQuery, startPostgres } from './index';

describe('startPostgres', () => {
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 30_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('gives a postgres:// url for a fresh database', () => {
    expect(pg.database).toBe('lpts');
    expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/lpts`);
  });

  it('runs DDL and queries (raw wire client)', async () => {
    await pgQuery(pg.url, 'create table t (id int primary key, name text)');
    const ins = await pgQuery(pg.url, "insert into t values (1, 'a'), (2, null)");
    expect(ins.command).toBe('INSERT 0 2');
    const sel = await pgQuery(pg.url, 'select id, name from t order by id');
    expect(sel.rows).toEqual([
      { id: '1', name: 'a' },
      { id: '2', name: null },
    ]);
    expect((await pgQuery(pg.url, 'select current_database() as db')).rows[0]?.['db']).toBe('lpts');
  });

  it('reports SQL errors with their SQLSTATE', async () => {
    await expect(pgQuery(pg.url, 'select * from no_such_table')).rejects.toMatchObject({ sqlState: '42P01' });
  });

  it('answers psql too', async () => {
    const { stdout } = await promisify(execFile)('psql', [pg.url, '-XAtc', 'select 40 + 2']);
    expect(stdout.trim()).toBe('42');
  });
});
