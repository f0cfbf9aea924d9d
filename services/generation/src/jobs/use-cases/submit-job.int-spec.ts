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
  const ledger = {
    reserve: (jobId: string) => {
      holds.push(jobId);
      return Promise.resolve({ status: 'pending', priorityLane: false });
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
    const answers = await Promise.all(Array.from({ length: 5 }, () => submit.execute(input)));
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
});
