import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One line of a job's log: inputs, provider calls, timings, errors, decisions. */
@Entity({ name: 'job_logs' })
export class JobLogEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('uuid', { name: 'job_id' })
  jobId!: string;

  @Column('text')
  kind!: 'input' | 'decision' | 'provider_call' | 'error' | 'settlement';

  @Column('text')
  message!: string;

  @Column('jsonb')
  data!: Record<string, unknown>;

  /** On the platform clock. */
  @Column({ type: 'timestamptz' })
  at!: Date;
}
