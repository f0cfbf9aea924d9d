import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import {
  ProblemError,
  suspensionAppealDecidedV1,
  suspensionAppealedV1,
  userRolesChangedV1,
} from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { AccountStatus } from './account-status';
import { roles as allRoles, UserEntity, type Role, type UserStatus } from './user.entity';
import { userRows } from './users.repository';
import { suspensionRows, type Suspension } from './staff-actions.repository';

export type { Suspension } from './staff-actions.repository';

const APPEAL_DECISION_MS = 48 * 60 * 60_000;
const agents: Role[] = ['agent', 'senior_agent', 'admin'];
const seniors: Role[] = ['senior_agent', 'admin'];

/**
 * What staff do to an account — freeze for a security review, unfreeze,
 * suspend, decide an appeal — each checked against the actor's roles as
 * accounts knows them (not as a caller claims them) and audited with actor,
 * time, ticket and before/after. And the user's one appeal per suspension.
 */
/** What a suspended user reads when the admin gave no reason of their own. */
export function suspensionReason(input: { rule: string; evidence: readonly string[] }): string {
  const cited = input.evidence.length;
  return `Your account is suspended for breaking the rule “${input.rule}”, as ${cited === 1 ? 'one generation or action shows' : `${cited} generations or actions show`}.`;
}

@Injectable()
export class StaffActionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly status: AccountStatus,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Support freezes an account on a SECURITY ticket: no log-ins, no new jobs, no billing changes. */
  async freeze(
    userId: string,
    actorId: string,
    reason: string,
    ticketId: string | null,
  ): Promise<UserEntity> {
    return this.dataSource.transaction(async (manager) => {
      await this.requireRole(manager, actorId, agents, 'Freezing an account');
      const user = await this.status.lockUser(manager, userId);
      if (user.status === 'frozen') {
        return user;
      }
      if (user.status === 'suspended' || user.status === 'deleting') {
        throw ProblemError.conflict(`This account is ${user.status}; it cannot be frozen.`);
      }
      const before = user.status;
      await this.status.change(manager, user, 'frozen', {
        cause: 'security_review',
        reason:
          'We froze your account to protect it while our security team reviews recent activity.',
      });
      await this.audit(manager, user.id, actorId, 'freeze', before, 'frozen', reason, ticketId);
      return user;
    });
  }

  /**
   * The freeze a SECURITY ticket asks for, at once and before any agent reads
   * it: support calls this for the ticket's owner (internal gRPC, never
   * exposed by the gateway). Audited without a staff actor. An account that is
   * already frozen, locked, suspended or being deleted is left as it is.
   */
  async freezeForSecurityTicket(
    userId: string,
    ticketId: string,
    note: string,
  ): Promise<UserEntity> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.status.lockUser(manager, userId);
      if (user.status !== 'active') {
        return user;
      }
      await this.status.change(manager, user, 'frozen', {
        cause: 'security_review',
        reason:
          'You told us your account may be at risk, so we froze it at once: no log-ins, new jobs or billing changes until our security team has reviewed it with you.',
      });
      await this.audit(manager, user.id, null, 'freeze', 'active', 'frozen', note, ticketId);
      return user;
    });
  }

  /**
   * An admin sets a person's roles (`user` is always kept). Services that
   * check roles themselves hear it from the event; the person's next access
   * token carries the new roles. An admin cannot drop their own admin role,
   * so the platform is never left without one by accident.
   */
  async setRoles(
    userId: string,
    actorId: string,
    roles: string[],
    note: string,
  ): Promise<UserEntity> {
    const unknown = roles.filter((r) => !(allRoles as readonly string[]).includes(r));
    if (unknown.length > 0) {
      throw ProblemError.badRequest(`Unknown roles: ${unknown.join(', ')}.`, {
        field: 'roles',
        allowed: allRoles,
      });
    }
    const wanted = allRoles.filter((r) => r === 'user' || roles.includes(r));
    return this.dataSource.transaction(async (manager) => {
      await this.requireRole(manager, actorId, ['admin'], 'Changing roles');
      if (userId === actorId && !wanted.includes('admin')) {
        throw ProblemError.conflict('An admin cannot remove their own admin role.');
      }
      const user = await this.status.lockUser(manager, userId);
      if (user.status === 'deleting') {
        throw ProblemError.conflict('This account is being deleted.');
      }
      const before = user.roles;
      if (before.length === wanted.length && before.every((r) => wanted.includes(r))) {
        return user;
      }
      user.roles = wanted;
      await userRows.setRoles(manager, userId, wanted);
      await this.audit(
        manager,
        user.id,
        actorId,
        'set_roles',
        user.status,
        user.status,
        `${before.join(',')} → ${wanted.join(',')}${note ? `: ${note}` : ''}`,
        null,
      );
      await this.outbox.add(manager, userRolesChangedV1, user.id, {
        userId: user.id,
        roles: wanted,
      });
      return user;
    });
  }

  /** Only a senior agent lifts a freeze. */
  async unfreeze(
    userId: string,
    actorId: string,
    note: string,
    ticketId: string | null,
  ): Promise<UserEntity> {
    return this.dataSource.transaction(async (manager) => {
      await this.requireRole(manager, actorId, seniors, 'Unfreezing an account');
      const user = await this.status.lockUser(manager, userId);
      if (user.status !== 'frozen') {
        throw ProblemError.conflict(`This account is ${user.status}, not frozen.`);
      }
      await this.status.change(manager, user, 'active', {
        cause: 'unfreeze',
        reason: 'The security review is over and your account is active again.',
      });
      await this.audit(manager, user.id, actorId, 'unfreeze', 'frozen', 'active', note, ticketId);
      return user;
    });
  }

  /**
   * An admin suspends for a rule, citing the generations or actions; the email names both. The
   * reason the user reads is the admin's, or else says which rule and how many citations.
   */
  async suspend(
    userId: string,
    actorId: string,
    given: { rule: string; evidence: string[]; reason?: string },
  ): Promise<Suspension> {
    const input = { ...given, reason: given.reason || suspensionReason(given) };
    return this.dataSource.transaction(async (manager) => {
      await this.requireRole(manager, actorId, ['admin'], 'Suspending an account');
      const user = await this.status.lockUser(manager, userId);
      if (user.status === 'suspended' || user.status === 'deleting') {
        throw ProblemError.conflict(`This account is already ${user.status}.`);
      }
      const before = user.status;
      const id = randomUUID();
      await suspensionRows.insert(manager, {
        id,
        userId,
        rule: input.rule,
        evidence: input.evidence,
        reason: input.reason,
        suspendedBy: actorId,
        createdAt: this.clock.now(),
      });
      await this.status.change(manager, user, 'suspended', {
        cause: 'suspension',
        reason: input.reason,
        rule: input.rule,
        evidence: input.evidence,
      });
      await this.audit(
        manager,
        userId,
        actorId,
        'suspend',
        before,
        'suspended',
        input.reason,
        null,
      );
      return (await this.latest(manager, userId))!;
    });
  }

  async currentSuspension(userId: string): Promise<Suspension | null> {
    return this.latest(this.dataSource.manager, userId);
  }

  /** The user's one appeal of their current suspension; a senior agent decides within 48 hours. */
  async appeal(userId: string, statement: string): Promise<Suspension> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.status.lockUser(manager, userId);
      const suspension = await this.latest(manager, userId);
      if (user.status !== 'suspended' || !suspension) {
        throw ProblemError.conflict('This account is not suspended; there is nothing to appeal.');
      }
      if (suspension.appeal) {
        throw ProblemError.conflict(
          'This suspension was already appealed. Each suspension can be appealed once.',
        );
      }
      const now = this.clock.now();
      const decideBy = new Date(now.getTime() + APPEAL_DECISION_MS);
      await suspensionRows.recordAppeal(manager, suspension.id, {
        statement,
        appealedAt: now,
        decideBy,
      });
      await this.outbox.add(manager, suspensionAppealedV1, userId, {
        suspensionId: suspension.id,
        userId,
        statement,
        rule: suspension.rule,
        evidence: suspension.evidence,
        decideBy: decideBy.toISOString(),
      });
      return (await this.latest(manager, userId))!;
    });
  }

  /** Final: a decided appeal cannot be decided again. Overturned reactivates the account. */
  async decideAppeal(
    suspensionId: string,
    actorId: string,
    decision: 'upheld' | 'overturned',
    note: string,
    ticketId: string | null,
  ): Promise<Suspension> {
    return this.dataSource.transaction(async (manager) => {
      await this.requireRole(manager, actorId, seniors, 'Deciding a suspension appeal');
      const row = await suspensionRows.lock(manager, suspensionId);
      if (!row) {
        throw ProblemError.notFound('No such suspension.');
      }
      if (!row.appeal) {
        throw ProblemError.conflict('This suspension has not been appealed.');
      }
      if (row.decision) {
        throw ProblemError.conflict(
          `This appeal was already decided (${row.decision.decision}); the decision is final.`,
        );
      }
      await suspensionRows.recordDecision(manager, suspensionId, {
        decision,
        note,
        decidedBy: actorId,
        decidedAt: this.clock.now(),
      });
      const user = await this.status.lockUser(manager, row.userId);
      const before = user.status;
      if (decision === 'overturned' && user.status === 'suspended') {
        await this.status.change(manager, user, 'active', {
          cause: 'appeal_overturned',
          reason: 'Your appeal was accepted and the suspension is lifted.',
        });
      }
      await this.outbox.add(manager, suspensionAppealDecidedV1, row.userId, {
        suspensionId,
        userId: row.userId,
        decision,
        note,
      });
      await this.audit(
        manager,
        row.userId,
        actorId,
        `appeal_${decision}`,
        before,
        user.status,
        note,
        ticketId,
      );
      return (await this.latest(manager, row.userId))!;
    });
  }

  private async latest(manager: EntityManager, userId: string): Promise<Suspension | null> {
    return suspensionRows.latestOf(manager, userId);
  }

  private async requireRole(
    manager: EntityManager,
    actorId: string,
    roles: Role[],
    action: string,
  ): Promise<void> {
    const actor = await userRows.find(manager, actorId);
    if (!actor || actor.status !== 'active' || !actor.roles.some((r) => roles.includes(r))) {
      throw ProblemError.forbidden(`${action} needs the ${roles.join(' or ')} role.`);
    }
  }

  private async audit(
    manager: EntityManager,
    userId: string,
    actorId: string | null,
    action: string,
    before: UserStatus,
    after: UserStatus,
    note: string,
    ticketId: string | null,
  ): Promise<void> {
    await suspensionRows.audit(manager, {
      userId,
      actorId,
      action,
      before,
      after,
      note,
      ticketId,
      at: this.clock.now(),
    });
  }
}
