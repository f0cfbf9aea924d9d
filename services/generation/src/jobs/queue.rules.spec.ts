import {
  claimOrder,
  Lane,
  laneFor,
  laneName,
  nextClaim,
  queueTurn,
  type QueuedJob,
  type TurnFacts,
} from './queue.rules';

describe('queue lanes (SPEC §3: Max-plan jobs are served before the shared queue)', () => {
  it.each([
    ['a Max user (the plan earns the priority lane)', true, Lane.Priority, 'priority'],
    ['a Free, Rise or Pro user', false, Lane.Shared, 'shared'],
  ] as const)('puts the job of %s in its lane', (_who, earns, lane, name) => {
    expect(laneFor(earns)).toBe(lane);
    expect(laneName(laneFor(earns))).toBe(name);
  });
});

describe('fair turns: the turn a newly queued job takes in its lane', () => {
  const rows: [string, TurnFacts, number][] = [
    ['an empty lane', { lowestWaiting: null, highestServing: null, ownersLatest: null }, 0],
    [
      'a newcomer while others wait: the current turn',
      { lowestWaiting: 7, highestServing: 6, ownersLatest: null },
      7,
    ],
    [
      'a newcomer while nothing waits: the turn being served',
      { lowestWaiting: null, highestServing: 4, ownersLatest: null },
      4,
    ],
    [
      'a busy user’s next job: one past their own latest',
      { lowestWaiting: 7, highestServing: 6, ownersLatest: 12 },
      13,
    ],
    [
      'a user back after a pause: the current round, not old turns',
      { lowestWaiting: 20, highestServing: 19, ownersLatest: 3 },
      20,
    ],
    [
      'a user whose only job is running: the next round after it',
      { lowestWaiting: null, highestServing: 9, ownersLatest: 9 },
      10,
    ],
  ];
  it.each(rows)('%s', (_what, facts, turn) => {
    expect(queueTurn(facts)).toBe(turn);
  });
});

describe('claim order: which queued job a worker takes next', () => {
  const at = (second: number) => new Date(Date.UTC(2026, 11, 7, 10, 0, second));
  const job = (id: string, lane: Lane, turn: number, second: number, model = 'wan-2.6') =>
    ({ id, model, lane, turn, createdAt: at(second) }) satisfies QueuedJob;

  it.each([
    ['the priority lane before an older shared job', [job('s', 1, 0, 0), job('p', 0, 5, 9)], 'p'],
    ['the lower turn before an older job', [job('old', 1, 3, 0), job('new', 1, 2, 9)], 'new'],
    ['the older job within one turn', [job('b', 1, 2, 5), job('a', 1, 2, 4)], 'a'],
    ['the lower id when all else ties', [job('b', 1, 2, 4), job('a', 1, 2, 4)], 'a'],
  ] as const)('%s', (_what, jobs, first) => {
    expect([...jobs].sort(claimOrder)[0].id).toBe(first);
  });

  it('skips the jobs of a model running its limit, without holding back other models', () => {
    const queued = [job('sora-1', 0, 0, 0, 'sora-2-pro'), job('wan-1', 1, 0, 1)];
    const running: Record<string, number> = { 'sora-2-pro': 2 };
    const limits: Record<string, number> = { 'sora-2-pro': 2, 'wan-2.6': 4 };
    const pick = () =>
      nextClaim(
        queued,
        (m) => running[m] ?? 0,
        (m) => limits[m],
      )?.id;
    expect(pick()).toBe('wan-1');
    running['sora-2-pro'] = 1;
    expect(pick()).toBe('sora-1');
    running['wan-2.6'] = 4;
    running['sora-2-pro'] = 2;
    expect(pick()).toBeUndefined();
  });
});
