export { createApp, type WorkerApp, type CreateAppOptions } from './bootstrap';
export { workerEnv, type WorkerConfig } from './config/worker.env';
