import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type ReservationStatus = 'pending' | 'committed' | 'released';

/** A two-phase hold on credits, identified by the caller's key (a job id). */
@Entity({ name: 'reservations' })
export class ReservationEntity {
  @PrimaryColumn('text')
  key!: string;

  /** Null for a release recorded before any reserve arrived (a tombstone). */
  @Column('uuid', { name: 'user_id', nullable: true })
  userId!: string | null;

  @Column('text')
  status!: ReservationStatus;

  @Column('int', { name: 'video_credits' })
  videoCredits!: number;

  @Column('int', { name: 'image_credits' })
  imageCredits!: number;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'settled_at', nullable: true })
  settledAt!: Date | null;

  @Column('text', { name: 'settle_reason', nullable: true })
  settleReason!: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
