import request from 'supertest';
import type { Problem } from '@fluxnote/contracts';
import { expectEventually } from '@fluxnote/testing';
import type { Platform } from '../../tools/launcher/platform';
import { startPlatformUnderTest } from './platform-under-test';

jest.setTimeout(120_000);

interface Session {
  accessToken: string;
}

/**
 * One service that stops answering takes down only what needs it: the gateway stays ready (so
 * Kubernetes keeps it in the Service), its liveness never looks past itself, the routes that call
 * the frozen service answer 503 problem+json with Retry-After at once, and every other route
 * works. When the service answers again, so do its routes.
 */
describe('readiness that does not cascade', () => {
  let platform: Platform;
  let stop: () => Promise<void>;
  let api: ReturnType<typeof request>;

  beforeAll(async () => {
    ({ platform, stop } = await startPlatformUnderTest('e2e_readiness', {
      DOWNSTREAM_PROBE_MS: '200',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
    }));
    api = request(platform.gatewayUrl);
  });

  afterAll(async () => {
    platform?.thaw('support');
    await stop?.();
  });

  it('keeps the gateway ready and the other routes working while support is frozen', async () => {
    const user = (
      await api
        .post('/v1/auth/signup')
        .send({ email: `ready-${Date.now()}@example.com`, password: 'a long enough password' })
        .expect(201)
    ).body as Session;
    const as = (path: string) => api.get(path).set('authorization', `Bearer ${user.accessToken}`);
    await as('/v1/support/tickets').expect(200);

    platform.freeze('support');
    try {
      const ready = await expectEventually(async () => {
        const response = await api.get('/readyz').expect(200);
        expect(response.body.status).toBe('degraded');
        return response.body as {
          checks: Record<string, string>;
          dependencies: Record<string, string>;
        };
      });
      expect(ready.checks).toEqual({ database: 'ok' });
      expect(ready.dependencies).toMatchObject({ accounts: 'ok', billing: 'ok', generation: 'ok' });
      expect(ready.dependencies['support']).not.toBe('ok');
      await api.get('/healthz').expect(200);

      const started = Date.now();
      const refused = await as('/v1/support/tickets').expect(503);
      expect(Date.now() - started).toBeLessThan(1000); // at once, not after the call's deadline
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((refused.body as Problem).type).toContain('service-unavailable');

      // everything that does not need support still works
      await as('/v1/usage').expect(200);
      await as('/v1/notifications').expect(200);
      await as('/v1/generations').expect(200);
      await api.get('/v1/plans').set('authorization', `Bearer ${user.accessToken}`).expect(200);
    } finally {
      platform.thaw('support');
    }
    await expectEventually(async () => {
      await as('/v1/support/tickets').expect(200);
      expect((await api.get('/readyz').expect(200)).body.status).toBe('ready');
    });
  });
});
