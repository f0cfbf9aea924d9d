import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { Outbox } from '@fluxnote/messaging';
import { CoalescedNotifier } from '@fluxnote/persistence';
import { AccountStanding } from '@fluxnote/platform';
import { openTestServiceDatabase, problemOf, type TestDatabase } from '@fluxnote/testing';
import type { BillingLedger } from '../../billing/billing-ledger';
import { CatalogService } from '../../catalog/catalog.service';
import { generationDatabase } from '../../generation.database';
import { Likenesses } from '../../likenesses/likenesses';
import { PromptApprovals } from '../../safety/prompt-approvals';
import { RuleBasedSafetyCheck } from '../../safety/prompt-safety';
import { submitRows } from './submit-job.repository';
import { SubmitJobUseCase, type SubmitJobInput } from './submit-job.use-case';

/**
 * A repeated Idempotency-Key is answered with the first request's job, however the account or the
 * request's checks stand by then, and holds nothing twice. A first request reads nothing for the
 * key: a repeat is found when its insert collides.
 */
describe('a submit repeated with its Idempotency-Key (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let submit: SubmitJobUseCase;
  let standing: AccountStanding;
  const clock = new FixedClock(new Date('2026-12-07T10:00:00Z'));
  const holds: string[] = [];
  /** How long billing takes to answer a hold. */
  let holdMs = 0;
  const ledger = {
    reserve: async (jobId: string) => {
      holds.push(jobId);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      return { status: 'pending', priorityLane: false };
    },
  } as unknown as BillingLedger;

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase(
      'generation_replays',
      generationDatabase,
      5,
    ));
    standing = new AccountStanding(dataSource, 'generation');
    submit = new SubmitJobUseCase(
      dataSource,
      ledger,
      new Outbox('generation', 'fluxnote/generation'),
      new CatalogService(),
      new RuleBasedSafetyCheck(),
      new PromptApprovals(dataSource, clock),
      standing,
      new Likenesses(dataSource),
      clock,
      new CoalescedNotifier(dataSource),
    );
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const request = (over: Partial<SubmitJobInput> = {}): SubmitJobInput => ({
    userId: randomUUID(),
    idempotencyKey: randomUUID(),
    country: null,
    model: 'wan-2.6',
    mode: 'text-to-video',
    prompt: 'a red fox running through fresh snow',
    ...over,
  });
  const jobsWithKey = async (input: SubmitJobInput): Promise<number> =>
    (
      await dataSource.query<unknown[]>(
        `SELECT 1 FROM generation.jobs WHERE user_id = $1 AND idempotency_key = $2`,
        [input.userId, input.idempotencyKey],
      )
    ).length;

  it('answers the first job and holds its credit once', async () => {
    const input = request();
    const first = await submit.execute(input);
    const again = await submit.execute(input);
    expect(again).toMatchObject({ id: first.id, status: 'queued' });
    expect(holds.filter((h) => h === first.id)).toHaveLength(1);
    expect(await jobsWithKey(input)).toBe(1);
  });

  it('answers a repeat of twins sent at once with one job and one hold', async () => {
    const input = request();
    holdMs = 300; // the first is still being held for when its twins collide with its key
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => submit.execute(input)),
    ).finally(() => (holdMs = 0));
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(holds.filter((h) => h === answers[0].id)).toHaveLength(1);
    expect(await jobsWithKey(input)).toBe(1);
  });

  it('answers the first job to a repeat sent after the account was frozen, and refuses a new one', async () => {
    const input = request();
    const first = await submit.execute(input);
    await dataSource.transaction((m) => standing.apply(m, input.userId, 'frozen', clock.now()));
    expect((await submit.execute(input)).id).toBe(first.id);
    expect(
      await problemOf(submit.execute({ ...input, idempotencyKey: randomUUID() })),
    ).toMatchObject({ status: 423 });
  });

  it('refuses a repeat of a blocked prompt again, naming the first job, and records it once', async () => {
    const input = request({ prompt: 'a graphic beheading in close-up' });
    const first = await problemOf(submit.execute(input));
    expect(first).toMatchObject({ status: 422 });
    const again = await problemOf(submit.execute(input));
    expect(again).toMatchObject({ status: 422, jobId: first.jobId });
    expect(await jobsWithKey(input)).toBe(1);
  });

  it('writes concurrent submits together and answers each as if it came alone', async () => {
    const inserts = jest.spyOn(submitRows, 'insert');
    const queueings = jest.spyOn(submitRows, 'queue');
    const earlier = request();
    const first = await submit.execute(earlier);
    const users = [randomUUID(), randomUUID(), randomUUID()];
    const inputs = users.flatMap((userId) => Array.from({ length: 4 }, () => request({ userId })));
    // A repeat among them: its insert collides with its key, so its statement fails as a whole
    // and each job of it is written again alone.
    const answers = await Promise.all([...inputs, earlier].map((input) => submit.execute(input)));
    const sizes = (spy: jest.SpyInstance) =>
      spy.mock.calls.map((call) => (call[1] as unknown[]).length);
    const [insertSizes, queueSizes] = [sizes(inserts), sizes(queueings)];
    inserts.mockRestore();
    queueings.mockRestore();
    expect(Math.max(...insertSizes)).toBeGreaterThan(1);
    expect(Math.max(...queueSizes)).toBeGreaterThan(1);

    expect(answers.at(-1)).toMatchObject({ id: first.id, status: 'queued' });
    const jobIds = answers.slice(0, -1).map((a) => a.id);
    expect(new Set(jobIds).size).toBe(inputs.length);
    const rows = await dataSource.query<
      { user_id: string; status: string; turn: string; lines: number; events: number }[]
    >(
      `SELECT j.user_id, j.status, j.turn,
              (SELECT count(*)::int FROM generation.job_logs l WHERE l.job_id = j.id) AS lines,
              (SELECT count(*)::int FROM generation.outbox o
                WHERE o.envelope -> 'data' ->> 'jobId' = j.id::text) AS events
         FROM generation.jobs j WHERE j.id = ANY($1)`,
      [jobIds],
    );
    expect(rows).toHaveLength(inputs.length);
    for (const row of rows) {
      // submitted, then queued; one job.queued event
      expect(row).toMatchObject({ status: 'queued', lines: 2, events: 1 });
    }
    for (const userId of users) {
      // A user's jobs take turns one after another, however they were gathered.
      const turns = rows.filter((r) => r.user_id === userId).map((r) => Number(r.turn));
      expect(new Set(turns).size).toBe(4);
      expect(Math.max(...turns) - Math.min(...turns)).toBe(3);
    }
    expect(holds.filter((h) => h === first.id)).toHaveLength(1);
  });
});
