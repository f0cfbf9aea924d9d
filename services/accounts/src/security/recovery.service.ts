import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { passwordChangedV1, passwordResetRequestedV2, ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { SecretSealer } from '@fluxnote/platform';
import { AccountStatus } from '../users/account-status';
import { PasswordHasher } from '../users/password-hasher';
import { UserEntity } from '../users/user.entity';
import { ActionTokens } from './action-tokens';
import { LoginHistory } from './login-history';
import { LoginThrottle, throttleKeys } from './login-throttle';
import { userRows } from '../users/users.repository';
import { actionTokenRows } from './action-tokens.repository';

const RESET_LINK_TTL_MS = 60 * 60_000;
/** At most one reset email a minute per account, whoever asks. */
const RESET_EMAIL_GAP_MS = 60_000;

const invalidLink = (what: string): ProblemError =>
  new ProblemError({
    type: 'invalid-link',
    title: 'Link no longer valid',
    status: 400,
    detail: `This ${what} link has expired or was already used. Ask for a new one.`,
  });

/** Getting back in: forgot/reset password, the unlock link, and “this was not me”. */
@Injectable()
export class RecoveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly status: AccountStatus,
    private readonly history: LoginHistory,
    private readonly throttle: LoginThrottle,
    private readonly tokens: ActionTokens,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly sealer: SecretSealer,
  ) {}

  /** Sends a reset link if the account exists; the answer is the same either way. */
  async forgotPassword(email: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const user = await userRows.lockByEmail(manager, email.trim().toLowerCase());
      if (!user || user.status === 'deleting') {
        return;
      }
      const since = new Date(this.clock.now().getTime() - RESET_EMAIL_GAP_MS);
      if (await this.tokens.sentSince(manager, user.id, 'password_reset', since)) {
        return;
      }
      const link = await this.tokens.issue(manager, user.id, 'password_reset', RESET_LINK_TTL_MS);
      await this.outbox.add(manager, passwordResetRequestedV2, user.id, {
        userId: user.id,
        sealedResetToken: await this.sealer.seal(link.token, {
          userId: user.id,
          purpose: 'reset_token',
        }),
        expiresAt: link.expiresAt.toISOString(),
      });
    });
  }

  /**
   * A new password from the emailed link: every session ends, throttles on the
   * account are lifted, and a locked account is unlocked (a frozen or suspended
   * one stays as it is).
   */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    const passwordHash = await this.hasher.hash(newPassword);
    await this.dataSource.transaction(async (manager) => {
      const userId = await this.tokens.consume(manager, token, 'password_reset');
      if (!userId) {
        throw invalidLink('password reset');
      }
      const user = await this.status.lockUser(manager, userId);
      if (user.status === 'deleting') {
        throw invalidLink('password reset');
      }
      await userRows.setPasswordHash(manager, userId, passwordHash);
      await this.throttle.clear(
        manager,
        throttleKeys.passwordByAccount(userId),
        throttleKeys.codeByAccount(userId),
      );
      if (user.status === 'locked') {
        await this.status.change(manager, user, 'active', {
          cause: 'password_reset',
          reason: 'You chose a new password, so your account is unlocked.',
        });
      }
      await actionTokenRows.useAllOf(manager, userId, this.clock.now());
      await this.status.endSessions(manager, userId);
      await this.outbox.add(manager, passwordChangedV1, userId, { userId });
    });
  }

  /** The owner's link from the throttling email: log-ins from new devices may go on at once. */
  async unlock(token: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const userId = await this.tokens.consume(manager, token, 'unlock');
      if (!userId) {
        throw invalidLink('unlock');
      }
      await this.throttle.clear(manager, throttleKeys.passwordByAccount(userId));
    });
  }

  /**
   * “This log-in was not me”: the account locks at once, every session ends, that
   * device is trusted no more, and the user is emailed how to recover (a password
   * reset unlocks it).
   */
  async notMe(userId: string, loginId: string): Promise<UserEntity> {
    return this.dataSource.transaction(async (manager) => {
      const login = await this.history.find(manager, userId, loginId);
      if (!login) {
        throw ProblemError.notFound('No such log-in on your account.');
      }
      const user = await this.status.lockUser(manager, userId);
      await this.history.distrust(manager, userId, login.deviceKey);
      if (user.status === 'active') {
        await this.status.change(manager, user, 'locked', {
          cause: 'not_me',
          reason:
            'You told us a log-in was not you, so we locked your account and ended every session.',
        });
      }
      return user;
    });
  }
}
