import { startAnvilLocal } from './anvil';
import { infraMode } from './mode';
import { startNatsLocal } from './nats';
import { startPostgresLocal } from './postgres';
import { startRedisLocal } from './redis';
import type { AnvilOptions, NatsOptions, RedisOptions, StartedAnvil, StartedNats, StartedPostgres, StartedRedis } from './types';

// The containers module is only required in containers mode: it pulls in testcontainers.
const containers = (): typeof import('./containers') => require('./containers') as typeof import('./containers');

/** nats-server with JetStream (default), on a random port. */
export async function startNats(opts?: NatsOptions): Promise<StartedNats> {
  return infraMode() === 'containers' ? containers().startNatsContainer(opts) : startNatsLocal(opts);
}

/** redis-server on a random port, temp data dir; restart()/kill9() keep the port and data dir. */
export async function startRedis(opts?: RedisOptions): Promise<StartedRedis> {
  return infraMode() === 'containers' ? containers().startRedisContainer(opts) : startRedisLocal(opts);
}

/** A throwaway PostgreSQL cluster; url = postgres://postgres@127.0.0.1:port/lpts. */
export async function startPostgres(): Promise<StartedPostgres> {
  return infraMode() === 'containers' ? containers().startPostgresContainer() : startPostgresLocal();
}

/** anvil with the standard dev accounts; rpcUrl/wsUrl on a random port unless `port` is given. */
export async function startAnvil(opts?: AnvilOptions): Promise<StartedAnvil> {
  return infraMode() === 'containers' ? containers().startAnvilContainer(opts) : startAnvilLocal(opts);
}
