import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import {
  createTestDatabase,
  expectEventually,
  makeTempDir,
  problemOf,
  ProviderDouble,
  readEventStream,
  type TestDatabase,
} from '@fluxnote/testing';
import { generationV1 } from '@fluxnote/contracts';
import { createGrpcClient } from '@fluxnote/grpc';
import { Platform } from '../../tools/launcher/platform';
import { checkContract, relaxedRateLimits } from './platform-under-test';

jest.setTimeout(120_000);

interface Session {
  accessToken: string;
  user: { id: string };
}

/** A signed-up user: the session and the address mail goes to. */
interface Tokens extends Session {
  email: string;
}

/**
 * The first job end to end, through the gateway's HTTP API only, on the
 * platform started as `npm start` starts it (six processes, embedded bus).
 */
describe('first job end to end', () => {
  let db: TestDatabase;
  let platform: Platform;
  let finishContract: (() => Promise<void>) | undefined;
  let dataDir: string;
  let api: ReturnType<typeof request>;
  let admin: string;
  let provider: ProviderDouble;
  const providerWebhookUrl = 'https://api.fluxnote.test/v1/webhooks/model-provider';

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    provider = await ProviderDouble.start({ webhookSecret: 'e2e-provider-webhook-secret' });
    dataDir = makeTempDir('e2e');
    platform = await Platform.start({
      dataDir,
      databaseUrl: db.url,
      port: 0,
      env: {
        ...relaxedRateLimits,
        LOG_LEVEL: 'warn',
        TRUSTED_PROXIES: 'loopback',
        ADMIN_EMAIL: 'ops@fluxnote.test',
        ADMIN_PASSWORD: 'operations-password',
        SIMULATOR_DEFAULT_LATENCY_MS: '100',
        WORKER_HEARTBEAT_TIMEOUT_MS: '1500',
        RECOVERY_INTERVAL_MS: '300',
        PROVIDER_RETRY_BASE_MS: '20',
        FAILURE_SPIKE_MIN_JOBS: '3',
        RESERVATION_SWEEP_MS: '500',
        // Kling runs on an HTTP provider (a local double); its jobs finish by webhook.
        MODEL_PROVIDER_URL: provider.url,
        MODEL_PROVIDER_API_KEY: provider.apiKey,
        MODEL_PROVIDER_MODELS: 'kling-3.0',
        MODEL_PROVIDER_WEBHOOK_SECRET: 'e2e-provider-webhook-secret',
        MODEL_PROVIDER_WEBHOOK_URL: providerWebhookUrl,
        MODEL_PROVIDER_POLL_MS: '30000',
      },
    });
    provider.deliverTo = `${platform.gatewayUrl}/v1/webhooks/model-provider`;
    ({ finish: finishContract } = await checkContract(platform));
    api = request(platform.gatewayUrl);
    admin = (await logIn('ops@fluxnote.test', 'operations-password')).accessToken;
  });

  afterAll(async () => {
    try {
      await finishContract?.();
    } finally {
      await platform?.stop();
      await provider?.stop();
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  let counter = 0;
  async function signUp(country = 'US'): Promise<Tokens> {
    const email = `creator${++counter}-${Date.now()}@example.com`;
    const response = await api
      .post('/v1/auth/signup')
      .send({ email, password: 'a long enough password', country })
      .expect(201);
    const tokens: Tokens = { ...(response.body as Session), email };
    // Usable the moment sign-up answered (no waiting for the registration event).
    await api.get('/v1/usage').set('authorization', `Bearer ${tokens.accessToken}`).expect(200);
    return tokens;
  }

  async function logIn(email: string, password: string): Promise<Session> {
    return (await api.post('/v1/auth/login').send({ email, password }).expect(200)).body as Session;
  }

  function as(tokens: Session | string): {
    get(path: string): request.Test;
    post(path: string): request.Test;
    put(path: string): request.Test;
    delete(path: string): request.Test;
  } {
    const token = typeof tokens === 'string' ? tokens : tokens.accessToken;
    return {
      get: (path) => api.get(path).set('authorization', `Bearer ${token}`),
      post: (path) => api.post(path).set('authorization', `Bearer ${token}`),
      put: (path) => api.put(path).set('authorization', `Bearer ${token}`),
      delete: (path) => api.delete(path).set('authorization', `Bearer ${token}`),
    };
  }

  async function simulate(model: string, failure: string | null, latencyMs = 100): Promise<void> {
    await as(admin)
      .put(`/v1/admin/simulator/models/${model}`)
      .send({ failure, latencyMs })
      .expect(200);
  }

  async function videoUsage(
    user: Tokens,
  ): Promise<{ allowance: number; used: number; reserved: number; remaining: number }> {
    return (await as(user).get('/v1/usage').expect(200)).body.video;
  }

  async function jobStatus(user: Tokens, id: string): Promise<Record<string, unknown>> {
    return (await as(user).get(`/v1/generations/${id}`).expect(200)).body as Record<
      string,
      unknown
    >;
  }

  const job = {
    model: 'wan-2.6',
    mode: 'text-to-video',
    prompt: 'a red fox running through fresh snow',
  };

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

  it('a voice clone and a face identity go with their owner’s job to the provider; no one else can use, see or delete them', async () => {
    provider.script('kling-3.0', { outcome: 'succeeded', finishAfterMs: 1500 });
    const user = await signUp();
    const other = await signUp();
    const sample = Buffer.concat([Buffer.from('ID3\x04\x00', 'latin1'), Buffer.alloc(6000, 0x55)]);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(6000, 0x33)]);
    const voice = await as(user)
      .post('/v1/voice-clones?name=My%20voice')
      .set('content-type', 'audio/mpeg')
      .send(sample)
      .expect(201);
    const face = await as(user)
      .post('/v1/face-identities?name=Me')
      .set('content-type', 'image/jpeg')
      .send(photo)
      .expect(201);
    expect(voice.body).toMatchObject({ name: 'My voice', mediaType: 'audio/mpeg', bytes: 6005 });
    expect((await as(user).get('/v1/voice-clones').expect(200)).body.items).toEqual([voice.body]);
    expect((await as(other).get('/v1/face-identities').expect(200)).body.items).toEqual([]);

    // uploads that cannot be used
    const upload = (type: string, body: Buffer | string, name = 'Me') =>
      as(user).post(`/v1/face-identities?name=${name}`).set('content-type', type).send(body);
    const notAPhoto = await upload('text/plain', 'hello').expect(415);
    expect(notAPhoto.headers['content-type']).toMatch(/problem\+json/);
    await upload('image/gif', photo).expect(415);
    await upload('image/png', photo).expect(422);
    await upload('image/jpeg', Buffer.alloc(3 * 1024 * 1024 + 1, 0xff)).expect(413);
    await upload('image/jpeg', photo, '').expect(400);

    // a face identity is priced in image credits; a stranger cannot use it
    const withBoth = {
      ...job,
      model: 'kling-3.0',
      template: 'news',
      options: { voiceClone: voice.body.id, faceIdentity: face.body.id },
    };
    const quote = await as(user).post('/v1/generations/quote').send(withBoth).expect(200);
    expect(quote.body).toMatchObject({ videoCredits: 1, imageCredits: 50 });
    const borrowed = await as(other).post('/v1/generations').send(withBoth).expect(422);
    expect(borrowed.body).toMatchObject({ field: 'options.voiceClone' });
    await as(other).post('/v1/generations/quote').send(withBoth).expect(422);
    await as(user)
      .post('/v1/generations')
      .send({ ...job, options: { watermark: false } })
      .expect(400);
    // image-to-video animates a still given by its https URL
    const noStill = await as(user)
      .post('/v1/generations/quote')
      .send({ ...job, mode: 'image-to-video' })
      .expect(400);
    expect(noStill.body).toMatchObject({ field: 'options.imageUrl' });
    await as(user)
      .post('/v1/generations/quote')
      .send({ ...job, mode: 'image-to-video', options: { imageUrl: 'file:///etc/passwd' } })
      .expect(400);
    await as(user)
      .post('/v1/generations/quote')
      .send({
        ...job,
        mode: 'image-to-video',
        options: { imageUrl: 'https://images.example.com/fox.jpg' },
      })
      .expect(200);

    const submitted = await as(user).post('/v1/generations').send(withBoth).expect(202);
    expect(submitted.body.reserved).toEqual({ videoCredits: 1, imageCredits: 50 });
    expect(submitted.body.options).toEqual({
      voiceClone: voice.body.id,
      faceIdentity: face.body.id,
      captions: 'kinetic',
    });
    // not while the job waits or runs, and never someone else's
    await as(user).delete(`/v1/face-identities/${face.body.id}`).expect(409);
    await as(other).delete(`/v1/voice-clones/${voice.body.id}`).expect(404);

    await expectEventually(
      async () => expect((await jobStatus(user, submitted.body.id))['status']).toBe('succeeded'),
      { timeoutMs: 15_000 },
    );
    const create = provider.calls.find(
      (c) =>
        c.method === 'POST' &&
        c.path === '/v1/generations' &&
        c.headers['idempotency-key'] === submitted.body.id,
    );
    expect(create?.body).toMatchObject({
      face_identity: { media_type: 'image/jpeg', data: photo.toString('base64') },
      voiceover: { voice_sample: { media_type: 'audio/mpeg', data: sample.toString('base64') } },
      captions: 'kinetic',
      no_training: true,
    });
    expect(create?.body).not.toHaveProperty('image_url');

    // once the job is done the photo can go; the job no longer refers to it
    await as(user).delete(`/v1/face-identities/${face.body.id}`).expect(204);
    expect((await as(user).get('/v1/face-identities').expect(200)).body.items).toEqual([]);
    expect((await jobStatus(user, submitted.body.id))['options']).toEqual({
      voiceClone: voice.body.id,
      captions: 'kinetic',
    });
  });

  it('three failures in a row suggest the most reliable model of the mode; the failure spike alerts the admins', async () => {
    await simulate('pixverse-v6', 'timeout');
    try {
      const user = await signUp();
      for (let i = 0; i < 3; i++) {
        const submitted = await as(user)
          .post('/v1/generations')
          .send({ ...job, model: 'pixverse-v6' })
          .expect(202);
        await expectEventually(async () => {
          expect((await jobStatus(user, submitted.body.id))['status']).toBe('failed');
        });
      }
      const streak = await expectEventually(async () => {
        const items = (await as(user).get('/v1/notifications').expect(200)).body.items as {
          title: string;
          body: string;
        }[];
        const found = items.filter((n) => n.title === 'PixVerse v6 failed 3 times in a row');
        expect(found).toHaveLength(1);
        return found[0];
      });
      expect(streak.body).toMatch(/every credit came back/);
      expect(streak.body).toMatch(/has been the most reliable for text-to-video lately/);
      expect(streak.body).not.toMatch(/PixVerse v6 has been/);

      await expectEventually(async () => {
        const items = (await as(admin).get('/v1/notifications').expect(200)).body.items as {
          title: string;
        }[];
        expect(items.map((n) => n.title)).toContainEqual(
          expect.stringMatching(
            /^Critical: PixVerse v6: 100 % of jobs failed in the last 10 minutes$/,
          ),
        );
      });
    } finally {
      await simulate('pixverse-v6', null);
    }
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

  it('lists models by region, templates, and quotes without holding anything', async () => {
    const german = await signUp('DE');
    const american = await signUp('US');
    const modelIds = async (user: Tokens): Promise<string[]> =>
      ((await as(user).get('/v1/models').expect(200)).body.items as { id: string }[]).map(
        (m) => m.id,
      );
    expect(await modelIds(american)).toContain('kling-3.0');
    expect(await modelIds(german)).not.toContain('kling-3.0');
    expect(await modelIds(german)).toContain('wan-2.6');

    const refused = await as(german)
      .post('/v1/generations')
      .send({ ...job, model: 'kling-3.0' })
      .expect(403);
    expect(refused.body.alternatives).toContain('wan-2.6');
    expect(refused.body.alternatives).not.toContain('kling-3.0');
    expect(await videoUsage(german)).toMatchObject({ reserved: 0, remaining: 1 });

    const templates = (await as(american).get('/v1/templates').expect(200)).body.items;
    expect(templates).toContainEqual(
      expect.objectContaining({ id: 'news', aspectRatio: '9:16', captionStyle: 'Kinetic' }),
    );

    const quote = await as(american)
      .post('/v1/generations/quote')
      .send({ ...job, model: 'sora-2-pro', durationSec: 20 })
      .expect(200);
    expect(quote.body).toEqual({
      videoCredits: 1,
      imageCredits: 0,
      internalCost: 240,
      durationSec: 20,
      aspectRatio: '16:9',
    });
    await as(american)
      .post('/v1/generations/quote')
      .send({ ...job, template: 'no-such-template' })
      .expect(400);
    await as(american)
      .post('/v1/generations/quote')
      .send({ ...job, model: 'veo-3.1', durationSec: 9 })
      .expect(422);
    expect(await videoUsage(american)).toMatchObject({ reserved: 0, remaining: 1 });
    await api.get('/v1/models').expect(401);
  });

  it('a prompt the safety check refuses is 422 with its rule, kept as blocked, and holds nothing', async () => {
    const user = await signUp();
    const violent = { ...job, prompt: 'a man shooting a woman in the head' };
    const refused = await as(user)
      .post('/v1/generations')
      .set('idempotency-key', 'blocked-once')
      .send(violent)
      .expect(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: 'https://fluxnote.dev/problems/content-policy',
      rule: 'violence.against-people',
      jobId: expect.any(String),
    });
    expect(await videoUsage(user)).toMatchObject({ reserved: 0, used: 0, remaining: 1 });
    expect(await jobStatus(user, refused.body.jobId as string)).toMatchObject({
      status: 'blocked',
      reserved: { videoCredits: 0, imageCredits: 0 },
      failure: { reason: 'content_policy', refunded: false },
    });
    // A retry with the key gets the same answer; the same words used harmlessly go through.
    const again = await as(user)
      .post('/v1/generations')
      .set('idempotency-key', 'blocked-once')
      .send(violent)
      .expect(422);
    expect(again.body.jobId).toBe(refused.body.jobId);
    // The feed keeps it once, with the rule and how to appeal.
    await expectEventually(async () => {
      const items = (await as(user).get('/v1/notifications').expect(200)).body.items as {
        title: string;
        body: string;
      }[];
      expect(items.filter((n) => n.title === 'Your prompt was blocked')).toEqual([
        expect.objectContaining({ body: expect.stringContaining('violence.against-people') }),
      ]);
    });
    const benign = await as(user)
      .post('/v1/generations')
      .send({ ...job, prompt: 'shooting a documentary about a killer sunset' })
      .expect(202);
    expect(benign.body.status).toBe('queued');
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
    const direct = createGrpcClient<generationV1.GenerationServiceClient>(
      {
        package: generationV1.protobufPackage,
        file: generationV1.protobufFileName,
        service: generationV1.GENERATION_SERVICE_NAME,
      },
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
