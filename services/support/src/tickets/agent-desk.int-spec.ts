import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import {
  disputeOpenedV1,
  ProblemError,
  suspensionAppealedV1,
  type accountsV1,
} from '@fluxnote/contracts';
import { createEnvelope, EventRouter, Outbox } from '@fluxnote/messaging';
import { openTestServiceDatabase, problemOf, type TestDatabase } from '@fluxnote/testing';
import { supportDatabase } from '../support.database';
import { PlatformServices } from '../platform/platform-services';
import { SecurityFreeze } from '../platform/security-freeze';
import { AccountsDirectory, type AccountFacts } from '@fluxnote/platform';
import { CurrentPlans, Customers } from '../customers/customers';
import { AgentActions } from './agent-actions.service';
import { SlaWatch } from '../sla/sla-watch';
import { SlaClocks } from '../sla/sla-clock';
import { escalatedTickets, reportEscalations } from '../sla/sla-metrics';
import { Registry } from 'prom-client';
import { InboundEmail } from '../email/inbound-email';
import { WeeklyReports } from '../reports/weekly-reports';
import { TicketStream } from './ticket-stream';
import { supportConfigSchema } from '../config/support.config';
import { AgentDesk } from './agent-desk.service';
import { AppealTicketsConsumer } from './appeal-tickets.events';
import { AppealTickets } from './appeal-tickets';
import { DisputeTicketsConsumer } from './dispute-tickets.events';
import { DisputeTickets } from './dispute-tickets';
import { TicketsService } from './tickets.service';

describe('the agent desk (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let tickets: TicketsService;
  let desk: AgentDesk;
  /** Accounts' side of a SECURITY ticket, recorded (the end-to-end test runs the real one). */
  const freezes = new (class extends SecurityFreeze {
    calls: { userId: string; ticketId: string }[] = [];
    down = false;
    freeze(userId: string, ticketId: string): Promise<void> {
      if (this.down) {
        return Promise.reject(new Error('connect ECONNREFUSED'));
      }
      this.calls.push({ userId, ticketId });
      return Promise.resolve();
    }
  })();
  /** Billing and accounts as support asks them: here they know what the tests wrote for each person. */
  const plans = new (class extends CurrentPlans {
    async currentPlan(userId: string): Promise<string> {
      const [row] = await dataSource.query<{ plan: string }[]>(
        `SELECT plan FROM support.customers WHERE user_id = $1`,
        [userId],
      );
      return row?.plan ?? 'free';
    }
  })();
  const accounts = new (class extends AccountsDirectory {
    async lookUp(userId: string): Promise<AccountFacts | null> {
      const [row] = await dataSource.query<{ brand: string; roles: string[] }[]>(
        `SELECT brand, roles FROM support.customers WHERE user_id = $1`,
        [userId],
      );
      return row ? { id: userId, email: '', country: null, status: 'active', ...row } : null;
    }
    restricted(): Promise<[]> {
      return Promise.resolve([]);
    }
  })();
  /** Billing, generation and accounts as support calls them, recorded (the end-to-end test runs the real ones). */
  class RecordedServices extends PlatformServices {
    calls: { method: string; request: Record<string, unknown> }[] = [];
    jobs = new Map<string, { userId: string; status: string; mode: string }>();
    private record(method: string, request: object): void {
      this.calls.push({ method, request: { ...request } });
    }
    freeze(): Promise<void> {
      return Promise.resolve();
    }
    jobLog(jobId: string) {
      const job = this.jobs.get(jobId);
      if (!job) {
        return Promise.reject(ProblemError.notFound(`No generation ${jobId}.`));
      }
      return Promise.resolve({
        job: {
          id: jobId,
          ...job,
          model: 'wan-2.6',
          prompt: 'a fox',
          createdAt: '',
          updatedAt: '',
          aspectRatio: '16:9',
          lane: 'shared',
        },
        lines: [{ at: '', kind: 'input', message: 'job submitted', dataJson: '{}' }],
      });
    }
    async customerJob(userId: string, jobId: string) {
      const { job } = await this.jobLog(jobId);
      if (job.userId !== userId) {
        throw ProblemError.notFound(`No generation ${jobId}.`);
      }
      return job;
    }
    approvePrompt(request: { jobId: string; agentId: string }) {
      this.record('approvePrompt', request);
      return Promise.resolve({
        approvedAt: clock.now().toISOString(),
        agentId: request.agentId,
        creditPool: this.jobs.get(request.jobId)?.mode === 'text-to-image' ? 'image' : 'video',
      });
    }
    refundJobCredits(request: { key: string; reason: string; agentId: string }) {
      this.record('refundJobCredits', request);
      return Promise.resolve(grant(`job-refund:${request.key}`, { video: 5, image: 0 }));
    }
    grantCredits(request: { key: string; credits?: { video: number; image: number } }) {
      this.record('grantCredits', request);
      return Promise.resolve(grant(request.key, request.credits!));
    }
    goodwillRefund(request: { chargeId: string }) {
      this.record('goodwillRefund', request);
      return Promise.resolve({
        id: randomUUID(),
        chargeId: request.chargeId,
        decision: 'approved',
        status: 'pending',
        rule: 'goodwill',
        explanation: 'Goodwill.',
        source: 'goodwill',
        createdAt: '',
        settledAt: '',
      });
    }
    unfreeze(request: { userId: string }) {
      this.record('unfreeze', request);
      return Promise.resolve({
        id: request.userId,
        email: '',
        brand: 'fluxnote',
        country: '',
        roles: ['user'],
        status: 'active',
        createdAt: '',
      });
    }
    /** Accounts' suspensions, by user. */
    suspensions = new Map<string, accountsV1.Suspension>();
    suspension(userId: string) {
      const found = this.suspensions.get(userId);
      return found
        ? Promise.resolve(found)
        : Promise.reject(ProblemError.notFound('No suspension.'));
    }
    decideAppeal(request: { suspensionId: string; decision: string }) {
      this.record('decideAppeal', request);
      return Promise.resolve({
        id: request.suspensionId,
        userId: '',
        rule: '',
        evidence: [],
        reason: '',
        createdAt: '',
        appealStatement: '',
        appealedAt: '',
        decideBy: '',
        decision: request.decision,
        decisionNote: '',
        decidedAt: clock.now().toISOString(),
      });
    }
  }
  const grant = (key: string, credits: { video: number; image: number }) => ({
    key,
    userId: '',
    credits,
    reason: '',
    agentId: '',
    createdAt: '',
  });
  const services = new RecordedServices();
  let actions: AgentActions;

  // Monday 23 Nov 2026, 10:00 in New York: chat is open
  const clock = new FixedClock(new Date('2026-11-23T15:00:00Z'));
  const slaClocks = new SlaClocks();

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase('support_desk', supportDatabase, 30));
    const customers = new Customers(dataSource, plans, accounts);
    tickets = new TicketsService(dataSource, clock, freezes, customers, services, slaClocks);
    desk = new AgentDesk(
      dataSource,
      tickets,
      new Outbox('support', 'support'),
      clock,
      customers,
      slaClocks,
    );
    actions = new AgentActions(dataSource, desk, services, clock);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function person(plan: string, roles: string[] = ['user']): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO support.customers (user_id, brand, plan, roles) VALUES ($1, 'fluxnote', $2, $3)`,
      [id, plan, roles],
    );
    return id;
  }

  const open = (userId: string, body: string, channel: 'chat' | 'email' = 'email') =>
    tickets.open(userId, { channel, subject: '', body, jobIds: [] });

  async function clearQueue(): Promise<void> {
    await dataSource.query(`UPDATE support.tickets SET status = 'closed'`);
  }

  it('orders the queue by class then due time, and hands each ticket to exactly one of many concurrent claimers', async () => {
    await clearQueue();
    const senior = await person('free', ['user', 'senior_agent']);
    const free = await open(await person('free'), 'How do I export?');
    const paid = await open(await person('pro'), 'How do I export 4K?');
    const maxPriority = await open(await person('max'), 'PRIORITY\nExport is stuck', 'chat');
    const security = await open(await person('free'), 'SECURITY\nSomeone changed my email');
    const queue = await desk.queue(senior);
    expect(queue.map((t) => t.id)).toEqual([security.id, maxPriority.id, paid.id, free.id]);
    expect(queue.map((t) => t.standing)).toEqual(['on_track', 'on_track', 'on_track', 'on_track']);

    const agents = await Promise.all(Array.from({ length: 12 }, () => person('free', ['agent'])));
    const claims = await Promise.all([...agents, senior].map((a) => desk.claimNext(a)));
    const claimed = claims.filter((t) => t !== null).map((t) => t.id);
    expect(claimed.sort()).toEqual([security.id, maxPriority.id, paid.id, free.id].sort());
    const audit = await dataSource.query<{ ticket_id: string }[]>(
      `SELECT ticket_id FROM support.ticket_audit WHERE action = 'claim'`,
    );
    expect(audit.map((a) => a.ticket_id).sort()).toEqual([...claimed].sort());
  });

  it('keeps security tickets for senior agents, and everyone who is no agent out', async () => {
    await clearQueue();
    const agent = await person('free', ['agent']);
    const security = await open(await person('pro'), 'SECURITY\nMy account was taken over');
    expect(await desk.queue(agent)).toEqual([]);
    expect(await desk.claimNext(agent)).toBeNull();
    expect(await problemOf(desk.reply(agent, security.id, 'Hi'))).toMatchObject({ status: 403 });
    const customer = await person('max');
    expect(await problemOf(desk.queue(customer))).toMatchObject({ status: 403 });
    expect(await problemOf(desk.claimNext(customer))).toMatchObject({ status: 403 });
  });

  it('records the first response, tells the customer (event), audits, and refuses a reply to a ticket someone else holds', async () => {
    await clearQueue();
    const agent = await person('free', ['agent']);
    const other = await person('free', ['agent']);
    const customer = await person('rise');
    const ticket = await open(customer, 'I was charged twice');
    await expect(desk.reply(agent, ticket.id, 'Looking at it')).rejects.toThrow(ProblemError);
    expect((await desk.claimNext(agent))?.id).toBe(ticket.id);
    expect(await problemOf(desk.reply(other, ticket.id, 'Mine!'))).toMatchObject({ status: 409 });

    clock.advance(10 * 60_000);
    const answered = await desk.reply(agent, ticket.id, 'Refunded the second charge.');
    expect(answered).toMatchObject({ status: 'answered', firstResponseAt: clock.now() });
    expect(answered.messages.map((m) => m.author)).toEqual(['user', 'agent']);
    const events = await dataSource.query<{ envelope: { data: Record<string, unknown> } }[]>(
      `SELECT envelope FROM support.outbox WHERE envelope->>'type' = 'support.ticket.answered.v1'`,
    );
    expect(events.map((e) => e.envelope.data)).toEqual([
      expect.objectContaining({ ticketId: ticket.id, userId: customer, channel: 'email' }),
    ]);
    const [audit] = await dataSource.query<{ before: unknown; after: unknown }[]>(
      `SELECT before, after FROM support.ticket_audit WHERE ticket_id = $1 AND action = 'reply'`,
      [ticket.id],
    );
    expect(audit).toMatchObject({ before: { status: 'open' }, after: { status: 'answered' } });
  });

  it('freezes the account of a first-line SECURITY ticket before the ticket exists, or opens nothing', async () => {
    const owner = await person('pro');
    const ticket = await open(owner, 'SECURITY\nI did not change my email');
    expect(freezes.calls).toContainEqual({ userId: owner, ticketId: ticket.id });
    expect(ticket).toMatchObject({ category: 'security', priorityClass: 'security' });
    // "hacked" in the text files it as security, but only the first line freezes
    const before = freezes.calls.length;
    expect((await open(owner, 'I think I was hacked')).category).toBe('security');
    expect(freezes.calls).toHaveLength(before);

    freezes.down = true;
    try {
      expect(await problemOf(open(owner, 'SECURITY\nagain'))).toMatchObject({ status: 503 });
      expect((await tickets.list(owner)).map((t) => t.id)).toHaveLength(2);
    } finally {
      freezes.down = false;
    }
  });

  it('turns a suspension appeal into one ticket for senior agents, due when the decision is', async () => {
    await clearQueue();
    const consumer = new AppealTicketsConsumer(
      new AppealTickets(dataSource, tickets, services, clock),
    );
    const router = new EventRouter(consumer.group, dataSource, 'support');
    consumer.register(router);
    const userId = await person('pro');
    const suspensionId = randomUUID();
    const appeal = (id: string) =>
      createEnvelope({
        type: suspensionAppealedV1.type,
        source: 'accounts',
        subject: userId,
        id,
        data: {
          suspensionId,
          userId,
          statement: 'Those were my own photos.',
          rule: 'Non-consensual imagery',
          evidence: ['gen_01'],
          decideBy: '2026-11-25T15:00:00.000Z',
        },
      });
    await router.deliver(appeal(randomUUID()));
    await router.deliver(appeal(randomUUID())); // published again: still one ticket
    const agent = await person('free', ['agent']);
    expect(await desk.queue(agent)).toEqual([]);
    const senior = await person('free', ['senior_agent']);
    const [ticket] = await desk.queue(senior);
    expect(ticket).toMatchObject({
      userId,
      category: 'suspension_appeal',
      dueAt: new Date('2026-11-25T15:00:00.000Z'),
    });
    expect(ticket.messages[0].body).toContain('Those were my own photos.');
    expect((await desk.queue(senior)).filter((t) => t.userId === userId)).toHaveLength(1);
    expect(await problemOf(desk.reply(agent, ticket.id, 'No.'))).toMatchObject({ status: 403 });
  });

  it('turns a bank dispute into one ticket for senior agents, due before the evidence deadline', async () => {
    await clearQueue();
    const consumer = new DisputeTicketsConsumer(new DisputeTickets(tickets, slaClocks, clock));
    const router = new EventRouter(consumer.group, dataSource, 'support');
    consumer.register(router);
    const userId = await person('pro');
    const chargeId = randomUUID();
    const evidenceDueBy = new Date(clock.now().getTime() + 3 * 86_400_000);
    const disputed = (id: string) =>
      createEnvelope({
        type: disputeOpenedV1.type,
        source: 'billing',
        subject: userId,
        id,
        data: {
          disputeId: 'du_e2e_1',
          userId,
          chargeId,
          chargeKind: 'credit_pack',
          amount: { amount: 999, currency: 'USD' },
          reason: 'fraudulent',
          evidenceDueBy: evidenceDueBy.toISOString(),
          frozenCredits: { video: 7, image: 0 },
        },
      });
    await router.deliver(disputed(randomUUID()));
    await router.deliver(disputed(randomUUID())); // said again: still one ticket
    const agent = await person('free', ['agent']);
    expect(await desk.queue(agent)).toEqual([]);
    const senior = await person('free', ['senior_agent']);
    const mine = (await desk.queue(senior)).filter((t) => t.userId === userId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      category: 'billing',
      tags: ['dispute'],
      subject: 'Payment disputed with the bank: 9.99 USD (fraudulent)',
    });
    // Pro's email target (48 h) comes after two days before the evidence deadline (24 h from now).
    expect(mine[0].dueAt).toEqual(new Date(evidenceDueBy.getTime() - 2 * 86_400_000));
    expect(mine[0].messages[0].body).toContain(`charge ${chargeId}`);
    expect(mine[0].messages[0].body).toContain('7 video and 0 image credits');
  });

  it('answers the appeal with its ticket at once, from accounts’ record, before the event comes', async () => {
    await clearQueue();
    const appeals = new AppealTickets(dataSource, tickets, services, clock);
    const consumer = new AppealTicketsConsumer(appeals);
    const router = new EventRouter(consumer.group, dataSource, 'support');
    consumer.register(router);
    const userId = await person('max');
    const suspension: accountsV1.Suspension = {
      id: randomUUID(),
      userId,
      rule: 'Deceptive impersonation',
      evidence: ['gen_09'],
      reason: 'Cited generations.',
      createdAt: '2026-11-23T10:00:00.000Z',
      appealStatement: '',
      appealedAt: '',
      decideBy: '',
      decision: '',
      decisionNote: '',
      decidedAt: '',
    };
    services.suspensions.set(userId, suspension);
    // suspended, not appealed: no ticket
    expect(await problemOf(appeals.ofUser(userId))).toMatchObject({
      status: 409,
      type: expect.stringContaining('not-appealed'),
    });
    expect(await problemOf(appeals.ofUser(randomUUID()))).toMatchObject({ status: 404 });
    Object.assign(suspension, {
      appealStatement: 'It was satire, labelled as such.',
      appealedAt: '2026-11-23T15:00:00.000Z',
      decideBy: '2026-11-25T15:00:00.000Z',
    });
    const ticket = await appeals.ofUser(userId);
    expect(ticket).toMatchObject({
      userId,
      category: 'suspension_appeal',
      suspensionId: suspension.id,
      dueAt: new Date('2026-11-25T15:00:00.000Z'),
    });
    expect(ticket.messages[0].body).toContain('It was satire, labelled as such.');
    // accounts' event comes after, and asking again: still that one ticket
    await router.deliver(
      createEnvelope({
        type: suspensionAppealedV1.type,
        source: 'accounts',
        subject: userId,
        data: {
          suspensionId: suspension.id,
          userId,
          statement: suspension.appealStatement,
          rule: suspension.rule,
          evidence: suspension.evidence,
          decideBy: suspension.decideBy,
        },
      }),
    );
    expect((await appeals.ofUser(userId)).id).toBe(ticket.id);
    expect((await tickets.list(userId)).map((t) => t.id)).toEqual([ticket.id]);
  });

  async function auditOf(ticketId: string): Promise<{ action: string; actor_id: string }[]> {
    return dataSource.query(
      `SELECT action, actor_id, before, after FROM support.ticket_audit WHERE ticket_id = $1 AND action <> 'claim' ORDER BY created_at`,
      [ticketId],
    );
  }

  it('refunds a cited job’s credits through billing, audited once however often it is retried', async () => {
    await clearQueue();
    const customer = await person('pro');
    const jobId = randomUUID();
    const strangersJob = randomUUID();
    services.jobs.set(jobId, { userId: customer, status: 'succeeded', mode: 'text-to-video' });
    services.jobs.set(strangersJob, {
      userId: randomUUID(),
      status: 'succeeded',
      mode: 'text-to-video',
    });
    const ticket = await tickets.open(customer, {
      channel: 'email',
      subject: 'Broken video',
      body: 'The video is all black',
      jobIds: [jobId],
    });
    // as a ticket written before tickets were refused someone else's job could cite one
    await dataSource.query(
      `UPDATE support.tickets SET job_ids = job_ids || $2::uuid WHERE id = $1`,
      [ticket.id, strangersJob],
    );
    const agent = await person('free', ['agent']);
    const refund = { type: 'refund_job_credits', jobId, note: 'black frames: provider fault' };
    expect(await problemOf(actions.take(agent, ticket.id, refund))).toMatchObject({ status: 409 });
    await desk.claimNext(agent);
    const first = await actions.take(agent, ticket.id, refund);
    await actions.take(agent, ticket.id, refund); // a retry: billing answers the same grant
    expect(first.outcome).toMatchObject({ jobId, grant: { key: `job-refund:${jobId}` } });
    expect(services.calls.filter((c) => c.method === 'refundJobCredits')).toEqual([
      { method: 'refundJobCredits', request: { key: jobId, reason: refund.note, agentId: agent } },
      { method: 'refundJobCredits', request: { key: jobId, reason: refund.note, agentId: agent } },
    ]);
    expect(await auditOf(ticket.id)).toEqual([
      expect.objectContaining({ action: 'refund_job_credits', actor_id: agent }),
    ]);

    for (const other of [randomUUID(), strangersJob]) {
      expect(
        await problemOf(actions.take(agent, ticket.id, { ...refund, jobId: other })),
      ).toMatchObject({ status: 422, type: 'job-not-cited' });
    }
    expect(
      await problemOf(actions.take(agent, ticket.id, { type: 'refund_job_credits', jobId })),
    ).toMatchObject({ status: 400 });
    const customerProblem = await problemOf(actions.take(customer, ticket.id, refund));
    expect(customerProblem).toMatchObject({ status: 403 });
  });

  it('approves a blocked prompt in generation and grants one credit of the job’s kind', async () => {
    await clearQueue();
    const customer = await person('rise');
    const blocked = randomUUID();
    const finished = randomUUID();
    services.jobs.set(blocked, { userId: customer, status: 'blocked', mode: 'text-to-image' });
    services.jobs.set(finished, { userId: customer, status: 'succeeded', mode: 'text-to-image' });
    const ticket = await tickets.open(customer, {
      channel: 'chat',
      subject: '',
      body: 'My prompt about a shot of espresso was blocked',
      jobIds: [blocked, finished],
    });
    const agent = await person('free', ['agent']);
    await desk.claimNext(agent);
    const approved = await actions.take(agent, ticket.id, {
      type: 'approve_prompt',
      jobId: blocked,
      note: 'espresso shot, not a weapon',
    });
    expect(approved.outcome).toMatchObject({
      jobId: blocked,
      grant: { key: `prompt-approval:${blocked}`, credits: { video: 0, image: 1 } },
    });
    expect(services.calls.filter((c) => c.method === 'grantCredits').at(-1)?.request).toMatchObject(
      {
        userId: customer,
        agentId: agent,
      },
    );
    expect(
      await problemOf(
        actions.take(agent, ticket.id, { type: 'approve_prompt', jobId: finished, note: 'x' }),
      ),
    ).toMatchObject({ status: 409 });
  });

  it('keeps senior actions from agents of another role, and lets a senior agent take them', async () => {
    await clearQueue();
    const customer = await person('max');
    const ticket = await open(customer, 'Please unfreeze my account, and refund the last charge');
    const agent = await person('free', ['agent']);
    await desk.claimNext(agent);
    const before = services.calls.length;
    for (const action of [
      { type: 'unfreeze_account', note: 'reviewed' },
      { type: 'goodwill_refund', chargeId: 'ch_1', note: 'sorry' },
      { type: 'decide_appeal', decision: 'overturned', note: 'fine' },
    ]) {
      expect(await problemOf(actions.take(agent, ticket.id, action))).toMatchObject({
        status: 403,
      });
    }
    expect(services.calls).toHaveLength(before);

    const senior = await person('free', ['agent', 'senior_agent']);
    const unfrozen = await actions.take(senior, ticket.id, {
      type: 'unfreeze_account',
      note: 'owner verified by video call',
    });
    expect(unfrozen.outcome).toEqual({ accountStatus: 'active' });
    const goodwill = await actions.take(senior, ticket.id, {
      type: 'goodwill_refund',
      chargeId: 'ch_1',
      amount: 500,
      note: 'two failed renders in a row',
    });
    expect(goodwill.outcome).toMatchObject({ refund: { chargeId: 'ch_1', decision: 'approved' } });
    expect(services.calls.at(-1)?.request).toMatchObject({
      userId: customer,
      amount: 500,
      idempotencyKey: `ticket:${ticket.id}:ch_1`,
    });
    expect(
      await problemOf(
        actions.take(senior, ticket.id, { type: 'decide_appeal', decision: 'upheld', note: 'x' }),
      ),
    ).toMatchObject({ status: 422, type: 'not-an-appeal' });
    expect((await auditOf(ticket.id)).map((a) => [a.action, a.actor_id])).toEqual([
      ['unfreeze_account', senior],
      ['goodwill_refund', senior],
    ]);
  });

  it('shows agents the log of a job a ticket cites, and nothing else', async () => {
    const customer = await person('pro');
    const jobId = randomUUID();
    services.jobs.set(jobId, { userId: customer, status: 'failed', mode: 'text-to-video' });
    const agent = await person('free', ['agent']);
    expect(await problemOf(actions.jobLog(agent, jobId))).toMatchObject({ status: 404 });
    const ticket = await tickets.open(customer, {
      channel: 'email',
      subject: '',
      body: 'It failed',
      jobIds: [jobId],
    });
    const { log, ticketIds } = await actions.jobLog(agent, jobId);
    expect(log.job?.id).toBe(jobId);
    expect(ticketIds).toEqual([ticket.id]);
    expect(await problemOf(actions.jobLog(customer, jobId))).toMatchObject({ status: 403 });

    // Someone else cannot cite it (nor learn that it exists): the same refusal as for no job at all.
    const stranger = await person('pro');
    const cite = (jobIds: string[]) =>
      problemOf(tickets.open(stranger, { channel: 'email', subject: '', body: 'Look', jobIds }));
    expect(await cite([jobId])).toMatchObject({ status: 422, type: 'job-not-yours' });
    expect(await cite([randomUUID()])).toMatchObject({ status: 422, type: 'job-not-yours' });
    // A ticket that cites it anyway (written before the rule) shows the agent nothing.
    const [other] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO support.tickets (id, user_id, brand, plan, channel, subject, category, priority_class,
         tags, status, job_ids, opened_at, due_at, for_seniors)
       SELECT gen_random_uuid(), $1, brand, plan, channel, subject, category, priority_class, tags,
         status, job_ids, opened_at, due_at, for_seniors FROM support.tickets WHERE id = $2
       RETURNING id`,
      [stranger, ticket.id],
    );
    expect((await actions.jobLog(agent, jobId)).ticketIds).toEqual([ticket.id]);
    expect(other).toBeDefined();
  });

  it('escalates a waiting ticket once near its target and once past it; a breached ticket moves up a class', async () => {
    await clearQueue();
    const watch = new SlaWatch(
      dataSource,
      new Outbox('support', 'support'),
      clock,
      slaClocks,
      supportConfigSchema.parse({
        DATABASE_URL: db.url,
        ACCOUNTS_GRPC_URL: 'localhost:1',
        BILLING_GRPC_URL: 'localhost:2',
        GENERATION_GRPC_URL: 'localhost:3',
      }),
    );
    const escalations = async (ticketId: string) =>
      (
        await dataSource.query<{ envelope: { data: { level: string } } }[]>(
          `SELECT envelope FROM support.outbox
            WHERE envelope->>'type' = 'support.ticket.escalated.v1' AND key = $1 ORDER BY seq`,
          [ticketId],
        )
      ).map((e) => e.envelope.data.level);
    clock.set(new Date('2026-11-23T15:00:00Z')); // Monday 10:00 in New York
    const senior = await person('free', ['senior_agent']);
    // Max chat: 5 business minutes; the free email ticket: 5 business days
    const chat = await open(await person('max'), 'Export stuck', 'chat');
    const free = await open(await person('free'), 'How do I export?');
    expect(chat.dueAt).toEqual(new Date('2026-11-23T15:05:00Z'));
    await watch.escalate();
    expect(await escalations(chat.id)).toEqual([]);

    clock.advance(4 * 60_000); // 80 % of the chat target
    expect(await watch.escalate()).toBe(1);
    expect(await watch.escalate()).toBe(0);
    expect(await escalations(chat.id)).toEqual(['near']);
    expect((await desk.queue(senior)).find((t) => t.id === chat.id)?.standing).toBe('near');

    clock.advance(2 * 60_000);
    await Promise.all([watch.escalate(), watch.escalate()]); // two replicas at once
    expect(await escalations(chat.id)).toEqual(['near', 'breached']);
    const [event] = await dataSource.query<{ envelope: { data: Record<string, unknown> } }[]>(
      `SELECT envelope FROM support.outbox WHERE key = $1 ORDER BY seq DESC LIMIT 1`,
      [chat.id],
    );
    expect(event.envelope.data).toMatchObject({
      level: 'breached',
      priorityClass: 'paid',
      plan: 'max',
      channel: 'chat',
      claimedBy: null,
    });
    const audit = await dataSource.query<{ action: string; actor_id: string | null }[]>(
      `SELECT action, actor_id FROM support.ticket_audit WHERE ticket_id = $1 ORDER BY created_at`,
      [chat.id],
    );
    expect(audit).toEqual([
      { action: 'escalate_near', actor_id: null },
      { action: 'escalate_breached', actor_id: null },
    ]);
    // what an operator's Prometheus sees (FluxNoteSupportSlaBreached)
    const registry = new Registry();
    const stop = reportEscalations(registry, () => escalatedTickets(dataSource));
    expect(await registry.metrics()).toContain(
      'fluxnote_support_tickets_escalated{brand="fluxnote",plan="max",standing="breached"} 1',
    );
    stop();
    expect(await registry.metrics()).not.toContain('standing="breached"');

    // a paid email ticket opened now (48 h) waits behind the breached chat, which moved up a class
    const paid = await open(await person('pro'), 'Where is my invoice?');
    expect((await desk.queue(senior)).map((t) => t.id)).toEqual([chat.id, paid.id, free.id]);
    // answered tickets are left alone
    const agent = await person('free', ['agent']);
    await desk.claimNext(agent);
    await desk.reply(agent, chat.id, 'Fixed.');
    // eight days on (Thanksgiving closed): the free ticket is past its five business days too
    clock.advance(8 * 24 * 60 * 60_000);
    await watch.escalate();
    expect(await escalations(chat.id)).toEqual(['near', 'breached']);
    expect(await escalations(free.id)).toEqual(['breached']);
    expect(await escalations(paid.id)).toEqual(['breached']);
    expect((await desk.queue(senior)).map((t) => t.id)).toEqual([paid.id, free.id]);
  });

  const passed = 'mx.fluxnote.dev; spf=pass smtp.mailfrom=example.com; dkim=pass; dmarc=pass';
  /** A raw MIME email as a mail provider hands it over (with its SPF/DKIM/DMARC verdict). */
  function mime(headers: Record<string, string>, text: string, attachment?: string): Buffer {
    const head = Object.entries({ 'Authentication-Results': passed, ...headers })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    if (!attachment) {
      return Buffer.from(`${head}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`);
    }
    return Buffer.from(
      [
        `${head}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n`,
        '--b1\r\nContent-Type: text/plain; charset=utf-8\r\n',
        `${text}\r\n--b1\r\nContent-Type: video/mp4; name="clip.mp4"`,
        'Content-Disposition: attachment; filename="clip.mp4"\r\nContent-Transfer-Encoding: base64\r\n',
        `${Buffer.from(attachment).toString('base64')}\r\n--b1--\r\n`,
      ].join('\r\n'),
    );
  }

  it('opens an email ticket from a customer’s email, threads replies to it, and takes each message once', async () => {
    await clearQueue();
    const inbound = new InboundEmail(dataSource, tickets);
    const customer = await person('rise');
    const strangersJob = randomUUID();
    services.jobs.set(strangersJob, { userId: randomUUID(), status: 'failed', mode: 'image' });
    await dataSource.query(`UPDATE support.customers SET email = $2 WHERE user_id = $1`, [
      customer,
      'Mia@Example.com',
    ]);
    const jobId = randomUUID();
    services.jobs.set(jobId, { userId: customer, status: 'failed', mode: 'text-to-video' });
    const first = mime(
      {
        From: 'Mia <mia@example.com>',
        To: 'help@fluxnote.dev',
        Subject: 'Fwd: Black video',
        'Message-ID': '<m1@mail.example.com>',
      },
      `My video ${jobId} came out black (and ${strangersJob} too).`,
      'not really a video',
    );
    const opened = await inbound.receive(first);
    expect(opened).toMatchObject({ outcome: 'opened' });
    const ticket = await tickets.get(customer, opened.ticketId!);
    expect(ticket).toMatchObject({
      channel: 'email',
      subject: 'Black video',
      category: 'technical_fault',
      jobIds: [jobId],
    });
    expect(ticket.messages[0].attachments).toEqual([
      {
        filename: 'clip.mp4',
        contentType: 'video/mp4',
        size: 18,
        checksum: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    ]);
    // the provider delivers it again, twice at once: still one message
    const again = await Promise.all([inbound.receive(first), inbound.receive(first)]);
    expect(again.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);

    // answered, then the customer replies from their mail client: by the token, and by References
    const agent = await person('free', ['agent']);
    await desk.claimNext(agent);
    clock.advance(60_000);
    await desk.reply(agent, ticket.id, 'Which model did you use?');
    clock.advance(60_000);
    const byToken = await inbound.receive(
      mime(
        {
          From: 'mia@example.com',
          Subject: `Re: Black video [#${ticket.id}]`,
          'Message-ID': '<m2@mail.example.com>',
        },
        'Wan 2.6.\r\n\r\nOn Mon, 23 Nov 2026 FluxNote Support wrote:\r\n> Which model did you use?',
      ),
    );
    expect(byToken).toEqual({ outcome: 'appended', ticketId: ticket.id, reason: null });
    clock.advance(60_000);
    const byHeaders = await inbound.receive(
      mime(
        {
          From: 'mia@example.com',
          Subject: 'Re: Black video',
          'Message-ID': '<m3@mail.example.com>',
          'In-Reply-To': '<m2@mail.example.com>',
          References: '<m1@mail.example.com> <m2@mail.example.com>',
        },
        'And 16:9.',
      ),
    );
    expect(byHeaders.ticketId).toBe(ticket.id);
    const thread = await tickets.get(customer, ticket.id);
    expect(thread.messages.map((m) => [m.author, m.body])).toEqual([
      ['user', `My video ${jobId} came out black (and ${strangersJob} too).`],
      ['agent', 'Which model did you use?'],
      ['user', 'Wan 2.6.'],
      ['user', 'And 16:9.'],
    ]);
    // the customer's follow-up puts the answered ticket back in the queue, judged by its first
    // response (in time) even once the original target has passed
    expect(thread.status).toBe('open');
    clock.advance(49 * 60 * 60_000);
    expect((await desk.queue(agent)).find((t) => t.id === ticket.id)?.standing).toBe('on_track');

    // someone else's token opens a ticket of their own; a stranger's email opens nothing
    const other = await person('pro');
    await dataSource.query(
      `UPDATE support.customers SET email = 'leo@example.com' WHERE user_id = $1`,
      [other],
    );
    const hijack = await inbound.receive(
      mime({ From: 'leo@example.com', Subject: `Re: [#${ticket.id}]` }, 'let me in'),
    );
    expect(hijack.outcome).toBe('opened');
    expect(hijack.ticketId).not.toBe(ticket.id);
    // reusing Mia's Message-ID takes nothing and names none of her tickets
    const reused = await inbound.receive(
      mime(
        { From: 'leo@example.com', Subject: 'x', 'Message-ID': '<m1@mail.example.com>' },
        'hello',
      ),
    );
    expect(reused).toEqual({ outcome: 'duplicate', ticketId: null, reason: null });
    expect(
      await inbound.receive(mime({ From: 'nobody@example.net', Subject: 'Hi' }, 'Hello')),
    ).toEqual({ outcome: 'ignored', ticketId: null, reason: 'unknown-sender' });
    // a forged From: the provider could not verify it, so it neither writes nor freezes anything
    for (const verdict of [
      '',
      'mx.fluxnote.dev; spf=pass; dmarc=fail',
      'mx; spf=fail; dkim=none',
    ]) {
      const forged = await inbound.receive(
        mime(
          { 'Authentication-Results': verdict, From: 'mia@example.com', Subject: 'Hi' },
          'SECURITY\nfreeze this account',
        ),
      );
      expect(forged).toEqual({ outcome: 'ignored', ticketId: null, reason: 'unverified-sender' });
    }
    expect(freezes.calls.filter((c) => c.userId === customer)).toEqual([]);
    expect(await problemOf(inbound.receive(Buffer.from('just some bytes')))).toMatchObject({
      status: 422,
    });
  });

  it('reports the week’s top categories against the week before, and first-response attainment', async () => {
    await clearQueue();
    const reports = new WeeklyReports(dataSource, desk, clock);
    const agent = await person('free', ['senior_agent']);
    clock.set(new Date('2027-03-01T15:00:00Z')); // Monday of 2027-W09, a quiet week of its own
    const customer = await person('pro');
    await open(customer, 'I was charged twice'); // billing, the week before
    clock.set(new Date('2027-03-08T15:00:00Z')); // 2027-W10
    const answered = await open(customer, 'I was charged twice again'); // billing
    await open(customer, 'The app shows an error'); // technical fault
    await open(customer, 'The app shows an error on export'); // technical fault
    clock.advance(60 * 60_000);
    await desk.reply(agent, answered.id, 'On its way.');
    clock.set(new Date('2027-03-12T15:00:00Z')); // Friday: the two others are past 48 hours

    const report = await reports.topIssues(agent, '2027-W10');
    expect(report.week).toBe('2027-W10');
    expect(report.from).toEqual(new Date('2027-03-08T05:00:00Z')); // Monday 00:00 in New York
    expect(report.topIssues).toEqual([
      { category: 'technical_fault', count: 2, previous: 0, trend: 'new' },
      { category: 'billing', count: 1, previous: 1, trend: 'flat' },
    ]);
    expect(report.sla).toEqual([
      {
        plan: 'pro',
        channel: 'email',
        tickets: 3,
        met: 1,
        breached: 2,
        pending: 0,
        attainment: 1 / 3,
      },
    ]);
    expect((await reports.topIssues(agent, null)).week).toBe('2027-W10');
    expect(await problemOf(reports.topIssues(agent, '2027-13'))).toMatchObject({ status: 400 });
    expect(await problemOf(reports.topIssues(customer, null))).toMatchObject({ status: 403 });
  });

  it('streams a ticket’s conversation to both sides as it is written, resuming after a number', async () => {
    await clearQueue();
    const stream = new TicketStream(
      dataSource,
      tickets,
      desk,
      supportConfigSchema.parse({
        DATABASE_URL: db.url,
        ACCOUNTS_GRPC_URL: 'localhost:1',
        BILLING_GRPC_URL: 'localhost:2',
        GENERATION_GRPC_URL: 'localhost:3',
      }),
    );
    try {
      const customer = await person('max');
      const agent = await person('free', ['agent']);
      const ticket = await open(customer, 'The render stalls at 90 %', 'chat');
      // from now on: nothing yet, so the customer's wait is woken by the agent's reply
      const waiting = stream.waitAfter(customer, ticket.id, -1, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await desk.claimNext(agent);
      await desk.reply(agent, ticket.id, 'Looking now.');
      const woken = await waiting;
      expect(woken.messages.map((m) => m.body)).toEqual(['Looking now.']);
      expect(woken.status).toBe('answered');

      // the agent's side, resuming after the first message: exactly what came after
      const first = ticket.messages[0].seq;
      await tickets.addMessage(customer, ticket.id, 'Thanks!');
      const resumed = await stream.waitAfter(agent, ticket.id, first, 0);
      expect(resumed.messages.map((m) => [m.author, m.body])).toEqual([
        ['agent', 'Looking now.'],
        ['user', 'Thanks!'],
      ]);
      expect(resumed.lastSeq).toBe(resumed.messages[1].seq);
      expect((await stream.waitAfter(agent, ticket.id, resumed.lastSeq, 50)).messages).toEqual([]);

      // someone else's ticket does not exist for them
      const stranger = await person('pro');
      expect(await problemOf(stream.waitAfter(stranger, ticket.id, -1, 0))).toMatchObject({
        status: 404,
      });
    } finally {
      await stream.onModuleDestroy();
    }
  });
});
