import type { DataSource } from 'typeorm';
import { problemOf, type TestDatabase } from '@fluxnote/testing';
import { TicketStream } from './ticket-stream';
import { supportConfigSchema } from '../config/support.config';
import { AgentDesk } from './agent-desk.service';
import { TicketsService } from './tickets.service';
import { useDeskFixture } from '../testing/desk-fixture';

describe('a ticket’s live conversation (Postgres)', () => {
  const fixture = useDeskFixture('support_stream');
  const { person, open, clearQueue } = fixture;
  let dataSource: DataSource;
  let tickets: TicketsService;
  let desk: AgentDesk;
  let db: TestDatabase;
  beforeAll(() => {
    ({ dataSource, tickets, desk, db } = fixture.opened());
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
