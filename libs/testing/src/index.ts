export * from './embedded-postgres-process';
export * from './test-database';
export * from './expect-eventually';
export * from './stripe-double';
export * from './problem-of';
export * from './id-token-issuer-double';
export * from './event-stream-reader';
export * from './provider-double';
