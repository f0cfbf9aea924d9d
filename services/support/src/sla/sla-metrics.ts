import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { metricsRegistry, reportAtScrape } from '@fluxnote/telemetry';
import { escalatedTickets, type EscalatedCount } from './sla.repository';

export const slaMetricName = 'fluxnote_support_tickets_escalated';

/**
 * `fluxnote_support_tickets_escalated{brand,plan,standing}` on `registry`, read with `read` at
 * each scrape (the SLA watch sets the standing; the chart's FluxNoteSupportSlaBreached reads it).
 * Returns the function that stops reading.
 */
export function reportEscalations(
  registry: Registry,
  read: () => Promise<EscalatedCount[]>,
): () => void {
  return reportAtScrape(
    registry,
    {
      name: slaMetricName,
      help: 'Open tickets waiting for a first response near (standing="near") or past their target',
      labelNames: ['brand', 'plan', 'standing'] as const,
    },
    async () =>
      (await read()).map(({ brand, plan, standing, tickets }) => ({
        labels: { brand, plan, standing },
        value: tickets,
      })),
  );
}

/** Support's SLA numbers on the service's `/metrics`. */
@Injectable()
export class SlaMetrics implements OnModuleInit, OnModuleDestroy {
  private stop: (() => void) | undefined;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.stop = reportEscalations(metricsRegistry, () => escalatedTickets(this.dataSource));
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}
