import { expectEventually, problemOf } from '@fluxnote/testing';
import { generationV1 } from '@fluxnote/contracts';
import { createGrpcClient, generationServiceSpecs } from '@fluxnote/grpc';
import { Platform } from '../../tools/launcher/platform';
import type { JobPlatform, Session } from './job-platform';
import { useJobPlatform, type Tokens } from './job-platform';

jest.setTimeout(120_000);

/** Billing through the gateway, the priority lane, crashes, the admin clock and incidents, end to end. */
describe('billing, crashes, clock and incidents end to end', () => {
  const fixture = useJobPlatform('e2e_billing');
  const { signUp, logIn, as, simulate, videoUsage, jobStatus, job } = fixture;
  let platform: Platform;
  let api: JobPlatform['api'];
  let admin: string;
  beforeAll(() => {
    ({ platform, api, admin } = fixture.opened());
  });

  it('billing through the gateway: plans, subscribe, packs, charges, refunds — each user only their own', async () => {
    const user = await signUp('US');
    const plans = (await as(user).get('/v1/plans').expect(200)).body as {
      brand: string;
      currency: string;
      plans: { id: string }[];
    };
    expect(plans).toMatchObject({ brand: 'fluxnote', currency: 'USD' });
    expect(plans.plans.find((p) => p.id === 'pro')).toMatchObject({
      monthly: { amount: 1900, currency: 'USD' },
      annualPerMonth: { amount: 999, currency: 'USD' },
      videoCredits: 50,
    });
    const indian = await signUp('IN');
    expect((await as(indian).get('/v1/plans').expect(200)).body).toMatchObject({
      currency: 'INR',
      paymentMethods: ['card', 'upi'],
    });
    // what the plan list names is what the client sends
    const viaUpi = await as(indian)
      .post('/v1/billing/subscription')
      .set('Idempotency-Key', 'upi-pro')
      .send({ plan: 'pro', interval: 'month', paymentMethod: 'upi' })
      .expect(200);
    expect(viaUpi.body.charge).toMatchObject({ status: 'succeeded', amount: { currency: 'INR' } });
    // its refund goes back to the UPI ID, and the notice says so and when
    await as(indian)
      .post('/v1/billing/refunds')
      .send({ chargeId: viaUpi.body.charge.id, reason: 'changed my mind' })
      .expect(201);
    const notice = await expectEventually(async () => {
      const items = (await as(indian).get('/v1/notifications').expect(200)).body.items as {
        title: string;
        body: string;
      }[];
      const found = items.find((n) => n.title.startsWith('Refund approved'));
      expect(found).toBeDefined();
      return found!;
    });
    expect(notice.body).toContain('goes back to the UPI ID you paid from');
    expect(notice.body).toContain('within 3–5 business days');
    await as(user)
      .post('/v1/billing/subscription')
      .set('Idempotency-Key', 'upi-in-usd')
      .send({ plan: 'pro', interval: 'month', paymentMethod: 'upi' })
      .expect(400);

    const subscribed = await as(user)
      .post('/v1/billing/subscription')
      .set('Idempotency-Key', 'go-pro')
      .send({ plan: 'pro', interval: 'month' })
      .expect(200);
    expect(subscribed.body).toMatchObject({
      subscription: { plan: 'pro', interval: 'month', status: 'active', pendingChange: null },
      charge: {
        kind: 'subscription',
        amount: { amount: 1900, currency: 'USD' },
        status: 'succeeded',
      },
    });
    const replay = await as(user)
      .post('/v1/billing/subscription')
      .set('Idempotency-Key', 'go-pro')
      .send({ plan: 'pro', interval: 'month' })
      .expect(200);
    expect(replay.body.charge.id).toBe(subscribed.body.charge.id);
    expect(await videoUsage(user)).toMatchObject({ allowance: 50, remaining: 50 });

    await as(user).post('/v1/billing/credit-packs').send({ pack: 'video-10' }).expect(201);
    expect(await videoUsage(user)).toMatchObject({ packCredits: 10, remaining: 60 });
    const charges = (await as(user).get('/v1/billing/charges').expect(200)).body.items;
    expect(charges).toHaveLength(2);

    const chargeId = subscribed.body.charge.id as string;
    const quote = await as(user)
      .post('/v1/billing/refunds/quote')
      .send({ chargeId, reason: 'not for me' })
      .expect(200);
    expect(quote.body).toMatchObject({
      decision: 'approved',
      amount: { amount: 1900, currency: 'USD' },
      rule: 'fluxnote.monthly-within-14-days',
    });
    expect(quote.body.explanation).toMatch(/no questions asked/);

    // Nobody else can see, quote or refund this charge.
    const stranger = await signUp('US');
    expect((await as(stranger).get('/v1/billing/charges').expect(200)).body.items).toEqual([]);
    await as(stranger)
      .post('/v1/billing/refunds/quote')
      .send({ chargeId, reason: 'mine?' })
      .expect(404);
    await as(stranger).post('/v1/billing/refunds').send({ chargeId, reason: 'mine?' }).expect(404);

    const refund = await as(user)
      .post('/v1/billing/refunds')
      .send({ chargeId, reason: 'not for me' })
      .expect(201);
    expect(refund.body).toMatchObject({
      decision: 'approved',
      status: 'pending',
      amount: { amount: 1900 },
    });
    expect((await as(user).get('/v1/billing/refunds').expect(200)).body.items).toHaveLength(1);
    expect((await as(user).get('/v1/billing/subscription').expect(200)).body).toMatchObject({
      plan: 'free',
    });
    const second = await as(user)
      .post('/v1/billing/refunds')
      .send({ chargeId, reason: 'again' })
      .expect(201);
    expect(second.body).toMatchObject({
      decision: 'rejected',
      rule: 'already-refunded',
      amount: { amount: 0 },
    });

    // Bad input is a problem with the right status, never a 500.
    const bad = await as(user)
      .post('/v1/billing/subscription')
      .send({ plan: 'pro', interval: 'weekly' })
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    await as(user).post('/v1/billing/subscription').send({ plan: 'platinum' }).expect(400);
    await as(user)
      .post('/v1/billing/refunds/quote')
      .send({ chargeId: 'nope', reason: 'x' })
      .expect(400);
    await as(user).delete('/v1/billing/subscription').expect(409);
    await as(user)
      .post('/v1/billing/subscription')
      .send({ plan: 'max', paymentMethod: 'sim_card_declined' })
      .expect(402);
    await api.get('/v1/billing/charges').expect(401);
  });

  it('a Max user’s jobs wait in the priority lane, from the moment the upgrade is paid', async () => {
    const user = await signUp();
    const before = await as(user).post('/v1/generations').send(job).expect(202);
    expect(before.body.lane).toBe('shared');
    await as(user)
      .post('/v1/billing/subscription')
      .send({ plan: 'max', interval: 'month' })
      .expect(200);
    const after = await as(user).post('/v1/generations').send(job).expect(202);
    expect(after.body.lane).toBe('priority');
    expect((await as(user).get(`/v1/generations/${after.body.id}`).expect(200)).body.lane).toBe(
      'priority',
    );
  });

  it('SIGKILL of generation mid-job: the job finishes once and is charged once', async () => {
    await simulate('pixverse-v6', null, 2500);
    const user = await signUp();
    const submitted = await as(user)
      .post('/v1/generations')
      .send({ ...job, model: 'pixverse-v6' })
      .expect(202);
    await expectEventually(async () =>
      expect((await jobStatus(user, submitted.body.id))['status']).toBe('processing'),
    );
    await platform.kill('generation', 'SIGKILL');
    await platform.restart('generation');
    await simulate('pixverse-v6', null, 100);
    await expectEventually(
      async () => expect((await jobStatus(user, submitted.body.id))['status']).toBe('succeeded'),
      {
        timeoutMs: 30_000,
      },
    );
    expect(await videoUsage(user)).toMatchObject({ used: 1, reserved: 0, remaining: 0 });
    const feed = await expectEventually(async () => {
      const body = (await as(user).get('/v1/notifications').expect(200)).body;
      expect(body.items.length).toBeGreaterThanOrEqual(1);
      return body;
    });
    expect(feed.items).toHaveLength(1);
  });

  it('SIGKILL of billing mid-flight loses no event and charges nothing twice', async () => {
    await simulate('runway-gen-4', null, 1500);
    const user = await signUp();
    const submitted = await as(user)
      .post('/v1/generations')
      .send({ ...job, model: 'runway-gen-4' })
      .expect(202);
    await platform.kill('billing', 'SIGKILL');
    // Signed up while billing is down: the event waits on the bus.
    const late = (
      await api
        .post('/v1/auth/signup')
        .send({ email: `late-${Date.now()}@example.com`, password: 'a long enough password' })
        .expect(201)
    ).body as Tokens;
    await platform.restart('billing');
    await expectEventually(
      async () => expect((await jobStatus(user, submitted.body.id))['status']).toBe('succeeded'),
      {
        timeoutMs: 30_000,
      },
    );
    expect(await videoUsage(user)).toMatchObject({ used: 1, reserved: 0, remaining: 0 });
    await expectEventually(async () =>
      expect(await videoUsage(late)).toMatchObject({ allowance: 1, used: 0 }),
    );
  });

  // Last: moving the platform clock affects every timer of the platform.
  it('the admin clock moves time for every service at once', async () => {
    const user = await signUp();
    await as(admin).post('/v1/admin/clock').send({ advance: 'P2DT1H' }).expect(200);
    // The gateway now sees the old access token as expired (15-minute lifetime)...
    const expired = await as(user).get('/v1/usage').expect(401);
    expect(expired.body.type).toMatch(/token-expired$/);
    // ...and billing opens a new user's cycle at the moved time.
    const later = await signUp();
    const usage = (await as(later).get('/v1/usage').expect(200)).body;
    const shifted = Date.parse(usage.periodStart) - Date.now();
    expect(shifted).toBeGreaterThan(49 * 3_600_000 - 60_000);
    expect(shifted).toBeLessThan(49 * 3_600_000 + 60_000);
    // every time a client sees comes from that clock: a job's, and its log's
    const submitted = await as(later).post('/v1/generations').send(job).expect(202);
    const seen = (await as(later).get(`/v1/generations/${submitted.body.id}`).expect(200)).body as {
      createdAt: string;
      updatedAt: string;
    };
    for (const time of [seen.createdAt, seen.updatedAt]) {
      expect(Date.parse(time) - Date.now()).toBeGreaterThan(49 * 3_600_000 - 60_000);
    }
    expect(Date.parse(seen.updatedAt)).toBeGreaterThanOrEqual(Date.parse(seen.createdAt));
    const admin2 = (await logIn('ops@fluxnote.test', 'operations-password')).accessToken;
    await as(admin2).post('/v1/admin/clock').send({ advance: 'tomorrow' }).expect(400);
    await as(later).post('/v1/admin/clock').send({ advance: 'P1D' }).expect(403);
  });

  it('an incident tells everyone who used the model in the last 48 hours by the platform clock, once, and no one else', async () => {
    const before = await signUp(); // used the model 49 hours before the incident
    await as(before).post('/v1/generations').send(job).expect(202);
    await as((await logIn('ops@fluxnote.test', 'operations-password')).accessToken)
      .post('/v1/admin/clock')
      .send({ advance: 'P2DT1H' })
      .expect(200);
    const recent = await signUp();
    await as(recent).post('/v1/generations').send(job).expect(202);
    const other = await signUp(); // used another model
    await as(other)
      .post('/v1/generations')
      .send({ ...job, model: 'hailuo-2.3' })
      .expect(202);

    const ops = (await logIn('ops@fluxnote.test', 'operations-password')).accessToken;
    const incident = {
      model: 'wan-2.6',
      message: 'Wan 2.6 jobs are failing at the provider.',
      alternative: 'kling-3.0',
    };
    await as(recent).post('/v1/admin/incidents').send(incident).expect(403);
    // generation checks the role itself, whoever calls it
    const direct = createGrpcClient<generationV1.IncidentsServiceClient>(
      generationServiceSpecs.incidents,
      platform.grpcAddress('generation'),
      { deadlineMs: 5000 },
    );
    try {
      expect(
        await problemOf(
          direct.client.declareIncident({ actorId: recent.user.id, ...incident, eta: '' }),
        ),
      ).toMatchObject({ status: 403 });
    } finally {
      direct.close();
    }
    await as(ops)
      .post('/v1/admin/incidents')
      .send({ ...incident, model: 'no-such-model' })
      .expect(400)
      .expect('content-type', /problem\+json/);
    await as(ops)
      .post('/v1/admin/incidents')
      .send({ ...incident, eta: 'PT2 hours' })
      .expect(400)
      .expect('content-type', /problem\+json/);
    // the estimated fix as the seeds say it: a time, or how long from now
    const declared = await as(ops)
      .post('/v1/admin/incidents')
      .send({ ...incident, eta: 'PT2H' })
      .expect(201);
    expect(declared.body).toMatchObject({ model: 'wan-2.6', affectedUsers: 1 });
    expect(Date.parse(declared.body.eta) - Date.parse(declared.body.declaredAt)).toBe(7_200_000);

    const told = await expectEventually(async () => {
      const items = (await as(recent).get('/v1/notifications').expect(200)).body.items as {
        title: string;
        body: string;
        createdAt: string;
      }[];
      const found = items.filter((n) => n.title === 'Wan 2.6 is having problems');
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(told.body).toContain('Meanwhile you can use kling-3.0');
    // told at the platform's time (moved on by more than four days by now), not the machine's
    expect(Date.parse(told.createdAt) - Date.now()).toBeGreaterThan(4 * 24 * 3_600_000);
    const titles = async (who: Session) =>
      ((await as(who).get('/v1/notifications').expect(200)).body.items as { title: string }[]).map(
        (n) => n.title,
      );
    const beforeAgain = await logIn(before.email, 'a long enough password');
    expect(await titles(beforeAgain)).not.toContain('Wan 2.6 is having problems');
    expect(await titles(other)).not.toContain('Wan 2.6 is having problems');
  });
});
