import request from 'supertest';
import { ProviderDouble, SuiteValue } from '@fluxnote/testing';
import { Platform } from '../../tools/launcher/platform';
import { startPlatformUnderTest, testAdmin } from './platform-under-test';

export interface Session {
  accessToken: string;
  user: { id: string };
}

/** A signed-up user: the session and the address mail goes to. */
export interface Tokens extends Session {
  email: string;
}

/** What a suite on the job platform works with once it is up. */
export interface JobPlatform {
  platform: Platform;
  api: ReturnType<typeof request>;
  /** The admin's access token. */
  admin: string;
  provider: ProviderDouble;
  /** Stops the platform; fails on any answer not in the OpenAPI document. */
  stop: () => Promise<void>;
}

export const providerWebhookUrl = 'https://api.fluxnote.test/v1/webhooks/model-provider';

/**
 * The platform as `npm start` starts it (six processes, embedded bus, its own database `name`),
 * with Kling on an HTTP provider (a local double, its jobs finish by webhook) and the others on the
 * simulator, behind the contract check; used through the gateway's HTTP API only. Registers the
 * suite's `beforeAll` and `afterAll`; `opened()` gives what they started.
 */
export function useJobPlatform(name: string) {
  const opened = new SuiteValue<JobPlatform>('the job platform');
  const current = (): JobPlatform => opened.get();

  beforeAll(async () => {
    const provider = await ProviderDouble.start({ webhookSecret: 'e2e-provider-webhook-secret' });
    try {
      const { platform, stop } = await startPlatformUnderTest(name, {
        TRUSTED_PROXIES: 'loopback',
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
      });
      provider.deliverTo = `${platform.gatewayUrl}/v1/webhooks/model-provider`;
      opened.set({ platform, api: request(platform.gatewayUrl), provider, admin: '', stop });
    } catch (error) {
      await provider.stop();
      throw error;
    }
    current().admin = (await logIn(testAdmin.email, testAdmin.password)).accessToken;
  });

  afterAll(async () => {
    try {
      await opened.peek()?.stop();
    } finally {
      await opened.peek()?.provider.stop();
    }
  });

  let counter = 0;
  async function signUp(country = 'US'): Promise<Tokens> {
    const email = `creator${++counter}-${Date.now()}@example.com`;
    const response = await current()
      .api.post('/v1/auth/signup')
      .send({ email, password: 'a long enough password', country })
      .expect(201);
    const tokens: Tokens = { ...(response.body as Session), email };
    // Usable the moment sign-up answered (no waiting for the registration event).
    await current()
      .api.get('/v1/usage')
      .set('authorization', `Bearer ${tokens.accessToken}`)
      .expect(200);
    return tokens;
  }

  async function logIn(email: string, password: string): Promise<Session> {
    return (await current().api.post('/v1/auth/login').send({ email, password }).expect(200))
      .body as Session;
  }

  function as(tokens: Session | string): {
    get(path: string): request.Test;
    post(path: string): request.Test;
    put(path: string): request.Test;
    delete(path: string): request.Test;
  } {
    const token = typeof tokens === 'string' ? tokens : tokens.accessToken;
    return {
      get: (path) => current().api.get(path).set('authorization', `Bearer ${token}`),
      post: (path) => current().api.post(path).set('authorization', `Bearer ${token}`),
      put: (path) => current().api.put(path).set('authorization', `Bearer ${token}`),
      delete: (path) => current().api.delete(path).set('authorization', `Bearer ${token}`),
    };
  }

  async function simulate(model: string, failure: string | null, latencyMs = 100): Promise<void> {
    await as(current().admin)
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

  return { opened: current, signUp, logIn, as, simulate, videoUsage, jobStatus, job };
}
