import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  openTestServiceDatabase,
  ProviderDouble,
  problemOf,
  type TestDatabase,
} from '@fluxnote/testing';
import { generationConfigSchema, type GenerationConfig } from '../config/generation.config';
import { generationDatabase } from '../generation.database';
import { HttpModelProvider } from './http-model-provider';
import type { ProviderRequest } from './model-provider';
import { ProviderWebhooks } from './provider-webhooks';

describe('HTTP model provider against a local double (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let double: ProviderDouble;
  let config: GenerationConfig;
  let provider: HttpModelProvider;
  let webhooks: ProviderWebhooks;

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase('generation_http', generationDatabase, 5));
    double = await ProviderDouble.start();
    config = generationConfigSchema.parse({
      DATABASE_URL: db.url,
      BILLING_GRPC_URL: '127.0.0.1:1',
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
      MODEL_PROVIDER_URL: double.url,
      MODEL_PROVIDER_API_KEY: double.apiKey,
      MODEL_PROVIDER_MODELS: 'kling-3.0,veo-3.1',
      MODEL_PROVIDER_WEBHOOK_SECRET: 'provider-webhook-secret',
      MODEL_PROVIDER_WEBHOOK_URL: 'https://api.fluxnote.test/v1/webhooks/model-provider',
      MODEL_PROVIDER_POLL_MS: '20',
    });
    provider = new HttpModelProvider(dataSource, config);
    webhooks = new ProviderWebhooks(dataSource, config);
  });

  afterAll(async () => {
    await provider.onModuleDestroy();
    await double.stop();
    await dataSource.destroy();
    await db.drop();
  });

  /** A processing job row (the provider's task hangs off it). */
  async function request(model = 'kling-3.0', timeLimitMs = 10_000): Promise<ProviderRequest> {
    const jobId = randomUUID();
    await dataSource.query(
      `INSERT INTO generation.jobs (id, user_id, status, model, mode, prompt, duration_sec, aspect_ratio,
         video_credits, image_credits, lane)
       VALUES ($1, $2, 'processing', $3, 'text-to-video', 'a fox in snow', 5, '16:9', 1, 0, 1)`,
      [jobId, randomUUID(), model],
    );
    return {
      jobId,
      model,
      mode: 'text-to-video',
      prompt: 'a fox in snow',
      durationSec: 5,
      aspectRatio: '16:9',
      noTraining: true,
      timeLimitMs,
    };
  }

  const createsFor = (jobId: string) =>
    double.calls.filter(
      (c) =>
        c.method === 'POST' &&
        c.path === '/v1/generations' &&
        c.headers['idempotency-key'] === jobId,
    );

  it('creates one task with the no-training flag, polls until it succeeds, and keeps the output', async () => {
    double.script('kling-3.0', { outcome: 'succeeded', runningPolls: 2 });
    const job = await request();
    expect(await provider.run(job)).toEqual({
      ok: true,
      outputUrl: expect.stringMatching(/^https:\/\/cdn\.provider\.test\/task_/),
    });
    const [create] = createsFor(job.jobId);
    expect(create?.headers.authorization).toBe(`Bearer ${double.apiKey}`);
    expect(create?.body).toMatchObject({
      model: 'kling-3.0',
      prompt: 'a fox in snow',
      duration_seconds: 5,
      aspect_ratio: '16:9',
      no_training: true,
      webhook_url: 'https://api.fluxnote.test/v1/webhooks/model-provider',
    });
    expect(createsFor(job.jobId)).toHaveLength(1);
  });

  it('sends the job’s face identity, voice and captions with the create', async () => {
    double.script('kling-3.0', { outcome: 'succeeded' });
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const withFace = {
      ...(await request()),
      faceIdentity: { mediaType: 'image/jpeg', data: photo },
      mode: 'image-to-video',
      inputImageUrl: 'https://images.example.com/me.jpg',
      voiceover: { voiceId: 'EXAVITQu4vr4xnSDxMaL' },
      captions: 'kinetic',
    };
    expect(await provider.run(withFace)).toMatchObject({ ok: true });
    expect(createsFor(withFace.jobId)[0]?.body).toMatchObject({
      face_identity: { media_type: 'image/jpeg', data: photo.toString('base64') },
      voiceover: { voice_id: 'EXAVITQu4vr4xnSDxMaL' },
      captions: 'kinetic',
      mode: 'image-to-video',
      image_url: 'https://images.example.com/me.jpg',
      no_training: true,
    });
    const sample = Buffer.from('ID3 a voice', 'latin1');
    const withClone = {
      ...(await request()),
      voiceover: { sample: { mediaType: 'audio/mpeg', data: sample } },
    };
    expect(await provider.run(withClone)).toMatchObject({ ok: true });
    const body = createsFor(withClone.jobId)[0]?.body;
    expect(body?.voiceover).toEqual({
      voice_sample: { media_type: 'audio/mpeg', data: sample.toString('base64') },
    });
    expect(body).not.toHaveProperty('face_identity');
    expect(body).not.toHaveProperty('captions');
  });

  it('wakes at once on a signed webhook instead of waiting for the next poll', async () => {
    const slow = new HttpModelProvider(dataSource, { ...config, MODEL_PROVIDER_POLL_MS: 60_000 });
    try {
      double.script('veo-3.1', { outcome: 'succeeded', runningPolls: 1_000 });
      const job = await request('veo-3.1');
      const started = Date.now();
      const running = slow.run(job);
      let task: { id: string } | undefined;
      while (!task) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        task = double.created('veo-3.1').at(-1);
      }
      // give the run time to store its task and start waiting
      await new Promise((resolve) => setTimeout(resolve, 200));
      const delivery = double.signedDelivery({
        id: task.id,
        status: 'succeeded',
        output_url: 'https://cdn.provider.test/by-webhook.mp4',
      });
      expect(await webhooks.receive(Buffer.from(delivery.body), delivery.signature)).toEqual({
        outcome: 'recorded',
        taskId: task.id,
      });
      expect(await running).toEqual({
        ok: true,
        outputUrl: 'https://cdn.provider.test/by-webhook.mp4',
      });
      expect(Date.now() - started).toBeLessThan(30_000);
      // The same delivery again, or a late one saying otherwise, changes nothing.
      expect(await webhooks.receive(Buffer.from(delivery.body), delivery.signature)).toMatchObject({
        outcome: 'unchanged',
      });
    } finally {
      await slow.onModuleDestroy();
    }
  });

  it('refuses forged, stale and malformed deliveries, and ignores tasks it never made', async () => {
    const task = { id: 'task_unknown', status: 'succeeded' as const };
    const refusal = (delivery: { body: string; signature: string }) =>
      problemOf(webhooks.receive(Buffer.from(delivery.body), delivery.signature));
    const forged = double.signedDelivery(task, undefined, 'not-the-secret');
    expect(await refusal(forged)).toMatchObject({ status: 400 });
    const stale = double.signedDelivery(task, Math.floor(Date.now() / 1000) - 3_600);
    expect(await refusal(stale)).toMatchObject({ status: 400 });
    const tampered = double.signedDelivery(task);
    expect(
      await refusal({ ...tampered, body: tampered.body.replace('succeeded', 'failed') }),
    ).toMatchObject({ status: 400 });
    expect(await refusal({ ...tampered, signature: 'v1=abc' })).toMatchObject({ status: 400 });
    const junk = double.signedDelivery({ nope: true } as never);
    expect(await refusal(junk)).toMatchObject({ status: 400 });
    const unknown = double.signedDelivery(task);
    expect(await webhooks.receive(Buffer.from(unknown.body), unknown.signature)).toEqual({
      outcome: 'ignored',
      taskId: 'task_unknown',
    });
  });

  it('maps a moderated output to a block and a failed task to a platform failure', async () => {
    double.script('kling-3.0', { outcome: 'moderated' });
    expect(await provider.run(await request())).toMatchObject({
      ok: false,
      reason: 'output_blocked',
      transient: false,
    });
    double.script('kling-3.0', { outcome: 'failed' });
    expect(await provider.run(await request())).toMatchObject({
      ok: false,
      reason: 'crash',
      transient: false,
      detail: expect.stringContaining('The model failed to render.'),
    });
  });

  it('calls a 5xx transient, and a retry resumes the same task rather than starting another', async () => {
    double.script('kling-3.0', { outcome: 'succeeded', runningPolls: 0, unavailable: 1 });
    const job = await request();
    const before = double.created().length;
    expect(await provider.run(job)).toMatchObject({
      ok: false,
      reason: 'provider_5xx',
      transient: true,
    });
    expect(double.created()).toHaveLength(before); // refused: nothing was made
    expect(await provider.run(job)).toMatchObject({ ok: true });
    expect(double.created()).toHaveLength(before + 1);

    // A worker that died while the task ran: the next attempt polls the same task.
    double.script('kling-3.0', { outcome: 'succeeded', runningPolls: 1 });
    const crashed = await request();
    expect(await provider.run(crashed)).toMatchObject({ ok: true });
    await dataSource.query(
      `UPDATE generation.provider_tasks SET status = 'running', output_url = NULL WHERE job_id = $1`,
      [crashed.jobId],
    );
    expect(await provider.run(crashed)).toMatchObject({ ok: true });
    expect(createsFor(crashed.jobId)).toHaveLength(1);
    // One that died between the create and storing it: the provider answers the same task.
    await dataSource.query(`DELETE FROM generation.provider_tasks WHERE job_id = $1`, [
      crashed.jobId,
    ]);
    expect(await provider.run(crashed)).toMatchObject({ ok: true });
    expect(createsFor(crashed.jobId)).toHaveLength(2);
    expect(double.created()).toHaveLength(before + 2);
  });

  it('cancels the task once the model’s time limit passes', async () => {
    double.script('kling-3.0', { outcome: 'never' });
    const job = await request('kling-3.0', 300);
    expect(await provider.run(job)).toMatchObject({
      ok: false,
      reason: 'timeout',
      transient: false,
    });
    const task = double.created('kling-3.0').at(-1)!;
    expect(task.status).toBe('cancelled');
    expect(
      double.calls.some(
        (c) => c.method === 'POST' && c.path === `/v1/generations/${task.id}/cancel`,
      ),
    ).toBe(true);
  });
});
