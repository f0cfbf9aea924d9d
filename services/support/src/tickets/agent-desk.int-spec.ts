import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { ProblemError, suspensionAppealedV1 } from '@fluxnote/contracts';
import { createEnvelope, EventRouter, Outbox } from '@fluxnote/messaging';
import { openServiceDatabase } from '@fluxnote/persistence';
import { createTestDatabase, problemOf, type TestDatabase } from '@fluxnote/testing';
import { supportDatabase } from '../support.database';
import { SecurityFreeze } from '../accounts/security-freeze';
import { AgentDesk } from './agent-desk.service';
import { AppealTicketsConsumer } from './appeal-tickets.events';
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
  // Monday 23 Nov 2026, 10:00 in New York: chat is open
  const clock = new FixedClock(new Date('2026-11-23T15:00:00Z'));

  beforeAll(async () => {
    db = await createTestDatabase('support_desk');
    dataSource = await openServiceDatabase({
      url: db.url,
      schema: 'support',
      entities: supportDatabase.entities,
      migrations: supportDatabase.migrations,
      poolSize: 30,
    });
    tickets = new TicketsService(dataSource, clock, freezes);
    desk = new AgentDesk(dataSource, tickets, new Outbox('support', 'support'), clock);
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
    const consumer = new AppealTicketsConsumer(tickets, clock);
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
});
