import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How each charge was paid (card or UPI), as the processor reported it: a refund's notice names
 * where the money goes back to. Charges made on the simulator's named methods are filled in; a
 * Stripe charge from before stays unknown (its PaymentMethod id does not say).
 */
export class PaymentMethodKind1764500000500 implements MigrationInterface {
  name = 'PaymentMethodKind1764500000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.charges ADD COLUMN payment_method_kind text`);
    await q.query(
      `UPDATE billing.charges SET payment_method_kind = CASE
          WHEN payment_method IN ('upi', 'sim_upi') THEN 'upi'
          WHEN payment_method IN ('card', 'sim_card', 'sim_card_refund_fails') THEN 'card'
        END
        WHERE processor = 'simulated'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.charges DROP COLUMN payment_method_kind`);
  }
}
