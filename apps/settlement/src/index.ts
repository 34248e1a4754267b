export { createApp, type SettlementApp } from './bootstrap';
export { settlementEnv, type SettlementConfig } from './config/settlement.env';
