import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { requireBinary } from './binaries';
import { freePort, tcpExchange } from './ports';
import { InfraStartError, looksLikePortInUse, makeTempDir, removeTempDir, spawnServer, waitUntilReady } from './process';
import { START_TIMEOUT_MS, type NatsOptions, type StartedNats } from './types';

/** Reads the server's INFO line; ready once it is there (and says JetStream is on, when asked for). */
async function natsAnswers(port: number, name: string, jetstream: boolean): Promise<boolean> {
  const got = await tcpExchange(port, { until: (b) => b.includes('\r\n'), timeoutMs: 1000 });
  const line = got.toString('utf8');
  // The server name proves it is our process, not another one that grabbed the port meanwhile.
  if (!line.startsWith('INFO ') || !line.includes(`"${name}"`)) return false;
  return !jetstream || /"jetstream"\s*:\s*true/.test(line);
}

/** Starts a local nats-server on 127.0.0.1 (JetStream on by default, store in a temp dir). */
export async function startNatsLocal(opts: NatsOptions = {}): Promise<StartedNats> {
  const bin = requireBinary('nats-server');
  const jetstream = opts.jetstream ?? true;
  const dir = await makeTempDir('nats');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const name = `lpts-test-${port}-${randomBytes(4).toString('hex')}`;
    const args = ['-a', '127.0.0.1', '-p', String(port), '-n', name];
    if (jetstream) args.push('-js', '-sd', join(dir, 'jetstream'));
    const proc = spawnServer(bin, args);
    try {
      await waitUntilReady('nats-server', proc, () => natsAnswers(port, name, jetstream), START_TIMEOUT_MS);
    } catch (e) {
      lastError = e;
      await proc.terminate('SIGKILL', 0);
      if (looksLikePortInUse(proc.tail())) continue;
      break;
    }
    let stopping: Promise<void> | undefined;
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      stop: () =>
        (stopping ??= (async () => {
          await proc.terminate('SIGTERM', 3000);
          await removeTempDir(dir);
        })()),
    };
  }
  await removeTempDir(dir);
  throw lastError instanceof Error ? lastError : new InfraStartError('nats-server', String(lastError), '');
}
