export * from './start-telemetry';
export * from './logger';
export * from './nest/observability.module';
export * from './draining';
export * from './scraped-gauge';
export * from './request-metrics';
export * from './registered-metrics';
