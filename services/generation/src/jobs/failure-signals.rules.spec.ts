import {
  failureSpike,
  isPlatformFailure,
  mostReliable,
  streakJustReached,
  type FinishedJob,
} from './failure-signals.rules';

const ok: FinishedJob = { status: 'succeeded', failureReason: null };
const fail = (reason = 'provider_5xx'): FinishedJob => ({
  status: 'failed',
  failureReason: reason,
});

describe('platform failures: the platform’s fault, not the user’s', () => {
  it.each([
    ['a provider 5xx', fail('provider_5xx'), true],
    ['a model timeout', fail('timeout'), true],
    ['a crash', fail('crash'), true],
    ['an internal error', fail('internal'), true],
    ['output withheld by moderation', fail('output_blocked'), false],
    ['a success', ok, false],
    ['nothing', undefined, false],
  ])('%s', (_what, job, expected) => {
    expect(isPlatformFailure(job)).toBe(expected);
  });
});

describe('failure streak (seed 000: three consecutive generations fail with the same model)', () => {
  const rows: [string, FinishedJob[], boolean][] = [
    ['the third platform failure in a row', [fail(), fail('timeout'), fail('crash')], true],
    ['the third in a row after a success', [fail(), fail(), fail(), ok], true],
    ['only two so far', [fail(), fail()], false],
    ['a fourth in a row (said at the third already)', [fail(), fail(), fail(), fail()], false],
    ['a success in between starts over', [fail(), ok, fail(), fail()], false],
    ['the latest was a success', [ok, fail(), fail(), fail()], false],
    [
      'a moderation withhold breaks the run',
      [fail(), fail('output_blocked'), fail(), fail()],
      false,
    ],
  ];
  it.each(rows)('%s (newest first)', (_what, newestFirst, expected) => {
    expect(streakJustReached(newestFirst)).toBe(expected);
  });
});

describe('the most stable alternative model for the same mode', () => {
  const models = [
    { id: 'veo-3.1', name: 'Veo 3.1' },
    { id: 'runway-gen-4', name: 'Runway Gen-4' },
    { id: 'wan-2.6', name: 'Wan 2.6' },
  ];
  it.each([
    [
      'the best recent success rate (Runway Gen-4, as the seed suggests)',
      [
        { model: 'veo-3.1', ok: 8, total: 10 },
        { model: 'runway-gen-4', ok: 19, total: 20 },
      ],
      'runway-gen-4',
      0.95,
    ],
    [
      'more finished jobs break a tie',
      [
        { model: 'veo-3.1', ok: 9, total: 10 },
        { model: 'wan-2.6', ok: 18, total: 20 },
      ],
      'wan-2.6',
      0.9,
    ],
    [
      'a model with recent jobs before one with none',
      [{ model: 'wan-2.6', ok: 1, total: 4 }],
      'wan-2.6',
      0.25,
    ],
    ['no recent jobs at all: catalog order, no rate', [], 'veo-3.1', undefined],
  ])('%s', (_what, recent, id, rate) => {
    const best = mostReliable(models, recent);
    expect(best?.id).toBe(id);
    expect(best?.rate).toBe(rate);
  });

  it('has nothing to suggest when no other model offers the mode', () => {
    expect(mostReliable([], [])).toBeUndefined();
  });
});

describe('failure-rate spike on a model, raised to operations', () => {
  const settings = { minJobs: 10, rate: 0.5 };
  it.each([
    ['too few finished jobs to tell', 5, 5, null],
    ['under the rate', 4, 10, null],
    ['at the rate: a warning', 5, 10, { percent: 50, severity: 'warning' }],
    ['from 80 % failed: critical', 8, 10, { percent: 80, severity: 'critical' }],
    ['every job failed', 12, 12, { percent: 100, severity: 'critical' }],
  ] as const)('%s', (_what, failed, finished, expected) => {
    const spike = failureSpike({ failed, finished }, settings);
    if (expected === null) {
      expect(spike).toBeNull();
    } else {
      expect(spike).toMatchObject(expected);
    }
  });

  it('says nothing of a window with no finished jobs, whatever the minimum', () => {
    expect(failureSpike({ failed: 0, finished: 0 }, { minJobs: 0, rate: 0 })).toBeNull();
  });
});
