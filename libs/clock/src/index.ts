export * from './clock';
export * from './iso-duration';
export * from './platform-clock';
export * from './nest/clock.module';
export * from './periodic-task';
export * from './nest/periodic-worker';
