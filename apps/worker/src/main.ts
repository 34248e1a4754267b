import { runService } from '@lpts/platform';
import { createApp, SERVICE } from './bootstrap';
import { processEnv } from './config/worker.env';

runService(SERVICE, () => createApp(processEnv()), async (worker) => {
  const log = worker.runtime.logger;
  await worker.ready;
  const ready = worker.worker.isReady();
  if (ready === true) log.info({ capacity: worker.worker.capacity, capabilities: worker.worker.capabilities?.capabilities, transcodeUrl: worker.transcodeUrl }, `${SERVICE} probed`);
  else log.error({ reason: ready }, `${SERVICE} not ready`);
});
