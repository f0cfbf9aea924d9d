import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError, type accountsV1 } from '@fluxnote/contracts';
import { KNOWN_COUNTRY_DAYS, needsLoginCode } from './login.rules';
import { logins, type LoginOutcome, type LoginRecord } from './logins.repository';

/** Where a log-in attempt came from, as accounts judges it. */
export interface LoginClient {
  ip: string | null;
  /** ISO 3166-1 alpha-2, or null when the address does not tell (private, loopback, unknown). */
  country: string | null;
  /** Stable per device: the client's device id, else its user agent (hashed; never shown). */
  deviceKey: string;
  /** What the user sees in their log-in list. */
  device: string;
}

export type { LoginOutcome, LoginRecord } from './logins.repository';

const trustedOutcomes: LoginOutcome[] = ['signed_up', 'succeeded', 'verified'];

type CountryLookup = (ip: string) => string | null;
let geoLookup: CountryLookup | undefined;

/** geoip-lite's bundled database, loaded on first use (it takes ~100 ms and ~150 MB). */
function countryOfAddress(ip: string): string | null {
  if (!geoLookup) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const geoip = require('geoip-lite') as typeof import('geoip-lite');
    geoLookup = (address) => geoip.lookup(address)?.country || null;
  }
  return geoLookup(ip.replace(/^::ffff:/, ''));
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

export function loginClient(info: accountsV1.ClientInfo | undefined): LoginClient {
  const ip = info?.ip || null;
  const deviceId = info?.deviceId?.trim() ?? '';
  const userAgent = info?.userAgent?.trim() ?? '';
  return {
    ip,
    country: info?.country || (ip ? countryOfAddress(ip) : null),
    deviceKey: deviceId ? `id:${sha(deviceId)}` : `ua:${sha(userAgent)}`,
    device: (userAgent || (deviceId ? 'App device' : 'Unknown device')).slice(0, 200),
  };
}

/** Every log-in, the devices a user has verified, and the judgement of whether a log-in needs a code. */
@Injectable()
export class LoginHistory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(
    manager: EntityManager,
    userId: string,
    client: LoginClient,
    outcome: LoginOutcome,
  ): Promise<string> {
    // The account row is held until the transaction ends, so a purge deleting it meanwhile waits;
    // an account already purged is no account to log in to (nothing is written).
    if (!(await logins.holdAccount(manager, userId))) {
      throw new ProblemError({
        type: 'account-deleting',
        title: 'Account deleting',
        status: 423,
        detail: 'This account is being deleted.',
      });
    }
    const id = randomUUID();
    const at = this.clock.now();
    await logins.insert(manager, { id, userId, ...client, outcome, at });
    if (trustedOutcomes.includes(outcome)) {
      await logins.rememberDevice(manager, userId, client.deviceKey, at);
    }
    return id;
  }

  async isTrustedDevice(userId: string, deviceKey: string): Promise<boolean> {
    return logins.isKnownDevice(this.dataSource, userId, deviceKey);
  }

  /**
   * Whether this log-in needs an emailed code (`needsLoginCode` decides; this
   * reads its facts). `trustedDevice` is what `isTrustedDevice` answered for
   * this attempt (asked once per log-in).
   */
  async needsCode(userId: string, client: LoginClient, trustedDevice: boolean): Promise<boolean> {
    const since = new Date(this.clock.now().getTime() - KNOWN_COUNTRY_DAYS * 86_400_000);
    const facts = await logins.riskFacts(
      this.dataSource,
      userId,
      client.country,
      trustedOutcomes,
      since,
    );
    return needsLoginCode({ ...facts, trustedDevice });
  }

  /** A device reported as not the user's is trusted no more. */
  async distrust(manager: EntityManager, userId: string, deviceKey: string): Promise<void> {
    await logins.forgetDevice(manager, userId, deviceKey);
  }

  async recent(userId: string, limit: number): Promise<LoginRecord[]> {
    return logins.latest(this.dataSource, userId, limit);
  }

  async find(
    manager: EntityManager,
    userId: string,
    loginId: string,
  ): Promise<{ deviceKey: string } | undefined> {
    const deviceKey = await logins.deviceOf(manager, userId, loginId);
    return deviceKey === undefined ? undefined : { deviceKey };
  }
}
