import request from 'supertest';
import type { Problem } from '@fluxnote/contracts';
import type { Platform } from '../../tools/launcher/platform';
import { startPlatformUnderTest } from './platform-under-test';

jest.setTimeout(120_000);

interface Session {
  accessToken: string;
  user: { id: string };
}

/**
 * Rate limits through the gateway, on the product's default limits (uploads lowered to keep the
 * suite short): each limit refuses the next request with 429, problem+json and Retry-After, counts
 * per address, user or email as `rate-limit-policy.ts` says, and leaves everyone else alone.
 */
describe('rate limits beyond log-in', () => {
  let platform: Platform;
  let stop: () => Promise<void>;
  let api: ReturnType<typeof request>;
  const from = (ip: string) => ({ 'x-forwarded-for': ip, 'user-agent': 'FluxNote Web 5.0' });
  const password = 'a long enough password';
  let n = 0;

  beforeAll(async () => {
    ({ platform, stop } = await startPlatformUnderTest('e2e_rates', {
      RATE_LIMITS: 'uploads-by-user=3/3600',
      LOGIN_CODE_RATE_LIMITS: '',
      TRUSTED_PROXIES: 'loopback',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
    }));
    api = request(platform.gatewayUrl);
  });

  afterAll(async () => {
    await stop?.();
  });

  const freshEmail = () => `rate-${++n}-${Date.now()}@example.com`;
  const signUp = (ip: string, email = freshEmail()) =>
    api.post('/v1/auth/signup').set(from(ip)).send({ email, password });

  function expectRefused(response: request.Response, what: RegExp): void {
    expect(response.status).toBe(429);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    const problem = response.body as Problem;
    expect(problem).toMatchObject({ type: expect.stringContaining('rate-limited'), status: 429 });
    expect(problem.detail).toMatch(what);
  }

  it('takes ten sign-ups an hour from one address, and still takes them from another', async () => {
    for (let i = 0; i < 10; i++) {
      await signUp('203.0.113.10').expect(201);
    }
    expectRefused(await signUp('203.0.113.10'), /sign-ups from your network/);
    await signUp('203.0.113.11').expect(201);
  });

  it('takes five reset requests an hour for one email, from any address', async () => {
    const email = freshEmail();
    await signUp('203.0.113.20', email).expect(201);
    for (let i = 0; i < 5; i++) {
      await api
        .post('/v1/auth/password/forgot')
        .set(from(`198.51.100.${i + 1}`))
        .send({ email })
        .expect(202);
    }
    const refused = await api
      .post('/v1/auth/password/forgot')
      .set(from('198.51.100.77'))
      .send({ email: email.toUpperCase() })
      .expect(429);
    expectRefused(refused, /password reset requests for this email/);
    // bad input is still the caller's error, not counted against anyone
    await api.post('/v1/auth/password/forgot').set(from('198.51.100.77')).send({}).expect(400);
    await api
      .post('/v1/auth/password/forgot')
      .set(from('198.51.100.77'))
      .send({ email: 'someone-else@example.com' })
      .expect(202);
  });

  it('emails five log-in codes per account in fifteen minutes, then answers 429 before a sixth', async () => {
    const email = freshEmail();
    await signUp('8.8.8.8', email).expect(201);
    for (let i = 0; i < 5; i++) {
      await api
        .post('/v1/auth/login')
        .set(from('49.44.0.1'))
        .send({ email, password, deviceId: `laptop-${i}` })
        .expect(202);
    }
    const refused = await api
      .post('/v1/auth/login')
      .set(from('49.44.0.1'))
      .send({ email, password, deviceId: 'laptop-6' });
    expectRefused(refused, /log-in codes sent for this account/);
    // the browser it signed up with still logs in: no code is needed there
    await api.post('/v1/auth/login').set(from('8.8.8.8')).send({ email, password }).expect(200);
  });

  it('takes ten new tickets an hour per user, and a second user is not held back', async () => {
    const user = (await signUp('203.0.113.30').expect(201)).body as Session;
    const other = (await signUp('203.0.113.31').expect(201)).body as Session;
    const open = (who: Session) =>
      api
        .post('/v1/support/tickets')
        .set('authorization', `Bearer ${who.accessToken}`)
        .set(from('203.0.113.30'))
        .send({ channel: 'email', subject: 'Help', body: 'My video looks wrong, please help.' });
    for (let i = 0; i < 10; i++) {
      await open(user).expect(201);
    }
    expectRefused(await open(user), /new support tickets from your account/);
    await open(other).expect(201);
  });

  it('takes the uploads an account is allowed, then refuses the next one', async () => {
    const user = (await signUp('203.0.113.40').expect(201)).body as Session;
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(6000, 0x33)]);
    const upload = () =>
      api
        .post('/v1/face-identities?name=Me')
        .set('authorization', `Bearer ${user.accessToken}`)
        .set('content-type', 'image/jpeg')
        .send(photo);
    for (let i = 0; i < 3; i++) {
      await upload().expect(201);
    }
    expectRefused(await upload(), /uploads from your account/);
  });
});
