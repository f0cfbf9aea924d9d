import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config/accounts.config';
import { hashRefreshToken, TokenIssuer } from '../tokens/token-issuer';
import { mayHoldSession, type UserEntity } from '../users/user.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { sessionRows, type Revocation } from './sessions.repository';
import { userRows } from '../users/users.repository';

export interface SessionView {
  user: UserEntity;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export type { Revocation } from './sessions.repository';

/**
 * Sessions are families of rotating refresh tokens. Ending one also publishes a
 * revocation that the gateway pulls every second, so access tokens of an ended
 * session stop working at once instead of when they expire.
 */
@Injectable()
export class Sessions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
  ) {}

  open(manager: EntityManager, user: UserEntity): Promise<SessionView> {
    return this.issue(manager, user, randomUUID());
  }

  async rotate(refreshToken: string): Promise<SessionView> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await sessionRows.token(manager, hashRefreshToken(refreshToken), true);
      if (!token || token.revokedAt) {
        return undefined;
      }
      const now = this.clock.now();
      if (token.rotatedAt) {
        // A rotated token used again: someone else holds a copy. End the whole family.
        await this.endFamily(manager, token.userId, token.familyId);
        return undefined;
      }
      if (token.expiresAt <= now) {
        return undefined;
      }
      const user = (await userRows.find(manager, token.userId))!;
      if (!mayHoldSession(user)) {
        return undefined;
      }
      await sessionRows.markRotated(manager, token.tokenHash, now);
      return this.issue(manager, user, token.familyId);
    });
    if (!outcome) {
      throw new ProblemError({
        type: 'invalid-refresh-token',
        title: 'Session ended',
        status: 401,
        detail: 'This session has ended. Log in again.',
      });
    }
    return outcome;
  }

  async logOut(refreshToken: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await sessionRows.token(manager, hashRefreshToken(refreshToken), false);
      if (token && !token.revokedAt) {
        await this.endFamily(manager, token.userId, token.familyId);
      }
    });
  }

  /** Ends every session of the user, now (lock, freeze, suspension, password reset, deletion). */
  async endAll(manager: EntityManager, userId: string): Promise<void> {
    for (const familyId of await sessionRows.revokeAllOf(manager, userId, this.clock.now())) {
      await this.revoke(manager, userId, familyId);
    }
  }

  /** Revocations after `afterSeq` that still matter (their access tokens may not have expired yet). */
  async revocationsAfter(afterSeq: number, limit = 1000): Promise<Revocation[]> {
    return sessionRows.revocationsAfter(this.dataSource, afterSeq, this.clock.now(), limit);
  }

  private async endFamily(manager: EntityManager, userId: string, familyId: string): Promise<void> {
    await sessionRows.revokeFamily(manager, familyId, this.clock.now());
    await this.revoke(manager, userId, familyId);
  }

  private async revoke(manager: EntityManager, userId: string, sessionId: string): Promise<void> {
    const now = this.clock.now();
    // Kept as long as an access token issued just before could live, then swept by the query's filter.
    const expiresAt = new Date(now.getTime() + (this.config.ACCESS_TOKEN_TTL_SECONDS + 60) * 1000);
    await sessionRows.publishRevocation(manager, { userId, sessionId, endedAt: now, expiresAt });
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
    await sessionRows.insertToken(
      manager,
      Object.assign(new RefreshTokenEntity(), {
        tokenHash: refresh.hash,
        userId: user.id,
        familyId,
        expiresAt,
        rotatedAt: null,
        revokedAt: null,
      }),
    );
    const access = await this.issuer.accessToken(user, familyId);
    return {
      user,
      accessToken: access.token,
      refreshToken: refresh.token,
      expiresIn: access.expiresIn,
    };
  }
}
