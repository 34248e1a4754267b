export { createApp, SERVICE, VERSION, type GatewayApp, type GatewayOverrides } from './bootstrap';
export { gatewayEnv, type GatewayConfig } from './config/gateway.env';
export { GatewayError, GatewayErrorCode, isGatewayError } from './common/gateway.errors';
