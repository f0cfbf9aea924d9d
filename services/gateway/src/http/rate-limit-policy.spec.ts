import { withRateOverrides } from '@fluxnote/platform';
import { gatewayRatePolicies as p, rateCharges, type LimitedAction } from './rate-limit-policy';

describe('gateway rate limits: which counters a request takes from', () => {
  const facts = { address: '203.0.113.7', userId: 'u-1', email: ' Ada@Example.com ' };

  it.each<[LimitedAction, typeof facts | { address: string }, [string, string][]]>([
    ['signup', facts, [['signup-by-address', '203.0.113.7']]],
    [
      'password-forgot',
      facts,
      [
        ['forgot-by-email', 'ada@example.com'],
        ['forgot-by-address', '203.0.113.7'],
      ],
    ],
    ['password-forgot', { address: '203.0.113.7' }, [['forgot-by-address', '203.0.113.7']]],
    [
      'ticket-create',
      facts,
      [
        ['tickets-by-user', 'u-1'],
        ['tickets-by-address', '203.0.113.7'],
      ],
    ],
    // an inbound email has no signed-in user: its address still counts
    ['ticket-create', { address: '203.0.113.7' }, [['tickets-by-address', '203.0.113.7']]],
    [
      'likeness-upload',
      facts,
      [
        ['uploads-by-user', 'u-1'],
        ['uploads-by-address', '203.0.113.7'],
      ],
    ],
  ])('%s with %j', (action, given, expected) => {
    expect(rateCharges(action, given).map((c) => [c.policy.name, c.key])).toEqual(expected);
  });

  it.each([
    ['signupByAddress', 10, 3600],
    ['forgotByAddress', 10, 3600],
    ['forgotByEmail', 5, 3600],
    ['ticketsByUser', 10, 3600],
    ['ticketsByAddress', 30, 3600],
    ['uploadsByUser', 30, 3600],
    ['uploadsByAddress', 60, 3600],
  ] as const)('%s allows %i per %i seconds by default', (key, points, perSeconds) => {
    expect(p[key]).toMatchObject({ points, perSeconds });
  });

  it('takes overrides by name from RATE_LIMITS, and refuses unknown names and bad values', () => {
    const set = withRateOverrides(p, 'signup-by-address=3/60, tickets-by-user=100/86400');
    expect(set.signupByAddress).toMatchObject({ points: 3, perSeconds: 60 });
    expect(set.ticketsByUser).toMatchObject({ points: 100, perSeconds: 86400 });
    expect(set.forgotByEmail).toBe(p.forgotByEmail);
    expect(withRateOverrides(p, undefined)).toEqual(p);
    const relaxed = withRateOverrides(p, '*=1000/60,forgot-by-email=2/60');
    expect(relaxed.uploadsByAddress).toMatchObject({ points: 1000, perSeconds: 60 });
    expect(relaxed.forgotByEmail).toMatchObject({ points: 2, perSeconds: 60 });
    for (const bad of [
      'sign-up=3/60',
      'signup-by-address=0/60',
      'signup-by-address=3',
      'x',
      '*=0/1',
    ]) {
      expect(() => withRateOverrides(p, bad)).toThrow(/RATE_LIMITS/);
    }
  });
});
