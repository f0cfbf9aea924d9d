import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { messagingMetricNames } from '@fluxnote/messaging';
import { groupCommitMetricName } from '@fluxnote/persistence';
import { requestMetricNames } from '@fluxnote/telemetry';
import { purgeMetricNames } from '../../services/accounts/src/deletion/purge-metrics';
import { ledgerMetricNames } from '../../services/billing/src/ledger/ledger-metrics';
import { generationMetricNames } from '../../services/generation/src/jobs/generation-metrics';
import { deliveryMetricName } from '../../services/notifications/src/delivery/delivery-metrics';
import { slaMetricName } from '../../services/support/src/sla/sla-metrics';
import { dashboard, dashboardJson, dashboardPath } from '../../tools/deploy/dashboard';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { w: number; x: number; y: number };
  targets?: { expr: string }[];
}

describe('the Grafana dashboard (deploy/grafana/fluxnote.json)', () => {
  const panels = dashboard()['panels'] as Panel[];

  it('is the one generated from tools/deploy/dashboard.ts (npm run generate:dashboard)', () => {
    expect(readFileSync(dashboardPath, 'utf8')).toBe(dashboardJson());
  });

  it('reads only metrics the services export, each scoped to the chosen namespace', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const exported = new Set([
      ...(await registry.getMetricsAsJSON()).map((m) => m.name),
      ...Object.values(requestMetricNames),
      ...Object.values(generationMetricNames),
      ...Object.values(ledgerMetricNames),
      ...Object.values(messagingMetricNames),
      ...Object.values(purgeMetricNames),
      deliveryMetricName,
      slaMetricName,
      groupCommitMetricName,
    ]);
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    const read = new Set<string>();
    for (const expr of exprs) {
      for (const [, name] of expr.matchAll(/([a-zA-Z_:][\w:]*)\{/g)) {
        // a histogram is read by its parts: _bucket, _count
        read.add(exported.has(name) ? name : name.replace(/_(bucket|count|sum)$/, ''));
        expect(expr).toContain(`${name}{namespace="$namespace"`);
      }
    }
    expect([...read].filter((name) => !exported.has(name))).toEqual([]);
    // every application metric is on the dashboard
    for (const name of exported) {
      if (name.startsWith('fluxnote_')) {
        expect(read).toContain(name);
      }
    }
  });

  it('lays its panels out in rows that fit the grid, with ids of their own', () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
    expect(panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual([
      'Requests',
      'Jobs',
      'Providers',
      'Credits and notifications',
      'Event bus',
      'Support, accounts and processes',
    ]);
  });
});
