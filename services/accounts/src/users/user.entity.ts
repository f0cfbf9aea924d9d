import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type UserStatus = 'active' | 'locked' | 'frozen' | 'suspended' | 'deleting';
export const roles = ['user', 'agent', 'senior_agent', 'admin'] as const;
export type Role = (typeof roles)[number];

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Stored lower-cased; unique. */
  @Column('text')
  email!: string;

  /** Null for accounts created with Google that never chose a password. */
  @Column('text', { name: 'password_hash', nullable: true })
  passwordHash!: string | null;

  /** The linked Google account's stable id (`sub`), if any; unique. */
  @Column('text', { name: 'google_subject', nullable: true })
  googleSubject!: string | null;

  @Column('text')
  brand!: string;

  @Column('text', { nullable: true })
  country!: string | null;

  @Column('text', { array: true })
  roles!: Role[];

  @Column('text')
  status!: UserStatus;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}

/**
 * Active users, and suspended ones: a suspended user may log in to read why and
 * appeal (their token says so and the gateway lets them do nothing else).
 */
export function mayHoldSession(user: Pick<UserEntity, 'status'>): boolean {
  return user.status === 'active' || user.status === 'suspended';
}
