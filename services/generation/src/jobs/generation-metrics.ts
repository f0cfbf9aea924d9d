import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Counter, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import {
  coalesced,
  counterOn,
  histogramOn,
  metricsRegistry,
  ScrapedGauge,
} from '@fluxnote/telemetry';
import type { ProviderResult } from '../providers/model-provider';
import { Lane, laneName } from './queue.rules';
import { jobRows } from './jobs.repository';

/** The names the dashboard, the alerts and the generation HPA read. */
export const generationMetricNames = {
  submits: 'fluxnote_generation_submits_total',
  queueDepth: 'fluxnote_generation_queue_depth',
  queueOldest: 'fluxnote_generation_queue_oldest_wait_seconds',
  queueWait: 'fluxnote_generation_queue_wait_seconds',
  running: 'fluxnote_generation_jobs_running',
  providerCalls: 'fluxnote_provider_call_duration_seconds',
  providerFailures: 'fluxnote_provider_failures_total',
} as const;

/**
 * What a submit came to: `accepted` (queued now), `replayed` (an Idempotency-Key retry answered
 * with its job), or the refusal's problem type (`insufficient-credits`, `content-policy`, …);
 * `error` for anything that is not a problem (a bug, or the database gone).
 */
export function submitOutcome(result: { replayed: boolean } | { error: unknown }): string {
  if ('error' in result) {
    return result.error instanceof ProblemError ? result.error.problem.type : 'error';
  }
  return result.replayed ? 'replayed' : 'accepted';
}

/** A provider call's outcome: `ok`, `blocked` (its own moderation withheld it) or `failed`. */
function callOutcome(result: ProviderResult): 'ok' | 'blocked' | 'failed' {
  return result.ok ? 'ok' : result.reason === 'output_blocked' ? 'blocked' : 'failed';
}

export interface QueueReading {
  lanes: { lane: string; jobs: number; oldestSeconds: number }[];
  running: { model: string; jobs: number }[];
}

/**
 * Generation's numbers on a registry: submits by outcome, the queue's depth and wait per lane,
 * jobs running per model, and each provider call's latency and failures per model.
 */
export class GenerationMetrics {
  private readonly submits: Counter<'outcome'>;
  private readonly waits;
  private readonly calls;
  private readonly failures: Counter<'provider' | 'model' | 'reason'>;
  private readonly depth: ScrapedGauge<'lane'>;
  private readonly oldest: ScrapedGauge<'lane'>;
  private readonly running: ScrapedGauge<'model'>;

  /** Every metric is registered once per registry: as many of these as needed share them. */
  constructor(registry: Registry = metricsRegistry) {
    this.submits = counterOn(registry, {
      name: generationMetricNames.submits,
      help: 'Job submits by outcome: accepted, replayed, or the problem type that refused them',
      labelNames: ['outcome'] as const,
    });
    this.waits = histogramOn(registry, {
      name: generationMetricNames.queueWait,
      help: 'How long jobs waited in their lane before a worker first took them',
      labelNames: ['lane'] as const,
      buckets: [0.05, 0.25, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    });
    this.calls = histogramOn(registry, {
      name: generationMetricNames.providerCalls,
      help: 'Calls to model providers by provider, model and outcome (ok, blocked, failed)',
      labelNames: ['provider', 'model', 'outcome'] as const,
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200],
    });
    this.failures = counterOn(registry, {
      name: generationMetricNames.providerFailures,
      help: 'Provider calls that failed, by provider, model and failure reason',
      labelNames: ['provider', 'model', 'reason'] as const,
    });
    this.depth = ScrapedGauge.on(registry, {
      name: generationMetricNames.queueDepth,
      help: 'Jobs queued and not yet taken by a worker, per lane',
      labelNames: ['lane'] as const,
    });
    this.oldest = ScrapedGauge.on(registry, {
      name: generationMetricNames.queueOldest,
      help: 'How long the oldest queued job of a lane has waited; 0 when none waits',
      labelNames: ['lane'] as const,
    });
    this.running = ScrapedGauge.on(registry, {
      name: generationMetricNames.running,
      help: 'Jobs a worker is running now, per model',
      labelNames: ['model'] as const,
    });
  }

  submitted(outcome: string): void {
    this.submits.inc({ outcome });
  }

  /** A job taken from its lane for the first time, after `seconds` in the queue. */
  claimed(lane: number, seconds: number): void {
    this.waits.observe({ lane: laneName(lane) }, Math.max(0, seconds));
  }

  providerCalled(provider: string, model: string, seconds: number, result: ProviderResult): void {
    const outcome = callOutcome(result);
    this.calls.observe({ provider, model, outcome }, seconds);
    if (!result.ok && outcome === 'failed') {
      this.failures.inc({ provider, model, reason: result.reason });
    }
  }

  /** Reads the queue at each scrape (one query for the three gauges), until stopped. */
  trackQueue(query: () => Promise<QueueReading>): () => void {
    const read = coalesced(query);
    const stops = [
      this.depth.add(async () =>
        (await read()).lanes.map((l) => ({ labels: { lane: l.lane }, value: l.jobs })),
      ),
      this.oldest.add(async () =>
        (await read()).lanes.map((l) => ({ labels: { lane: l.lane }, value: l.oldestSeconds })),
      ),
      this.running.add(async () =>
        (await read()).running.map((r) => ({ labels: { model: r.model }, value: r.jobs })),
      ),
    ];
    return () => stops.forEach((stop) => stop());
  }
}

/** The queue as the gauges report it: both lanes always (an empty one reads 0). */
export async function readQueue(dataSource: DataSource, now: Date): Promise<QueueReading> {
  const { lanes, running } = await jobRows.queueReading(dataSource, now);
  return {
    lanes: Object.values(Lane).map((lane) => {
      const row = lanes.find((l) => l.lane === lane);
      return { lane: laneName(lane), jobs: row?.jobs ?? 0, oldestSeconds: row?.oldest ?? 0 };
    }),
    running,
  };
}

/** Generation's queue gauges on the service's `/metrics`. */
@Injectable()
export class QueueMetrics implements OnModuleInit, OnModuleDestroy {
  private stop: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.stop = new GenerationMetrics().trackQueue(() =>
      readQueue(this.dataSource, this.clock.now()),
    );
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}
