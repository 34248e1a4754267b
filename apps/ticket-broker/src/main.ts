import { runService } from '@lpts/platform';
import { createApp, SERVICE } from './bootstrap';
import { processEnv } from './config/ticket-broker.env';

runService(SERVICE, () => createApp(processEnv()));
