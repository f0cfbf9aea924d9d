import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProblemError, userRegisteredV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { isUniqueViolation } from '@fluxnote/persistence';
import { LoginHistory, type LoginClient } from '../security/login-history';
import { Sessions, type SessionView } from '../sessions/sessions';
import { PasswordHasher } from './password-hasher';
import { UserEntity, type Role } from './user.entity';
import { userRows } from './users.repository';

/** Sign-up and who a user is. */
@Injectable()
export class IdentityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: Sessions,
    private readonly history: LoginHistory,
    private readonly outbox: Outbox,
  ) {}

  /**
   * The device that signs up is the account's first trusted device. An account
   * created with Google has no password (until the owner sets one by reset).
   */
  async signUp(input: {
    email: string;
    password: string | null;
    googleSubject?: string;
    brand: string;
    country: string | null;
    client: LoginClient | null;
    roles?: Role[];
  }): Promise<SessionView> {
    const passwordHash = input.password === null ? null : await this.hasher.hash(input.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await userRows.insert(manager, {
          id: randomUUID(),
          email: input.email.toLowerCase(),
          passwordHash,
          googleSubject: input.googleSubject ?? null,
          brand: input.brand,
          country: input.country,
          roles: input.roles ?? ['user'],
          status: 'active',
        });
        if (input.client) {
          await this.history.record(manager, user.id, input.client, 'signed_up');
        }
        await this.outbox.add(manager, userRegisteredV1, user.id, {
          userId: user.id,
          brand: user.brand,
          country: user.country,
          email: user.email,
          plan: 'free',
          roles: user.roles,
        });
        return this.sessions.open(manager, user);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) {
        throw ProblemError.conflict(
          'An account with this email already exists. Log in, or reset the password.',
        );
      }
      throw error;
    }
  }

  async getUser(userId: string): Promise<UserEntity> {
    const user = await userRows.find(this.dataSource, userId);
    if (!user) {
      throw ProblemError.notFound('No such user.');
    }
    return user;
  }

  /**
   * Accounts that are not active (locked, frozen, suspended) after `afterUserId`, in id order, with
   * when they took that status: what the other services' copies of account standing rebuild from.
   */
  async restricted(
    afterUserId: string | null,
    limit: number,
  ): Promise<{ userId: string; status: string; changedAt: Date }[]> {
    return userRows.restricted(this.dataSource, afterUserId, limit);
  }

  /** Creates the first admin from the environment if no account has that email yet. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    const existing = await userRows.byEmail(this.dataSource, email.toLowerCase());
    if (existing) {
      return;
    }
    try {
      await this.signUp({
        email,
        password,
        brand: 'fluxnote',
        country: null,
        client: null,
        roles: ['user', 'admin'],
      });
    } catch (error) {
      if (!(error instanceof ProblemError && error.problem.status === 409)) {
        throw error;
      }
    }
  }
}
