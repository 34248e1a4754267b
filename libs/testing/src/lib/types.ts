/** A running piece of infrastructure. `stop()` is idempotent and removes temp data. */
export interface Started {
  url: string;
  stop(): Promise<void>;
}

export interface NatsOptions {
  /** Enable JetStream with a temp store dir (default true). */
  jetstream?: boolean;
}
export interface StartedNats extends Started {
  port: number;
}

export interface RedisOptions {
  /** Enable AOF persistence (appendfsync always) so restart() and kill9() keep the data. */
  appendonly?: boolean;
}
export interface StartedRedis extends Started {
  port: number;
  /** Stops the server (SHUTDOWN) and starts it again on the same port and data dir. */
  restart(): Promise<void>;
  /** Kills the server with SIGKILL and starts it again on the same port and data dir. */
  kill9(): Promise<void>;
}

export interface StartedPostgres extends Started {
  port: number;
  database: string;
}

export interface AnvilOptions {
  /** Seconds between blocks; default automine (a block per transaction). */
  blockTime?: number;
  /** Port to listen on; default a free one picked by anvil. */
  port?: number;
  /** Number of dev accounts (default 10). */
  accounts?: number;
  /** Balance of each dev account in ETH (default 10000). */
  balanceEth?: number;
  /** Chain id (default 31337). */
  chainId?: number;
}
export interface DevAccount {
  address: string;
  privateKey: string;
}
export interface StartedAnvil extends Started {
  port: number;
  rpcUrl: string;
  wsUrl: string;
  chainId: number;
  accounts: DevAccount[];
}

export const START_TIMEOUT_MS = 20_000;
