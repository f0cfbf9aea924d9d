import type { RateCharge, RatePolicy } from '@fluxnote/platform';

/**
 * How many log-in codes may be emailed: per account, so that whoever knows a password can't fill
 * its owner's inbox, and per address, so that one network can't do it to many accounts. A log-in
 * that would send one more is refused (429) before any code is made.
 */
export const codeSendPolicies = {
  byAccount: {
    name: 'code-sends-by-account',
    points: 5,
    perSeconds: 15 * 60,
    what: 'log-in codes sent for this account',
  },
  byAddress: {
    name: 'code-sends-by-address',
    points: 30,
    perSeconds: 60 * 60,
    what: 'log-in codes sent for log-ins from your network',
  },
} as const satisfies Record<string, RatePolicy>;

export type CodeSendPolicies = Record<keyof typeof codeSendPolicies, RatePolicy>;

/** The counters one emailed code takes from: the account's, and the address's when it is known. */
export function codeSendCharges(
  userId: string,
  address: string | null,
  policies: CodeSendPolicies = codeSendPolicies,
): RateCharge[] {
  return [
    { policy: policies.byAccount, key: userId },
    ...(address ? [{ policy: policies.byAddress, key: address }] : []),
  ];
}
