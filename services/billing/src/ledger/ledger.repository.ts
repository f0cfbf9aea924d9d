// The ledger's rows (accounts, balances, entries, reservations, grants): reads and writes only.
// The no-overspend rule is `remaining` of credit-pool.ts, written here as the conditions of the
// holds (credit-pool.int-spec.ts checks they agree); ledger.service.ts says why each is run.
import type { EntityManager } from 'typeorm';
import { PreparedStatement, type Sql } from '@fluxnote/persistence';
import { CreditAccountEntity } from './credit-account.entity';
import { CreditBalanceEntity } from './credit-balance.entity';
import type { CreditAmounts, CreditPool } from './credit-pool';
import { ReservationEntity } from './reservation.entity';

export interface CreditGrant {
  key: string;
  userId: string;
  credits: CreditAmounts;
  reason: string;
  agentId: string | null;
  createdAt: Date;
}

interface CreditGrantRow {
  key: string;
  user_id: string;
  video_credits: number;
  image_credits: number;
  reason: string;
  agent_id: string | null;
  created_at: Date;
}

function toGrant(r: CreditGrantRow): CreditGrant {
  return {
    key: r.key,
    userId: r.user_id,
    credits: { video: r.video_credits, image: r.image_credits },
    reason: r.reason,
    agentId: r.agent_id,
    createdAt: r.created_at,
  };
}

// The hot statements of holds and settlements, prepared once per connection.
/** One hold on one pool, as the submit path asks for it: a job's credits, keyed by the job id. */
export interface OnePoolHold {
  key: string;
  userId: string;
  pool: CreditPool;
  credits: CreditAmounts;
  at: Date;
  expiresAt: Date;
}

/**
 * The one-pool holds of concurrent submits in one statement (atomic on its own): each
 * user's holds on a pool in order, as many as the balance covers, then for those one
 * conditional UPDATE of the balance, their entries and their reservation rows. The UPDATE
 * checks the sum again against the row as it is when locked, so a balance that changed since
 * the statement's snapshot holds none of them rather than too many. A key that exists already
 * holds nothing; one that appears meanwhile fails the statement (the unique key).
 */
const holdOnePools = new PreparedStatement<{ key: string; brand: string; plan: string }>(
  `WITH asked AS (
     SELECT a.*, sum(a.amount) OVER (PARTITION BY a.user_id, a.pool ORDER BY a.n) AS running
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::int[],
                   $7::timestamptz[], $8::timestamptz[])
            WITH ORDINALITY AS a (key, user_id, pool, amount, video_credits, image_credits,
                                  created_at, expires_at, n)
      WHERE NOT EXISTS (SELECT 1 FROM billing.reservations r WHERE r.key = a.key)
   ), covered AS (
     SELECT asked.* FROM asked
       JOIN billing.credit_balances b ON b.user_id = asked.user_id AND b.pool = asked.pool
      WHERE b.allowance + b.pack_credits - b.used - b.reserved >= asked.running
   ), totals AS (
     SELECT user_id, pool, sum(amount)::int AS amount FROM covered GROUP BY user_id, pool
   ), held AS (
     UPDATE billing.credit_balances b SET reserved = b.reserved + t.amount
       FROM totals t, billing.credit_accounts a
      WHERE b.user_id = t.user_id AND b.pool = t.pool AND a.user_id = b.user_id
        AND b.allowance + b.pack_credits - b.used - b.reserved >= t.amount
     RETURNING b.user_id, b.pool, a.brand, a.plan
   ), holds AS (
     SELECT covered.*, held.brand, held.plan FROM covered
       JOIN held ON held.user_id = covered.user_id AND held.pool = covered.pool
   ), entries AS (
     INSERT INTO billing.credit_entries (user_id, pool, kind, amount, reservation_key, created_at)
     SELECT user_id, pool, 'reserve', amount, key, created_at FROM holds ORDER BY n
   ), reservations AS (
     INSERT INTO billing.reservations (key, user_id, status, video_credits, image_credits, expires_at, created_at)
     SELECT key, user_id, 'pending', video_credits, image_credits, expires_at, created_at FROM holds ORDER BY n
   )
   SELECT key, brand, plan FROM holds`,
);

export const planOf = new PreparedStatement<{ brand: string; plan: string }>(
  `SELECT brand, plan FROM billing.credit_accounts WHERE user_id = $1`,
);
export const settleReservation = new PreparedStatement<{
  user_id: string;
  video_credits: number;
  image_credits: number;
  expires_at: Date;
}>(
  `WITH r AS (
     UPDATE billing.reservations SET status = $2, settled_at = $3, settle_reason = $4
      WHERE key = $1 AND status = 'pending'
     RETURNING user_id, video_credits, image_credits, expires_at
   ), amounts AS (
     SELECT r.user_id, v.pool, v.amount
       FROM r, LATERAL (VALUES ('video', r.video_credits), ('image', r.image_credits)) AS v (pool, amount)
      WHERE v.amount > 0
   ), balance AS (
     UPDATE billing.credit_balances b
        SET reserved = b.reserved - a.amount, used = b.used + CASE WHEN $2 = 'committed' THEN a.amount ELSE 0 END
       FROM amounts a
      WHERE b.user_id = a.user_id AND b.pool = a.pool
   ), entries AS (
     INSERT INTO billing.credit_entries (user_id, pool, kind, amount, reservation_key, created_at)
     SELECT user_id, pool, CASE WHEN $2 = 'committed' THEN 'commit' ELSE 'release' END, amount, $1, $3 FROM amounts
   )
   SELECT * FROM r`,
);

/** A release that came before its Reserve, recorded so that the late Reserve holds nothing. */
export const recordReleaseBeforeReserve = new PreparedStatement(
  `INSERT INTO billing.reservations (key, user_id, status, video_credits, image_credits, expires_at, settled_at, settle_reason)
   VALUES ($1, NULL, 'released', 0, 0, $2, $2, $3) ON CONFLICT (key) DO NOTHING`,
);

/** A new hold's reservation row. */
export function pendingReservation(
  key: string,
  userId: string,
  credits: CreditAmounts,
  expiresAt: Date,
): ReservationEntity {
  return Object.assign(new ReservationEntity(), {
    key,
    userId,
    status: 'pending',
    videoCredits: credits.video,
    imageCredits: credits.image,
    expiresAt,
    settledAt: null,
    settleReason: null,
  });
}

/** A line of `billing.credit_entries`: the record every balance change leaves. */
export interface CreditEntry {
  userId: string;
  pool: CreditPool;
  kind: 'allowance' | 'reset' | 'pack' | 'reserve' | 'commit' | 'release';
  amount: number;
  reservationKey: string | null;
  at: Date;
}

export const ledgerRows = {
  /**
   * Holds what it can of `holds` in one statement; answers each with its holder's plan, or
   * null where it held nothing (the key exists already, or the pool is short).
   */
  async holdOnePools(
    sql: Sql,
    holds: readonly OnePoolHold[],
  ): Promise<({ brand: string; plan: string } | null)[]> {
    const rows = await holdOnePools.run(sql, [
      holds.map((h) => h.key),
      holds.map((h) => h.userId),
      holds.map((h) => h.pool),
      holds.map((h) => h.credits[h.pool]),
      holds.map((h) => h.credits.video),
      holds.map((h) => h.credits.image),
      holds.map((h) => h.at),
      holds.map((h) => h.expiresAt),
    ]);
    const holders = new Map(rows.map((row) => [row.key, row]));
    return holds.map((h) => holders.get(h.key) ?? null);
  },

  /** Holds the account against deletion until the transaction ends; false when there is none. */
  async shareAccount(manager: EntityManager, userId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM billing.credit_accounts WHERE user_id = $1 FOR SHARE`,
      [userId],
    );
    return rows.length > 0;
  },

  async account(sql: Sql, userId: string): Promise<CreditAccountEntity | null> {
    return sql.getRepository(CreditAccountEntity).findOneBy({ userId });
  },

  /** Opens the account; false when it was open already. */
  async openAccount(
    manager: EntityManager,
    account: {
      userId: string;
      brand: string;
      plan: string;
      periodStart: Date;
      periodEnd: Date;
      country: string | null;
      currency: string;
    },
  ): Promise<boolean> {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO billing.credit_accounts (user_id, brand, plan, period_start, period_end, country, currency)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING user_id`,
      [
        account.userId,
        account.brand,
        account.plan,
        account.periodStart,
        account.periodEnd,
        account.country,
        account.currency,
      ],
    );
    return inserted.length > 0;
  },

  async balances(sql: Sql, userId: string): Promise<CreditBalanceEntity[]> {
    return sql.getRepository(CreditBalanceEntity).findBy({ userId });
  },

  async balance(sql: Sql, userId: string, pool: CreditPool): Promise<CreditBalanceEntity | null> {
    return sql.getRepository(CreditBalanceEntity).findOneBy({ userId, pool });
  },

  async openBalance(
    manager: EntityManager,
    userId: string,
    pool: CreditPool,
    allowance: number,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO billing.credit_balances (user_id, pool, allowance) VALUES ($1, $2, $3)`,
      [userId, pool, allowance],
    );
  },

  /** A new allowance in force at once; what the cycle used stays used. */
  async setAllowance(
    manager: EntityManager,
    userId: string,
    pool: CreditPool,
    allowance: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE billing.credit_balances SET allowance = $3 WHERE user_id = $1 AND pool = $2`,
      [userId, pool, allowance],
    );
  },

  /**
   * A new cycle: used goes back to zero under the new allowance, and what ran past the old
   * allowance is taken from the pack credits (never below zero).
   */
  async startCycle(
    manager: EntityManager,
    userId: string,
    pool: CreditPool,
    allowance: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE billing.credit_balances
          SET pack_credits = pack_credits - LEAST(pack_credits, GREATEST(used - allowance, 0)),
              used = 0, allowance = $3
        WHERE user_id = $1 AND pool = $2`,
      [userId, pool, allowance],
    );
  },

  async addPackCredits(
    manager: EntityManager,
    userId: string,
    pool: CreditPool,
    amount: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE billing.credit_balances SET pack_credits = pack_credits + $3 WHERE user_id = $1 AND pool = $2`,
      [userId, pool, amount],
    );
  },

  /** Holds `amount` of the pool if `remaining` allows it; false when the pool is short. */
  async holdFromPool(
    manager: EntityManager,
    userId: string,
    pool: CreditPool,
    amount: number,
  ): Promise<boolean> {
    const [, held] = await manager.query<[unknown[], number]>(
      `UPDATE billing.credit_balances SET reserved = reserved + $3
        WHERE user_id = $1 AND pool = $2 AND allowance + pack_credits - used - reserved >= $3
        RETURNING user_id`,
      [userId, pool, amount],
    );
    return held > 0;
  },

  async appendEntry(manager: EntityManager, entry: CreditEntry): Promise<void> {
    await manager.query(
      `INSERT INTO billing.credit_entries (user_id, pool, kind, amount, reservation_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [entry.userId, entry.pool, entry.kind, entry.amount, entry.reservationKey, entry.at],
    );
  },

  async reservation(sql: Sql, key: string): Promise<ReservationEntity | null> {
    return sql.getRepository(ReservationEntity).findOneBy({ key });
  },

  async insertReservation(manager: EntityManager, reservation: ReservationEntity): Promise<void> {
    await manager.insert(ReservationEntity, reservation);
  },

  /** The keys of pending reservations whose time was up at `now`, the longest expired first. */
  async expiredPending(sql: Sql, now: Date, limit: number): Promise<string[]> {
    const rows = await sql.query<{ key: string }[]>(
      `SELECT key FROM billing.reservations WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.key);
  },

  /** Credits committed since `since`, per pool, and how many of those holds were image jobs. */
  async committedSince(
    sql: Sql,
    userId: string,
    since: Date,
  ): Promise<{ video: number; image: number; imageJobs: number }> {
    const [row] = await sql.query<{ video: string; image: string; image_jobs: string }[]>(
      `SELECT COALESCE(SUM(video_credits), 0) AS video, COALESCE(SUM(image_credits), 0) AS image,
              COUNT(*) FILTER (WHERE image_credits > 0) AS image_jobs
         FROM billing.reservations
        WHERE user_id = $1 AND status = 'committed' AND settled_at >= $2`,
      [userId, since],
    );
    return {
      video: Number(row.video),
      image: Number(row.image),
      imageJobs: Number(row.image_jobs),
    };
  },

  /** Records the grant; null when its key was taken already. */
  async insertGrant(manager: EntityManager, grant: CreditGrant): Promise<CreditGrant | null> {
    const [row] = await manager.query<CreditGrantRow[]>(
      `INSERT INTO billing.credit_grants (key, user_id, video_credits, image_credits, reason, agent_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING RETURNING *`,
      [
        grant.key,
        grant.userId,
        grant.credits.video,
        grant.credits.image,
        grant.reason,
        grant.agentId,
        grant.createdAt,
      ],
    );
    return row ? toGrant(row) : null;
  },

  async grant(sql: Sql, key: string): Promise<CreditGrant | null> {
    const [row] = await sql.query<CreditGrantRow[]>(
      `SELECT * FROM billing.credit_grants WHERE key = $1`,
      [key],
    );
    return row ? toGrant(row) : null;
  },
};
