import { disputeTicketDue } from './dispute-ticket';

describe('disputeTicketDue', () => {
  const opened = new Date('2026-12-01T10:00:00Z');
  const sla = new Date('2026-12-02T10:00:00Z');
  const cases: [string, string | null, string][] = [
    ['no evidence deadline: the SLA target', null, '2026-12-02T10:00:00.000Z'],
    ['a deadline weeks away: the SLA target', '2026-12-20T00:00:00Z', '2026-12-02T10:00:00.000Z'],
    [
      'a deadline in three days: two days before it',
      '2026-12-04T04:00:00Z',
      '2026-12-02T04:00:00.000Z',
    ],
    ['a deadline in a day: due at once', '2026-12-02T10:00:00Z', '2026-12-01T10:00:00.000Z'],
  ];
  it.each(cases)('%s', (_name, evidence, due) => {
    expect(disputeTicketDue(opened, sla, evidence ? new Date(evidence) : null).toISOString()).toBe(
      due,
    );
  });
});
