export * from './local-network';
export * from './summary';
export * from './processes';
export * from './progress';
export * from './keys';
