import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { ProblemError, type accountsV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { AccountsDirectory, type AccountFacts } from '@fluxnote/platform';
import { openTestServiceDatabase, type TestDatabase, SuiteValue } from '@fluxnote/testing';
import { CurrentPlans, Customers } from '../customers/customers';
import { PlatformServices } from '../platform/platform-services';
import { SecurityFreeze } from '../platform/security-freeze';
import { SlaClocks } from '../sla/sla-clock';
import { supportDatabase } from '../support.database';
import { AgentActions } from '../tickets/agent-actions.service';
import { AgentDesk } from '../tickets/agent-desk.service';
import { TicketsService } from '../tickets/tickets.service';

/** What a desk suite works with once its database is open. */
export interface OpenedDesk {
  db: TestDatabase;
  dataSource: DataSource;
  tickets: TicketsService;
  desk: AgentDesk;
  actions: AgentActions;
}

/**
 * Support's desk on its own database (`name`), with accounts, billing and generation as recorded
 * doubles (the end-to-end tests run the real ones). Registers the suite's `beforeAll` and
 * `afterAll`; `opened()` gives what they opened. The clock starts on Monday 23 Nov 2026, 10:00 in
 * New York, when chat is open.
 */
export function useDeskFixture(name: string) {
  const opened = new SuiteValue<OpenedDesk>('the desk fixture');
  const current = (): OpenedDesk => opened.get();
  const dataSourceOf = (): DataSource => current().dataSource;
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
      const [row] = await dataSourceOf().query<{ plan: string }[]>(
        `SELECT plan FROM support.customers WHERE user_id = $1`,
        [userId],
      );
      return row?.plan ?? 'free';
    }
  })();
  const accounts = new (class extends AccountsDirectory {
    async lookUp(userId: string): Promise<AccountFacts | null> {
      const [row] = await dataSourceOf().query<{ brand: string; roles: string[] }[]>(
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

  const clock = new FixedClock(new Date('2026-11-23T15:00:00Z'));
  const slaClocks = new SlaClocks();

  beforeAll(async () => {
    const { db, dataSource } = await openTestServiceDatabase(name, supportDatabase, 30);
    const customers = new Customers(dataSource, plans, accounts);
    const tickets = new TicketsService(dataSource, clock, freezes, customers, services, slaClocks);
    const desk = new AgentDesk(
      dataSource,
      tickets,
      new Outbox('support', 'support'),
      clock,
      customers,
      slaClocks,
    );
    opened.set({
      db,
      dataSource,
      tickets,
      desk,
      actions: new AgentActions(dataSource, desk, services, clock),
    });
  });

  afterAll(async () => {
    await opened.peek()?.dataSource.destroy();
    await opened.peek()?.db.drop();
  });

  /** A customer (or, with roles, a member of staff) on `plan`. */
  async function person(plan: string, roles: string[] = ['user']): Promise<string> {
    const id = randomUUID();
    await dataSourceOf().query(
      `INSERT INTO support.customers (user_id, brand, plan, roles) VALUES ($1, 'fluxnote', $2, $3)`,
      [id, plan, roles],
    );
    return id;
  }

  const open = (userId: string, body: string, channel: 'chat' | 'email' = 'email') =>
    current().tickets.open(userId, { channel, subject: '', body, jobIds: [] });

  async function clearQueue(): Promise<void> {
    await dataSourceOf().query(`UPDATE support.tickets SET status = 'closed'`);
  }

  return {
    opened: current,
    clock,
    slaClocks,
    services,
    freezes,
    person,
    open,
    clearQueue,
  };
}
