import { runService } from '@lpts/platform';
import { createApp, SERVICE } from './bootstrap';
import { processEnv } from './config/settlement.env';

runService(SERVICE, () => createApp(processEnv()));
