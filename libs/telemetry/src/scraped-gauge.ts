import { Gauge, type Registry } from 'prom-client';

export interface GaugeSample<L extends string> {
  labels: Partial<Record<L, string>>;
  value: number;
}

const readers = new WeakMap<
  Registry,
  Map<string, { read?: () => Promise<GaugeSample<string>[]> }>
>();

/**
 * A gauge whose samples are read at each scrape (a count in the service's tables): registered
 * once per registry and name, fed by the latest `read` given. A read that fails leaves the gauge
 * out of that scrape; the rest of `/metrics` still answers. Returns the function that stops
 * reading (a stopped service reports nothing stale).
 */
export function reportAtScrape<L extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: readonly L[] },
  read: () => Promise<GaugeSample<L>[]>,
): () => void {
  let byName = readers.get(registry);
  if (!byName) {
    byName = new Map();
    readers.set(registry, byName);
  }
  let reader = byName.get(spec.name);
  if (!reader) {
    const current: { read?: () => Promise<GaugeSample<string>[]> } = {};
    reader = current;
    byName.set(spec.name, current);
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames,
      registers: [registry],
      collect: async function (this: Gauge<string>) {
        this.reset();
        const samples = (await current.read?.().catch(() => [])) ?? [];
        for (const { labels, value } of samples) {
          this.set(labels, value);
        }
      },
    });
  }
  const mine = reader;
  const given = read;
  mine.read = given;
  return () => {
    if (mine.read === given) {
      mine.read = undefined;
    }
  };
}
