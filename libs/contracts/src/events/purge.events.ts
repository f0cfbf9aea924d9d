import { z } from 'zod';
import { defineEvent, topics } from './event-definition';

/**
 * Account deletion (SPEC §6): accounts asks every service to purge a user within
 * 72 hours; each purges everything it holds for them in one transaction and
 * confirms. Confirmations carry only the deletion id, never the user.
 */
export const deletionRequestedV1 = defineEvent(
  'accounts.deletion.requested.v1',
  topics.accounts,
  z.object({
    deletionId: z.string().uuid(),
    userId: z.string().uuid(),
    purgeBy: z.string(),
  }),
);

/** The services that hold user data besides accounts, each confirming its purge. */
export const purgingServices = ['billing', 'generation', 'notifications', 'support'] as const;
export type PurgingService = (typeof purgingServices)[number];

const purged = z.object({ deletionId: z.string().uuid(), service: z.enum(purgingServices) });

export const userPurgedEvents = {
  billing: defineEvent('billing.user.purged.v1', topics.billing, purged),
  generation: defineEvent('generation.user.purged.v1', topics.generation, purged),
  notifications: defineEvent('notifications.user.purged.v1', topics.notifications, purged),
  support: defineEvent('support.user.purged.v1', topics.support, purged),
} as const;

/**
 * The deletion is complete: every service purged and the account is gone. It
 * carries the address only so that notifications can send the last email;
 * nothing stores it (the outbox row is removed once published).
 */
export const deletionCompletedV1 = defineEvent(
  'accounts.deletion.completed.v1',
  topics.accounts,
  z.object({
    deletionId: z.string().uuid(),
    email: z.string().email(),
    brand: z.string(),
    completedAt: z.string(),
  }),
);

/** Something operations must look at (admins hear it from notifications); each service raises its own. */
export const operationsAlertSchema = z.object({
  kind: z.string(),
  severity: z.enum(['warning', 'critical']),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const operationsAlertV1 = defineEvent(
  'accounts.operations.alert.v1',
  topics.accounts,
  operationsAlertSchema,
);
