import { expectEventually, ProviderDouble } from '@fluxnote/testing';
import type { JobPlatform } from './job-platform';
import { useJobPlatform, type Tokens } from './job-platform';

jest.setTimeout(120_000);

/** Voice clones and face identities, failure signals, the catalog and the safety check, end to end. */
describe('likenesses, failure signals, catalog and safety end to end', () => {
  const fixture = useJobPlatform('e2e_signals');
  const { signUp, as, simulate, videoUsage, jobStatus, job } = fixture;
  let api: JobPlatform['api'];
  let admin: string;
  let provider: ProviderDouble;
  beforeAll(() => {
    ({ api, admin, provider } = fixture.opened());
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
});
