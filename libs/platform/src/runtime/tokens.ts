/** DI tokens provided by PlatformModule. */
export const CONFIG = Symbol('lpts.config');
export const LOGGER = Symbol('lpts.logger');
export const METRICS = Symbol('lpts.metrics');
export const NATS_CONNECTION = Symbol('lpts.nats.connection');
export const SERVICE_IDENTITY = Symbol('lpts.service.identity');
