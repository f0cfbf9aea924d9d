// The ledger's SQL that is not a rule: its hot statements, prepared once per connection, and the
// rows it reads back. What they decide is in ledger.service.ts, which says why.
import { PreparedStatement } from '@fluxnote/persistence';
import type { CreditAmounts } from './credit-pool';
import { ReservationEntity } from './reservation.entity';

export interface CreditGrant {
  key: string;
  userId: string;
  credits: CreditAmounts;
  reason: string;
  agentId: string | null;
  createdAt: Date;
}

export interface CreditGrantRow {
  key: string;
  user_id: string;
  video_credits: number;
  image_credits: number;
  reason: string;
  agent_id: string | null;
  created_at: Date;
}

export function toGrant(r: CreditGrantRow): CreditGrant {
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
export const holdOnePool = new PreparedStatement<{ brand: string; plan: string }>(
  `WITH held AS (
     UPDATE billing.credit_balances b SET reserved = b.reserved + $4
       FROM billing.credit_accounts a
      WHERE b.user_id = $2 AND b.pool = $3 AND a.user_id = b.user_id
        AND b.allowance + b.pack_credits - b.used - b.reserved >= $4
        AND NOT EXISTS (SELECT 1 FROM billing.reservations WHERE key = $1)
     RETURNING a.brand, a.plan
   ), entry AS (
     INSERT INTO billing.credit_entries (user_id, pool, kind, amount, reservation_key, created_at)
     SELECT $2, $3, 'reserve', $4, $1, $5 FROM held
   ), reservation AS (
     INSERT INTO billing.reservations (key, user_id, status, video_credits, image_credits, expires_at, created_at)
     SELECT $1, $2, 'pending', $6, $7, $8, $5 FROM held
     RETURNING key
   )
   SELECT held.brand, held.plan FROM held, reservation`,
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
