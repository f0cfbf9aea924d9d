import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `output_blocked`: the provider's output moderation withholds the result. */
export const simulatedFailures = ['provider_5xx', 'timeout', 'crash', 'output_blocked'] as const;
export type SimulatedFailure = (typeof simulatedFailures)[number];

/** How the built-in simulator behaves for one model (set through the admin API). */
@Entity({ name: 'simulator_models' })
export class SimulatorModelEntity {
  @PrimaryColumn('text')
  model!: string;

  @Column('text', { nullable: true })
  failure!: SimulatedFailure | null;

  @Column('int', { name: 'latency_ms', nullable: true })
  latencyMs!: number | null;
}
