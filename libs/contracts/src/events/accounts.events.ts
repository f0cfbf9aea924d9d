import { z } from 'zod';
import { defineEvent, topics } from './event-definition';

export const userRegisteredV1 = defineEvent(
  'accounts.user.registered.v1',
  topics.accounts,
  z.object({
    userId: z.string().uuid(),
    brand: z.string(),
    country: z.string().length(2).nullable(),
    /** Where notifications send email (kept by notifications until the account is purged). */
    email: z.string().email().optional(),
    /** Free-plan allowance is opened for every new user. */
    plan: z.string(),
  }),
);
