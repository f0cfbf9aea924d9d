import { suspensionReason } from './staff-actions.service';

describe('what a suspended user reads when the admin wrote no reason', () => {
  it.each([
    [
      ['gen_01'],
      'Your account is suspended for breaking the rule “Impersonation”, as one generation or action shows.',
    ],
    [
      ['gen_01', 'gen_02', 'act_9'],
      'Your account is suspended for breaking the rule “Impersonation”, as 3 generations or actions show.',
    ],
  ])('citing %j', (evidence, expected) => {
    expect(suspensionReason({ rule: 'Impersonation', evidence })).toBe(expected);
  });
});
