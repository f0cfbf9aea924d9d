import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  disputeOpenedV1,
  ProblemError,
  suspensionAppealedV1,
  type accountsV1,
} from '@fluxnote/contracts';
import { createEnvelope, EventRouter } from '@fluxnote/messaging';
import { problemOf } from '@fluxnote/testing';
import { AgentActions } from './agent-actions.service';
import { AgentDesk } from './agent-desk.service';
import { AppealTicketsConsumer } from './appeal-tickets.events';
import { AppealTickets } from './appeal-tickets';
import { DisputeTicketsConsumer } from './dispute-tickets.events';
import { DisputeTickets } from './dispute-tickets';
import { TicketsService } from './tickets.service';
import { useDeskFixture } from '../testing/desk-fixture';

describe('the agent desk (Postgres)', () => {
  const fixture = useDeskFixture('support_desk');
  const { clock, slaClocks, services, freezes, person, open, clearQueue } = fixture;
  let dataSource: DataSource;
  let tickets: TicketsService;
  let desk: AgentDesk;
  let actions: AgentActions;
  beforeAll(() => {
    ({ dataSource, tickets, desk, actions } = fixture.opened());
  });

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
});
