import { ConfigError } from '../config/config.errors';
import type { ServiceRuntime } from './service-runtime';

export interface RunnableService {
  runtime: ServiceRuntime;
  close(): Promise<void>;
}

/**
 * The body of every service's main.ts: start the app, stop it cleanly on SIGINT/SIGTERM (exit 0,
 * or 1 if closing failed), exit 78 (EX_CONFIG) naming every bad key on a configuration error and
 * 1 on any other start-up failure. `onStarted` may log service-specific details.
 */
export function runService<A extends RunnableService>(service: string, start: () => Promise<A>, onStarted?: (app: A) => void | Promise<void>): void {
  const main = async () => {
    const app = await start();
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.runtime.logger.info({ signal }, 'shutting down');
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    await onStarted?.(app);
  };
  main().catch((e: unknown) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`${service}: ${e.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`${service}: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
