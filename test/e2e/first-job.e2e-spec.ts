import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectEventually, ProviderDouble, readEventStream } from '@fluxnote/testing';
import { Platform } from '../../tools/launcher/platform';
import type { JobPlatform } from './job-platform';
import { providerWebhookUrl, useJobPlatform, type Session, type Tokens } from './job-platform';

jest.setTimeout(120_000);

/**
 * The first job end to end, through the gateway's HTTP API only, on the
 * platform started as `npm start` starts it (six processes, embedded bus).
 */
describe('first job end to end', () => {
  const fixture = useJobPlatform('e2e');
  const { signUp, as, simulate, videoUsage, jobStatus, job } = fixture;
  let platform: Platform;
  let api: JobPlatform['api'];
  let provider: ProviderDouble;
  beforeAll(() => {
    ({ platform, api, provider } = fixture.opened());
  });

  it('a free user runs one job: reserved, generated, committed, notified; the key replays', async () => {
    const user = await signUp();
    expect(await videoUsage(user)).toEqual({
      allowance: 1,
      used: 0,
      reserved: 0,
      remaining: 1,
      packCredits: 0,
    });

    const submitted = await as(user)
      .post('/v1/generations')
      .set('Idempotency-Key', 'first-job')
      .send(job)
      .expect(202);
    expect(submitted.body).toMatchObject({
      status: 'queued',
      lane: 'shared',
      reserved: { videoCredits: 1, imageCredits: 0 },
    });
    const replay = await as(user)
      .post('/v1/generations')
      .set('Idempotency-Key', 'first-job')
      .send(job)
      .expect(202);
    expect(replay.body.id).toBe(submitted.body.id);
    await as(user)
      .post('/v1/generations')
      .set('Idempotency-Key', 'first-job')
      .send({ ...job, prompt: 'something else' })
      .expect(422);

    const done = await expectEventually(async () => {
      const body = await jobStatus(user, submitted.body.id);
      expect(body['status']).toBe('succeeded');
      return body;
    });
    expect(done['output']).toEqual({ url: expect.stringMatching(/^simulator:\/\/wan-2\.6\//) });
    expect(await videoUsage(user)).toMatchObject({ used: 1, reserved: 0, remaining: 0 });

    const feed = await expectEventually(async () => {
      const body = (await as(user).get('/v1/notifications').expect(200)).body;
      expect(body.items).toHaveLength(1);
      return body;
    });
    expect(feed.unreadCount).toBe(1);
    expect(feed.items[0]).toMatchObject({
      category: 'jobs',
      title: 'Your generation is ready',
      readAt: null,
    });
    await as(user).post(`/v1/notifications/${feed.items[0].id}/read`).expect(200);
    expect((await as(user).get('/v1/notifications?unread=true').expect(200)).body).toMatchObject({
      items: [],
      unreadCount: 0,
    });

    await as(user)
      .post('/v1/generations')
      .send(job)
      .expect(402)
      .expect('content-type', /application\/problem\+json/);
  });

  it('a platform failure releases the credit at once and says so', async () => {
    await simulate('hailuo-2.3', 'provider_5xx');
    try {
      const user = await signUp();
      // The phone app registers for push (embedded mode logs each push instead of calling a provider).
      await as(user)
        .post('/v1/notifications/devices')
        .send({ token: 'e2e-phone-token', platform: 'ios' })
        .expect(201);
      await as(user)
        .post('/v1/notifications/devices')
        .send({ token: 'x', platform: 'nokia' })
        .expect(400);
      const stranger = await signUp();
      await as(stranger).delete('/v1/notifications/devices/e2e-phone-token').expect(404);
      expect((await as(user).get('/v1/notifications/devices').expect(200)).body.items).toEqual([
        expect.objectContaining({ token: 'e2e-phone-token', platform: 'ios' }),
      ]);
      const submitted = await as(user)
        .post('/v1/generations')
        .send({ ...job, model: 'hailuo-2.3' })
        .expect(202);
      const failed = await expectEventually(async () => {
        const body = await jobStatus(user, submitted.body.id);
        expect(body['status']).toBe('failed');
        return body;
      });
      expect(failed['failure']).toMatchObject({ reason: 'provider_5xx', refunded: true });
      expect(await videoUsage(user)).toMatchObject({ used: 0, reserved: 0, remaining: 1 });
      const feed = await expectEventually(async () => {
        const body = (await as(user).get('/v1/notifications').expect(200)).body;
        expect(body.items).toHaveLength(1);
        return body;
      });
      expect(feed.items[0].title).toMatch(/refunded/);
      expect(feed.items[0].body).toContain('1 video credit');

      // The same message by email (embedded mode writes .eml files), its delivery shown on the item.
      await expectEventually(async () => {
        const body = (await as(user).get('/v1/notifications').expect(200)).body;
        expect(body.items[0].deliveries).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ channel: 'email', status: 'sent', attempts: 1 }),
            expect.objectContaining({ channel: 'push', status: 'sent', attempts: 1 }),
          ]),
        );
      });
      const mails = readdirSync(platform.mailDir).map((f) =>
        readFileSync(join(platform.mailDir, f), 'utf8'),
      );
      expect(mails.filter((m) => m.includes(user.email))).toHaveLength(1);

      // Preferences: email for jobs can be turned off; billing cannot.
      const prefs = (await as(user).get('/v1/notifications/preferences').expect(200)).body;
      expect(prefs.billing).toEqual({ in_app: true, email: true, push: true, mustDeliver: true });
      const refused = await as(user)
        .put('/v1/notifications/preferences')
        .send({ billing: { email: false } })
        .expect(422);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      await as(user)
        .put('/v1/notifications/preferences')
        .send({ jobs: { sms: true } })
        .expect(400);
      const changed = await as(user)
        .put('/v1/notifications/preferences')
        .send({ jobs: { email: false } })
        .expect(200);
      expect(changed.body.jobs).toEqual({
        in_app: true,
        email: false,
        push: true,
        mustDeliver: false,
      });
      await as(user).delete('/v1/notifications/devices/e2e-phone-token').expect(204);
      expect((await as(user).get('/v1/notifications/devices').expect(200)).body.items).toEqual([]);
    } finally {
      await simulate('hailuo-2.3', null);
    }
  });

  it('an output the provider’s moderation withholds is blocked, refunded at once, and the user told', async () => {
    await simulate('veo-3.1', 'output_blocked');
    try {
      const user = await signUp();
      const submitted = await as(user)
        .post('/v1/generations')
        .send({ ...job, model: 'veo-3.1' })
        .expect(202);
      const blocked = await expectEventually(async () => {
        const body = await jobStatus(user, submitted.body.id);
        expect(body['status']).toBe('blocked');
        return body;
      });
      expect(blocked['failure']).toMatchObject({ reason: 'output_moderation', refunded: true });
      expect(blocked['output']).toBeUndefined();
      expect(await videoUsage(user)).toMatchObject({ used: 0, reserved: 0, remaining: 1 });
      const feed = await expectEventually(async () => {
        const body = (await as(user).get('/v1/notifications').expect(200)).body;
        expect(body.items).toHaveLength(1);
        return body;
      });
      expect(feed.items[0].title).toBe('Your generation was withheld');
      expect(feed.items[0].body).toContain('We gave back 1 video credit');
    } finally {
      await simulate('veo-3.1', null);
    }
  });

  it('a job on an HTTP provider runs with the no-training flag and finishes by its signed webhook', async () => {
    provider.script('kling-3.0', { outcome: 'succeeded', finishAfterMs: 300 });
    const user = await signUp();
    const submitted = await as(user)
      .post('/v1/generations')
      .send({ ...job, model: 'kling-3.0' })
      .expect(202);
    // Polls are 30 s apart here: finishing sooner proves the webhook woke the job.
    const done = await expectEventually(
      async () => {
        const body = await jobStatus(user, submitted.body.id);
        expect(body['status']).toBe('succeeded');
        return body;
      },
      { timeoutMs: 10_000 },
    );
    const [task] = provider.created('kling-3.0');
    expect(done['output']).toEqual({ url: `https://cdn.provider.test/${task.id}.mp4` });
    const create = provider.calls.find((c) => c.method === 'POST' && c.path === '/v1/generations');
    expect(create?.headers['idempotency-key']).toBe(submitted.body.id);
    expect(create?.body).toMatchObject({
      model: 'kling-3.0',
      no_training: true,
      webhook_url: providerWebhookUrl,
    });
    expect(provider.webhooks).toEqual([expect.objectContaining({ status: 200 })]);
    expect(await videoUsage(user)).toMatchObject({ used: 1, reserved: 0 });

    // Deliveries must be signed with the shared secret.
    const forged = provider.signedDelivery(
      { id: task.id, status: 'failed' },
      undefined,
      'not-the-secret',
    );
    const refused = await api
      .post('/v1/webhooks/model-provider')
      .set('content-type', 'application/json')
      .set('x-provider-signature', forged.signature)
      .send(forged.body)
      .expect(400);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    await api
      .post('/v1/webhooks/model-provider')
      .set('content-type', 'application/json')
      .send(forged.body)
      .expect(400);
    expect((await jobStatus(user, submitted.body.id))['status']).toBe('succeeded');
  });

  function openStream(user: Session, lastEventId?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${user.accessToken}` };
    if (lastEventId) {
      headers['last-event-id'] = lastEventId;
    }
    return readEventStream<{ title: string }>(
      `${platform.gatewayUrl}/v1/notifications/stream`,
      headers,
    );
  }

  async function failOneJob(user: Tokens): Promise<void> {
    const submitted = await as(user)
      .post('/v1/generations')
      .send({ ...job, model: 'hailuo-2.3' })
      .expect(202);
    await expectEventually(async () => {
      expect((await jobStatus(user, submitted.body.id))['status']).toBe('failed');
    });
  }

  it('the live stream sends new notifications and resumes after Last-Event-ID without loss or duplicates', async () => {
    await simulate('hailuo-2.3', 'provider_5xx');
    const user = await signUp();
    const first = openStream(user);
    try {
      expect(await first.status).toBe(200);
      await failOneJob(user);
      await expectEventually(() => expect(first.events).toHaveLength(1));
      expect(first.events[0].data.title).toMatch(/failed/);
    } finally {
      first.close();
    }
    // Two more while disconnected (the third failure in a row also brings the streak message).
    await failOneJob(user);
    await failOneJob(user);
    await expectEventually(async () => {
      expect((await as(user).get('/v1/notifications').expect(200)).body.items).toHaveLength(4);
    });
    const resumed = openStream(user, first.events[0].id);
    try {
      await expectEventually(() => expect(resumed.events).toHaveLength(3));
      const ids = [first.events[0].id, ...resumed.events.map((e) => e.id)].map(Number);
      expect(new Set(ids).size).toBe(4);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    } finally {
      resumed.close();
      await simulate('hailuo-2.3', null);
    }
    const bad = await as(user)
      .get('/v1/notifications/stream')
      .set('last-event-id', 'x')
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
  });

  it('a finished job is shared by a revocable link and deleted with its project; a running one cannot be cancelled', async () => {
    const user = await signUp();
    const other = await signUp();
    const projectId = randomUUID();
    await simulate('wan-2.6', null, 800);
    let id: string;
    try {
      id = (
        await as(user)
          .post('/v1/generations')
          .send({ ...job, projectId })
          .expect(202)
      ).body.id as string;
      await expectEventually(async () => {
        expect((await jobStatus(user, id))['status']).toBe('processing');
      });
      const late = await as(user).post(`/v1/generations/${id}/cancel`).expect(409);
      expect(late.body).toMatchObject({ jobStatus: 'processing' });
      await expectEventually(async () => {
        expect((await jobStatus(user, id))['status']).toBe('succeeded');
      });
    } finally {
      await simulate('wan-2.6', null);
    }
    await as(other).post(`/v1/generations/${id}/share`).expect(404);
    const link = (await as(user).post(`/v1/generations/${id}/share`).expect(201)).body as {
      url: string;
    };
    const shared = await api.get(link.url).expect(200); // no account needed
    expect(shared.body).toMatchObject({
      id,
      mode: 'text-to-video',
      output: { url: expect.any(String) },
    });
    expect(shared.body).not.toHaveProperty('prompt');
    await as(user).delete(`/v1/generations/${id}/share`).expect(204);
    await api.get(link.url).expect(404);

    await as(other).delete(`/v1/projects/${projectId}`).expect(404);
    expect((await as(user).delete(`/v1/projects/${projectId}`).expect(200)).body).toEqual({
      deletedGenerations: 1,
    });
    await as(user).get(`/v1/generations/${id}`).expect(404);
    // a blocked prompt's record goes the same way, one by one
    const blocked = await as(user)
      .post('/v1/generations')
      .send({ ...job, prompt: 'a man shooting a woman in the head' })
      .expect(422);
    await as(other).delete(`/v1/generations/${blocked.body.jobId}`).expect(404);
    await as(user).delete(`/v1/generations/${blocked.body.jobId}`).expect(204);
    expect((await as(user).get('/v1/generations').expect(200)).body.items).toEqual([]);
  });

  it('the status stream follows a job from queued to succeeded, for all jobs or one, without polling', async () => {
    const user = await signUp();
    const headers = { authorization: `Bearer ${user.accessToken}` };
    const all = readEventStream<{ id: string; status: string }>(
      `${platform.gatewayUrl}/v1/generations/stream`,
      headers,
    );
    try {
      expect(await all.status).toBe(200);
      const id = (await as(user).post('/v1/generations').send(job).expect(202)).body.id as string;
      await expectEventually(() =>
        expect(all.events.map((e) => [e.data.id, e.data.status])).toEqual([
          [id, 'queued'],
          [id, 'processing'],
          [id, 'succeeded'],
        ]),
      );
      // one job's stream, resumed after its first event
      const one = readEventStream<{ id: string; status: string }>(
        `${platform.gatewayUrl}/v1/generations/${id}/stream`,
        { ...headers, 'last-event-id': all.events[0].id },
      );
      try {
        await expectEventually(() =>
          expect(one.events.map((e) => e.data.status)).toEqual(['processing', 'succeeded']),
        );
      } finally {
        one.close();
      }
    } finally {
      all.close();
    }
    const other = await signUp();
    await as(other).get(`/v1/generations/${randomUUID()}/stream`).expect(404);
  });

  it('20 concurrent submits on 1 credit accept exactly one', async () => {
    const user = await signUp();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        as(user)
          .post('/v1/generations')
          .send({ ...job, prompt: `fox number ${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 402)).toHaveLength(19);
    const history = (await as(user).get('/v1/generations').expect(200)).body;
    expect(history.items).toHaveLength(1);
  });

  it('users see only their own jobs; bad input gets a problem, never a 500', async () => {
    const owner = await signUp();
    const other = await signUp();
    const submitted = await as(owner).post('/v1/generations').send(job).expect(202);
    await as(other).get(`/v1/generations/${submitted.body.id}`).expect(404);
    expect((await as(other).get('/v1/generations').expect(200)).body.items).toEqual([]);

    await api.get('/v1/generations').expect(401);
    await as('not-a-token').get('/v1/generations').expect(401);
    await as(owner).put('/v1/admin/simulator/models/wan-2.6').send({ failure: null }).expect(403);
    const badJson = await as(owner)
      .post('/v1/generations')
      .set('content-type', 'application/json')
      .send('{oops')
      .expect(400);
    expect(badJson.body).toMatchObject({ status: 400, title: 'Invalid request' });
    await as(owner)
      .post('/v1/generations')
      .send({ ...job, model: 'no-such-model' })
      .expect(400);
    await as(owner)
      .post('/v1/generations')
      .send({ ...job, durationSec: 'long' })
      .expect(400);
    await as(owner)
      .post('/v1/generations')
      .send({ ...job, model: 'veo-3.1', durationSec: 30 })
      .expect(422);
    await as(owner).get('/v1/generations?limit=0').expect(400);
    await as(owner).get('/v1/generations?cursor=garbage').expect(400);
    await api.post('/v1/auth/signup').send({ email: 'not-an-email', password: 'x' }).expect(400);
  });
});
