import { codeSendCharges, codeSendPolicies } from './code-send-policy';

describe('log-in code sends: which counters an emailed code takes from', () => {
  it.each([
    [
      'a known address',
      '49.44.0.1',
      [
        ['code-sends-by-account', 'user-1'],
        ['code-sends-by-address', '49.44.0.1'],
      ],
    ],
    ['no address', null, [['code-sends-by-account', 'user-1']]],
  ])('with %s', (_what, address, expected) => {
    expect(codeSendCharges('user-1', address).map((c) => [c.policy.name, c.key])).toEqual(expected);
  });

  it('allows five codes per account in fifteen minutes and thirty per address in an hour', () => {
    expect(codeSendPolicies.byAccount).toMatchObject({ points: 5, perSeconds: 900 });
    expect(codeSendPolicies.byAddress).toMatchObject({ points: 30, perSeconds: 3600 });
  });
});
