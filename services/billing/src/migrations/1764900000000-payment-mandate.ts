import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The e-mandate a saved card is charged under (Indian cards saved through a setup): renewals pass
 * it to the processor with the saved method. Null for every method saved before, and elsewhere.
 */
export class PaymentMandate1764900000000 implements MigrationInterface {
  name = 'PaymentMandate1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.credit_accounts ADD COLUMN payment_mandate text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing.credit_accounts DROP COLUMN payment_mandate`);
  }
}
