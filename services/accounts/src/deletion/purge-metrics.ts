import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { coalesced, metricsRegistry, reportAtScrape } from '@fluxnote/telemetry';
import { pendingPurges, type PendingPurges } from './deletion.repository';

export const purgeMetricNames = {
  pending: 'fluxnote_accounts_deletions_pending',
  deadline: 'fluxnote_accounts_purge_deadline_seconds',
} as const;

/**
 * The 72-hour purge on `/metrics`: how many deletions are still waiting for a service's purge,
 * and for each the seconds left (on the platform clock) before its deadline, negative once it has
 * passed (labelled by deletion, so the alert names it). The chart's FluxNotePurgeDeadline reads
 * the second.
 */
export function reportPurges(
  registry: Registry,
  read: () => Promise<PendingPurges>,
  clock: Clock,
): () => void {
  const shared = coalesced(read); // one query a scrape for both gauges
  const stops = [
    reportAtScrape(
      registry,
      {
        name: purgeMetricNames.pending,
        help: 'Account deletions some service has not confirmed purged yet',
        labelNames: [],
      },
      async () => [{ labels: {}, value: (await shared()).pending }],
    ),
    reportAtScrape(
      registry,
      {
        name: purgeMetricNames.deadline,
        help: 'Seconds left before the purge deadline of a pending account deletion',
        labelNames: ['deletion'] as const,
      },
      async () =>
        (await shared()).deadlines.map(({ deletionId, purgeBy }) => ({
          labels: { deletion: deletionId },
          value: (purgeBy.getTime() - clock.now().getTime()) / 1000,
        })),
    ),
  ];
  return () => stops.forEach((stop) => stop());
}

@Injectable()
export class PurgeMetrics implements OnModuleInit, OnModuleDestroy {
  private stop: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.stop = reportPurges(metricsRegistry, () => pendingPurges(this.dataSource), this.clock);
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}
