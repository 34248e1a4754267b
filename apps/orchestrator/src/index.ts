export { createApp, SERVICE, VERSION, type OrchestratorApp, type CreateAppOptions } from './bootstrap';
export { orchestratorEnv, type OrchestratorConfig } from './config/orchestrator.env';
export type { TranscodeBackend, TranscodeRequest, TranscodeOutcome, TranscodedRendition } from './transcode/transcode-backend';
