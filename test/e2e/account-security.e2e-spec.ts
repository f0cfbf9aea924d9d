import { Client } from 'pg';
import request from 'supertest';
import { accountsV1, billingPaymentsV1, generationV1, type Problem } from '@fluxnote/contracts';
import {
  accountServiceSpecs,
  createGrpcClient,
  generationServiceSpecs,
  paymentServiceSpecs,
  type GrpcClientHandle,
} from '@fluxnote/grpc';
import { expectEventually, IdTokenIssuerDouble, problemOf } from '@fluxnote/testing';
import { Platform } from '../../tools/launcher/platform';
import { mailTo as mailToOf, startPlatformUnderTest, type Mail } from './platform-under-test';

jest.setTimeout(120_000);

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; status: string };
}

/** Log-in risk, throttling, recovery and “not me”, through the gateway, on the whole platform. */
describe('account security end to end', () => {
  let platform: Platform;
  let stop: (() => Promise<void>) | undefined;
  let api: ReturnType<typeof request>;
  let google: IdTokenIssuerDouble;
  const GOOGLE_CLIENT_ID = 'fluxnote-e2e.apps.googleusercontent.test';
  const handles: { close(): void }[] = [];

  /** A service's gRPC API, as support and the gateway call it. */
  function grpc<T>(
    name: 'accounts' | 'generation' | 'billing',
    spec: { package: string; file: string; service: string },
  ): GrpcClientHandle<T>['client'] {
    const handle = createGrpcClient<T>(spec, platform.grpcAddress(name), { deadlineMs: 5000 });
    handles.push(handle);
    return handle.client;
  }

  beforeAll(async () => {
    google = await IdTokenIssuerDouble.start();
    ({ platform, stop } = await startPlatformUnderTest('e2e_accounts', {
      TRUSTED_PROXIES: 'loopback',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
      REVOCATION_POLL_MS: '200',
      GOOGLE_CLIENT_IDS: GOOGLE_CLIENT_ID,
      GOOGLE_ISSUERS: google.issuer,
      GOOGLE_JWKS_URL: google.jwksUrl,
    }));
    api = request(platform.gatewayUrl);
  });

  afterAll(async () => {
    try {
      handles.forEach((h) => h.close());
      await stop?.();
    } finally {
      await google?.stop();
    }
  });

  const mailTo = (email: string, subject: RegExp): Promise<Mail> =>
    mailToOf(platform, email, subject);

  const from = (ip: string) => ({ 'x-forwarded-for': ip, 'user-agent': 'FluxNote Web 5.0' });
  let counter = 0;

  async function signUp(ip = '8.8.8.8'): Promise<Session & { email: string }> {
    const email = `secure${++counter}-${Date.now()}@example.com`;
    const response = await api
      .post('/v1/auth/signup')
      .set(from(ip))
      .send({ email, password: 'a long enough password' })
      .expect(201);
    return { ...(response.body as Session), email };
  }

  it('signs in with a Google ID token (creating the account), and refuses a forged or malformed one', async () => {
    const email = `google-${Date.now()}@gmail.test`;
    const idToken = await google.sign(
      { sub: `g-${Date.now()}`, email },
      { audience: GOOGLE_CLIENT_ID, now: new Date() },
    );
    const first = await api
      .post('/v1/auth/google')
      .set(from('8.8.8.8'))
      .send({ idToken })
      .expect(200);
    expect((first.body as Session).user.status).toBe('active');
    const me = await api
      .get('/v1/me')
      .set('authorization', `Bearer ${(first.body as Session).accessToken}`)
      .expect(200);
    expect(me.body).toMatchObject({ email, brand: 'fluxnote' });
    // the same browser again: straight in, to the same account
    const again = await api
      .post('/v1/auth/google')
      .set(from('8.8.8.8'))
      .send({ idToken })
      .expect(200);
    expect((again.body as Session).user.id).toBe((first.body as Session).user.id);

    const forged = await api
      .post('/v1/auth/google')
      .send({
        idToken: await google.sign(
          { sub: 'g-forged', email },
          {
            audience: GOOGLE_CLIENT_ID,
            now: new Date(),
            key: await IdTokenIssuerDouble.strangerKey(),
          },
        ),
      })
      .expect(401);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    expect((forged.body as Problem).type).toContain('invalid-google-token');
    await api.post('/v1/auth/google').send({}).expect(400);
  });

  it('asks a new country for the emailed code, lists the log-in, and “not me” locks out the intruder at once', async () => {
    const owner = await signUp();
    // same browser, same country: straight in
    await api
      .post('/v1/auth/login')
      .set(from('8.8.4.4'))
      .send({ email: owner.email, password: 'a long enough password' })
      .expect(200);

    // the intruder, from India, knows the password
    const challenge = await api
      .post('/v1/auth/login')
      .set(from('49.44.0.1'))
      .send({ email: owner.email, password: 'a long enough password', deviceId: 'intruder-1' })
      .expect(202);
    expect(challenge.body).toMatchObject({ status: 'verification_required' });
    const mail = await mailTo(owner.email, /log-in code/);
    const code = /(\d{6})/.exec(mail.subject)![1];
    expect(mail.text).toContain('in IN');
    const wrong = await api
      .post('/v1/auth/login/verify')
      .send({
        challengeId: challenge.body.challengeId,
        code: code === '000000' ? '000001' : '000000',
      })
      .expect(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.body.attemptsLeft).toBe(4);
    await api
      .post('/v1/auth/login/verify')
      .send({ challengeId: 'not-a-challenge', code })
      .expect(400);
    const intruder = (
      await api
        .post('/v1/auth/login/verify')
        .send({ challengeId: challenge.body.challengeId, code })
        .expect(200)
    ).body as Session;
    await api.get('/v1/me').set('authorization', `Bearer ${intruder.accessToken}`).expect(200);

    const logins = await api
      .get('/v1/account/logins')
      .set('authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    const items = (logins.body as { items: { id: string; outcome: string }[] }).items;
    const theirs = items[0];
    expect(theirs).toMatchObject({ outcome: 'verified', country: 'IN', ip: '49.44.0.1' });
    expect(items.map((l) => l.outcome)).toEqual([
      'verified',
      'wrong_code',
      'challenged',
      'succeeded',
      'signed_up',
    ]);

    // another user cannot see or report it
    const stranger = await signUp();
    await api
      .post(`/v1/account/logins/${theirs.id}/not-me`)
      .set('authorization', `Bearer ${stranger.accessToken}`)
      .expect(404);
    await api.get('/v1/account/logins').expect(401);

    const notMe = await api
      .post(`/v1/account/logins/${theirs.id}/not-me`)
      .set('authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    expect(notMe.body.status).toBe('locked');

    // every session ends at once: this gateway refuses their access tokens from the next request on
    const ended = await api
      .get('/v1/me')
      .set('authorization', `Bearer ${intruder.accessToken}`)
      .expect(401);
    expect(ended.body.type).toContain('session-ended');
    await api.get('/v1/me').set('authorization', `Bearer ${owner.accessToken}`).expect(401);
    await api.post('/v1/auth/refresh').send({ refreshToken: intruder.refreshToken }).expect(401);
    const locked = await api
      .post('/v1/auth/login')
      .set(from('8.8.4.4'))
      .send({ email: owner.email, password: 'a long enough password' })
      .expect(423);
    expect(locked.body.type).toContain('account-locked');
    const lockedMail = await mailTo(owner.email, /account is locked/);
    expect(lockedMail.text).toContain('Forgot password');

    // recovery: the emailed link sets a new password and unlocks
    await api.post('/v1/auth/password/forgot').send({ email: owner.email }).expect(202);
    await api.post('/v1/auth/password/forgot').send({ email: 'nobody@example.com' }).expect(202);
    const reset = await mailTo(owner.email, /Choose a new password/);
    const token = decodeURIComponent(/reset-password\?token=([^\s\]]+)/.exec(reset.text)![1]);
    await api.post('/v1/auth/password/reset').send({ token, newPassword: 'short' }).expect(400);
    await api
      .post('/v1/auth/password/reset')
      .send({ token, newPassword: 'my own account again' })
      .expect(204);
    await api
      .post('/v1/auth/password/reset')
      .send({ token, newPassword: 'my own account again' })
      .expect(400);
    const back = await api
      .post('/v1/auth/login')
      .set(from('8.8.4.4'))
      .send({ email: owner.email, password: 'my own account again' })
      .expect(200);
    expect(back.body.user.status).toBe('active');
    await mailTo(owner.email, /password was changed/);
  });

  it('answers 429 with Retry-After after repeated failures, and the unlock link lets the owner in', async () => {
    const owner = await signUp();
    for (let i = 0; i < 5; i++) {
      await api
        .post('/v1/auth/login')
        .set(from(`198.51.100.${i + 1}`))
        .send({ email: owner.email, password: 'not the password', deviceId: `bot-${i}` })
        .expect(401);
    }
    const paused = await api
      .post('/v1/auth/login')
      .set(from('198.51.100.99'))
      .send({ email: owner.email, password: 'a long enough password', deviceId: 'new-laptop' })
      .expect(429);
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(0);
    expect(paused.body.type).toContain('too-many-attempts');

    const mail = await mailTo(owner.email, /paused log-ins/);
    const token = decodeURIComponent(/unlock\?token=([^\s\]]+)/.exec(mail.text)![1]);
    await api.post('/v1/auth/unlock').send({ token }).expect(204);
    await api
      .post('/v1/auth/login')
      .set(from('198.51.100.99'))
      .send({ email: owner.email, password: 'a long enough password', deviceId: 'new-laptop' })
      .expect(202);
    await api.post('/v1/auth/unlock').send({ token }).expect(400);
    await api.post('/v1/auth/unlock').send({}).expect(400);
  });

  it('a freeze stops log-ins, jobs and billing changes in every service; a suspension leaves a session that can only appeal, once', async () => {
    const accounts = grpc<accountsV1.StandingServiceClient>(
      'accounts',
      accountServiceSpecs.standing,
    );
    const generation = grpc<generationV1.JobsServiceClient>(
      'generation',
      generationServiceSpecs.jobs,
    );
    // Billing as a caller from before its split by feature calls it (a gateway not yet upgraded):
    // the old service name is answered by the same handlers, refusals included.
    const payments = grpc<billingPaymentsV1.PaymentsServiceClient>(
      'billing',
      paymentServiceSpecs.legacy,
    );
    const admin = (
      await api
        .post('/v1/auth/login')
        .send({ email: platform.admin.email, password: platform.admin.password })
        .expect(200)
    ).body as Session;
    const member = await signUp();
    await api.get('/v1/usage').set('authorization', `Bearer ${member.accessToken}`).expect(200);

    // support freezes on a SECURITY ticket (over gRPC, as the support service will)
    const frozen = await accounts.freezeAccount({
      userId: member.user.id,
      actorId: admin.user.id,
      note: 'SECURITY: "someone changed my email"',
      ticketId: 'T-100',
    });
    expect(frozen.status).toBe('frozen');
    // a plain user cannot freeze anyone
    expect(
      (
        await problemOf(
          accounts.freezeAccount({
            userId: admin.user.id,
            actorId: member.user.id,
            note: '',
            ticketId: '',
          }),
        )
      ).status,
    ).toBe(403);
    // other services hear it by event and refuse new work even when called directly
    const job = {
      userId: member.user.id,
      model: 'wan-2.6',
      mode: 'text-to-video',
      prompt: 'a lighthouse at dawn',
    } as generationV1.SubmitJobRequest;
    // (probed with a prompt the safety check refuses: a try made before generation hears of the
    // freeze is refused too, and holds no credit the job after the unfreeze needs)
    const probe = { ...job, prompt: 'a man shooting a woman in the head' };
    await expectEventually(async () => {
      expect(await problemOf(generation.submitJob(probe))).toMatchObject({
        status: 423,
        type: 'account-frozen',
      });
    });
    // (billing hears the event on its own consumer, maybe a moment after generation)
    await expectEventually(async () => {
      expect(
        await problemOf(
          payments.buyCreditPack({
            userId: member.user.id,
            pack: 'video-10',
          } as billingPaymentsV1.BuyCreditPackRequest),
        ),
      ).toMatchObject({ status: 423 });
    });
    await expectEventually(async () => {
      await api.get('/v1/me').set('authorization', `Bearer ${member.accessToken}`).expect(401);
    });
    await api
      .post('/v1/auth/login')
      .set(from('8.8.8.8'))
      .send({ email: member.email, password: 'a long enough password' })
      .expect(423);
    await mailTo(member.email, /frozen/);

    await accounts.unfreezeAccount({
      userId: member.user.id,
      actorId: admin.user.id,
      note: 'owner confirmed by phone',
      ticketId: 'T-100',
    });
    let acceptedId = '';
    await expectEventually(async () => {
      const accepted = await generation.submitJob(job);
      expect(accepted.status).toBe('queued');
      acceptedId = accepted.id;
    });
    // A caller from before generation was split by feature (a gateway not yet upgraded) is
    // answered under the old service name, by the same handlers.
    const legacy = grpc<generationV1.GenerationServiceClient>(
      'generation',
      generationServiceSpecs.legacy,
    );
    expect(await legacy.getJob({ userId: member.user.id, jobId: acceptedId })).toMatchObject({
      id: acceptedId,
      status: expect.stringMatching(/queued|processing|succeeded/),
    });

    // suspension by an admin, through the gateway
    await api
      .post(`/v1/admin/users/${member.user.id}/suspend`)
      .set('authorization', `Bearer ${member.accessToken}`)
      .send({ rule: 'x', evidence: ['y'], reason: 'z' })
      .expect(401); // the freeze ended that session
    const suspended = await api
      .post(`/v1/admin/users/${member.user.id}/suspend`)
      .set('authorization', `Bearer ${admin.accessToken}`)
      .send({
        rule: 'Non-consensual imagery of real people',
        evidence: ['gen_01', 'gen_02'],
        reason: 'Repeated after two warnings.',
      })
      .expect(201);
    expect(suspended.body).toMatchObject({ evidence: ['gen_01', 'gen_02'], appeal: null });
    await api
      .post(`/v1/admin/users/${member.user.id}/suspend`)
      .set('authorization', `Bearer ${admin.accessToken}`)
      .send({ rule: '', evidence: [], reason: '' })
      .expect(400);
    const mail = await mailTo(member.email, /suspended/);
    expect(mail.text).toContain('Non-consensual imagery of real people');
    expect(mail.text).toContain('gen_01, gen_02');

    const restricted = (
      await api
        .post('/v1/auth/login')
        .set(from('8.8.8.8'))
        .send({ email: member.email, password: 'a long enough password' })
        .expect(200)
    ).body as Session;
    expect(restricted.user.status).toBe('suspended');
    const as = (path: string) =>
      api.get(path).set('authorization', `Bearer ${restricted.accessToken}`);
    const refused = await as('/v1/generations').expect(423);
    expect((refused.body as Problem).type).toContain('account-suspended');
    // A service whose copy never heard of the suspension (added after its event left a 7-day
    // topic) rebuilds the copy from accounts as it starts, before it serves: the suspension holds.
    const db = new Client({ connectionString: platform.databaseUrl });
    await db.connect();
    try {
      await db.query(`DELETE FROM generation.account_standing`);
    } finally {
      await db.end();
    }
    await platform.restart('generation');
    expect(await problemOf(generation.submitJob(probe))).toMatchObject({
      status: 423,
      type: 'account-suspended',
    });
    await as('/v1/me').expect(200);
    const appeal = await api
      .post('/v1/account/suspension/appeal')
      .set('authorization', `Bearer ${restricted.accessToken}`)
      .send({ statement: 'Those were photos of me, shared with consent.' })
      .expect(201);
    // answered with the appeal's ticket, at once, linked to the suspension
    expect(appeal.body).toMatchObject({
      category: 'suspension_appeal',
      suspensionId: suspended.body.id,
      messages: [
        expect.objectContaining({
          body: expect.stringContaining('Those were photos of me, shared with consent.'),
        }),
      ],
    });
    const ticket = await as(`/v1/support/tickets/${appeal.body.id}`).expect(200);
    expect(ticket.body.id).toBe(appeal.body.id);
    expect((await as('/v1/support/tickets').expect(200)).body.items).toHaveLength(1);
    expect((await as('/v1/account/suspension').expect(200)).body.appeal).toMatchObject({
      statement: 'Those were photos of me, shared with consent.',
    });
    await api
      .post('/v1/account/suspension/appeal')
      .set('authorization', `Bearer ${restricted.accessToken}`)
      .send({ statement: 'Again.' })
      .expect(409);
    expect((await as('/v1/account/suspension').expect(200)).body.appeal.decideBy).toBeTruthy();
    // another user has no suspension to see
    await api
      .get('/v1/account/suspension')
      .set('authorization', `Bearer ${admin.accessToken}`)
      .expect(404);
  });

  it('deletes an account: sessions end at once, every service purges, and no table in any schema keeps a row about the user', async () => {
    const member = await signUp();
    const as = (token: string) => ({
      get: (path: string) => api.get(path).set('authorization', `Bearer ${token}`),
      post: (path: string) => api.post(path).set('authorization', `Bearer ${token}`),
      delete: (path: string) => api.delete(path).set('authorization', `Bearer ${token}`),
    });
    await as(member.accessToken).get('/v1/usage').expect(200);
    // leave traces everywhere: a job (generation, billing, notifications), a stored idempotent response (gateway),
    // log-ins and a reset link (accounts)
    const job = await as(member.accessToken)
      .post('/v1/generations')
      .set('Idempotency-Key', 'before-deletion')
      .send({ model: 'wan-2.6', mode: 'text-to-video', prompt: 'a paper boat on a pond' })
      .expect(202);
    await expectEventually(
      async () => {
        const feed = await as(member.accessToken).get('/v1/notifications').expect(200);
        expect((feed.body as { items: unknown[] }).items.length).toBeGreaterThan(0);
      },
      { timeoutMs: 20_000 },
    );
    await api.post('/v1/auth/password/forgot').send({ email: member.email }).expect(202);
    await mailTo(member.email, /Choose a new password/);
    // …a voice clone and a face identity (generation)
    await as(member.accessToken)
      .post('/v1/voice-clones?name=Mine')
      .set('content-type', 'audio/ogg')
      .send(Buffer.concat([Buffer.from('OggS'), Buffer.alloc(4000, 1)]))
      .expect(201);
    await as(member.accessToken)
      .post('/v1/face-identities?name=Me')
      .set('content-type', 'image/png')
      .send(Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(4000, 2)]))
      .expect(201);
    // …and a support ticket naming the job (support)
    await as(member.accessToken)
      .post('/v1/support/tickets')
      .send({
        channel: 'email',
        body: 'Where is my video?',
        jobIds: [(job.body as { id: string }).id],
      })
      .expect(201);

    const { Client } = await import('pg');
    const db = new Client({ connectionString: platform.databaseUrl });
    await db.connect();
    try {
      const traces = async (): Promise<string[]> => {
        const tables = await db.query<{ schema: string; name: string }>(
          `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
            WHERE table_type = 'BASE TABLE'
              AND table_schema IN ('accounts', 'billing', 'generation', 'notifications', 'support', 'gateway')`,
        );
        expect(tables.rows.length).toBeGreaterThan(20);
        const found: string[] = [];
        for (const t of tables.rows) {
          const hit = await db.query(
            `SELECT 1 FROM "${t.schema}"."${t.name}" r
              WHERE r::text ILIKE '%' || $1 || '%' OR r::text ILIKE '%' || $2 || '%' OR r::text ILIKE '%' || $3 || '%' LIMIT 1`,
            [member.user.id, member.email, (job.body as { id: string }).id],
          );
          if (hit.rowCount) {
            found.push(`${t.schema}.${t.name}`);
          }
        }
        return found;
      };
      // the scan sees the user everywhere before the deletion…
      expect(await traces()).toEqual(
        expect.arrayContaining([
          'accounts.users',
          'generation.jobs',
          'generation.likenesses',
          'notifications.notifications',
          'support.tickets',
        ]),
      );

      const deletion = await as(member.accessToken).delete('/v1/account').expect(202);
      expect(deletion.body.status).toBe('deleting');
      const hours = (Date.parse(deletion.body.purgeBy) - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(71.9);
      expect(hours).toBeLessThanOrEqual(72);

      // …and nowhere once every service has purged
      await expectEventually(async () => expect(await traces()).toEqual([]), { timeoutMs: 30_000 });
      // only the record that a purge happened remains, without personal data
      const records = await db.query(
        `SELECT services FROM accounts.purge_records WHERE completed_at IS NOT NULL`,
      );
      expect(records.rows).toContainEqual({
        services: ['accounts', 'billing', 'generation', 'notifications', 'support'],
      });
    } finally {
      await db.end();
    }
    // the last email, sent from the completion event (nothing in any schema kept the address)
    await mailTo(member.email, /Your account is deleted/);
    await as(member.accessToken).get('/v1/me').expect(401);
    await api
      .post('/v1/auth/login')
      .set(from('8.8.8.8'))
      .send({ email: member.email, password: 'a long enough password' })
      .expect(401);
  });
});
