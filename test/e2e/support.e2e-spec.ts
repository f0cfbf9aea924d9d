import { rmSync } from 'node:fs';
import request from 'supertest';
import {
  createTestDatabase,
  expectEventually,
  makeTempDir,
  readEventStream,
  type TestDatabase,
} from '@fluxnote/testing';
import { Platform } from '../../tools/launcher/platform';
import { checkContract, relaxedRateLimits } from './platform-under-test';

jest.setTimeout(120_000);

interface Session {
  accessToken: string;
  user: { id: string };
}

interface TicketView {
  id: string;
  channel: string;
  category: string;
  priorityClass: string;
  tags: string[];
  status: string;
  openedAt: string;
  dueAt: string;
  messages: { author: string; body: string }[];
}

/** Support tickets through the gateway: intake, targets by plan and channel, and privacy. */
const inboundSecret = 'inbound-email-test-secret';

describe('support tickets end to end', () => {
  let db: TestDatabase;
  let platform: Platform;
  let finishContract: (() => Promise<void>) | undefined;
  let dataDir: string;
  let api: ReturnType<typeof request>;
  let counter = 0;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_support');
    dataDir = makeTempDir('e2e-support');
    platform = await Platform.start({
      dataDir,
      databaseUrl: db.url,
      port: 0,
      env: {
        ...relaxedRateLimits,
        LOG_LEVEL: 'warn',
        ARGON2_MEMORY_KIB: '8192',
        ARGON2_TIME_COST: '1',
        INBOUND_EMAIL_SECRET: inboundSecret,
      },
    });
    ({ finish: finishContract } = await checkContract(platform));
    api = request(platform.gatewayUrl);
  });

  afterAll(async () => {
    try {
      await finishContract?.();
    } finally {
      await platform?.stop();
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  async function signUp(): Promise<Session> {
    const response = await api
      .post('/v1/auth/signup')
      .send({
        email: `support${++counter}-${Date.now()}@example.com`,
        password: 'a long enough password',
      })
      .expect(201);
    const session = response.body as Session;
    // billing has opened the account (the plan support reads comes from the same events)
    await as(session).get('/v1/usage').expect(200);
    return session;
  }

  function as(session: Session) {
    const auth = { authorization: `Bearer ${session.accessToken}` };
    return {
      get: (path: string) => api.get(path).set(auth),
      post: (path: string) => api.post(path).set(auth),
      put: (path: string) => api.put(path).set(auth),
    };
  }

  it('a free user writes by email (chat is for paid plans); the ticket is categorised, targeted, and theirs alone', async () => {
    const free = await signUp();
    const chat = await as(free)
      .post('/v1/support/tickets')
      .send({ channel: 'chat', body: 'Hello?' })
      .expect(403);
    expect(chat.headers['content-type']).toMatch(/problem\+json/);

    const opened = await as(free)
      .post('/v1/support/tickets')
      .send({ channel: 'email', subject: 'Charged twice', body: 'I was charged twice this month.' })
      .expect(201);
    const ticket = opened.body as TicketView;
    expect(ticket).toMatchObject({
      channel: 'email',
      category: 'billing',
      priorityClass: 'free',
      tags: [],
      status: 'open',
    });
    // five business days: at least a week of calendar time away whatever the day
    expect(Date.parse(ticket.dueAt) - Date.parse(ticket.openedAt)).toBeGreaterThan(4 * 86_400_000);

    await as(free)
      .post(`/v1/support/tickets/${ticket.id}/messages`)
      .send({ body: 'It was on the 3rd and the 4th.' })
      .expect(201);
    const read = (await as(free).get(`/v1/support/tickets/${ticket.id}`).expect(200))
      .body as TicketView;
    expect(read.messages.map((m) => m.author)).toEqual(['user', 'user']);

    const stranger = await signUp();
    await as(stranger).get(`/v1/support/tickets/${ticket.id}`).expect(404);
    await as(stranger)
      .post(`/v1/support/tickets/${ticket.id}/messages`)
      .send({ body: 'let me in' })
      .expect(404);
    expect((await as(stranger).get('/v1/support/tickets').expect(200)).body.items).toEqual([]);
    // A ticket cites only its customer's own jobs (an agent reads a cited job's prompt and log),
    // and someone else's is refused as a job that does not exist is.
    const job = (
      await as(free)
        .post('/v1/generations')
        .send({ model: 'wan-2.6', mode: 'text-to-video', prompt: 'a quiet harbour at night' })
        .expect(202)
    ).body as { id: string };
    for (const jobId of [job.id, '00000000-0000-4000-8000-000000000000']) {
      const cited = await as(stranger)
        .post('/v1/support/tickets')
        .send({ channel: 'email', body: 'What went wrong with this one?', jobIds: [jobId] })
        .expect(422);
      expect(cited.body.type).toMatch(/job-not-yours$/);
    }
    await as(free)
      .post('/v1/support/tickets')
      .send({ channel: 'email', body: 'What went wrong with this one?', jobIds: [job.id] })
      .expect(201);
    await as(free).get('/v1/support/tickets/not-a-ticket').expect(404);
    await as(free).post('/v1/support/tickets').send({ channel: 'fax', body: 'x' }).expect(400);
  });

  it('a Max user chats with the priority tag; PRIORITY from anyone else does nothing; legal goes by email only', async () => {
    const max = await signUp();
    await as(max)
      .post('/v1/billing/subscription')
      .send({ plan: 'max', interval: 'month' })
      .expect(200);
    // At once: support asks billing for the plan rather than waiting for the plan-change event.
    const ticket = (
      await as(max)
        .post('/v1/support/tickets')
        .send({ channel: 'chat', body: 'PRIORITY\nMy export is stuck at 99 %.' })
        .expect(201)
    ).body as TicketView;
    expect(ticket).toMatchObject({
      tags: ['priority'],
      priorityClass: 'max_priority',
      category: 'technical_fault',
    });
    await as(max)
      .post('/v1/support/tickets')
      .send({ channel: 'chat', body: 'My lawyer will send you a DMCA notice.' })
      .expect(422);

    const free = await signUp();
    const plain = (
      await as(free)
        .post('/v1/support/tickets')
        .send({ channel: 'email', body: 'PRIORITY\nHow do I make a vertical video?' })
        .expect(201)
    ).body as TicketView;
    expect(plain).toMatchObject({ tags: [], priorityClass: 'free', category: 'how_to' });
  });

  it('agents take the queue in order, each ticket by one of many claims, and the reply reaches the customer', async () => {
    const admin = (
      await api
        .post('/v1/auth/login')
        .send({ email: platform.admin.email, password: platform.admin.password })
        .expect(200)
    ).body as Session;
    // clear what the earlier tests left
    while ((await as(admin).post('/v1/agent/queue/claim')).status === 200) {
      // taken
    }
    const customer = await signUp();
    const opened = (
      await as(customer)
        .post('/v1/support/tickets')
        .send({ channel: 'email', subject: 'Lost credits', body: 'My credits were not returned.' })
        .expect(201)
    ).body as TicketView;
    await as(customer).get('/v1/agent/queue').expect(403);
    await as(customer).post('/v1/agent/queue/claim').expect(403);
    const queue = (await as(admin).get('/v1/agent/queue').expect(200)).body as {
      items: (TicketView & { standing: string })[];
    };
    expect(queue.items.map((t) => t.id)).toContain(opened.id);

    const claims = await Promise.all(
      Array.from({ length: 8 }, () => as(admin).post('/v1/agent/queue/claim')),
    );
    expect(claims.map((c) => c.status).sort()).toEqual([200, 204, 204, 204, 204, 204, 204, 204]);
    expect((claims.find((c) => c.status === 200)!.body as TicketView).id).toBe(opened.id);

    await as(admin)
      .post(`/v1/agent/tickets/${opened.id}/reply`)
      .send({ body: 'We returned 2 video credits to your balance.' })
      .expect(201);
    const seen = (await as(customer).get(`/v1/support/tickets/${opened.id}`).expect(200))
      .body as TicketView & { firstResponseAt: string };
    expect(seen.status).toBe('answered');
    expect(seen.firstResponseAt).toBeTruthy();
    expect(seen.messages.map((m) => m.author)).toEqual(['user', 'agent']);
    await expectEventually(async () => {
      const items = (await as(customer).get('/v1/notifications').expect(200)).body.items as {
        title: string;
        body: string;
      }[];
      expect(items).toContainEqual(
        expect.objectContaining({
          title: `Re: Lost credits [#${opened.id}]`,
          body: expect.stringContaining('We returned 2 video credits'),
        }),
      );
    });
  });

  it('SECURITY on the first line freezes the account before the ticket is even answered', async () => {
    const email = `secure-${Date.now()}@example.com`;
    const owner = (
      await api
        .post('/v1/auth/signup')
        .send({ email, password: 'a long enough password' })
        .expect(201)
    ).body as Session;
    const opened = (
      await as(owner)
        .post('/v1/support/tickets')
        .send({ channel: 'email', body: 'SECURITY\nSomeone changed my email address.' })
        .expect(201)
    ).body as TicketView;
    expect(opened).toMatchObject({ category: 'security', priorityClass: 'security' });
    // frozen by the time the ticket exists: no log-in, from anyone
    await api
      .post('/v1/auth/login')
      .send({ email, password: 'a long enough password' })
      .expect(423);
    await as(owner).get('/v1/me').expect(401);
    // a senior agent (here the admin) reviews it and lifts the freeze
    const admin = await logIn(platform.admin.email, platform.admin.password);
    const queue = (await as(admin).get('/v1/agent/queue').expect(200)).body as {
      items: TicketView[];
    };
    expect(queue.items.map((t) => t.id)).toContain(opened.id);
    const unfrozen = await as(admin)
      .post(`/v1/agent/tickets/${opened.id}/actions`)
      .send({ type: 'unfreeze_account', note: 'owner confirmed by phone; email restored' })
      .expect(200);
    expect(unfrozen.body.outcome).toEqual({ accountStatus: 'active' });
    await api
      .post('/v1/auth/login')
      .send({ email, password: 'a long enough password' })
      .expect(200);
  });

  async function logIn(email: string, password: string): Promise<Session> {
    return (await api.post('/v1/auth/login').send({ email, password }).expect(200)).body as Session;
  }

  it('an agent an admin appointed reviews a blocked job’s log, approves the prompt (one credit back), and cannot take a senior action', async () => {
    const admin = await logIn(platform.admin.email, platform.admin.password);
    const email = `agent-${Date.now()}@example.com`;
    const newcomer = (
      await api
        .post('/v1/auth/signup')
        .send({ email, password: 'a long enough password' })
        .expect(201)
    ).body as Session;
    await as(newcomer).get('/v1/agent/queue').expect(403);
    const promoted = await as(admin)
      .put(`/v1/admin/users/${newcomer.user.id}/roles`)
      .send({ roles: ['agent'], note: 'joins the support team' })
      .expect(200);
    expect(promoted.body.roles).toEqual(['user', 'agent']);
    await as(newcomer)
      .put(`/v1/admin/users/${newcomer.user.id}/roles`)
      .send({ roles: ['admin'] })
      .expect(403);
    // the roles are in the next token; support has heard of them from accounts' event
    const agent = await logIn(email, 'a long enough password');
    await expectEventually(async () => {
      await as(agent).get('/v1/agent/queue').expect(200);
    });
    while ((await as(admin).post('/v1/agent/queue/claim')).status === 200) {
      // clear what the earlier tests left
    }

    const customer = await signUp();
    const prompt = 'a director shooting the family at the beach at sunset';
    const blocked = await as(customer)
      .post('/v1/generations')
      .send({ model: 'wan-2.6', mode: 'text-to-video', prompt })
      .expect(422);
    const jobId = blocked.body.jobId as string;
    const before = (await as(customer).get('/v1/usage').expect(200)).body.video.remaining as number;
    const ticket = (
      await as(customer)
        .post('/v1/support/tickets')
        .send({
          channel: 'email',
          body: 'My beach video was blocked, it is a family film.',
          jobIds: [jobId],
        })
        .expect(201)
    ).body as TicketView;
    await as(customer).get(`/v1/agent/jobs/${jobId}/log`).expect(403);
    const log = (await as(agent).get(`/v1/agent/jobs/${jobId}/log`).expect(200)).body as {
      job: { id: string; status: string };
      ticketIds: string[];
      lines: { kind: string; message: string }[];
    };
    expect(log).toMatchObject({ job: { id: jobId, status: 'blocked' }, ticketIds: [ticket.id] });
    expect(log.lines.map((l) => l.kind)).toEqual(['input', 'decision']);
    await as(agent).get('/v1/agent/jobs/not-a-job/log').expect(400);

    expect((await as(agent).post('/v1/agent/queue/claim').expect(200)).body.id).toBe(ticket.id);
    const approval = { type: 'approve_prompt', jobId, note: 'a film shoot, not violence' };
    const approved = await as(agent)
      .post(`/v1/agent/tickets/${ticket.id}/actions`)
      .send(approval)
      .expect(200);
    expect(approved.body).toMatchObject({
      type: 'approve_prompt',
      actorId: agent.user.id,
      outcome: { jobId, grant: { credits: { video: 1, image: 0 } } },
    });
    // the same action again changes nothing
    await as(agent).post(`/v1/agent/tickets/${ticket.id}/actions`).send(approval).expect(200);
    expect((await as(customer).get('/v1/usage').expect(200)).body.video.remaining).toBe(before + 1);
    await as(customer)
      .post('/v1/generations')
      .send({ model: 'wan-2.6', mode: 'text-to-video', prompt })
      .expect(202);

    // senior actions: refused to this agent, here and in support
    await as(agent)
      .post(`/v1/agent/tickets/${ticket.id}/actions`)
      .send({ type: 'unfreeze_account', note: 'looks fine' })
      .expect(403);
    await as(agent)
      .post(`/v1/agent/tickets/${ticket.id}/actions`)
      .send({ type: 'goodwill_refund', chargeId: 'ch_1', note: 'sorry' })
      .expect(403);
    const invalid = await as(agent)
      .post(`/v1/agent/tickets/${ticket.id}/actions`)
      .send({ type: 'refund_everything' })
      .expect(400);
    expect(invalid.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('takes email from the mail provider (shared secret, raw MIME) as the customer’s ticket, and reports the week', async () => {
    const email = `mailer-${Date.now()}@example.com`;
    const customer = (
      await api
        .post('/v1/auth/signup')
        .send({ email, password: 'a long enough password' })
        .expect(201)
    ).body as Session;
    await as(customer).get('/v1/usage').expect(200);
    const raw = [
      'Authentication-Results: mx.fluxnote.dev; spf=pass; dkim=pass; dmarc=pass',
      `From: Customer <${email.toUpperCase()}>`,
      'To: help@fluxnote.dev',
      'Subject: Where is my invoice?',
      `Message-ID: <${Date.now()}@mail.example.com>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'I cannot find the invoice for my last payment.',
      '',
    ].join('\r\n');
    const post = () => api.post('/v1/support/inbound-email').set('content-type', 'message/rfc822');
    await post().send(raw).expect(401);
    await post()
      .set('x-inbound-email-secret', 'a wrong secret of some length')
      .send(raw)
      .expect(401);
    await api
      .post('/v1/support/inbound-email')
      .set('x-inbound-email-secret', inboundSecret)
      .send({ not: 'mime' })
      .expect(415);
    let received: { outcome: string; ticketId: string } | undefined;
    await expectEventually(async () => {
      // support knows the customer's address from accounts' event
      received = (await post().set('x-inbound-email-secret', inboundSecret).send(raw).expect(200))
        .body as { outcome: string; ticketId: string };
      expect(received.outcome).toBe('opened');
    });
    const mine = (await as(customer).get('/v1/support/tickets').expect(200)).body as {
      items: TicketView[];
    };
    expect(mine.items).toEqual([
      expect.objectContaining({ id: received!.ticketId, channel: 'email', category: 'billing' }),
    ]);
    const again = await post().set('x-inbound-email-secret', inboundSecret).send(raw).expect(200);
    expect(again.body).toEqual({
      outcome: 'duplicate',
      ticketId: received!.ticketId,
      reason: null,
    });

    const admin = await logIn(platform.admin.email, platform.admin.password);
    const report = (await as(admin).get('/v1/agent/reports/top-issues').expect(200)).body as {
      week: string;
      topIssues: { category: string; count: number }[];
      sla: { plan: string; channel: string; tickets: number }[];
    };
    expect(report.week).toMatch(/^\d{4}-W\d{2}$/);
    expect(report.topIssues.map((c) => c.category)).toContain('billing');
    expect(report.sla).toContainEqual(expect.objectContaining({ plan: 'free', channel: 'email' }));
    await as(admin).get('/v1/agent/reports/top-issues?week=last').expect(400);
    await as(customer).get('/v1/agent/reports/top-issues').expect(403);
  });

  it('streams a ticket’s conversation to the customer and the agent as it is written, resuming after Last-Event-ID', async () => {
    const admin = await logIn(platform.admin.email, platform.admin.password);
    const customer = await signUp();
    const ticket = (
      await as(customer)
        .post('/v1/support/tickets')
        .send({ channel: 'email', body: 'My upscale stalls at 90 %.' })
        .expect(201)
    ).body as TicketView;
    const stream = (session: Session, path: string, lastEventId?: string) =>
      readEventStream<{ author: string; body: string; ticketId: string }>(
        `${platform.gatewayUrl}${path}`,
        {
          authorization: `Bearer ${session.accessToken}`,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
      );
    const mine = stream(customer, `/v1/support/tickets/${ticket.id}/stream`);
    const desk = stream(admin, `/v1/agent/tickets/${ticket.id}/stream`);
    try {
      expect(await mine.status).toBe(200);
      expect(await desk.status).toBe(200);
      await as(admin)
        .post(`/v1/agent/tickets/${ticket.id}/reply`)
        .send({ body: 'Which model?' })
        .expect(201);
      await as(customer)
        .post(`/v1/support/tickets/${ticket.id}/messages`)
        .send({ body: 'Wan 2.6' })
        .expect(201);
      for (const side of [mine, desk]) {
        await expectEventually(() =>
          expect(side.events.map((e) => [e.data.author, e.data.body])).toEqual([
            ['agent', 'Which model?'],
            ['user', 'Wan 2.6'],
          ]),
        );
      }
    } finally {
      mine.close();
      desk.close();
    }
    const resumed = stream(customer, `/v1/support/tickets/${ticket.id}/stream`, mine.events[0].id);
    try {
      await expectEventually(() =>
        expect(resumed.events.map((e) => e.data.body)).toEqual(['Wan 2.6']),
      );
    } finally {
      resumed.close();
    }
    // someone else's ticket: a problem, not a stream
    const stranger = await signUp();
    await as(stranger).get(`/v1/support/tickets/${ticket.id}/stream`).expect(404);
    await as(customer).get(`/v1/agent/tickets/${ticket.id}/stream`).expect(403);
  });
});
