import { ConfigError } from '@lpts/platform';
import { createApp, SERVICE } from './bootstrap';
import { processEnv } from './config/settlement.env';

async function main(): Promise<void> {
  const settlement = await createApp(processEnv());
  settlement.runtime.logger.info({ opsPort: settlement.runtime.opsPort }, `${SERVICE} ready`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    settlement.runtime.logger.info({ signal }, 'shutting down');
    settlement.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`${SERVICE}: ${e.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`${SERVICE}: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
