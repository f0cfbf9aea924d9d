import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { Platform } from '../../tools/launcher/platform';
import { startPlatformUnderTest } from './platform-under-test';

jest.setTimeout(120_000);

/** Operations anyone may call: they authenticate otherwise (a signature, a secret, a code) or not at all. */
const open = [
  /^\/v1\/auth\//,
  /^\/v1\/shared\//,
  /^\/v1\/webhooks\//,
  /^\/v1\/support\/inbound-email$/,
  /^\/(healthz|readyz)$/,
  /^\/\.well-known\//,
];

/** What the gateway shows the world: headers, CORS, the signing keys, and no way in without a valid token. */
describe('the gateway seen from outside', () => {
  let platform: Platform;
  let stopPlatform: () => Promise<void>;
  const webApp = 'https://app.fluxnote.test';

  beforeAll(async () => {
    ({ platform, stop: stopPlatform } = await startPlatformUnderTest('security', {
      CORS_ORIGINS: webApp,
    }));
  });

  afterAll(async () => {
    await stopPlatform?.();
  });

  const url = (path: string): string => `${platform.gatewayUrl}${path}`;

  it('answers with the security headers, and without X-Powered-By', async () => {
    for (const path of ['/v1/me', '/v1/plans', '/readyz', '/docs/openapi.json']) {
      const response = await fetch(url(path));
      expect(response.headers.get('strict-transport-security')).toBe(
        'max-age=31536000; includeSubDomains',
      );
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
    // The API's browser page still renders (Swagger UI's own scripts are not blocked).
    const docs = await fetch(url('/docs'));
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).not.toMatch(/script-src/);
  });

  it('serves its metrics on the internal port only, not through the public one', async () => {
    const outside = await fetch(url('/metrics'));
    expect(outside.status).toBe(404);
    expect(outside.headers.get('content-type')).toMatch(/problem\+json/);
    const inside = await fetch(`${platform.internalHttpUrl('gateway')}/metrics`);
    expect(inside.status).toBe(200);
    expect(await inside.text()).toMatch(/^process_cpu_user_seconds_total\{service="gateway"\}/m);
    // A service with an outbox reports its backlog (what the chart's FluxNoteOutboxStuck reads).
    const billing = await (await fetch(`${platform.internalHttpUrl('billing')}/metrics`)).text();
    expect(billing).toMatch(
      /^fluxnote_outbox_oldest_event_age_seconds\{schema="billing",service="billing"\} \d/m,
    );
    expect(billing).toMatch(
      /^fluxnote_outbox_backlog_events\{schema="billing",service="billing"\} \d+$/m,
    );
    expect(billing).toContain('# TYPE fluxnote_dead_letters_total counter');
    const support = await (await fetch(`${platform.internalHttpUrl('support')}/metrics`)).text();
    expect(support).toContain('# TYPE fluxnote_support_tickets_escalated gauge');
    const accounts = await (await fetch(`${platform.internalHttpUrl('accounts')}/metrics`)).text();
    expect(accounts).toMatch(/^fluxnote_accounts_deletions_pending\{service="accounts"\} \d+$/m);
    expect(billing).toMatch(
      /^fluxnote_consumer_lag_events\{group="billing\.ledger",topic="[^"]+",partition="\d+",service="billing"\} \d+$/m,
    );
  });

  it('lets the configured web app call it from a browser, and no other origin', async () => {
    const preflight = await fetch(url('/v1/generations'), {
      method: 'OPTIONS',
      headers: {
        origin: webApp,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(webApp);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/idempotency-key/i);
    const other = await fetch(url('/v1/plans'), { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('publishes the signing keys, which verify its tokens', async () => {
    const signup = await fetch(url('/v1/auth/signup'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'keys@example.com', password: 'a long enough password' }),
    });
    const { accessToken, user } = (await signup.json()) as {
      accessToken: string;
      user: { id: string };
    };
    const response = await fetch(url('/.well-known/jwks.json'));
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).not.toHaveProperty('d'); // public parts only
    }
    // (the platform clock may run ahead of this process's: the signature is what is checked here)
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks), {
      clockTolerance: '30 days',
    });
    expect(payload.sub).toBe(user.id);
  });

  it("never shows or touches another user's jobs, projects, tickets, uploads or logins", async () => {
    const signUp = async (email: string): Promise<{ accessToken: string; user: { id: string } }> =>
      (await (
        await fetch(url('/v1/auth/signup'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: 'a long enough password' }),
        })
      ).json()) as { accessToken: string; user: { id: string } };
    const owner = await signUp('owner@example.com');
    const other = await signUp('other@example.com');
    const as = (token: string, method: string, path: string, body?: unknown) =>
      fetch(url(path), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body instanceof Buffer ? { 'content-type': 'image/png' } : {}),
          ...(body !== undefined && !(body instanceof Buffer)
            ? { 'content-type': 'application/json' }
            : {}),
        },
        body: body instanceof Buffer ? body : body === undefined ? undefined : JSON.stringify(body),
      });
    const prompt = 'the owner’s private prompt about a lighthouse';
    const job = (await (
      await as(owner.accessToken, 'POST', '/v1/generations', {
        model: 'wan-2.6',
        mode: 'text-to-video',
        prompt,
        projectId: '5d7a8f1e-0c7b-4a59-9a4e-1f0d6b2c3a41',
      })
    ).json()) as { id: string };
    const ticket = (await (
      await as(owner.accessToken, 'POST', '/v1/support/tickets', {
        channel: 'email',
        body: 'My private question',
        jobIds: [job.id],
      })
    ).json()) as { id: string };
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(2048, 1),
    ]);
    const face = (await (
      await as(owner.accessToken, 'POST', '/v1/face-identities?name=me', png)
    ).json()) as { id: string };
    const logins = (await (await as(owner.accessToken, 'GET', '/v1/account/logins')).json()) as {
      items: { id: string }[];
    };
    const ids: Record<string, string> = {
      generations: job.id,
      projects: '5d7a8f1e-0c7b-4a59-9a4e-1f0d6b2c3a41',
      'support/tickets': ticket.id,
      'face-identities': face.id,
      'account/logins': logins.items[0].id,
    };
    expect(Object.entries(ids).filter(([, id]) => !id)).toEqual([]);

    const document = (await (await fetch(url('/docs/openapi.json'))).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const leaks: string[] = [];
    let checked = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      const owned = Object.keys(ids).find((prefix) => path.startsWith(`/v1/${prefix}/{`));
      if (!owned || path.endsWith('/stream')) {
        continue;
      }
      const concrete = path.replace(/\{[^}]+\}/, ids[owned]);
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const response = await as(
          other.accessToken,
          method,
          concrete,
          method === 'GET' || method === 'DELETE' ? undefined : { body: 'mine now' },
        );
        const text = await response.text();
        checked += 1;
        if (
          ![403, 404].includes(response.status) ||
          text.includes(prompt) ||
          text.includes(owner.user.id)
        ) {
          leaks.push(`${method} ${path} → ${response.status} ${text.slice(0, 120)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(10); // read, cancel, delete, share, messages, not-me, …
    // and nothing of the owner's was changed by the attempts
    expect((await as(owner.accessToken, 'GET', `/v1/generations/${job.id}`)).status).toBe(200);
    expect((await as(owner.accessToken, 'GET', `/v1/support/tickets/${ticket.id}`)).status).toBe(
      200,
    );
    const faces = (await (await as(owner.accessToken, 'GET', '/v1/face-identities')).json()) as {
      items: { id: string }[];
    };
    expect(faces.items.map((f) => f.id)).toContain(face.id);
    expect((await as(owner.accessToken, 'GET', '/v1/me')).status).toBe(200);
  });

  it('refuses every operation that needs a session without a valid token (401)', async () => {
    const document = (await (await fetch(url('/docs/openapi.json'))).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const realKeys = (await (await fetch(url('/.well-known/jwks.json'))).json()) as {
      keys: Record<string, unknown>[];
    };
    // The claims a real token has, signed by a key that is not FluxNote's, or by none.
    const { privateKey } = await generateKeyPair('ES256');
    const claims = { roles: ['user', 'admin'], brand: 'fluxnote', sid: 'forged', st: 'active' };
    const forged = await new SignJWT(claims)
      // FluxNote's own key id, so the signature itself is what fails
      .setProtectedHeader({ alg: 'ES256', kid: String(realKeys.keys[0]?.['kid']) })
      .setSubject('00000000-0000-4000-8000-000000000000')
      .setIssuer('https://accounts.fluxnote.internal')
      .setAudience('fluxnote-api')
      .setExpirationTime('1h')
      .sign(privateKey);
    const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
      ...claims,
      sub: '00000000-0000-4000-8000-000000000000',
      iss: 'https://accounts.fluxnote.internal',
      aud: 'fluxnote-api',
      exp: Math.floor(Date.now() / 1000) + 3600,
    })}.`;
    const tokens: (string | undefined)[] = [undefined, 'garbage', forged, unsigned];
    const answers: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      if (open.some((pattern) => pattern.test(path))) {
        continue;
      }
      const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      for (const method of Object.keys(methods)) {
        for (const token of tokens) {
          const response = await fetch(url(concrete), {
            method: method.toUpperCase(),
            headers: {
              'content-type': 'application/json',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body: ['get', 'delete'].includes(method) ? undefined : '{}',
          });
          await response.body?.cancel();
          if (response.status !== 401) {
            answers.push(
              `${method.toUpperCase()} ${path} (${token?.slice(0, 12)}) → ${response.status}`,
            );
          }
        }
      }
    }
    expect(answers).toEqual([]);
  });
});
