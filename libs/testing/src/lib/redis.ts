import { requireBinary } from './binaries';
import { freePort, tcpExchange } from './ports';
import { InfraStartError, looksLikePortInUse, makeTempDir, removeTempDir, spawnServer, waitUntilReady, type ServerProcess } from './process';
import { START_TIMEOUT_MS, type RedisOptions, type StartedRedis } from './types';

async function redisAnswers(port: number, dir: string): Promise<boolean> {
  // PING is -LOADING while the AOF is replayed; CONFIG GET dir proves the server is ours.
  const got = await tcpExchange(port, {
    send: 'PING\r\nCONFIG GET dir\r\n',
    until: (b) => b.toString('utf8').split('\r\n').length >= 7 || b.toString('utf8').startsWith('-'),
    timeoutMs: 1000,
  });
  const text = got.toString('utf8');
  return text.startsWith('+PONG') && text.includes(dir);
}

function redisArgs(port: number, dir: string, appendonly: boolean): string[] {
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--daemonize', 'no'];
  args.push('--protected-mode', 'no', '--logfile', '');
  if (appendonly) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');
  return args;
}

/** Starts a local redis-server on 127.0.0.1 with a temp data dir. */
export async function startRedisLocal(opts: RedisOptions = {}): Promise<StartedRedis> {
  const bin = requireBinary('redis-server');
  const appendonly = opts.appendonly ?? false;
  const dir = await makeTempDir('redis');

  const launch = async (port: number): Promise<ServerProcess> => {
    const proc = spawnServer(bin, redisArgs(port, dir, appendonly));
    await waitUntilReady('redis-server', proc, () => redisAnswers(port, dir), START_TIMEOUT_MS);
    return proc;
  };

  let proc: ServerProcess | undefined;
  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !proc; attempt++) {
    port = await freePort();
    try {
      proc = await launch(port);
    } catch (e) {
      lastError = e;
      if (!(e instanceof InfraStartError) || !looksLikePortInUse(e.message)) break;
    }
  }
  if (!proc) {
    await removeTempDir(dir);
    throw lastError;
  }

  let current: ServerProcess = proc;
  let stopped: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    if (current.exited()) return;
    try {
      // SHUTDOWN closes the connection instead of answering; the AOF is flushed first.
      await tcpExchange(port, { send: 'SHUTDOWN\r\n', until: () => false, timeoutMs: 3000 }).catch(() => undefined);
    } finally {
      await current.terminate('SIGTERM', 3000);
    }
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      if (stopped) throw new Error('redis: restart() after stop()');
      await shutdown();
      current = await launch(port);
    },
    async kill9() {
      if (stopped) throw new Error('redis: kill9() after stop()');
      await current.terminate('SIGKILL', 0);
      current = await launch(port);
    },
    stop: () =>
      (stopped ??= (async () => {
        await current.terminate('SIGTERM', 3000);
        await removeTempDir(dir);
      })()),
  };
}
