import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { IdTokenIssuerDouble, problemOf } from '@fluxnote/testing';
import {
  openAccountsTestbed,
  testAccountsConfig,
  type AccountsServices,
} from '../testing/accounts-services';
import { GoogleIdTokens } from './google-id-tokens';
import { loginClient, type LoginClient } from './login-history';
import type { LoginResult } from './login.service';

const CLIENT_ID = 'fluxnote-web.apps.googleusercontent.test';
const US = '8.8.8.8';

describe('Google sign-in (Postgres, a local identity provider)', () => {
  let google: IdTokenIssuerDouble;
  let dataSource: DataSource;
  let services: AccountsServices;
  let close: () => Promise<void>;
  const clock = new FixedClock(new Date('2026-11-03T09:00:00Z'));
  let n = 0;

  beforeAll(async () => {
    google = await IdTokenIssuerDouble.start();
    ({ dataSource, services, close } = await openAccountsTestbed('google', clock, {
      GOOGLE_CLIENT_IDS: `other-app.test, ${CLIENT_ID}`,
      GOOGLE_ISSUERS: google.issuer,
      GOOGLE_JWKS_URL: google.jwksUrl,
    }));
  });

  afterAll(async () => {
    await close();
    await google.stop();
  });

  const device = (id: string, ip = US): LoginClient =>
    loginClient({ ip, country: '', deviceId: id, userAgent: 'FluxNote Android 4.1' });

  const person = () => {
    n += 1;
    return { sub: `10442${n}8877`, email: `Person${n}@Gmail.test` };
  };

  const token = (claims: Parameters<IdTokenIssuerDouble['sign']>[0], ttlSeconds?: number) =>
    google.sign(claims, { audience: CLIENT_ID, now: clock.now(), ttlSeconds });

  const signIn = async (idToken: string, client = device('pixel')): Promise<LoginResult> =>
    services.google.signIn(idToken, 'fluxnote', client);

  const userRow = async (email: string) =>
    (
      await dataSource.query<
        { id: string; password_hash: string | null; google_subject: string | null }[]
      >(`SELECT id, password_hash, google_subject FROM accounts.users WHERE email = $1`, [email])
    )[0];

  it('creates an account for a new Google user, trusts the device it signed in on, and lets it back in', async () => {
    const who = person();
    const first = await signIn(await token(who));
    expect(first.kind).toBe('session');
    const row = await userRow(who.email.toLowerCase());
    expect(row).toMatchObject({ password_hash: null, google_subject: who.sub });

    const again = await signIn(await token(who));
    expect(again).toMatchObject({ kind: 'session', session: { user: { id: row.id } } });
    // a new device is judged like any log-in: it needs the emailed code
    expect((await signIn(await token(who), device('tablet'))).kind).toBe('challenge');
  });

  it('links a Google account to the password account with its verified email, still asking a new device for the code', async () => {
    const who = person();
    const email = who.email.toLowerCase();
    await services.identity.signUp({
      email,
      password: 'correct horse battery',
      brand: 'fluxnote',
      country: 'US',
      client: device('laptop'),
    });
    const fromNewPhone = await signIn(await token(who), device('new-phone'));
    expect(fromNewPhone.kind).toBe('challenge');
    expect((await userRow(email))?.google_subject).toBe(who.sub);
    // from the device the owner already uses, Google lets them straight in; the password still works
    expect((await signIn(await token(who), device('laptop'))).kind).toBe('session');
    const byPassword = await services.logins.logIn(
      email,
      'correct horse battery',
      device('laptop'),
    );
    expect(byPassword.kind).toBe('session');
  });

  it('refuses an email account already linked to another Google account (409), and keeps a locked account shut (423)', async () => {
    const who = person();
    await signIn(await token(who));
    const impostor = await problemOf(
      signIn(await token({ sub: 'someone-else', email: who.email })),
    );
    expect(impostor).toMatchObject({ status: 409 });

    const row = await userRow(who.email.toLowerCase());
    await dataSource.transaction(async (m) =>
      services.status.change(m, await services.status.lockUser(m, row.id), 'locked', {
        cause: 'not_me',
        reason: 'Reported a log-in as not theirs.',
      }),
    );
    expect(await problemOf(signIn(await token(who)))).toMatchObject({ status: 423 });
  });

  it('rejects tokens that are expired, for another app, from another issuer, forged, unverified or malformed (401)', async () => {
    const who = person();
    const cases: [string, Promise<string>][] = [
      ['expired', token(who, -120)],
      ['another app', google.sign(who, { audience: 'someone-elses-app', now: clock.now() })],
      ['another issuer', token({ ...who, iss: 'https://evil.example' })],
      [
        'forged',
        IdTokenIssuerDouble.strangerKey().then((key) =>
          google.sign(who, { audience: CLIENT_ID, now: clock.now(), key }),
        ),
      ],
      ['unverified email', token({ ...who, email_verified: false })],
      ['no email', token({ sub: who.sub })],
      ['malformed', Promise.resolve('not.a.token')],
    ];
    for (const [name, idToken] of cases) {
      const problem = await problemOf(signIn(await idToken));
      expect({ name, status: problem.status, type: problem.type }).toEqual({
        name,
        status: 401,
        type: 'invalid-google-token',
      });
    }
    expect(await userRow(who.email.toLowerCase())).toBeUndefined();
  });

  it('answers 503 when the provider’s keys cannot be fetched, and 404 when Google sign-in is not configured', async () => {
    const config = (extra: Record<string, string>) =>
      testAccountsConfig({ DATABASE_URL: 'postgres://unused/db', ...extra });
    const unreachable = new GoogleIdTokens(
      clock,
      await config({
        GOOGLE_CLIENT_IDS: CLIENT_ID,
        GOOGLE_ISSUERS: google.issuer,
        GOOGLE_JWKS_URL: 'http://127.0.0.1:9/certs',
      }),
    );
    expect(await problemOf(unreachable.verify(await token(person())))).toMatchObject({
      status: 503,
      type: 'identity-provider-unavailable',
    });
    const disabled = new GoogleIdTokens(clock, await config({}));
    expect(await problemOf(disabled.verify(await token(person())))).toMatchObject({
      status: 404,
      type: 'google-sign-in-disabled',
    });
  });

  it('creates one account when the same Google user signs in twice at once', async () => {
    const who = person();
    const [a, b] = await Promise.all([signIn(await token(who)), signIn(await token(who))]);
    expect(a.kind).toBe('session');
    expect(b.kind).toBe('session');
    const rows = await dataSource.query<unknown[]>(
      `SELECT 1 FROM accounts.users WHERE google_subject = $1`,
      [who.sub],
    );
    expect(rows).toHaveLength(1);
  });
});
