import type { StartedTestContainer } from 'testcontainers';
import { parseAnvilBanner } from './anvil';
import type { AnvilOptions, NatsOptions, RedisOptions, StartedAnvil, StartedNats, StartedPostgres, StartedRedis } from './types';

/**
 * Containers mode (LPTS_INFRA=containers): the same API backed by testcontainers 12.
 * testcontainers is required lazily, here only, because loading it costs ~350 ms.
 */

export const IMAGES = {
  nats: 'nats:2.10-alpine',
  redis: 'redis:7.2-alpine',
  postgres: 'postgres:16-alpine',
  foundry: 'ghcr.io/foundry-rs/foundry:stable',
} as const;

function tc(): typeof import('testcontainers') {
  return require('testcontainers') as typeof import('testcontainers');
}

function explain(service: string, e: unknown): Error {
  const msg = (e as Error)?.message ?? String(e);
  const err = new Error(
    `${service} container did not start (LPTS_INFRA=containers): ${msg}` +
      (/container runtime strategy/i.test(msg) ? '. Is Docker running? Unset LPTS_INFRA to use local binaries.' : ''),
  );
  err.name = 'InfraStartError';
  return err;
}

function stopper(container: StartedTestContainer): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= container.stop({ remove: true, removeVolumes: true }).then(() => undefined));
}

export async function startNatsContainer(opts: NatsOptions = {}): Promise<StartedNats> {
  const { NatsContainer } = require('@testcontainers/nats') as typeof import('@testcontainers/nats');
  try {
    let c = new NatsContainer(IMAGES.nats);
    if (opts.jetstream ?? true) c = c.withJetStream();
    const started = await c.start();
    const port = started.getMappedPort(4222);
    return { url: `nats://${started.getHost()}:${port}`, port, stop: stopper(started) };
  } catch (e) {
    throw explain('nats', e);
  }
}

export async function startRedisContainer(opts: RedisOptions = {}): Promise<StartedRedis> {
  const { RedisContainer } = require('@testcontainers/redis') as typeof import('@testcontainers/redis');
  const args = ['redis-server', '--save', '', '--protected-mode', 'no'];
  if (opts.appendonly) args.push('--appendonly', 'yes', '--appendfsync', 'always', '--dir', '/data');
  try {
    const started = await new RedisContainer(IMAGES.redis).withCommand(args).start();
    const port = started.getMappedPort(6379);
    // Restarting a container keeps its filesystem (and so the AOF) and, in testcontainers 12, its port binding.
    const waitPing = async (): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        const r = await started.exec(['redis-cli', 'ping']).catch(() => undefined);
        if (r?.output.includes('PONG')) return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error('redis container did not answer PING after restart');
    };
    return {
      url: `redis://${started.getHost()}:${port}`,
      port,
      async restart() {
        await started.exec(['redis-cli', 'shutdown']).catch(() => undefined);
        await started.restart();
        await waitPing();
      },
      async kill9() {
        await started.exec(['sh', '-c', 'kill -9 1']).catch(() => undefined);
        await started.restart();
        await waitPing();
      },
      stop: stopper(started),
    };
  } catch (e) {
    throw explain('redis', e);
  }
}

export async function startPostgresContainer(): Promise<StartedPostgres> {
  const { PostgreSqlContainer } = require('@testcontainers/postgresql') as typeof import('@testcontainers/postgresql');
  try {
    const started = await new PostgreSqlContainer(IMAGES.postgres)
      .withDatabase('lpts')
      .withUsername('postgres')
      .withPassword('postgres')
      // md5 so that pgQuery (no SCRAM) can talk to it too.
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'md5', POSTGRES_INITDB_ARGS: '--auth-host=md5' })
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'password_encryption=md5'])
      .start();
    return { url: started.getConnectionUri(), port: started.getPort(), database: started.getDatabase(), stop: stopper(started) };
  } catch (e) {
    throw explain('postgres', e);
  }
}

export async function startAnvilContainer(opts: AnvilOptions = {}): Promise<StartedAnvil> {
  const { GenericContainer, Wait } = tc();
  const chainId = opts.chainId ?? 31337;
  const inner = opts.port ?? 8545;
  const cmd = ['anvil', '--host', '0.0.0.0', '--port', String(inner), '--chain-id', String(chainId), '--accounts', String(opts.accounts ?? 10)];
  if (opts.balanceEth !== undefined) cmd.push('--balance', String(opts.balanceEth));
  if (opts.blockTime !== undefined) cmd.push('--block-time', String(opts.blockTime));
  try {
    const started = await new GenericContainer(IMAGES.foundry)
      .withEntrypoint(['sh', '-c'])
      .withCommand([cmd.join(' ')])
      .withExposedPorts(opts.port !== undefined ? { container: inner, host: opts.port } : inner)
      .withWaitStrategy(Wait.forLogMessage(/Listening on/))
      .start();
    const port = started.getMappedPort(inner);
    const logs = await started.logs({ tail: 1000 });
    let banner = '';
    await new Promise<void>((resolve) => {
      logs.on('data', (d: Buffer | string) => {
        banner += d.toString();
        if (/Listening on/.test(banner)) resolve();
      });
      logs.on('end', () => resolve());
      setTimeout(resolve, 2000);
    });
    const rpcUrl = `http://${started.getHost()}:${port}`;
    return {
      url: rpcUrl,
      rpcUrl,
      wsUrl: `ws://${started.getHost()}:${port}`,
      port,
      chainId,
      accounts: parseAnvilBanner(banner),
      stop: stopper(started),
    };
  } catch (e) {
    throw explain('anvil', e);
  }
}
