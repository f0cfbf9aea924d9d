import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError, userRegisteredV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { isUniqueViolation } from '@fluxnote/persistence';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config/accounts.config';
import { RefreshTokenEntity } from '../sessions/refresh-token.entity';
import { hashRefreshToken, TokenIssuer } from '../tokens/token-issuer';
import { PasswordHasher } from './password-hasher';
import { UserEntity, type Role, type UserStatus } from './user.entity';

export interface SessionView {
  user: UserEntity;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const blockedStatuses: Partial<Record<UserStatus, string>> = {
  locked: 'This account is locked. Follow the recovery email we sent, or reset your password.',
  frozen: 'This account is frozen while a security review is under way.',
  suspended: 'This account is suspended. See the email we sent for the rule and how to appeal.',
};

/** Sign-up, log-in and sessions. */
@Injectable()
export class IdentityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly issuer: TokenIssuer,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
  ) {}

  async signUp(input: {
    email: string;
    password: string;
    brand: string;
    country: string | null;
    roles?: Role[];
  }): Promise<SessionView> {
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await manager.save(
          manager.create(UserEntity, {
            id: randomUUID(),
            email: input.email.toLowerCase(),
            passwordHash,
            brand: input.brand,
            country: input.country,
            roles: input.roles ?? ['user'],
            status: 'active',
          }),
        );
        await this.outbox.add(manager, userRegisteredV1, user.id, {
          userId: user.id,
          brand: user.brand,
          country: user.country,
          email: user.email,
          plan: 'free',
        });
        return this.openSession(manager, user);
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

  async logIn(email: string, password: string): Promise<SessionView> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOneBy({ email: email.toLowerCase() });
    const ok = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user || !ok) {
      throw new ProblemError({
        type: 'invalid-credentials',
        title: 'Invalid credentials',
        status: 401,
        detail: 'The email or password is not right.',
      });
    }
    const blocked = blockedStatuses[user.status];
    if (blocked) {
      throw new ProblemError({
        type: 'account-' + user.status,
        title: 'Account ' + user.status,
        status: 423,
        detail: blocked,
      });
    }
    return this.dataSource.transaction((manager) => this.openSession(manager, user));
  }

  async refresh(refreshToken: string): Promise<SessionView> {
    const invalid = new ProblemError({
      type: 'invalid-refresh-token',
      title: 'Session ended',
      status: 401,
      detail: 'This session has ended. Log in again.',
    });
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await manager.getRepository(RefreshTokenEntity).findOne({
        where: { tokenHash: hashRefreshToken(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token || token.revokedAt) {
        return undefined;
      }
      const now = this.clock.now();
      if (token.rotatedAt) {
        // A rotated token used again: someone else holds a copy. End the whole family.
        await this.revokeFamily(manager, token.familyId);
        return 'reused' as const;
      }
      if (token.expiresAt <= now) {
        return undefined;
      }
      const user = await manager.getRepository(UserEntity).findOneByOrFail({ id: token.userId });
      if (blockedStatuses[user.status]) {
        return undefined;
      }
      token.rotatedAt = now;
      await manager.save(token);
      return this.issue(manager, user, token.familyId);
    });
    if (outcome === undefined || outcome === 'reused') {
      throw invalid;
    }
    return outcome;
  }

  async logOut(refreshToken: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await manager
        .getRepository(RefreshTokenEntity)
        .findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
      if (token) {
        await this.revokeFamily(manager, token.familyId);
      }
    });
  }

  async getUser(userId: string): Promise<UserEntity> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: userId });
    if (!user) {
      throw ProblemError.notFound('No such user.');
    }
    return user;
  }

  /** Creates the first admin from the environment if no account has that email yet. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    const existing = await this.dataSource
      .getRepository(UserEntity)
      .findOneBy({ email: email.toLowerCase() });
    if (existing) {
      return;
    }
    try {
      await this.signUp({
        email,
        password,
        brand: 'fluxnote',
        country: null,
        roles: ['user', 'admin'],
      });
    } catch (error) {
      if (!(error instanceof ProblemError && error.problem.status === 409)) {
        throw error;
      }
    }
  }

  private openSession(manager: EntityManager, user: UserEntity): Promise<SessionView> {
    return this.issue(manager, user, randomUUID());
  }

  private async issue(
    manager: EntityManager,
    user: UserEntity,
    familyId: string,
  ): Promise<SessionView> {
    const refresh = this.issuer.refreshToken();
    const expiresAt = new Date(
      this.clock.now().getTime() + this.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
    );
    await manager.insert(RefreshTokenEntity, {
      tokenHash: refresh.hash,
      userId: user.id,
      familyId,
      expiresAt,
      rotatedAt: null,
      revokedAt: null,
    });
    const access = await this.issuer.accessToken(user, familyId);
    return {
      user,
      accessToken: access.token,
      refreshToken: refresh.token,
      expiresIn: access.expiresIn,
    };
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.query(
      `UPDATE accounts.refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId, this.clock.now()],
    );
  }
}
