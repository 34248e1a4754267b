export type {
  Started,
  NatsOptions,
  StartedNats,
  RedisOptions,
  StartedRedis,
  StartedPostgres,
  AnvilOptions,
  StartedAnvil,
  DevAccount,
} from './lib/types';
export { startNats, startRedis, startPostgres, startAnvil } from './lib/start';
export { freePort, uniquePrefix } from './lib/ports';
export { infraMode, InfraModeError, type InfraMode } from './lib/mode';
export { requireBinary, MissingBinaryError, type BinaryName } from './lib/binaries';
export { InfraStartError } from './lib/process';
export { pgQuery, PgQueryError, type PgResult } from './lib/pg-wire';
export { jsonRpc } from './lib/anvil';
export { spawnTs, type TsProcess, type TsProcessOptions } from './lib/ts-process';
export { documentedMetricNames, metricCatalogueDrift, type MetricCatalogueDrift } from './lib/metric-catalogue';
