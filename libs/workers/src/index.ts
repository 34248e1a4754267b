export * from './errors';
export * from './codec';
export * from './http-client';
export * from './registry';
export * from './dispatcher';
