export * from './event-definition';
export * from './sealed-secret';
export * from './accounts.events';
export * from './generation.events';
export * from './billing.events';
export * from './purge.events';
export * from './support.events';
