import type { DataSource } from 'typeorm';
import type { TestDatabase } from '@fluxnote/testing';
import { Outbox } from '@fluxnote/messaging';
import { SlaWatch } from './sla-watch';
import { reportEscalations } from './sla-metrics';
import { escalatedTickets } from './sla.repository';
import { Registry } from 'prom-client';
import { supportConfigSchema } from '../config/support.config';
import { AgentDesk } from '../tickets/agent-desk.service';
import { useDeskFixture } from '../testing/desk-fixture';

describe('escalations of waiting tickets (Postgres)', () => {
  const fixture = useDeskFixture('support_escalations');
  const { clock, slaClocks, person, open, clearQueue } = fixture;
  let dataSource: DataSource;
  let desk: AgentDesk;
  let db: TestDatabase;
  beforeAll(() => {
    ({ dataSource, desk, db } = fixture.opened());
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
});
