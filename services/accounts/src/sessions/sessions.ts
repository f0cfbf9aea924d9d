import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config/accounts.config';
import { hashRefreshToken, TokenIssuer } from '../tokens/token-issuer';
import { mayHoldSession, UserEntity } from '../users/user.entity';
import { RefreshTokenEntity } from './refresh-token.entity';

export interface SessionView {
  user: UserEntity;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface Revocation {
  seq: number;
  /** Empty once the account is deleted (the revocation itself stays until it expires). */
  userId: string;
  sessionId: string;
  endedAt: Date;
  /** After this, every token the revocation covers has expired anyway. */
  expiresAt: Date;
}

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
        await this.endFamily(manager, token.userId, token.familyId);
        return undefined;
      }
      if (token.expiresAt <= now) {
        return undefined;
      }
      const user = await manager.getRepository(UserEntity).findOneByOrFail({ id: token.userId });
      if (!mayHoldSession(user)) {
        return undefined;
      }
      token.rotatedAt = now;
      await manager.save(token);
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
      const token = await manager
        .getRepository(RefreshTokenEntity)
        .findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
      if (token && !token.revokedAt) {
        await this.endFamily(manager, token.userId, token.familyId);
      }
    });
  }

  /** Ends every session of the user, now (lock, freeze, suspension, password reset, deletion). */
  async endAll(manager: EntityManager, userId: string): Promise<void> {
    const [rows] = await manager.query<[{ family_id: string }[], number]>(
      `UPDATE accounts.refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL
       RETURNING family_id`,
      [userId, this.clock.now()],
    );
    for (const familyId of new Set(rows.map((r) => r.family_id))) {
      await this.revoke(manager, userId, familyId);
    }
  }

  /** Revocations after `afterSeq` that still matter (their access tokens may not have expired yet). */
  async revocationsAfter(afterSeq: number, limit = 1000): Promise<Revocation[]> {
    const rows = await this.dataSource.query<
      {
        seq: string;
        user_id: string | null;
        session_id: string;
        ended_at: Date;
        expires_at: Date;
      }[]
    >(
      `SELECT seq, user_id, session_id, ended_at, expires_at FROM accounts.session_revocations
        WHERE seq > $1 AND expires_at > $2 ORDER BY seq LIMIT $3`,
      [afterSeq, this.clock.now(), limit],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      userId: r.user_id ?? '',
      sessionId: r.session_id,
      endedAt: r.ended_at,
      expiresAt: r.expires_at,
    }));
  }

  private async endFamily(manager: EntityManager, userId: string, familyId: string): Promise<void> {
    await manager.query(
      `UPDATE accounts.refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId, this.clock.now()],
    );
    await this.revoke(manager, userId, familyId);
  }

  private async revoke(manager: EntityManager, userId: string, sessionId: string): Promise<void> {
    const now = this.clock.now();
    // Kept as long as an access token issued just before could live, then swept by the query's filter.
    const expiresAt = new Date(now.getTime() + (this.config.ACCESS_TOKEN_TTL_SECONDS + 60) * 1000);
    await manager.query(`DELETE FROM accounts.session_revocations WHERE expires_at <= $1`, [now]);
    await manager.query(
      `INSERT INTO accounts.session_revocations (user_id, session_id, ended_at, expires_at)
       VALUES ($1, $2, $3, $4)`,
      [userId, sessionId, now, expiresAt],
    );
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
}
