import { runService } from '@lpts/platform';
import { createApp, SERVICE } from './bootstrap';
import { processEnv } from './config/orchestrator.env';

runService(SERVICE, () => createApp(processEnv()), (orch) => orch.runtime.logger.info({ wirePort: orch.wirePort }, `${SERVICE} wire port open`));
