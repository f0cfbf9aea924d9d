import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { expectEventually, problemOf } from '@fluxnote/testing';
import { randomUUID } from 'node:crypto';
import type { SecretPurpose as SealedPurpose } from '@fluxnote/contracts';
import { SealedSecretRefused, type SecretOpener } from '@fluxnote/platform';
import {
  openAccountsTestbed,
  testSecretOpener,
  type AccountsServices,
} from '../testing/accounts-services';
import type { LoginClient } from './login-history';
import { loginClient } from './login-history';
import type { LoginResult } from './login.service';

const US = '8.8.8.8';
const GB = '81.2.69.142';
const IN = '49.44.0.1';

describe('log-in security (Postgres)', () => {
  let dataSource: DataSource;
  let services: AccountsServices;
  let close: () => Promise<void>;
  let opener: SecretOpener;
  const clock = new FixedClock(new Date('2026-11-02T09:00:00Z'));
  let n = 0;

  beforeAll(async () => {
    ({ dataSource, services, close } = await openAccountsTestbed('logins', clock));
    opener = await testSecretOpener();
  });

  afterAll(async () => {
    await close();
  });

  const device = (id: string, ip = US): LoginClient =>
    loginClient({ ip, country: '', deviceId: id, userAgent: 'FluxNote iOS 3.2' });

  async function signUp(client = device('phone')): Promise<{ id: string; email: string }> {
    const email = `user${++n}@example.com`;
    const session = await services.identity.signUp({
      email,
      password: 'correct horse battery',
      brand: 'fluxnote',
      country: 'US',
      client,
    });
    return { id: session.user.id, email };
  }

  async function events(type: string, userId: string): Promise<Record<string, unknown>[]> {
    const rows = await dataSource.query<{ envelope: { data: Record<string, unknown> } }[]>(
      `SELECT envelope FROM accounts.outbox WHERE envelope->>'type' = $1 AND key = $2 ORDER BY seq`,
      [type, userId],
    );
    return rows.map((r) => r.envelope.data);
  }

  function challengeOf(result: LoginResult): string {
    if (result.kind !== 'challenge') {
      throw new Error(`expected a challenge, got ${result.kind}`);
    }
    return result.challengeId;
  }

  /** The secret an event carries, opened as notifications opens it (sealed for that user and use). */
  function opened(event: Record<string, unknown>, field: string, purpose: SealedPurpose) {
    return opener.open(String(event[field]), { userId: String(event['userId']), purpose });
  }

  async function codeFor(userId: string, challengeId: string): Promise<string> {
    const sent = await events('accounts.login.challenged.v2', userId);
    const event = sent.find((e) => e['challengeId'] === challengeId);
    expect(event).not.toHaveProperty('code');
    return opened(event!, 'sealedCode', 'login_code');
  }

  it('knows the country of an address (geoip) and keys devices by id, else user agent', () => {
    expect(device('a', GB).country).toBe('GB');
    expect(device('a', IN).country).toBe('IN');
    expect(device('a', '127.0.0.1').country).toBeNull();
    expect(device('a').deviceKey).not.toBe(device('b').deviceKey);
    const web = (ua: string): LoginClient =>
      loginClient({ ip: US, country: '', deviceId: '', userAgent: ua });
    expect(web('Firefox').deviceKey).toBe(web('Firefox').deviceKey);
    expect(web('Firefox').deviceKey).not.toBe(web('Chrome').deviceKey);
  });

  it('lets the sign-up device in and emails a code to a new device, which it then trusts', async () => {
    const user = await signUp();
    const known = await services.logins.logIn(user.email, 'correct horse battery', device('phone'));
    expect(known.kind).toBe('session');

    const challengeId = challengeOf(
      await services.logins.logIn(user.email, 'correct horse battery', device('laptop')),
    );
    const code = await codeFor(user.id, challengeId);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = code === '000000' ? '111111' : '000000';
    const problem = await problemOf(services.logins.verifyCode(challengeId, wrong, device('x')));
    expect(problem).toMatchObject({ status: 401, type: 'wrong-code', attemptsLeft: 4 });

    const session = await services.logins.verifyCode(challengeId, code, device('x'));
    expect(session.user.id).toBe(user.id);
    // used once only
    expect(
      (await problemOf(services.logins.verifyCode(challengeId, code, device('laptop')))).type,
    ).toBe('challenge-expired');
    // the laptop is trusted now
    const again = await services.logins.logIn(
      user.email,
      'correct horse battery',
      device('laptop'),
    );
    expect(again.kind).toBe('session');

    const logins = await services.history.recent(user.id, 10);
    expect(logins.map((l) => l.outcome)).toEqual([
      'succeeded',
      'verified',
      'wrong_code',
      'challenged',
      'succeeded',
      'signed_up',
    ]);
    expect(logins[0]).toMatchObject({ country: 'US', ip: US, device: 'FluxNote iOS 3.2' });
  });

  it('asks for a code from a known device in a country the user has not logged in from', async () => {
    const user = await signUp();
    const result = await services.logins.logIn(
      user.email,
      'correct horse battery',
      device('phone', GB),
    );
    const challengeId = challengeOf(result);
    const sent = await events('accounts.login.challenged.v2', user.id);
    expect(sent.at(-1)).toMatchObject({ challengeId, country: 'GB' });
    await services.logins.verifyCode(challengeId, await codeFor(user.id, challengeId), device('x'));
    // Britain is usual now
    expect(
      (await services.logins.logIn(user.email, 'correct horse battery', device('phone', GB))).kind,
    ).toBe('session');
  });

  it('emails at most five codes per account in fifteen minutes, then answers 429 before making one', async () => {
    const user = await signUp();
    for (let i = 0; i < 5; i++) {
      challengeOf(
        await services.logins.logIn(user.email, 'correct horse battery', device(`new-${i}`, GB)),
      );
    }
    const refused = await problemOf(
      services.logins.logIn(user.email, 'correct horse battery', device('new-6', GB)),
    );
    expect(refused).toMatchObject({ status: 429, type: 'rate-limited' });
    expect(refused['retryAfter']).toBeGreaterThan(800);
    expect(refused['retryAfter']).toBeLessThanOrEqual(900);
    expect(await events('accounts.login.challenged.v2', user.id)).toHaveLength(5);
    const [{ n }] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM accounts.login_challenges WHERE user_id = $1`,
      [user.id],
    );
    expect(n).toBe(5);
    // the counters hold no address or id in clear
    const keys = await dataSource.query<{ key: string }[]>(`SELECT key FROM accounts.rate_limits`);
    expect(JSON.stringify(keys)).not.toMatch(new RegExp(`${user.id}|${GB.replace(/\./g, '\\.')}`));
  });

  it('lets a code live ten minutes and five tries', async () => {
    const user = await signUp();
    const first = challengeOf(
      await services.logins.logIn(user.email, 'correct horse battery', device('tablet')),
    );
    clock.advance(10 * 60_000 + 1);
    expect(
      (
        await problemOf(
          services.logins.verifyCode(first, await codeFor(user.id, first), device('x')),
        )
      ).type,
    ).toBe('challenge-expired');

    const second = challengeOf(
      await services.logins.logIn(user.email, 'correct horse battery', device('tablet')),
    );
    const code = await codeFor(user.id, second);
    const wrong = code === '999999' ? '888888' : '999999';
    for (let left = 4; left >= 0; left--) {
      expect(await problemOf(services.logins.verifyCode(second, wrong, device('x')))).toMatchObject(
        { type: 'wrong-code', attemptsLeft: left },
      );
    }
    expect((await problemOf(services.logins.verifyCode(second, code, device('x')))).type).toBe(
      'challenge-expired',
    );
  });

  it('throttles one address before any account, with 429 and Retry-After, leaving other addresses alone', async () => {
    const victims = [await signUp(), await signUp(), await signUp(), await signUp()];
    const attacker = device('bot', '203.0.113.7');
    for (let i = 0; i < 20; i++) {
      const problem = await problemOf(
        services.logins.logIn(victims[i % 4].email, 'wrong password', attacker),
      );
      expect(problem.status).toBe(401);
    }
    const blocked = await problemOf(
      services.logins.logIn(victims[0].email, 'correct horse battery', attacker),
    );
    expect(blocked).toMatchObject({ status: 429, type: 'too-many-attempts', retryAfter: 900 });
    // five failures per account were spread over four accounts: none of them is paused
    expect(
      (await services.logins.logIn(victims[0].email, 'correct horse battery', device('phone')))
        .kind,
    ).toBe('session');
    clock.advance(900_000);
    expect(
      (await problemOf(services.logins.logIn(victims[1].email, 'wrong password', attacker))).status,
    ).toBe(401);
  });

  it('pauses new devices on an account after five failures, escalating, while the owner’s device and unlock link still work', async () => {
    const user = await signUp();
    const fromAnywhere = (i: number): LoginClient => device(`bot-${i}`, `198.51.100.${i}`);
    for (let i = 0; i < 5; i++) {
      expect(
        (await problemOf(services.logins.logIn(user.email, 'guess ' + i, fromAnywhere(i)))).status,
      ).toBe(401);
    }
    const paused = await problemOf(
      services.logins.logIn(user.email, 'correct horse battery', fromAnywhere(9)),
    );
    expect(paused).toMatchObject({ status: 429, retryAfter: 60 });
    // the owner's phone is counted apart: not locked out
    expect(
      (await services.logins.logIn(user.email, 'correct horse battery', device('phone'))).kind,
    ).toBe('session');

    // escalation: the next lockout is twice as long
    clock.advance(60_000);
    for (let i = 10; i < 15; i++) {
      await problemOf(services.logins.logIn(user.email, 'guess', fromAnywhere(i)));
    }
    expect(
      await problemOf(services.logins.logIn(user.email, 'correct horse battery', fromAnywhere(20))),
    ).toMatchObject({ status: 429, retryAfter: 120 });

    // each lockout emailed one unlock link; the owner uses the latest on a new laptop
    const throttled = await events('accounts.login.throttled.v2', user.id);
    expect(throttled).toHaveLength(2);
    await services.recovery.unlock(await opened(throttled[1], 'sealedUnlockToken', 'unlock_token'));
    expect(
      (await services.logins.logIn(user.email, 'correct horse battery', device('new-laptop'))).kind,
    ).toBe('challenge');
    expect(
      (await problemOf(services.recovery.unlock(String(throttled[1]['unlockToken'])))).status,
    ).toBe(400);
  });

  it('counts wrong codes apart from wrong passwords', async () => {
    const user = await signUp();
    for (let round = 0; round < 2; round++) {
      const challengeId = challengeOf(
        await services.logins.logIn(user.email, 'correct horse battery', device(`d${round}`)),
      );
      const code = await codeFor(user.id, challengeId);
      for (let i = 0; i < 5; i++) {
        await problemOf(
          services.logins.verifyCode(
            challengeId,
            code === '123456' ? '654321' : '123456',
            device('x'),
          ),
        );
      }
    }
    // ten wrong codes pause codes for the account…
    const third = challengeOf(
      await services.logins.logIn(user.email, 'correct horse battery', device('d3')),
    );
    expect(
      await problemOf(
        services.logins.verifyCode(third, await codeFor(user.id, third), device('d3')),
      ),
    ).toMatchObject({ status: 429, retryAfter: 300 });
    // …but passwords still pass from the trusted device
    expect(
      (await services.logins.logIn(user.email, 'correct horse battery', device('phone'))).kind,
    ).toBe('session');
  });

  it('resets a password by emailed link once, ends every session, and never reveals whether an email has an account', async () => {
    const user = await signUp();
    const before = await services.logins.logIn(
      user.email,
      'correct horse battery',
      device('phone'),
    );
    if (before.kind !== 'session') {
      throw new Error('expected a session');
    }
    await services.recovery.forgotPassword('nobody@example.com');
    await services.recovery.forgotPassword(user.email.toUpperCase());
    await services.recovery.forgotPassword(user.email); // within a minute: no second email
    const links = await events('accounts.password.reset_requested.v2', user.id);
    expect(links).toHaveLength(1);
    // sealed for this user's reset only: not a code, not another user's
    await expect(
      opener.open(String(links[0]['sealedResetToken']), {
        userId: user.id,
        purpose: 'login_code',
      }),
    ).rejects.toThrow(SealedSecretRefused);
    await expect(
      opener.open(String(links[0]['sealedResetToken']), {
        userId: randomUUID(),
        purpose: 'reset_token',
      }),
    ).rejects.toThrow(SealedSecretRefused);

    await services.recovery.resetPassword(
      await opened(links[0], 'sealedResetToken', 'reset_token'),
      'a brand new secret',
    );
    expect((await problemOf(services.sessions.rotate(before.session.refreshToken))).status).toBe(
      401,
    );
    expect(
      (await problemOf(services.logins.logIn(user.email, 'correct horse battery', device('phone'))))
        .status,
    ).toBe(401);
    expect(
      (await services.logins.logIn(user.email, 'a brand new secret', device('phone'))).kind,
    ).toBe('session');
    expect(
      (
        await problemOf(
          services.recovery.resetPassword(String(links[0]['resetToken']), 'another one!'),
        )
      ).type,
    ).toBe('invalid-link');
    expect(await events('accounts.password.changed.v1', user.id)).toHaveLength(1);
  });

  it('locks the account on “not me”, ends every session at once, and a password reset unlocks it', async () => {
    const user = await signUp();
    const other = await signUp();
    const own = await services.logins.logIn(user.email, 'correct horse battery', device('phone'));
    const thief = challengeOf(
      await services.logins.logIn(user.email, 'correct horse battery', device('thief', IN)),
    );
    const stolen = await services.logins.verifyCode(
      thief,
      await codeFor(user.id, thief),
      device('x'),
    );
    const theirLogin = (await services.history.recent(user.id, 1))[0];
    expect(theirLogin).toMatchObject({ outcome: 'verified', country: 'IN' });

    // someone else cannot report it
    expect((await problemOf(services.recovery.notMe(other.id, theirLogin.id))).status).toBe(404);

    const seq = (await services.sessions.revocationsAfter(0)).at(-1)?.seq ?? 0;
    const locked = await services.recovery.notMe(user.id, theirLogin.id);
    expect(locked.status).toBe('locked');
    const ended = await services.sessions.revocationsAfter(seq);
    if (own.kind !== 'session') {
      throw new Error('expected a session');
    }
    expect(ended.map((r) => r.userId)).toEqual([user.id, user.id, user.id]);
    expect((await problemOf(services.sessions.rotate(stolen.refreshToken))).status).toBe(401);
    expect((await problemOf(services.sessions.rotate(own.session.refreshToken))).status).toBe(401);
    expect(
      await problemOf(services.logins.logIn(user.email, 'correct horse battery', device('phone'))),
    ).toMatchObject({ status: 423, type: 'account-locked' });
    // reporting again changes nothing more
    await services.recovery.notMe(user.id, theirLogin.id);
    const changes = await events('accounts.user.status_changed.v1', user.id);
    expect(changes).toEqual([expect.objectContaining({ status: 'locked', cause: 'not_me' })]);

    await services.recovery.forgotPassword(user.email);
    const [link] = await events('accounts.password.reset_requested.v2', user.id);
    await services.recovery.resetPassword(
      await opened(link, 'sealedResetToken', 'reset_token'),
      'mine again, truly',
    );
    expect((await services.identity.getUser(user.id)).status).toBe('active');
    expect((await events('accounts.user.status_changed.v1', user.id)).at(-1)).toMatchObject({
      status: 'active',
      cause: 'password_reset',
    });
    // the thief's device is not trusted any more: even with the new password it needs a code
    expect(
      (await services.logins.logIn(user.email, 'mine again, truly', device('thief', IN))).kind,
    ).toBe('challenge');
  });

  it('ends the whole session family when a rotated refresh token is used again', async () => {
    const user = await signUp();
    const first = await services.logins.logIn(user.email, 'correct horse battery', device('phone'));
    if (first.kind !== 'session') {
      throw new Error('expected a session');
    }
    const seq = (await services.sessions.revocationsAfter(0)).at(-1)?.seq ?? 0;
    const second = await services.sessions.rotate(first.session.refreshToken);
    expect((await problemOf(services.sessions.rotate(first.session.refreshToken))).status).toBe(
      401,
    );
    expect((await problemOf(services.sessions.rotate(second.refreshToken))).status).toBe(401);
    expect((await services.sessions.revocationsAfter(seq)).map((r) => r.userId)).toEqual([user.id]);
  });
  it('a log-in while the account is being purged is refused whole and writes nothing', async () => {
    const user = await signUp();
    // The purge deletes the account row in its transaction…
    const purge = dataSource.createQueryRunner();
    await purge.connect();
    await purge.startTransaction();
    await purge.query(`DELETE FROM accounts.users WHERE id = $1`, [user.id]);
    // …while a log-in with the right password gets as far as recording itself, and waits.
    const attempt = problemOf(
      services.logins.logIn(user.email, 'correct horse battery', device('phone')),
    );
    await expectEventually(async () => {
      const [row] = await dataSource.query<{ waiting: number }[]>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%FROM accounts.users WHERE id = $1 FOR KEY SHARE%'`,
      );
      expect(row?.waiting).toBe(1);
    });
    await purge.commitTransaction();
    await purge.release();
    expect(await attempt).toMatchObject({ status: 423, type: 'account-deleting' });
    expect(
      await dataSource.query(`SELECT 1 FROM accounts.logins WHERE user_id = $1`, [user.id]),
    ).toEqual([]);
  });
});
