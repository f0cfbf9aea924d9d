export * from './service-infrastructure';
export * from './migrate-command';
