import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';

/** How many of one kind of request one key (an address, a user, an email) may make in a window. */
export interface RatePolicy {
  /** The counter's name, unique in the service. */
  readonly name: string;
  readonly points: number;
  readonly perSeconds: number;
  /** What is counted, in the refusal's words: "sign-ups from your network". */
  readonly what: string;
}

/** One counter to take a point from: the policy and whose it is. */
export interface RateCharge {
  readonly policy: RatePolicy;
  readonly key: string;
}

const TABLE = 'rate_limits';

/** The table rate-limiter-flexible keeps its counters in; a service's migration creates it in its schema. */
export function rateLimitsTableSql(schema: string): string {
  return `CREATE TABLE "${schema}".${TABLE} (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`;
}

function waitInWords(seconds: number): string {
  if (seconds < 90) {
    return `${seconds} second${seconds === 1 ? '' : 's'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return minutes < 90 ? `${minutes} minutes` : `${Math.ceil(minutes / 60)} hours`;
}

/**
 * Rate limits on Postgres (rate-limiter-flexible's `RateLimiterPostgres`), shared by every
 * replica of a service through its own schema's `rate_limits` table. Keys are stored hashed, so
 * the table holds no address or email. Windows run on the wall clock, not the platform clock: they
 * guard against floods, not product time.
 */
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterPostgres>();

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  /** On a TypeORM data source's own pool (its driver's `master`). */
  static onDataSource(dataSource: DataSource, schema: string): RateLimits {
    return new RateLimits((dataSource.driver as unknown as { master: Pool }).master, schema);
  }

  private limiter(policy: RatePolicy): RateLimiterPostgres {
    let limiter = this.limiters.get(policy.name);
    if (!limiter) {
      limiter = new RateLimiterPostgres({
        storeClient: this.pool,
        storeType: 'pool',
        schemaName: this.schema,
        tableName: TABLE,
        tableCreated: true,
        // one hourly sweep of expired counters per service is enough
        clearExpiredByTimeout: this.limiters.size === 0,
        keyPrefix: policy.name,
        points: policy.points,
        duration: policy.perSeconds,
      });
      this.limiters.set(policy.name, limiter);
    }
    return limiter;
  }

  /**
   * Takes one point from each counter; the first that is spent refuses with 429 and
   * `retryAfter` (seconds, sent as `Retry-After`). Counters before it keep the point taken: a
   * refused request still counts against the keys it reached.
   */
  async take(charges: readonly RateCharge[]): Promise<void> {
    for (const { policy, key } of charges) {
      const hashed = createHash('sha256').update(key).digest('base64url');
      try {
        await this.limiter(policy).consume(hashed);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) {
          throw error;
        }
        const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new ProblemError({
          type: 'rate-limited',
          title: 'Too many requests',
          status: 429,
          detail: `Too many ${policy.what}. Try again in ${waitInWords(retryAfter)}.`,
          retryAfter,
          limit: policy.points,
          windowSeconds: policy.perSeconds,
        });
      }
    }
  }
}
