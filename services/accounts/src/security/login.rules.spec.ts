import {
  accountCounterFor,
  afterFailure,
  describeWait,
  lockoutSecondsLeft,
  needsLoginCode,
  throttlePolicies,
  type CounterState,
  type LoginRiskFacts,
} from './login.rules';

const MIN = 60_000;
const t0 = new Date('2026-12-07T10:00:00Z');
const after = (ms: number) => new Date(t0.getTime() + ms);
const counter = (failures: number, lockouts = 0, lastFailureAgoMs = 0): CounterState => ({
  failures,
  windowStartedAt: t0,
  lastFailureAt: new Date(t0.getTime() - lastFailureAgoMs),
  lockouts,
});

describe('log-in risk: who gets an emailed code (seed 000: "new device, strange location")', () => {
  const rows: [string, LoginRiskFacts, boolean][] = [
    [
      'a trusted device in a usual country',
      { anyKnownDevice: true, trustedDevice: true, usualCountry: true },
      false,
    ],
    ['a new device', { anyKnownDevice: true, trustedDevice: false, usualCountry: true }, true],
    [
      'a trusted device in a strange country',
      { anyKnownDevice: true, trustedDevice: true, usualCountry: false },
      true,
    ],
    [
      'a new device in a strange country',
      { anyKnownDevice: true, trustedDevice: false, usualCountry: false },
      true,
    ],
    [
      'the first log-in of an account that has none (an operator-made admin)',
      { anyKnownDevice: false, trustedDevice: false, usualCountry: false },
      false,
    ],
  ];
  it.each(rows)('%s', (_what, facts, expected) => {
    expect(needsLoginCode(facts)).toBe(expected);
  });
});

describe('log-in throttling: which counter a password attempt counts against', () => {
  it.each([
    ['an email with no account', false, false, 'passwordByUnknownEmail', 5],
    ['an account, from a device it never verified', true, false, 'passwordByAccount', 5],
    ['an account, from its own trusted device', true, true, 'passwordByTrustedDevice', 10],
  ] as const)('%s', (_what, exists, trusted, expected, limit) => {
    const { counter: name, policy } = accountCounterFor(exists, trusted);
    expect(name).toBe(expected);
    expect(policy.limit).toBe(limit);
  });
});

describe('log-in throttling: a counter after one more failure', () => {
  const byAccount = throttlePolicies.passwordByAccount; // 5 in 15 min, 1 min doubling to 60 min
  const rows: [string, CounterState | null, Date, number, number | null][] = [
    ['the first failure ever', null, t0, 1, null],
    ['the fourth within the window', counter(3), after(5 * MIN), 4, null],
    ['the fifth within the window locks for a minute', counter(4), after(5 * MIN), 5, 1 * MIN],
    ['a failure after the window ran out starts over', counter(4), after(15 * MIN), 1, null],
    ['the second lockout of an escalation lasts twice as long', counter(4, 1), t0, 5, 2 * MIN],
    ['the fourth lockout lasts eight minutes', counter(4, 3), t0, 5, 8 * MIN],
    ['lockouts never exceed the maximum', counter(4, 12), t0, 5, 60 * MIN],
    ['a day without failures forgets earlier lockouts', counter(4, 5, 24 * 60 * MIN), t0, 5, MIN],
  ];
  it.each(rows)('%s', (_what, state, now, failures, lockMs) => {
    const verdict = afterFailure(state, now, byAccount);
    expect(verdict.failures).toBe(failures);
    expect(verdict.lockedUntil?.getTime() ?? null).toBe(
      lockMs === null ? null : now.getTime() + lockMs,
    );
    if (lockMs !== null) {
      // A lockout starts a fresh window and remembers one more lockout.
      expect(verdict.next).toMatchObject({ failures: 0, windowStartedAt: now });
    }
  });

  it('counts escalations across lockouts', () => {
    let state: CounterState | null = null;
    const locks: number[] = [];
    let now = t0;
    for (let i = 0; i < 15; i++) {
      const verdict = afterFailure(state, now, byAccount);
      if (verdict.lockedUntil) {
        locks.push((verdict.lockedUntil.getTime() - now.getTime()) / MIN);
      }
      state = verdict.next;
      now = new Date(now.getTime() + 1000);
    }
    expect(locks).toEqual([1, 2, 4]);
  });
});

describe('log-in throttling: the wait a locked counter answers with', () => {
  it.each([
    ['an open counter', null, t0, null, null],
    ['a lockout that has ended', t0, after(1), null, null],
    ['one second left', after(1000), t0, 1, '1 second'],
    ['half a second left rounds up', after(500), t0, 1, '1 second'],
    ['89 seconds', after(89_000), t0, 89, '89 seconds'],
    ['two minutes', after(2 * MIN), t0, 120, '2 minutes'],
    ['a day', after(24 * 60 * MIN), t0, 86_400, '24 hours'],
  ] as const)('%s', (_what, lockedUntil, now, seconds, words) => {
    const left = lockoutSecondsLeft(lockedUntil, now);
    expect(left).toBe(seconds);
    if (left !== null) {
      expect(describeWait(left)).toBe(words);
    }
  });
});
