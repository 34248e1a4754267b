import { ConfigError } from '@lpts/platform';
import { createApp, SERVICE } from './bootstrap';
import { processEnv } from './config/orchestrator.env';

async function main(): Promise<void> {
  const orch = await createApp(processEnv());
  orch.runtime.logger.info({ opsPort: orch.runtime.opsPort, wirePort: orch.wirePort }, `${SERVICE} ready`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    orch.runtime.logger.info({ signal }, 'shutting down');
    orch.close().then(
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
