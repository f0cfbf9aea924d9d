import type { Registry } from 'prom-client';

/**
 * The sum of a metric's samples whose labels include `labels`, read from `registry` as a scrape
 * would (0 when none match). `sample` names a histogram's part: `_count`, `_sum`, `_bucket`.
 */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
  sample: '' | '_count' | '_sum' = '',
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) {
    return 0;
  }
  return (await metric.get()).values
    .filter(
      (v) =>
        ((v as { metricName?: string }).metricName ?? name) === `${name}${sample}` &&
        Object.entries(labels).every(([key, value]) => v.labels[key] === value),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * The same sum from a scrape's text (`/metrics` of a running service): the samples named `name`
 * whose labels include `labels`.
 */
export function scrapedValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) {
      continue;
    }
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      sum += Number(match[3]);
    }
  }
  return sum;
}
