export * from './problems/problem';
export * from './ids';
export * from './events';
export * as accountsV1 from './generated/accounts/v1/accounts';
export * as billingV1 from './generated/billing/v1/ledger';
export * as billingPaymentsV1 from './generated/billing/v1/payments';
export * as generationV1 from './generated/generation/v1/generation';
export * as notificationsV1 from './generated/notifications/v1/notifications';
