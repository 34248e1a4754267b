export { createApp, SERVICE, VERSION, type TicketBrokerApp } from './bootstrap';
export { ticketBrokerEnv, type TicketBrokerConfig } from './config/ticket-broker.env';
