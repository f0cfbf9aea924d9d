import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError, type accountsV1 } from '@fluxnote/contracts';
import { KNOWN_COUNTRY_DAYS, needsLoginCode } from './login.rules';

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

export type LoginOutcome =
  | 'signed_up'
  | 'succeeded'
  | 'challenged'
  | 'verified'
  | 'wrong_password'
  | 'wrong_code'
  | 'refused';

export interface LoginRecord {
  id: string;
  at: Date;
  outcome: LoginOutcome;
  device: string;
  ip: string | null;
  country: string | null;
}

const trustedOutcomes = ['signed_up', 'succeeded', 'verified'];

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
    const held = await manager.query<unknown[]>(
      `SELECT 1 FROM accounts.users WHERE id = $1 FOR KEY SHARE`,
      [userId],
    );
    if (held.length === 0) {
      throw new ProblemError({
        type: 'account-deleting',
        title: 'Account deleting',
        status: 423,
        detail: 'This account is being deleted.',
      });
    }
    const id = randomUUID();
    const now = this.clock.now();
    await manager.query(
      `INSERT INTO accounts.logins (id, user_id, device_key, device, ip, country, outcome, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, userId, client.deviceKey, client.device, client.ip, client.country, outcome, now],
    );
    if (trustedOutcomes.includes(outcome)) {
      await manager.query(
        `INSERT INTO accounts.known_devices (user_id, device_key, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $3) ON CONFLICT (user_id, device_key) DO UPDATE SET last_seen_at = $3`,
        [userId, client.deviceKey, now],
      );
    }
    return id;
  }

  async isTrustedDevice(userId: string, deviceKey: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM accounts.known_devices WHERE user_id = $1 AND device_key = $2`,
      [userId, deviceKey],
    );
    return rows.length > 0;
  }

  /**
   * Whether this log-in needs an emailed code (`needsLoginCode` decides; this
   * reads its facts). `trustedDevice` is what `isTrustedDevice` answered for
   * this attempt (asked once per log-in).
   */
  async needsCode(userId: string, client: LoginClient, trustedDevice: boolean): Promise<boolean> {
    const [row] = await this.dataSource.query<{ any_device: boolean; known_country: boolean }[]>(
      `SELECT
         EXISTS (SELECT 1 FROM accounts.known_devices WHERE user_id = $1) AS any_device,
         ($2::text IS NULL OR EXISTS (
           SELECT 1 FROM accounts.logins WHERE user_id = $1 AND country = $2
              AND outcome = ANY($3) AND created_at > $4)) AS known_country`,
      [
        userId,
        client.country,
        trustedOutcomes,
        new Date(this.clock.now().getTime() - KNOWN_COUNTRY_DAYS * 86_400_000),
      ],
    );
    return needsLoginCode({
      anyKnownDevice: row.any_device,
      trustedDevice,
      usualCountry: row.known_country,
    });
  }

  /** A device reported as not the user's is trusted no more. */
  async distrust(manager: EntityManager, userId: string, deviceKey: string): Promise<void> {
    await manager.query(
      `DELETE FROM accounts.known_devices WHERE user_id = $1 AND device_key = $2`,
      [userId, deviceKey],
    );
  }

  async recent(userId: string, limit: number): Promise<LoginRecord[]> {
    const rows = await this.dataSource.query<
      {
        id: string;
        created_at: Date;
        outcome: LoginOutcome;
        device: string;
        ip: string | null;
        country: string | null;
      }[]
    >(
      `SELECT id, created_at, outcome, device, ip, country FROM accounts.logins
        WHERE user_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.created_at,
      outcome: r.outcome,
      device: r.device,
      ip: r.ip,
      country: r.country,
    }));
  }

  async find(
    manager: EntityManager,
    userId: string,
    loginId: string,
  ): Promise<{ deviceKey: string } | undefined> {
    const [row] = await manager.query<{ device_key: string }[]>(
      `SELECT device_key FROM accounts.logins WHERE id = $1 AND user_id = $2`,
      [loginId, userId],
    );
    return row ? { deviceKey: row.device_key } : undefined;
  }
}
