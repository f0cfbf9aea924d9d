import type { RateCharge, RatePolicy } from '@fluxnote/platform';

const HOUR = 3600;

/**
 * How often a person or a network may do the things that cost someone else (an inbox, an agent,
 * storage) or that an attacker repeats. Counted per address (the client's, through trusted
 * proxies), per signed-in user, and for password resets per email asked about. Log-in attempts
 * and log-in codes are limited in accounts, which knows the account.
 */
export const gatewayRatePolicies = {
  signupByAddress: {
    name: 'signup-by-address',
    points: 10,
    perSeconds: HOUR,
    what: 'sign-ups from your network',
  },
  forgotByAddress: {
    name: 'forgot-by-address',
    points: 10,
    perSeconds: HOUR,
    what: 'password reset requests from your network',
  },
  forgotByEmail: {
    name: 'forgot-by-email',
    points: 5,
    perSeconds: HOUR,
    what: 'password reset requests for this email',
  },
  ticketsByUser: {
    name: 'tickets-by-user',
    points: 10,
    perSeconds: HOUR,
    what: 'new support tickets from your account',
  },
  ticketsByAddress: {
    name: 'tickets-by-address',
    points: 30,
    perSeconds: HOUR,
    what: 'new support tickets from your network',
  },
  uploadsByUser: {
    name: 'uploads-by-user',
    points: 30,
    perSeconds: HOUR,
    what: 'uploads from your account',
  },
  uploadsByAddress: {
    name: 'uploads-by-address',
    points: 60,
    perSeconds: HOUR,
    what: 'uploads from your network',
  },
} as const satisfies Record<string, RatePolicy>;

export type GatewayRatePolicies = Record<keyof typeof gatewayRatePolicies, RatePolicy>;

export type LimitedAction = 'signup' | 'password-forgot' | 'ticket-create' | 'likeness-upload';

/** What is known of the request: the address always, the user once signed in, the email asked about. */
export interface RequestFacts {
  address: string;
  userId?: string;
  email?: string;
}

/** The counters one request of `action` takes a point from, most specific first. */
export function rateCharges(
  action: LimitedAction,
  facts: RequestFacts,
  policies: GatewayRatePolicies = gatewayRatePolicies,
): RateCharge[] {
  const byUser = (policy: RatePolicy): RateCharge[] =>
    facts.userId ? [{ policy, key: facts.userId }] : [];
  const byAddress = (policy: RatePolicy): RateCharge[] => [{ policy, key: facts.address }];
  switch (action) {
    case 'signup':
      return byAddress(policies.signupByAddress);
    case 'password-forgot':
      return [
        ...(facts.email
          ? [{ policy: policies.forgotByEmail, key: facts.email.trim().toLowerCase() }]
          : []),
        ...byAddress(policies.forgotByAddress),
      ];
    case 'ticket-create':
      return [...byUser(policies.ticketsByUser), ...byAddress(policies.ticketsByAddress)];
    case 'likeness-upload':
      return [...byUser(policies.uploadsByUser), ...byAddress(policies.uploadsByAddress)];
  }
}
