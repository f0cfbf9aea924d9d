import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { NotificationCategory } from '../messages/templates';

/** One item of a user's in-app feed. */
@Entity({ name: 'notifications' })
export class NotificationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  /** The event that caused it; unique, so a redelivered event adds nothing. */
  @Column('text', { name: 'event_id' })
  eventId!: string;

  @Column('text')
  category!: NotificationCategory;

  @Column('text')
  title!: string;

  @Column('text')
  body!: string;

  @Column('jsonb')
  data!: Record<string, unknown>;

  /** On the platform clock, like every time a client sees. */
  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  /** The live stream's event id (bigint; a JavaScript number holds it exactly for 2^53 items). */
  @Column({
    type: 'bigint',
    insert: false,
    update: false,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  seq!: number;

  @Column('timestamptz', { name: 'read_at', nullable: true })
  readAt!: Date | null;
}
