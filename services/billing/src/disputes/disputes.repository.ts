import type { EntityManager } from 'typeorm';
import type { Money } from '../money/money';
import type { CreditAmounts } from '../ledger/credit-pool';

/** A dispute as closing it reads it: whose, where it stands, the credits it froze. */
export interface DisputeRow {
  id: string;
  user_id: string;
  status: 'open' | 'won' | 'lost';
  frozen_video: number;
  frozen_image: number;
}

/** The rows of `billing.disputes`: reads and writes only. dispute.service.ts decides. */
export const disputeRows = {
  /** The dispute, locked until the transaction ends when `lock`. */
  async find(manager: EntityManager, id: string, lock = false): Promise<DisputeRow | undefined> {
    const [row] = await manager.query<DisputeRow[]>(
      `SELECT id, user_id, status, frozen_video, frozen_image FROM billing.disputes WHERE id = $1
       ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return row;
  },

  async open(
    manager: EntityManager,
    d: {
      id: string;
      processor: string;
      chargeId: string;
      userId: string;
      amount: Money;
      reason: string;
      frozen: CreditAmounts;
      evidenceDueBy: Date | null;
      openedAt: Date;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO billing.disputes (id, processor, charge_id, user_id, amount, currency, reason, status,
         frozen_video, frozen_image, evidence_due_by, opened_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11)`,
      [
        d.id,
        d.processor,
        d.chargeId,
        d.userId,
        d.amount.amount,
        d.amount.currency,
        d.reason,
        d.frozen.video,
        d.frozen.image,
        d.evidenceDueBy,
        d.openedAt,
      ],
    );
  },

  async close(
    manager: EntityManager,
    id: string,
    outcome: 'won' | 'lost',
    at: Date,
  ): Promise<void> {
    await manager.query(`UPDATE billing.disputes SET status = $2, closed_at = $3 WHERE id = $1`, [
      id,
      outcome,
      at,
    ]);
  },
};
