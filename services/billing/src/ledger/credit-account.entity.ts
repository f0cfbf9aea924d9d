import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A user's billing account: brand, plan and current cycle. */
@Entity({ name: 'credit_accounts' })
export class CreditAccountEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  brand!: string;

  @Column('text')
  plan!: string;

  @Column('timestamptz', { name: 'period_start' })
  periodStart!: Date;

  @Column('timestamptz', { name: 'period_end' })
  periodEnd!: Date;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
