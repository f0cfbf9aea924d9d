import { mandateTerms } from './mandate-terms';

describe('mandateTerms (India e-mandates for saved cards)', () => {
  const user = '6f1c2b8e-0d4a-4c1e-9a57-2b7d3f9e1c00';
  const cases: [string, Parameters<typeof mandateTerms>, ReturnType<typeof mandateTerms>][] = [
    ['no mandate for USD', ['fluxnote', 'USD', user], null],
    [
      'INR on fluxnote: the Max annual charge is the largest (12 × ₹2,499)',
      ['fluxnote', 'INR', user],
      {
        maxAmount: { amount: 2_998_800, currency: 'INR' },
        reference: `fluxnote-${user}`,
        description: 'fluxnote plan renewals and credit packs',
      },
    ],
    [
      'INR on flux-kontext: named after that brand',
      ['flux-kontext', 'INR', user],
      {
        maxAmount: { amount: 2_998_800, currency: 'INR' },
        reference: `flux-kontext-${user}`,
        description: 'flux-kontext plan renewals and credit packs',
      },
    ],
  ];
  it.each(cases)('%s', (_name, args, expected) => {
    expect(mandateTerms(...args)).toEqual(expected);
  });

  it('keeps the reference within Stripe’s 80 characters', () => {
    expect(mandateTerms('flux-kontext', 'INR', user)!.reference.length).toBeLessThanOrEqual(80);
  });
});
