/**
 * SPEC §6, "Every login is checked" and "Repeated failed logins are throttled
 * per account and per address": which log-in needs an emailed code, which
 * failure counters an attempt counts against, and when a counter locks. Facts
 * in, decision out; `login-history.ts` and `login-throttle.ts` read and write
 * the rows these rules judge.
 */

const MINUTE = 60_000;

/** A country a user logged in from within this long counts as usual for them. */
export const KNOWN_COUNTRY_DAYS = 90;

/** Lockouts escalate while failures keep coming; a day without failures starts over. */
export const ESCALATION_MEMORY_MS = 24 * 60 * MINUTE;

/** How many failures a counter takes in its window before a lockout, and how lockouts grow. */
export interface ThrottlePolicy {
  limit: number;
  windowMs: number;
  /** The first lockout; each further one doubles, up to `maxLockMs`. */
  baseLockMs: number;
  maxLockMs: number;
}

export const throttlePolicies = {
  /** One address guessing at many accounts (or one): checked first, generous for shared NATs. */
  passwordByAddress: {
    limit: 20,
    windowMs: 15 * MINUTE,
    baseLockMs: 15 * MINUTE,
    maxLockMs: 24 * 60 * MINUTE,
  },
  /** Many addresses guessing at one account from devices it has never verified. */
  passwordByAccount: {
    limit: 5,
    windowMs: 15 * MINUTE,
    baseLockMs: MINUTE,
    maxLockMs: 60 * MINUTE,
  },
  /** The owner's own trusted device: counted apart, so an attacker cannot lock the owner out. */
  passwordByTrustedDevice: {
    limit: 10,
    windowMs: 15 * MINUTE,
    baseLockMs: MINUTE,
    maxLockMs: 60 * MINUTE,
  },
  codeByAddress: {
    limit: 20,
    windowMs: 15 * MINUTE,
    baseLockMs: 15 * MINUTE,
    maxLockMs: 24 * 60 * MINUTE,
  },
  codeByAccount: {
    limit: 10,
    windowMs: 15 * MINUTE,
    baseLockMs: 5 * MINUTE,
    maxLockMs: 60 * MINUTE,
  },
} satisfies Record<string, ThrottlePolicy>;

export type AccountCounter =
  'passwordByUnknownEmail' | 'passwordByTrustedDevice' | 'passwordByAccount';

/**
 * The per-account counter a password attempt counts against (the per-address one
 * always counts too, and is checked first). An email with no account has a counter
 * of its own, so probing for accounts looks like guessing at one; the owner's
 * trusted device is counted apart from everyone else's attempts.
 */
export function accountCounterFor(
  accountExists: boolean,
  trustedDevice: boolean,
): { counter: AccountCounter; policy: ThrottlePolicy } {
  if (!accountExists) {
    return { counter: 'passwordByUnknownEmail', policy: throttlePolicies.passwordByAccount };
  }
  return trustedDevice
    ? { counter: 'passwordByTrustedDevice', policy: throttlePolicies.passwordByTrustedDevice }
    : { counter: 'passwordByAccount', policy: throttlePolicies.passwordByAccount };
}

/** One failure counter as stored. */
export interface CounterState {
  failures: number;
  windowStartedAt: Date;
  lastFailureAt: Date;
  /** Lockouts so far in this escalation (a day without failures forgets them). */
  lockouts: number;
}

export interface FailureVerdict {
  /** The counter after this failure. */
  next: CounterState;
  /** Set when this failure starts a lockout, which lasts until then. */
  lockedUntil: Date | null;
  /** Failures counted in the window, this one included (the limit when it locked). */
  failures: number;
}

/**
 * One more failure on a counter (`null`: its first). A window that has run out
 * starts over; reaching the limit locks the counter for the policy's base time,
 * doubled for every earlier lockout still remembered, never more than the maximum.
 */
export function afterFailure(
  state: CounterState | null,
  now: Date,
  policy: ThrottlePolicy,
): FailureVerdict {
  const t = now.getTime();
  const current = state ?? { failures: 0, windowStartedAt: now, lastFailureAt: now, lockouts: 0 };
  const windowOver = current.windowStartedAt.getTime() <= t - policy.windowMs;
  const lockouts =
    current.lastFailureAt.getTime() <= t - ESCALATION_MEMORY_MS ? 0 : current.lockouts;
  const failures = windowOver ? 1 : current.failures + 1;
  if (failures < policy.limit) {
    return {
      next: {
        failures,
        windowStartedAt: windowOver ? now : current.windowStartedAt,
        lastFailureAt: now,
        lockouts,
      },
      lockedUntil: null,
      failures,
    };
  }
  const lockMs = Math.min(policy.baseLockMs * 2 ** lockouts, policy.maxLockMs);
  return {
    next: { failures: 0, windowStartedAt: now, lastFailureAt: now, lockouts: lockouts + 1 },
    lockedUntil: new Date(t + lockMs),
    failures: policy.limit,
  };
}

/** Whole seconds until a lockout ends (the Retry-After), or null when the counter is open. */
export function lockoutSecondsLeft(lockedUntil: Date | null, now: Date): number | null {
  if (!lockedUntil || lockedUntil.getTime() <= now.getTime()) {
    return null;
  }
  return Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000);
}

/** A wait as a person reads it: seconds under 90 s, minutes under 90 min, else hours. */
export function describeWait(seconds: number): string {
  if (seconds < 90) {
    return `${seconds} second${seconds === 1 ? '' : 's'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return minutes < 90 ? `${minutes} minutes` : `${Math.ceil(minutes / 60)} hours`;
}

/** What the risk check of a log-in knows. */
export interface LoginRiskFacts {
  /** The account has verified any device at all (an operator-created admin may have none). */
  anyKnownDevice: boolean;
  /** This device is one the account has verified. */
  trustedDevice: boolean;
  /**
   * The attempt's country is one the account logged in from within
   * `KNOWN_COUNTRY_DAYS`, or the address does not tell a country.
   */
  usualCountry: boolean;
}

/**
 * A new device or an unusual country needs an emailed code before a session is
 * issued. An account that has never logged in anywhere trusts its first device,
 * as sign-up does.
 */
export function needsLoginCode(facts: LoginRiskFacts): boolean {
  if (!facts.anyKnownDevice) {
    return false;
  }
  return !facts.trustedDevice || !facts.usualCountry;
}
