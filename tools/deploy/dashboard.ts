/**
 * The Grafana dashboard of a FluxNote release, `deploy/grafana/fluxnote.json`: written by
 * `npm run generate:dashboard` from the metric names the services export (their `*MetricNames`
 * constants), never edited by hand (test/deploy checks the file matches).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { messagingMetricNames } from '@fluxnote/messaging';
import { groupCommitMetricName } from '@fluxnote/persistence';
import { requestMetricNames } from '@fluxnote/telemetry';
import { purgeMetricNames } from '../../services/accounts/src/deletion/purge-metrics';
import { ledgerMetricNames } from '../../services/billing/src/ledger/ledger-metrics';
import { generationMetricNames as gen } from '../../services/generation/src/jobs/generation-metrics';
import { deliveryMetricName } from '../../services/notifications/src/delivery/delivery-metrics';
import { slaMetricName } from '../../services/support/src/sla/sla-metrics';

export const dashboardPath = join(
  resolve(__dirname, '..', '..'),
  'deploy',
  'grafana',
  'fluxnote.json',
);

/** Every series of the release in the chosen namespace. */
const scope = 'namespace="$namespace"';

interface Panel {
  title: string;
  /** PromQL; `{scope` opens this dashboard's selector (`{scope}`, `{scope, grpc_type="unary"}`). */
  queries: { expr: string; legend: string }[];
  unit: string;
  description: string;
}

const rate = (metric: string, by: string, window = '5m'): string =>
  `sum by (${by}) (rate(${metric}{scope}[${window}]))`;
const quantile = (q: number, histogram: string, by: string): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate(${histogram}_bucket{scope}[5m])))`;

/** Rows of panels, top to bottom: what a user meets first, then what lies beneath it. */
const rows: { title: string; panels: Panel[] }[] = [
  {
    title: 'Requests',
    panels: [
      {
        title: 'Gateway requests by route and status',
        description: 'Public API requests per second, by matched route template and HTTP status.',
        unit: 'reqps',
        queries: [
          {
            expr: rate(`${requestMetricNames.http}_count`, 'method, route, status'),
            legend: '{{method}} {{route}} {{status}}',
          },
        ],
      },
      {
        title: 'Gateway p99 by route',
        description: 'The slowest 1 % of requests per route, from arrival to the last byte.',
        unit: 's',
        queries: [
          {
            expr: quantile(0.99, requestMetricNames.http, 'method, route'),
            legend: '{{method}} {{route}}',
          },
        ],
      },
      {
        title: 'gRPC calls by method and code',
        description: 'Calls between the services per second, by the answering method and status.',
        unit: 'reqps',
        queries: [
          {
            expr: rate(`${requestMetricNames.grpc}_count`, 'grpc_service, grpc_method, grpc_code'),
            legend: '{{grpc_service}}/{{grpc_method}} {{grpc_code}}',
          },
        ],
      },
      {
        title: 'gRPC p99 by method',
        description:
          'The slowest 1 % of unary calls per method (streams last as long as their caller).',
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (le, grpc_service, grpc_method) (rate(${requestMetricNames.grpc}_bucket{scope, grpc_type="unary"}[5m])))`,
            legend: '{{grpc_service}}/{{grpc_method}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Jobs',
    panels: [
      {
        title: 'Submits by outcome',
        description:
          'accepted, replayed (an Idempotency-Key retry), or the problem that refused them (insufficient-credits, content-policy, …).',
        unit: 'reqps',
        queries: [{ expr: rate(gen.submits, 'outcome'), legend: '{{outcome}}' }],
      },
      {
        title: 'Queue depth per lane',
        description:
          'Jobs queued and not yet taken by a worker (every generation pod reports the same queue).',
        unit: 'short',
        queries: [{ expr: `max by (lane) (${gen.queueDepth}{scope})`, legend: '{{lane}}' }],
      },
      {
        title: 'Queue wait per lane',
        description:
          'How long jobs waited before a worker took them (p50, p95), and the oldest still waiting.',
        unit: 's',
        queries: [
          { expr: quantile(0.5, gen.queueWait, 'lane'), legend: 'p50 {{lane}}' },
          { expr: quantile(0.95, gen.queueWait, 'lane'), legend: 'p95 {{lane}}' },
          { expr: `max by (lane) (${gen.queueOldest}{scope})`, legend: 'oldest {{lane}}' },
        ],
      },
      {
        title: 'Jobs running per model',
        description:
          'Jobs on a provider now; each model runs at most its limit (MODEL_CONCURRENCY).',
        unit: 'short',
        queries: [{ expr: `max by (model) (${gen.running}{scope})`, legend: '{{model}}' }],
      },
    ],
  },
  {
    title: 'Providers',
    panels: [
      {
        title: 'Provider latency per model (p50, p95)',
        description: 'Each call to a model provider, from request to result.',
        unit: 's',
        queries: [
          { expr: quantile(0.5, gen.providerCalls, 'model'), legend: 'p50 {{model}}' },
          { expr: quantile(0.95, gen.providerCalls, 'model'), legend: 'p95 {{model}}' },
        ],
      },
      {
        title: 'Provider failure ratio per model',
        description:
          'The share of calls that failed over 10 minutes (FluxNoteProviderFailureSpike reads it).',
        unit: 'percentunit',
        queries: [
          {
            expr: `${rate(gen.providerFailures, 'model', '10m')} / ${rate(`${gen.providerCalls}_count`, 'model', '10m')}`,
            legend: '{{model}}',
          },
        ],
      },
      {
        title: 'Provider failures by reason',
        description:
          'provider_5xx, timeout, crash, internal: the jobs they end are refunded by themselves.',
        unit: 'reqps',
        queries: [
          { expr: rate(gen.providerFailures, 'model, reason'), legend: '{{model}} {{reason}}' },
        ],
      },
    ],
  },
  {
    title: 'Credits and notifications',
    panels: [
      {
        title: 'Credits held, committed and released',
        description:
          'Credits per second the ledger held for jobs, spent (commit) and gave back (release).',
        unit: 'short',
        queries: [
          {
            expr: rate(ledgerMetricNames.credits, 'operation, pool'),
            legend: '{{operation}} {{pool}}',
          },
        ],
      },
      {
        title: 'Reservations by operation',
        description: 'Holds, commits and releases per second.',
        unit: 'ops',
        queries: [
          { expr: rate(ledgerMetricNames.operations, 'operation'), legend: '{{operation}}' },
        ],
      },
      {
        title: 'Deliveries by channel and outcome',
        description:
          'Email and push attempts: sent, retrying, dead (operations look at those), discarded.',
        unit: 'ops',
        queries: [
          { expr: rate(deliveryMetricName, 'channel, outcome'), legend: '{{channel}} {{outcome}}' },
        ],
      },
    ],
  },
  {
    title: 'Event bus',
    panels: [
      {
        title: 'Consumer lag',
        description:
          'Events a consumer group has not handled yet, per topic (the largest replica).',
        unit: 'short',
        queries: [
          {
            expr: `max by (group, topic) (sum by (pod, group, topic) (${messagingMetricNames.consumerLag}{scope}))`,
            legend: '{{group}} {{topic}}',
          },
        ],
      },
      {
        title: 'Outbox backlog',
        description:
          'Events written and not yet published, and the age of the oldest, per service.',
        unit: 'short',
        queries: [
          {
            expr: `max by (schema) (${messagingMetricNames.outboxBacklog}{scope})`,
            legend: 'events {{schema}}',
          },
          {
            expr: `max by (schema) (${messagingMetricNames.outboxOldest}{scope})`,
            legend: 'oldest (s) {{schema}}',
          },
        ],
      },
      {
        title: 'Dead letters',
        description:
          'Messages given up on in the last 15 minutes (deploy/RUNBOOK.md, "Dead letters").',
        unit: 'short',
        queries: [
          {
            expr: `sum by (topic, group) (increase(${messagingMetricNames.deadLetters}{scope}[15m]))`,
            legend: '{{group}} {{topic}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Support, accounts and processes',
    panels: [
      {
        title: 'Tickets near or past their first-response target',
        description:
          'Open tickets by brand, plan and standing (FluxNoteSupportSlaBreached reads it).',
        unit: 'short',
        queries: [
          {
            expr: `max by (brand, plan, standing) (${slaMetricName}{scope})`,
            legend: '{{brand}} {{plan}} {{standing}}',
          },
        ],
      },
      {
        title: 'Account deletions and their purge deadline',
        description:
          'Deletions not yet purged everywhere, and the least time left of their 72 hours.',
        unit: 's',
        queries: [
          { expr: `min(${purgeMetricNames.deadline}{scope})`, legend: 'least time left' },
          { expr: `max(${purgeMetricNames.pending}{scope})`, legend: 'pending (count)' },
        ],
      },
      {
        title: 'CPU per pod',
        description: 'CPU seconds per second of each service pod.',
        unit: 'short',
        queries: [{ expr: rate('process_cpu_seconds_total', 'service, pod'), legend: '{{pod}}' }],
      },
      {
        title: 'Writes per commit on the submit path',
        description:
          'How many submits each gathered statement carried (holds, job inserts, queueing): it ' +
          'rises with the load; near 1 under load means the database answers faster than submits come.',
        unit: 'short',
        queries: [
          {
            expr:
              `${rate(`${groupCommitMetricName}_sum`, 'statement')} / ` +
              rate(`${groupCommitMetricName}_count`, 'statement'),
            legend: '{{statement}}',
          },
        ],
      },
      {
        title: 'Memory and event-loop lag per pod',
        description: 'Resident memory, and the p99 wait for the event loop (FluxNoteEventLoopLag).',
        unit: 'bytes',
        queries: [
          { expr: `max by (pod) (process_resident_memory_bytes{scope})`, legend: '{{pod}}' },
          {
            expr: `max by (pod) (nodejs_eventloop_lag_p99_seconds{scope})`,
            legend: 'loop lag (s) {{pod}}',
          },
        ],
      },
    ],
  },
];

/** The dashboard's JSON model (Grafana 10 and later). */
export function dashboard(): Record<string, unknown> {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
    });
    y += 1;
    const width = 24 / row.panels.length;
    row.panels.forEach((panel, index) => {
      panels.push({
        id: id++,
        type: 'timeseries',
        title: panel.title,
        description: panel.description,
        datasource: { type: 'prometheus', uid: '${datasource}' },
        gridPos: { h: 8, w: width, x: index * width, y },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: {
          legend: { displayMode: 'list', placement: 'bottom' },
          tooltip: { mode: 'multi' },
        },
        targets: panel.queries.map((query, n) => ({
          refId: String.fromCharCode(65 + n),
          datasource: { type: 'prometheus', uid: '${datasource}' },
          expr: query.expr.replaceAll('{scope', `{${scope}`),
          legendFormat: query.legend,
        })),
      });
    });
    y += 8;
  }
  return {
    title: 'FluxNote',
    uid: 'fluxnote',
    description:
      'Generated by tools/deploy/dashboard.ts (npm run generate:dashboard); do not edit.',
    tags: ['fluxnote'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' },
        {
          name: 'namespace',
          label: 'Namespace',
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: {
            query: `label_values(${requestMetricNames.http}_count, namespace)`,
            refId: 'namespaces',
          },
          refresh: 2,
        },
      ],
    },
    panels,
  };
}

export function dashboardJson(): string {
  return `${JSON.stringify(dashboard(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(dashboardPath, dashboardJson());
}
