export * from './data-source';
export * from './transaction';
export * from './nest/database.module';
export * from './notify-waiter';
export * from './prepared-statement';
export * from './coalesced-notifier';
export * from './group-commit';
