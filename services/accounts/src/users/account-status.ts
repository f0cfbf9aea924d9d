import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError, userStatusChangedV1, type EventPayload } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { Sessions } from '../sessions/sessions';
import { UserEntity, type UserStatus } from './user.entity';
import { userRows } from './users.repository';

/** What a user hears when a status keeps them out (log-in, refresh). */
export const blockedStatuses: Record<Exclude<UserStatus, 'active'>, string> = {
  locked:
    'This account is locked. Follow the recovery email we sent, or reset your password from “Forgot password”.',
  frozen: 'This account is frozen while a security review is under way. Support will contact you.',
  suspended:
    'This account is suspended. The email we sent names the rule and explains how to appeal.',
  deleting: 'This account is being deleted.',
};

export function assertActive(user: UserEntity): void {
  if (user.status !== 'active') {
    throw new ProblemError({
      type: 'account-' + user.status,
      title: 'Account ' + user.status,
      status: 423,
      detail: blockedStatuses[user.status],
    });
  }
}

type Change = Pick<
  EventPayload<typeof userStatusChangedV1>,
  'cause' | 'reason' | 'rule' | 'evidence'
>;

/** Moves an account between statuses: ends its sessions when it leaves `active`, and tells every service. */
@Injectable()
export class AccountStatus {
  constructor(
    private readonly sessions: Sessions,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Locks the user's row for the rest of the transaction. */
  async lockUser(manager: EntityManager, userId: string): Promise<UserEntity> {
    const user = await userRows.lock(manager, userId);
    if (!user) {
      throw ProblemError.notFound('No such user.');
    }
    return user;
  }

  /** Ends every session of the user without changing the status (a new password). */
  endSessions(manager: EntityManager, userId: string): Promise<void> {
    return this.sessions.endAll(manager, userId);
  }

  /** Returns false when the user already had that status (nothing done). */
  async change(
    manager: EntityManager,
    user: UserEntity,
    status: UserStatus,
    change: Change,
  ): Promise<boolean> {
    if (user.status === status) {
      return false;
    }
    const previousStatus = user.status;
    const now = this.clock.now();
    await userRows.setStatus(manager, user.id, status, now);
    user.status = status;
    if (status !== 'active') {
      await this.sessions.endAll(manager, user.id);
    }
    await this.outbox.add(manager, userStatusChangedV1, user.id, {
      userId: user.id,
      status,
      previousStatus,
      at: now.toISOString(),
      ...change,
    });
    return true;
  }
}
