import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type CreditEntryKind = 'allowance' | 'reserve' | 'commit' | 'release';

/** One append-only line of the credit ledger. */
@Entity({ name: 'credit_entries' })
export class CreditEntryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  pool!: 'video' | 'image';

  @Column('text')
  kind!: CreditEntryKind;

  /** Signed change of the entry's own column (allowance, reserved or used). */
  @Column('int')
  amount!: number;

  @Column('text', { name: 'reservation_key', nullable: true })
  reservationKey!: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
