import { randomUUID } from 'node:crypto';
import { ApiProblem, pages, unwrap } from '@fluxnote/client';
import { expectEventually, scrapedValue } from '@fluxnote/testing';
import type { Platform } from '../../tools/launcher/platform';
import { tour } from '../../examples/sdk-tour';
import type { ContractCheck } from './contract-check';
import { mailTo, startPlatformUnderTest, testAdmin } from './platform-under-test';
import { password, sdkUsers } from './sdk-users';

jest.setTimeout(240_000);

const inboundSecret = 'api-tour-inbound-secret';

/**
 * Every operation of the public API, called once through the SDK (`@fluxnote/client`) as a client
 * app would, behind the contract check: each answer is validated against the OpenAPI document,
 * and at the end every operation must have answered one of its documented successes.
 */
describe('the public API, operation by operation, through the SDK', () => {
  let platform: Platform;
  let contract: ContractCheck;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ platform, contract, stop } = await startPlatformUnderTest('e2e_tour', {
      INBOUND_EMAIL_SECRET: inboundSecret,
      // one job of this model at a time, so the second one waits and can be cancelled
      MODEL_CONCURRENCY: 'hailuo-2.3=1',
    }));
  });

  afterAll(async () => {
    await stop?.();
  });

  const { client, signUp, code, link } = sdkUsers(() => platform);

  it('answers every operation as its document says', async () => {
    const anyone = client();
    await unwrap(anyone.api.GET('/healthz'));
    await unwrap(anyone.api.GET('/readyz'));
    expect((await unwrap(anyone.api.GET('/.well-known/jwks.json'))).keys.length).toBeGreaterThan(0);

    // --- accounts: sign-up, a challenged log-in on a new device, refresh, log-out
    const owner = await signUp();
    const api = owner.sdk.api;
    expect((await unwrap(api.GET('/v1/me'))).email).toBe(owner.email);
    const laptop = client();
    const challenge = await unwrap(
      laptop.api.POST('/v1/auth/login', {
        body: { email: owner.email, password, deviceId: 'tour-laptop' },
      }),
    );
    expect(challenge).toMatchObject({ status: 'verification_required' });
    const challengeId = (challenge as { challengeId: string }).challengeId;
    await unwrap(
      laptop.api.POST('/v1/auth/login/verify', {
        body: { challengeId, code: await code(owner.email) },
      }),
    );
    const refreshToken = laptop.session()!.refreshToken;
    await unwrap(laptop.api.POST('/v1/auth/refresh', { body: { refreshToken } }));
    await unwrap(
      laptop.api.POST('/v1/auth/logout', {
        body: { refreshToken: laptop.session()!.refreshToken },
      }),
    );
    expect(laptop.session()).toBeUndefined();
    // the same device again: tokens at once
    const again = client();
    await unwrap(
      again.api.POST('/v1/auth/login', {
        body: { email: owner.email, password, deviceId: 'tour-laptop' },
      }),
    );
    expect(again.session()).toBeDefined();
    const google = await anyone.api
      .POST('/v1/auth/google', { body: { idToken: 'not-a-google-token' } })
      .catch((e: unknown) => e);
    expect(google).toBeInstanceOf(ApiProblem);

    // --- a reset link and an unlock link (another account: both end its sessions)
    const forgetful = await signUp();
    await unwrap(anyone.api.POST('/v1/auth/password/forgot', { body: { email: forgetful.email } }));
    const resetToken = await link(forgetful.email, /Choose a new password/, 'reset-password');
    await unwrap(
      anyone.api.POST('/v1/auth/password/reset', {
        body: { token: resetToken, newPassword: 'another long enough password' },
      }),
    );
    for (let i = 0; i < 5; i++) {
      await anyone.api
        .POST('/v1/auth/login', {
          body: { email: forgetful.email, password: 'wrong', deviceId: `bot-${i}` },
        })
        .catch((e: unknown) => expect(ApiProblem.is(e, 'invalid-credentials')).toBe(true));
    }
    const unlockToken = await link(forgetful.email, /paused log-ins/, 'unlock');
    await unwrap(anyone.api.POST('/v1/auth/unlock', { body: { token: unlockToken } }));

    // --- catalog and billing
    expect((await unwrap(api.GET('/v1/models'))).items.length).toBeGreaterThan(0);
    expect((await unwrap(api.GET('/v1/templates'))).items.length).toBeGreaterThan(0);
    const catalog = await unwrap(api.GET('/v1/plans'));
    expect(catalog.plans.map((p) => p.id)).toContain('pro');
    await unwrap(api.GET('/v1/billing/subscription'));
    const upgrade = await unwrap(
      api.POST('/v1/billing/subscription', {
        body: { plan: 'pro', interval: 'month', paymentMethod: catalog.paymentMethods[0] },
      }),
    );
    expect(upgrade.charge?.status).toBe('succeeded');
    const pack = await unwrap(
      api.POST('/v1/billing/credit-packs', { body: { pack: catalog.packs[0].id } }),
    );
    expect((await unwrap(api.GET('/v1/billing/charges'))).items.map((c) => c.id)).toContain(
      pack.id,
    );
    // saving a card for renewals (the simulator's setup succeeds at once; Stripe: stripe suite)
    const setup = await unwrap(api.POST('/v1/billing/payment-methods/setup', { body: {} }));
    expect(setup).toMatchObject({ processor: 'simulated', status: 'succeeded' });
    const stranger = await signUp();
    const notTheirs = await stranger.sdk.api
      .POST('/v1/billing/payment-methods', { body: { setupId: setup.id } })
      .catch((e: unknown) => e);
    expect(ApiProblem.is(notTheirs, 'not-found')).toBe(true);
    const saved = await unwrap(
      api.POST('/v1/billing/payment-methods', { body: { setupId: setup.id } }),
    );
    expect(saved).toEqual({ paymentMethod: 'sim_card', kind: 'card', mandate: null });
    expect((await unwrap(api.GET('/v1/billing/subscription'))).paymentMethod).toBe('sim_card');
    const refundAsk = { chargeId: pack.id, reason: 'bought the wrong pack' };
    await unwrap(api.POST('/v1/billing/refunds/quote', { body: refundAsk }));
    const refund = await unwrap(api.POST('/v1/billing/refunds', { body: refundAsk }));
    expect((await unwrap(api.GET('/v1/billing/refunds'))).items.map((r) => r.id)).toEqual([
      refund.id,
    ]);

    const ending = await unwrap(api.DELETE('/v1/billing/subscription'));
    expect(ending.plan).toBe('pro'); // Pro until the period ends

    // --- generation: quote, submit, follow, share, cancel, delete
    const job = { model: 'wan-2.6', mode: 'text-to-video', prompt: 'a red fox in fresh snow' };
    await unwrap(api.POST('/v1/generations/quote', { body: job }));
    const projectId = randomUUID();
    const submitted = await unwrap(api.POST('/v1/generations', { body: { ...job, projectId } }));
    for await (const event of owner.sdk.stream('/v1/generations/{id}/stream', {
      path: { id: submitted.id },
      lastEventId: '0',
    })) {
      if (event.data.status === 'succeeded') {
        break;
      }
    }
    for await (const event of owner.sdk.stream('/v1/generations/stream', { lastEventId: '0' })) {
      expect(event.data.id).toBe(submitted.id);
      break;
    }
    const mine: string[] = [];
    for await (const generation of pages((cursor) =>
      unwrap(api.GET('/v1/generations', { params: { query: { cursor, limit: 1 } } })),
    )) {
      mine.push(generation.id);
    }
    expect(mine).toEqual([submitted.id]);
    expect(
      (await unwrap(api.GET('/v1/generations/{id}', { params: { path: { id: submitted.id } } })))
        .status,
    ).toBe('succeeded');
    const share = await unwrap(
      api.POST('/v1/generations/{id}/share', { params: { path: { id: submitted.id } } }),
    );
    await unwrap(
      anyone.api.GET('/v1/shared/{token}', { params: { path: { token: share.token } } }),
    );
    await unwrap(
      api.DELETE('/v1/generations/{id}/share', { params: { path: { id: submitted.id } } }),
    );
    await unwrap(
      api.PUT('/v1/admin/simulator/models/{model}', {
        params: { path: { model: 'hailuo-2.3' } },
        body: { failure: null, latencyMs: 1500 },
      }),
    ).catch((e: unknown) => expect(ApiProblem.is(e, 'forbidden')).toBe(true));
    const admin = client();
    await unwrap(admin.api.POST('/v1/auth/login', { body: testAdmin }));
    const ops = admin.api;
    await unwrap(
      ops.PUT('/v1/admin/simulator/models/{model}', {
        params: { path: { model: 'hailuo-2.3' } },
        body: { failure: null, latencyMs: 1500 },
      }),
    );
    const slow = { model: 'hailuo-2.3', mode: 'text-to-video', prompt: 'waves on a beach' };
    const running = await unwrap(api.POST('/v1/generations', { body: slow }));
    const waiting = await unwrap(api.POST('/v1/generations', { body: slow }));
    const cancelled = await unwrap(
      api.POST('/v1/generations/{id}/cancel', { params: { path: { id: waiting.id } } }),
    );
    expect(cancelled.status).toBe('cancelled');
    await expectEventually(async () => {
      const state = await unwrap(
        api.GET('/v1/generations/{id}', { params: { path: { id: running.id } } }),
      );
      expect(state.status).toBe('succeeded');
    });
    await unwrap(api.DELETE('/v1/generations/{id}', { params: { path: { id: running.id } } }));
    const project = await unwrap(
      api.DELETE('/v1/projects/{id}', { params: { path: { id: projectId } } }),
    );
    expect(project.deletedGenerations).toBe(1);

    // --- likenesses: raw uploads with their own Content-Type
    const raw = (bytes: Buffer) => ({
      body: bytes as unknown as string,
      bodySerializer: (b: unknown) => b,
    });
    const sample = Buffer.concat([Buffer.from('ID3\x04\x00', 'latin1'), Buffer.alloc(6000, 0x55)]);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(6000, 0x33)]);
    const voice = await unwrap(
      api.POST('/v1/voice-clones', {
        params: { query: { name: 'My voice' } },
        headers: { 'content-type': 'audio/mpeg' },
        ...raw(sample),
      }),
    );
    expect((await unwrap(api.GET('/v1/voice-clones'))).items).toEqual([voice]);
    await unwrap(api.DELETE('/v1/voice-clones/{id}', { params: { path: { id: voice.id } } }));
    const face = await unwrap(
      api.POST('/v1/face-identities', {
        params: { query: { name: 'Me' } },
        headers: { 'content-type': 'image/jpeg' },
        ...raw(photo),
      }),
    );
    expect((await unwrap(api.GET('/v1/face-identities'))).items).toEqual([face]);
    await unwrap(api.DELETE('/v1/face-identities/{id}', { params: { path: { id: face.id } } }));

    // --- notifications
    const feed = await expectEventually(async () => {
      const page = await unwrap(api.GET('/v1/notifications'));
      expect(page.items.length).toBeGreaterThan(0);
      return page;
    });
    for await (const event of owner.sdk.stream('/v1/notifications/stream', { lastEventId: '0' })) {
      expect(event.data.id).toBeTruthy();
      break;
    }
    await unwrap(
      api.POST('/v1/notifications/{id}/read', { params: { path: { id: feed.items[0].id } } }),
    );
    await unwrap(api.GET('/v1/notifications/preferences'));
    const prefs = await unwrap(
      api.PUT('/v1/notifications/preferences', { body: { jobs: { email: false } } }),
    );
    expect(prefs.jobs.email).toBe(false);
    const device = { token: `push-${randomUUID()}`, platform: 'ios' as const };
    await unwrap(api.POST('/v1/notifications/devices', { body: device }));
    expect((await unwrap(api.GET('/v1/notifications/devices'))).items).toHaveLength(1);
    await unwrap(
      api.DELETE('/v1/notifications/devices/{token}', {
        params: { path: { token: device.token } },
      }),
    );

    // --- support: a ticket citing a job the safety check refused, answered by the desk
    const refused = await api
      .POST('/v1/generations', {
        body: { ...job, prompt: 'a director shooting the family at the beach at sunset' },
      })
      .catch((e: unknown) => e as ApiProblem);
    expect(ApiProblem.is(refused, 'content-policy')).toBe(true);
    const blockedJob = (refused as ApiProblem).body['jobId'] as string;
    const ticket = await unwrap(
      api.POST('/v1/support/tickets', {
        body: { channel: 'chat', body: 'My beach film was blocked.', jobIds: [blockedJob] },
      }),
    );
    expect((await unwrap(api.GET('/v1/support/tickets'))).items.map((t) => t.id)).toContain(
      ticket.id,
    );
    await unwrap(api.GET('/v1/support/tickets/{id}', { params: { path: { id: ticket.id } } }));
    await unwrap(
      api.POST('/v1/support/tickets/{id}/messages', {
        params: { path: { id: ticket.id } },
        body: { body: 'It is a family holiday video.' },
      }),
    );
    for await (const event of owner.sdk.stream('/v1/support/tickets/{id}/stream', {
      path: { id: ticket.id },
      lastEventId: '0',
    })) {
      expect(event.data.ticketId).toBe(ticket.id);
      break;
    }
    await expectEventually(async () => {
      const queue = await unwrap(ops.GET('/v1/agent/queue', { params: { query: { limit: 200 } } }));
      expect(queue.items.map((t) => t.id)).toContain(ticket.id);
    });
    while ((await unwrap(ops.POST('/v1/agent/queue/claim')))?.id) {
      // the desk takes every open ticket (this one among them), then the queue is empty: 204
    }
    await unwrap(
      ops.POST('/v1/agent/tickets/{id}/reply', {
        params: { path: { id: ticket.id } },
        body: { body: 'Looking at it now.' },
      }),
    );
    for await (const event of admin.stream('/v1/agent/tickets/{id}/stream', {
      path: { id: ticket.id },
      lastEventId: '0',
    })) {
      expect(event.data.ticketId).toBe(ticket.id);
      break;
    }
    const log = await unwrap(
      ops.GET('/v1/agent/jobs/{jobId}/log', { params: { path: { jobId: blockedJob } } }),
    );
    expect(log.ticketIds).toEqual([ticket.id]);
    const action = await unwrap(
      ops.POST('/v1/agent/tickets/{id}/actions', {
        params: { path: { id: ticket.id } },
        body: { type: 'approve_prompt', jobId: blockedJob, note: 'a family film' },
      }),
    );
    expect(action.type).toBe('approve_prompt');
    await unwrap(ops.GET('/v1/agent/reports/top-issues'));
    const mailed = [
      'Authentication-Results: mx.fluxnote.dev; spf=pass; dkim=pass; dmarc=pass',
      `From: Owner <${owner.email}>`,
      'To: help@fluxnote.dev',
      'Subject: Where is my invoice?',
      `Message-ID: <${randomUUID()}@mail.example.com>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'I cannot find my invoice.',
      '',
    ].join('\r\n');
    const inbound = await unwrap(
      anyone.api.POST('/v1/support/inbound-email', {
        params: { header: { 'X-Inbound-Email-Secret': inboundSecret } },
        headers: { 'content-type': 'message/rfc822' },
        ...raw(Buffer.from(mailed)),
      }),
    );
    expect(inbound.outcome).toBe('opened');

    // --- operations: the clock, an incident, dead letters, roles, a suspension and its appeal
    await unwrap(ops.POST('/v1/admin/clock', { body: { advance: 'PT1S' } }));
    const incident = await unwrap(
      ops.POST('/v1/admin/incidents', {
        body: { model: 'wan-2.6', message: 'Slow renders', eta: 'PT2H' },
      }),
    );
    expect(incident.affectedUsers).toBeGreaterThan(0);
    await unwrap(ops.GET('/v1/admin/notifications/dead-letters'));
    const suspect = await signUp();
    await unwrap(
      ops.PUT('/v1/admin/users/{id}/roles', {
        params: { path: { id: suspect.id } },
        body: { roles: ['user'] },
      }),
    );
    await unwrap(
      ops.POST('/v1/admin/users/{id}/suspend', {
        params: { path: { id: suspect.id } },
        body: { rule: 'impersonation', evidence: [blockedJob] },
      }),
    );
    // the suspension ended the suspect's sessions (the SDK's refresh is refused too): log in again
    await expect(suspect.sdk.api.GET('/v1/account/suspension')).rejects.toBeInstanceOf(ApiProblem);
    expect(suspect.sdk.session()).toBeUndefined();
    await unwrap(
      suspect.sdk.api.POST('/v1/auth/login', { body: { email: suspect.email, password } }),
    );
    const suspended = await unwrap(suspect.sdk.api.GET('/v1/account/suspension'));
    expect(suspended.rule).toBe('impersonation');
    const appeal = await unwrap(
      suspect.sdk.api.POST('/v1/account/suspension/appeal', {
        body: { statement: 'That was satire.' },
      }),
    );
    expect(appeal.suspensionId).toBe(suspended.id);

    // --- the account's log-ins, "not me", and deletion
    const logins = await unwrap(api.GET('/v1/account/logins'));
    expect(logins.items.length).toBeGreaterThan(0);
    const locked = await unwrap(
      api.POST('/v1/account/logins/{id}/not-me', { params: { path: { id: logins.items[0].id } } }),
    );
    expect(locked.status).toBe('locked');
    const leaving = await signUp();
    const deletion = await unwrap(leaving.sdk.api.DELETE('/v1/account'));
    expect(deletion.status).toBe('deleting');
    expect(leaving.sdk.session()).toBeUndefined();

    // --- webhooks: unsigned deliveries are refused (signed ones: stripe and first-job suites)
    for (const path of ['/v1/webhooks/stripe', '/v1/webhooks/model-provider'] as const) {
      const refusedDelivery = await anyone.api
        .POST(path, {
          params: { header: {} as never },
          headers: { 'content-type': 'application/json' },
          ...raw(Buffer.from('{}')),
        })
        .catch((e: unknown) => e);
      expect(refusedDelivery).toBeInstanceOf(ApiProblem);
    }

    // every operation answered, and answered one of its successes, but for three whose success
    // needs an outside party: Google (account-security suite), Stripe and the model provider
    // (stripe and first-job suites, which are behind the same contract check)
    const outside = ['googleSignIn', 'stripeWebhook', 'modelProviderWebhook'];
    const succeeded = new Set(
      [...contract.seen].filter((s) => /\s2\d\d$/.test(s)).map((s) => s.split(' ')[0]),
    );
    const answered = new Set([...contract.seen].map((s) => s.split(' ')[0]));
    const operations = contract.operations.map((o) => o.operationId);
    expect(operations.filter((o) => !answered.has(o))).toEqual([]);
    expect(operations.filter((o) => !succeeded.has(o) && !outside.includes(o))).toEqual([]);
    expect(contract.violations).toEqual([]);
  });

  it('shows an operator each request, submit, provider call, hold and delivery on /metrics', async () => {
    type Service = 'gateway' | 'generation' | 'billing' | 'notifications';
    const services: Service[] = ['gateway', 'generation', 'billing', 'notifications'];
    const scrapeAll = async (): Promise<Record<Service, string>> =>
      Object.fromEntries(
        await Promise.all(
          services.map(async (s) => [
            s,
            await (await fetch(`${platform.internalHttpUrl(s)}/metrics`)).text(),
          ]),
        ),
      ) as Record<Service, string>;
    const before = await scrapeAll();
    const admin = client();
    await unwrap(admin.api.POST('/v1/auth/login', { body: testAdmin }));
    const failNext = (failure: 'provider_5xx' | null) =>
      unwrap(
        admin.api.PUT('/v1/admin/simulator/models/{model}', {
          params: { path: { model: 'wan-2.6' } },
          body: { failure, latencyMs: 100 },
        }),
      );
    const { sdk, email } = await signUp();
    const job = { model: 'wan-2.6', mode: 'text-to-video', prompt: 'a lighthouse at dawn' };
    const finished = (id: string, status: string) =>
      expectEventually(async () => {
        const state = await unwrap(
          sdk.api.GET('/v1/generations/{id}', { params: { path: { id } } }),
        );
        expect(state.status).toBe(status);
      });
    await failNext('provider_5xx');
    try {
      // fails on the provider; its credit comes back
      await finished((await unwrap(sdk.api.POST('/v1/generations', { body: job }))).id, 'failed');
    } finally {
      await failNext(null);
    }
    await finished((await unwrap(sdk.api.POST('/v1/generations', { body: job }))).id, 'succeeded');
    const refused = await unwrap(sdk.api.POST('/v1/generations', { body: job })).catch(
      (e: unknown) => e,
    );
    expect(ApiProblem.is(refused, 'insufficient-credits')).toBe(true);
    // the failure's email is sent by the notifications worker
    await mailTo(platform, email, /failed/i);

    const after = await expectEventually(async () => {
      const now = await scrapeAll();
      const sent = (text: string) =>
        scrapedValue(text, 'fluxnote_notification_deliveries_total', {
          channel: 'email',
          outcome: 'sent',
        });
      expect(sent(now.notifications)).toBeGreaterThan(sent(before.notifications));
      return now;
    });
    const grew = (service: Service, name: string, labels: Record<string, string>): number =>
      scrapedValue(after[service], name, labels) - scrapedValue(before[service], name, labels);

    // the gateway: each request under its route template and status
    const submits = { method: 'POST', route: '/v1/generations' };
    expect(
      grew('gateway', 'fluxnote_http_request_duration_seconds_count', {
        ...submits,
        status: '202',
      }),
    ).toBe(2);
    expect(
      grew('gateway', 'fluxnote_http_request_duration_seconds_count', {
        ...submits,
        status: '402',
      }),
    ).toBe(1);
    // generation: the submits by outcome, over gRPC, and the provider's calls per model
    const outcome = (o: string) =>
      grew('generation', 'fluxnote_generation_submits_total', { outcome: o });
    expect([outcome('accepted'), outcome('insufficient-credits')]).toEqual([2, 1]);
    expect(
      grew('generation', 'fluxnote_grpc_server_duration_seconds_count', {
        grpc_method: 'SubmitJob',
        grpc_code: 'OK',
      }),
    ).toBe(2);
    const calls = (o: string) =>
      grew('generation', 'fluxnote_provider_call_duration_seconds_count', {
        model: 'wan-2.6',
        outcome: o,
      });
    expect(calls('ok')).toBe(1);
    expect(calls('failed')).toBeGreaterThanOrEqual(1);
    expect(
      grew('generation', 'fluxnote_provider_failures_total', {
        model: 'wan-2.6',
        reason: 'provider_5xx',
      }),
    ).toBe(calls('failed'));
    expect(
      grew('generation', 'fluxnote_generation_queue_wait_seconds_count', { lane: 'shared' }),
    ).toBe(2);
    expect(after.generation).toMatch(
      /^fluxnote_generation_queue_depth\{lane="priority",service="generation"\} \d+$/m,
    );
    expect(after.generation).toMatch(
      /^fluxnote_generation_queue_depth\{lane="shared",service="generation"\} \d+$/m,
    );
    // billing: two holds, one given back, one spent
    const credits = (operation: string) =>
      grew('billing', 'fluxnote_credits_total', { operation, pool: 'video' });
    expect([credits('hold'), credits('release'), credits('commit')]).toEqual([2, 1, 1]);
    expect(
      grew('billing', 'fluxnote_grpc_server_duration_seconds_count', {
        grpc_method: 'Reserve',
        grpc_code: 'OK',
      }),
    ).toBe(2);
  });

  it('runs the README’s SDK tour (examples/sdk-tour.ts)', async () => {
    const lines: string[] = [];
    await tour(platform.gatewayUrl, (line) => lines.push(line));
    expect(lines[0]).toBe('a job costs 1 video credit');
    expect(lines).toContain('job succeeded');
    expect(lines.at(-1)).toBe('the free credit is spent: 402 insufficient-credits');
  });
});
