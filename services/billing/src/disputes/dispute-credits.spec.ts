import {
  creditsBoughtBy,
  creditsToFreeze,
  disputeOutcome,
  type DisputedCharge,
} from './dispute-credits';

describe('creditsBoughtBy', () => {
  const cases: [string, DisputedCharge, { video: number; image: number }][] = [
    [
      'a video pack',
      { brand: 'fluxnote', kind: 'credit_pack', plan: null, pack: 'video-10' },
      { video: 10, image: 0 },
    ],
    [
      'an image pack of flux-kontext',
      { brand: 'flux-kontext', kind: 'credit_pack', plan: null, pack: 'image-1000' },
      { video: 0, image: 1000 },
    ],
    [
      'a Pro subscription: one cycle of its allowance',
      { brand: 'fluxnote', kind: 'subscription', plan: 'pro', pack: null },
      { video: 50, image: 2500 },
    ],
    [
      'an upgrade to Max',
      { brand: 'fluxnote', kind: 'upgrade', plan: 'max', pack: null },
      { video: 150, image: 7500 },
    ],
    [
      'a pack no longer sold',
      { brand: 'fluxnote', kind: 'credit_pack', plan: null, pack: 'gone' },
      { video: 0, image: 0 },
    ],
  ];
  it.each(cases)('%s', (_name, charge, expected) => {
    expect(creditsBoughtBy(charge)).toEqual(expected);
  });
});

describe('creditsToFreeze', () => {
  const cases: [string, [number, number], [number, number], [number, number]][] = [
    ['all of it while unspent', [10, 0], [12, 40], [10, 0]],
    ['only what is left once some were spent', [10, 0], [3, 40], [3, 0]],
    ['nothing when all are spent', [50, 2500], [0, 0], [0, 0]],
    ['never negative, even on an overdrawn pool', [50, 2500], [-2, 100], [0, 100]],
  ];
  it.each(cases)('%s', (_name, [bv, bi], [rv, ri], [fv, fi]) => {
    expect(creditsToFreeze({ video: bv, image: bi }, { video: rv, image: ri })).toEqual({
      video: fv,
      image: fi,
    });
  });
});

describe('disputeOutcome', () => {
  const cases: [string, 'open' | 'won' | 'lost'][] = [
    ['needs_response', 'open'],
    ['under_review', 'open'],
    ['warning_needs_response', 'open'],
    ['won', 'won'],
    ['warning_closed', 'won'],
    ['lost', 'lost'],
  ];
  it.each(cases)('%s → %s', (status, outcome) => {
    expect(disputeOutcome(status)).toBe(outcome);
  });
});
