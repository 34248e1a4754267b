import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresBinDir } from './binaries';
import { pgQuery } from './pg-wire';
import { freePort } from './ports';
import { InfraStartError, looksLikePortInUse, makeTempDir, removeTempDir, spawnServer, waitUntilReady } from './process';
import { START_TIMEOUT_MS, type StartedPostgres } from './types';

const SUPERUSER = 'postgres';
const DATABASE = 'lpts';
const INITDB_ARGS = ['-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'];

/** PostgreSQL refuses to run as root: when we are root, run it as the `postgres` system user. */
async function runAsIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres' && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new InfraStartError(
    'postgres',
    'running as root and there is no `postgres` user to run PostgreSQL as (install the postgresql package or run tests as a normal user)',
    '',
  );
}

function run(file: string, args: string[], ids: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...(ids ?? {}), timeout: START_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) reject(new InfraStartError('postgres', `${file} failed: ${err.message}`, `${stdout}\n${stderr}`.trim()));
      else resolve();
    });
  });
}

/**
 * initdb is most of a start's cost, so one initdb'ed cluster is kept in the temp dir and copied
 * (`cp -a`) for each start. It is built in a private dir and renamed into place, so concurrent
 * test processes never see a half-written template.
 */
async function clusterTemplate(bin: string, ids: { uid: number; gid: number } | undefined): Promise<string> {
  const owner = ids?.uid ?? process.getuid?.() ?? 0;
  const key = createHash('sha256').update(`${bin}|${INITDB_ARGS.join(' ')}|${owner}`).digest('hex').slice(0, 12);
  const template = join(tmpdir(), `lpts-pgtemplate.${key}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const staging = await makeTempDir('pg');
  try {
    if (ids) await chown(staging, ids.uid, ids.gid);
    await run(join(bin, 'initdb'), ['-D', join(staging, 'data'), ...INITDB_ARGS], ids);
    await rename(join(staging, 'data'), template).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e; // another process won the race
    });
  } finally {
    await removeTempDir(staging);
  }
  return template;
}

/** Starts a throwaway PostgreSQL cluster (initdb in a temp dir, trust auth) on 127.0.0.1. */
export async function startPostgresLocal(): Promise<StartedPostgres> {
  const bin = postgresBinDir();
  const ids = await runAsIds();
  const dir = await makeTempDir('pg');
  try {
    if (ids) await chown(dir, ids.uid, ids.gid);
    const data = join(dir, 'data');
    await run('cp', ['-a', await clusterTemplate(bin, ids), data], ids);
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const proc = spawnServer(
        join(bin, 'postgres'),
        [
          '-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir,
          '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
          '-c', 'max_connections=200', '-c', 'log_min_messages=warning',
        ],
        ids ?? {},
      );
      const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
      try {
        // data_directory proves the server on this port is ours.
        const ours = async (): Promise<boolean> =>
          (await pgQuery(adminUrl, 'show data_directory', 1000)).rows[0]?.['data_directory'] === data;
        await waitUntilReady('postgres', proc, ours, START_TIMEOUT_MS);
      } catch (e) {
        await proc.terminate('SIGKILL', 0);
        if (attempt < 2 && looksLikePortInUse(proc.tail())) continue;
        throw e;
      }
      await pgQuery(adminUrl, `create database ${DATABASE}`);
      let stopping: Promise<void> | undefined;
      return {
        url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${DATABASE}`,
        port,
        database: DATABASE,
        stop: () =>
          (stopping ??= (async () => {
            // Immediate shutdown: the cluster is thrown away anyway.
            await proc.terminate('SIGQUIT', 3000);
            await removeTempDir(dir);
          })()),
      };
    }
    throw new InfraStartError('postgres', 'no free port after 3 attempts', '');
  } catch (e) {
    await removeTempDir(dir);
    throw e;
  }
}
