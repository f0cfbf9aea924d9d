import type { DataSource } from 'typeorm';
import { problemOf } from '@fluxnote/testing';
import { WeeklyReports } from '../reports/weekly-reports';
import { AgentDesk } from '../tickets/agent-desk.service';
import { useDeskFixture } from '../testing/desk-fixture';

describe('the weekly report (Postgres)', () => {
  const fixture = useDeskFixture('support_reports');
  const { clock, person, open, clearQueue } = fixture;
  let dataSource: DataSource;
  let desk: AgentDesk;
  beforeAll(() => {
    ({ dataSource, desk } = fixture.opened());
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
});
