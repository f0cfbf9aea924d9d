import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The maintained balance of one pool, updated in the same transaction as each
 * ledger entry (the entries are the record; this row makes checks cheap and atomic).
 */
@Entity({ name: 'credit_balances' })
export class CreditBalanceEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @PrimaryColumn('text')
  pool!: 'video' | 'image';

  @Column('int')
  allowance!: number;

  @Column('int')
  used!: number;

  @Column('int')
  reserved!: number;

  @Column('int', { name: 'pack_credits' })
  packCredits!: number;
}
