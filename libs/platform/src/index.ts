export * from './service-infrastructure';
export * from './migrate-command';
export * from './account-standing';
export * from './user-purge';
export * from './accounts-directory';
export * from './sealed-secrets';
export * from './rate-limits';
export * from './rate-policy-settings';
