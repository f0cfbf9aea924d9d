import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { metricsRegistry } from '@fluxnote/telemetry';

export const slaMetricName = 'fluxnote_support_tickets_escalated';

export interface EscalatedCount {
  brand: string;
  plan: string;
  /** near (most of the first-response target gone) or breached (past it). */
  standing: 'near' | 'breached';
  tickets: number;
}

/** Open tickets still waiting for their first response, near or past their target. */
export async function escalatedTickets(dataSource: DataSource): Promise<EscalatedCount[]> {
  const rows = await dataSource.query<
    { brand: string; plan: string; escalation: 'near' | 'breached'; tickets: number }[]
  >(
    `SELECT brand, plan, escalation, count(*)::int AS tickets FROM support.tickets
      WHERE status = 'open' AND first_response_at IS NULL AND escalation IS NOT NULL
      GROUP BY brand, plan, escalation ORDER BY brand, plan, escalation`,
  );
  return rows.map((r) => ({
    brand: r.brand,
    plan: r.plan,
    standing: r.escalation,
    tickets: r.tickets,
  }));
}

const readers = new WeakMap<Registry, { read?: () => Promise<EscalatedCount[]> }>();

/**
 * `fluxnote_support_tickets_escalated{brand,plan,standing}` on `registry`, read with `read` at
 * each scrape (the SLA watch sets the standing; the chart's FluxNoteSupportSlaBreached reads it).
 * A read that fails leaves the metric out of that scrape. Returns the function that stops reading.
 */
export function reportEscalations(
  registry: Registry,
  read: () => Promise<EscalatedCount[]>,
): () => void {
  let reader = readers.get(registry);
  if (!reader) {
    const current: { read?: () => Promise<EscalatedCount[]> } = {};
    reader = current;
    readers.set(registry, current);
    new Gauge({
      name: slaMetricName,
      help: 'Open tickets waiting for a first response near (standing="near") or past their target',
      labelNames: ['brand', 'plan', 'standing'] as const,
      registers: [registry],
      collect: async function (this: Gauge<'brand' | 'plan' | 'standing'>) {
        this.reset();
        const counts = await current.read?.().catch(() => []);
        for (const { brand, plan, standing, tickets } of counts ?? []) {
          this.set({ brand, plan, standing }, tickets);
        }
      },
    });
  }
  reader.read = read;
  const mine = reader;
  return () => {
    if (mine.read === read) {
      mine.read = undefined;
    }
  };
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
