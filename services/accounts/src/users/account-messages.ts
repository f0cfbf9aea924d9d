import { z } from 'zod';
import { accountsV1, ProblemError } from '@fluxnote/contracts';
import type { LoginResult } from '../security/login.service';
import type { SessionView } from '../sessions/sessions';
import type { Suspension } from './staff-actions.service';
import type { UserEntity } from './user.entity';

/** Accounts' answers as its gRPC messages, and the checks of what a request carries: one mapper per type. */
export const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

export const signUpInput = z.object({
  email: z.string().trim().email('is not an email address').max(254),
  password,
  brand: z.enum(['fluxnote', 'flux-kontext']),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US or IN')
    .nullable(),
});

export function required(value: string, name: string): string {
  if (!value) {
    throw ProblemError.badRequest(`${name} is required.`);
  }
  return value;
}

export function toUser(user: UserEntity): accountsV1.User {
  return {
    id: user.id,
    email: user.email,
    brand: user.brand,
    country: user.country ?? '',
    roles: user.roles,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toSession(session: SessionView): accountsV1.Session {
  return {
    user: toUser(session.user),
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    expiresIn: session.expiresIn,
  };
}

export function toLogInResult(result: LoginResult): accountsV1.LogInResult {
  return result.kind === 'session'
    ? { session: toSession(result.session), challengeId: '', challengeExpiresAt: '' }
    : { challengeId: result.challengeId, challengeExpiresAt: result.expiresAt.toISOString() };
}

export function toSuspension(s: Suspension): accountsV1.Suspension {
  return {
    id: s.id,
    userId: s.userId,
    rule: s.rule,
    evidence: s.evidence,
    reason: s.reason,
    createdAt: s.createdAt.toISOString(),
    appealStatement: s.appeal?.statement ?? '',
    appealedAt: s.appeal?.appealedAt.toISOString() ?? '',
    decideBy: s.appeal?.decideBy.toISOString() ?? '',
    decision: s.decision?.decision ?? '',
    decisionNote: s.decision?.note ?? '',
    decidedAt: s.decision?.decidedAt.toISOString() ?? '',
  };
}

export const suspendInput = z.object({
  rule: z.string().trim().min(1, 'is required').max(200),
  evidence: z
    .array(z.string().trim().min(1).max(200))
    .min(1, 'must cite at least one generation or action')
    .max(50),
  /** Optional: without one, the user reads which rule and how much was cited. */
  reason: z.string().trim().max(2000).optional(),
});
