import { ConfigError } from '@lpts/platform';
import { createApp, SERVICE } from './bootstrap';
import { processEnv } from './config/worker.env';

async function main(): Promise<void> {
  const worker = await createApp(processEnv());
  const log = worker.runtime.logger;
  log.info({ opsPort: worker.runtime.opsPort, transcodeUrl: worker.transcodeUrl, workerId: worker.worker.workerId }, `${SERVICE} listening`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, inUse: worker.worker.inUse }, 'shutting down (draining jobs)');
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await worker.ready;
  const ready = worker.worker.isReady();
  if (ready === true) log.info({ capacity: worker.worker.capacity, capabilities: worker.worker.capabilities?.capabilities }, `${SERVICE} ready`);
  else log.error({ reason: ready }, `${SERVICE} not ready`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`${SERVICE}: ${e.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`${SERVICE}: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
