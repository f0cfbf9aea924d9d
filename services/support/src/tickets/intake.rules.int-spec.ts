import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openTestServiceDatabase, type TestDatabase } from '@fluxnote/testing';
import { supportDatabase } from '../support.database';
import { agentQueueOrder, queueRank, type Escalation } from './intake.rules';

describe('the agent queue in SQL orders as intake.rules.ts does (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase('support_queue_rules', supportDatabase, 2));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('ranks and orders every mix of class, escalation and due time alike', async () => {
    const escalations: Escalation[] = [null, 'near', 'breached'];
    const start = Date.UTC(2026, 11, 7, 9);
    // Every class × escalation, at distinct due times (a tie in rank and due time has no order).
    const minutes = Array.from({ length: 48 }, (_, i) => i).sort(() => Math.random() - 0.5);
    const tickets = minutes.map((minute, i) => ({
      id: randomUUID(),
      priorityClass: i % 4,
      escalation: escalations[Math.floor(i / 4) % 3],
      dueAt: new Date(start + minute * 60_000),
    }));
    for (const t of tickets) {
      await dataSource.query(
        `INSERT INTO support.tickets (id, user_id, brand, plan, channel, subject, category,
           priority_class, tags, status, job_ids, opened_at, due_at, for_seniors, escalation)
         VALUES ($1, $2, 'fluxnote', 'pro', 'email', 'help', 'how_to', $3, '{}', 'open', '{}',
                 $4, $4, false, $5)`,
        [t.id, randomUUID(), t.priorityClass, t.dueAt, t.escalation],
      );
    }
    const rows = await dataSource.query<{ id: string; queue_rank: number }[]>(
      `SELECT id, queue_rank FROM support.tickets WHERE status = 'open' ORDER BY queue_rank, due_at`,
    );
    for (const row of rows) {
      const t = tickets.find((x) => x.id === row.id)!;
      expect(row.queue_rank).toBe(queueRank(t.priorityClass, t.escalation));
    }
    expect(rows.map((r) => r.id)).toEqual([...tickets].sort(agentQueueOrder).map((t) => t.id));
  });
});
