import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** `reserving` is internal (credits being held); clients first see a job as `queued`. */
export type JobStatus =
  'reserving' | 'queued' | 'processing' | 'succeeded' | 'failed' | 'blocked' | 'cancelled';

/** Platform failure reasons; each one refunds the job's credits. */
export type FailureReason = 'provider_5xx' | 'timeout' | 'crash' | 'internal';

/** The failure reason of a job whose output the provider's moderation withheld (refunded). */
export const OUTPUT_MODERATION = 'output_moderation';

/** What a worker decided, recorded before credits are settled so a crash cannot lose it. */
export interface JobOutcome {
  /** `blocked`: the provider's output moderation withheld the result (refunded). */
  status: 'succeeded' | 'failed' | 'blocked';
  reason?: FailureReason;
  detail?: string;
  outputUrl?: string;
}

@Entity({ name: 'jobs' })
export class JobEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text', { name: 'idempotency_key', nullable: true })
  idempotencyKey!: string | null;

  @Column('text')
  status!: JobStatus;

  @Column('text')
  model!: string;

  @Column('text')
  mode!: string;

  @Column('text')
  prompt!: string;

  @Column('int', { name: 'duration_sec' })
  durationSec!: number;

  @Column('text', { name: 'aspect_ratio' })
  aspectRatio!: string;

  @Column('text', { nullable: true })
  template!: string | null;

  @Column('uuid', { name: 'project_id', nullable: true })
  projectId!: string | null;

  /** The owner's voice clone for the voiceover (cleared if the clone is deleted later). */
  @Column('uuid', { name: 'voice_clone_id', nullable: true })
  voiceCloneId!: string | null;

  /** A stock voice (ElevenLabs voice id) for the voiceover. */
  @Column('text', { name: 'voice_id', nullable: true })
  voiceId!: string | null;

  /** The owner's face identity (PuLID; cleared if the identity is deleted later). */
  @Column('uuid', { name: 'face_identity_id', nullable: true })
  faceIdentityId!: string | null;

  /** Animated captions: karaoke, word-by-word or kinetic. */
  @Column('text', { nullable: true })
  captions!: string | null;

  /** image-to-video: the still to animate (an https URL the provider fetches). */
  @Column('text', { name: 'input_image_url', nullable: true })
  inputImageUrl!: string | null;

  @Column('int', { name: 'video_credits' })
  videoCredits!: number;

  @Column('int', { name: 'image_credits' })
  imageCredits!: number;

  /** `Lane` of `queue.rules.ts`: 0 = priority lane (Max plan), 1 = shared lane. */
  @Column('smallint')
  lane!: number;

  @Column('int')
  attempts!: number;

  @Column('jsonb', { nullable: true })
  outcome!: JobOutcome | null;

  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason!: string | null;

  @Column('text', { name: 'failure_detail', nullable: true })
  failureDetail!: string | null;

  @Column('boolean')
  refunded!: boolean;

  @Column('text', { name: 'output_url', nullable: true })
  outputUrl!: string | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'heartbeat_at', nullable: true })
  heartbeatAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  /** Set by every change, on the platform clock (never the database's own time). */
  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
