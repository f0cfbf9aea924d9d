import { z } from 'zod';
import { defineEvent, topics } from './event-definition';
import { sealedSecret } from './sealed-secret';

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
    /** user, agent, senior_agent, admin: notifications sends operations alerts to admins. */
    roles: z.array(z.string()).optional(),
  }),
);

/** An admin changed a person's roles; services that check roles themselves keep their copy current. */
export const userRolesChangedV1 = defineEvent(
  'accounts.user.roles_changed.v1',
  topics.accounts,
  z.object({
    userId: z.string().uuid(),
    roles: z.array(z.string()),
  }),
);

/**
 * A log-in from a new device or an unusual country waits for this code, sent by
 * email only (notifications never puts it in the feed). Valid ten minutes. The
 * code is sealed for notifications (`login_code`); v1 carried it in clear and is
 * no longer published.
 */
export const loginChallengedV2 = defineEvent(
  'accounts.login.challenged.v2',
  topics.accounts,
  z.object({
    userId: z.string().uuid(),
    challengeId: z.string().uuid(),
    sealedCode: sealedSecret,
    expiresAt: z.string(),
    country: z.string().nullable(),
    device: z.string(),
  }),
);

/**
 * Too many wrong passwords from new devices: log-ins from new devices are paused
 * until `lockedUntil`; the owner gets a link that lifts the pause at once (its
 * token sealed for notifications, `unlock_token`).
 */
export const loginThrottledV2 = defineEvent(
  'accounts.login.throttled.v2',
  topics.accounts,
  z.object({
    userId: z.string().uuid(),
    sealedUnlockToken: sealedSecret,
    lockedUntil: z.string(),
    failures: z.number().int(),
  }),
);

/**
 * Forgot-password: a one-hour link to choose a new password (it also unlocks a
 * locked account); its token sealed for notifications (`reset_token`).
 */
export const passwordResetRequestedV2 = defineEvent(
  'accounts.password.reset_requested.v2',
  topics.accounts,
  z.object({
    userId: z.string().uuid(),
    sealedResetToken: sealedSecret,
    expiresAt: z.string(),
  }),
);

export const passwordChangedV1 = defineEvent(
  'accounts.password.changed.v1',
  topics.accounts,
  z.object({ userId: z.string().uuid() }),
);

export const userStatuses = ['active', 'locked', 'frozen', 'suspended', 'deleting'] as const;

/**
 * An account's status changed. Every service that acts for users keeps the
 * latest status and refuses new work while it is not `active`.
 */
export const userStatusChangedV1 = defineEvent(
  'accounts.user.status_changed.v1',
  topics.accounts,
  z.object({
    userId: z.string().uuid(),
    status: z.enum(userStatuses),
    previousStatus: z.enum(userStatuses),
    /** Why, in words the user can read. */
    reason: z.string(),
    /** not_me, password_reset, security_review, unfreeze, suspension, appeal_upheld, appeal_overturned, deletion */
    cause: z.string(),
    /** Suspensions: the rule broken and the generations or actions cited. */
    rule: z.string().optional(),
    evidence: z.array(z.string()).optional(),
    at: z.string(),
  }),
);

/** A suspended user appealed (once per suspension); support opens a suspension-appeal ticket for senior agents. */
export const suspensionAppealedV1 = defineEvent(
  'accounts.suspension.appealed.v1',
  topics.accounts,
  z.object({
    suspensionId: z.string().uuid(),
    userId: z.string().uuid(),
    statement: z.string(),
    rule: z.string(),
    evidence: z.array(z.string()),
    /** The 48-hour decision target. */
    decideBy: z.string(),
  }),
);

/** A senior agent decided an appeal; the decision is final. */
export const suspensionAppealDecidedV1 = defineEvent(
  'accounts.suspension.appeal_decided.v1',
  topics.accounts,
  z.object({
    suspensionId: z.string().uuid(),
    userId: z.string().uuid(),
    decision: z.enum(['upheld', 'overturned']),
    note: z.string(),
  }),
);
