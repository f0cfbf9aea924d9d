import { Injectable } from '@nestjs/common';
import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { loginChallengedV2, loginThrottledV2, ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { SecretSealer } from '@fluxnote/platform';
import { Sessions, type SessionView } from '../sessions/sessions';
import { assertActive } from '../users/account-status';
import { PasswordHasher } from '../users/password-hasher';
import { mayHoldSession, UserEntity } from '../users/user.entity';
import { ActionTokens } from './action-tokens';
import { CodeSendLimits } from './code-send-limits';
import { LoginHistory, type LoginClient } from './login-history';
import { LoginThrottle, throttleKeys } from './login-throttle';
import { accountCounterFor, throttlePolicies } from './login.rules';
import { userRows } from '../users/users.repository';
import { challengeRows } from './login-challenges.repository';

export type LoginResult =
  | { kind: 'session'; session: SessionView }
  | { kind: 'challenge'; challengeId: string; expiresAt: Date };

const CODE_TTL_MS = 10 * 60_000;
const CODE_ATTEMPTS = 5;
const UNLOCK_LINK_TTL_MS = 24 * 60 * 60_000;

const codeHash = (challengeId: string, code: string): Buffer =>
  createHash('sha256').update(`${challengeId}:${code}`).digest();

const invalidCredentials = (): ProblemError =>
  new ProblemError({
    type: 'invalid-credentials',
    title: 'Invalid credentials',
    status: 401,
    detail: 'The email or password is not right.',
  });

/**
 * Log-in with password, judged for risk: throttled per address first, then per
 * account (new devices) or per trusted device; a new device or an unusual
 * country gets a six-digit code by email before any session exists.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: Sessions,
    private readonly history: LoginHistory,
    private readonly throttle: LoginThrottle,
    private readonly tokens: ActionTokens,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly sealer: SecretSealer,
    private readonly codeSends: CodeSendLimits,
  ) {}

  async logIn(email: string, password: string, client: LoginClient): Promise<LoginResult> {
    const addressKey = throttleKeys.passwordByAddress(client.ip ?? 'unknown');
    await this.throttle.assertOpen(addressKey, 'log-in attempts from your network');
    const user = await userRows.byEmail(this.dataSource, email.trim().toLowerCase());
    const trusted = user ? await this.history.isTrustedDevice(user.id, client.deviceKey) : false;
    const { counter, policy: accountPolicy } = accountCounterFor(user !== null, trusted);
    const accountKey = !user
      ? throttleKeys.passwordByUnknownEmail(email)
      : counter === 'passwordByTrustedDevice'
        ? throttleKeys.passwordByTrustedDevice(user.id, client.deviceKey)
        : throttleKeys.passwordByAccount(user.id);
    await this.throttle.assertOpen(accountKey, 'log-in attempts for this account');

    if (!(await this.hasher.verify(user?.passwordHash ?? null, password)) || !user) {
      await this.dataSource.transaction(async (manager) => {
        await this.throttle.fail(manager, addressKey, throttlePolicies.passwordByAddress);
        const outcome = await this.throttle.fail(manager, accountKey, accountPolicy);
        if (user) {
          await this.history.record(manager, user.id, client, 'wrong_password');
          if (outcome.lockedUntil && !trusted) {
            // The owner can lift the pause at once from their inbox.
            const unlock = await this.tokens.issue(manager, user.id, 'unlock', UNLOCK_LINK_TTL_MS);
            await this.outbox.add(manager, loginThrottledV2, user.id, {
              userId: user.id,
              sealedUnlockToken: await this.sealer.seal(unlock.token, {
                userId: user.id,
                purpose: 'unlock_token',
              }),
              lockedUntil: outcome.lockedUntil.toISOString(),
              failures: outcome.failures,
            });
          }
        }
      });
      throw invalidCredentials();
    }
    return this.admit(user, client, trusted, [accountKey]);
  }

  /**
   * The judgement after the person proved who they are (password, or a Google
   * token): a blocked account stays shut, a new device or an unusual country
   * gets the emailed code, anything else a session. `clearKeys` are the
   * throttle counters a success resets.
   */
  async admit(
    user: UserEntity,
    client: LoginClient,
    trustedDevice: boolean,
    clearKeys: string[] = [],
  ): Promise<LoginResult> {
    if (!mayHoldSession(user)) {
      await this.dataSource.transaction((m) => this.history.record(m, user.id, client, 'refused'));
      assertActive(user);
    }
    if (await this.history.needsCode(user.id, client, trustedDevice)) {
      return this.challenge(user, client);
    }
    const session = await this.dataSource.transaction(async (manager) => {
      await this.throttle.clear(manager, ...clearKeys);
      await this.history.record(manager, user.id, client, 'succeeded');
      return this.sessions.open(manager, user);
    });
    return { kind: 'session', session };
  }

  async verifyCode(challengeId: string, code: string, client: LoginClient): Promise<SessionView> {
    const addressKey = throttleKeys.codeByAddress(client.ip ?? 'unknown');
    await this.throttle.assertOpen(addressKey, 'code attempts from your network');
    const expired = new ProblemError({
      type: 'challenge-expired',
      title: 'Code expired',
      status: 401,
      detail: 'This code is no longer valid. Log in again to get a new one.',
    });
    const challengedUser = await challengeRows.userOf(this.dataSource, challengeId);
    if (!challengedUser) {
      throw expired;
    }
    const accountKey = throttleKeys.codeByAccount(challengedUser);
    await this.throttle.assertOpen(accountKey, 'code attempts for this account');

    const outcome = await this.dataSource.transaction(async (manager) => {
      const row = (await challengeRows.lock(manager, challengeId))!;
      if (row.completedAt || row.attempts >= CODE_ATTEMPTS || row.expiresAt <= this.clock.now()) {
        return { kind: 'expired' as const };
      }
      // The session goes to the device that answered the password, as recorded then.
      const challenged = row.client;
      const given = codeHash(challengeId, code);
      if (!/^\d{6}$/.test(code) || !timingSafeEqual(given, Buffer.from(row.codeHash, 'hex'))) {
        await challengeRows.countAttempt(manager, challengeId);
        await this.throttle.fail(manager, addressKey, throttlePolicies.codeByAddress);
        await this.throttle.fail(manager, accountKey, throttlePolicies.codeByAccount);
        await this.history.record(manager, row.userId, challenged, 'wrong_code');
        return { kind: 'wrong' as const, attemptsLeft: CODE_ATTEMPTS - row.attempts - 1 };
      }
      await challengeRows.complete(manager, challengeId, this.clock.now());
      const user = (await userRows.find(manager, row.userId))!;
      if (!mayHoldSession(user)) {
        return { kind: 'blocked' as const, user };
      }
      await this.throttle.clear(manager, accountKey, throttleKeys.passwordByAccount(user.id));
      await this.history.record(manager, user.id, challenged, 'verified');
      return { kind: 'session' as const, session: await this.sessions.open(manager, user) };
    });
    switch (outcome.kind) {
      case 'expired':
        throw expired;
      case 'wrong':
        throw new ProblemError({
          type: 'wrong-code',
          title: 'Wrong code',
          status: 401,
          detail:
            outcome.attemptsLeft > 0
              ? `That code is not right. ${outcome.attemptsLeft} attempt${outcome.attemptsLeft === 1 ? '' : 's'} left.`
              : 'That code is not right, and it was the last attempt. Log in again to get a new code.',
          attemptsLeft: outcome.attemptsLeft,
        });
      case 'blocked':
        assertActive(outcome.user);
        throw expired;
      case 'session':
        return outcome.session;
    }
  }

  private async challenge(user: UserEntity, client: LoginClient): Promise<LoginResult> {
    await this.codeSends.take(user.id, client.ip);
    const challengeId = randomUUID();
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
    const sealedCode = await this.sealer.seal(code, { userId: user.id, purpose: 'login_code' });
    await this.dataSource.transaction(async (manager) => {
      await challengeRows.insert(
        manager,
        {
          id: challengeId,
          userId: user.id,
          codeHash: codeHash(challengeId, code).toString('hex'),
          client,
          expiresAt,
        },
        now,
      );
      await this.history.record(manager, user.id, client, 'challenged');
      await this.outbox.add(manager, loginChallengedV2, user.id, {
        userId: user.id,
        challengeId,
        sealedCode,
        expiresAt: expiresAt.toISOString(),
        country: client.country,
        device: client.device,
      });
    });
    return { kind: 'challenge', challengeId, expiresAt };
  }
}
