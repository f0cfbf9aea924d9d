import { Gauge, type Registry } from 'prom-client';

export interface GaugeSample<L extends string> {
  labels: Partial<Record<L, string>>;
  value: number;
}

type Read = () => Promise<GaugeSample<string>[]>;

const gauges = new WeakMap<Registry, Map<string, ScrapedGauge<string>>>();

/**
 * A gauge whose samples are read at each scrape (a count in the service's tables, offsets at a
 * broker), registered once per registry and name. Each source adds its own read; a read that
 * fails leaves its samples out of that scrape, and the rest of `/metrics` still answers. A
 * stopped source reports nothing stale.
 */
export class ScrapedGauge<L extends string> {
  private readonly reads = new Set<Read>();

  private constructor(
    registry: Registry,
    spec: { name: string; help: string; labelNames: readonly L[] },
  ) {
    const reads = this.reads;
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames,
      registers: [registry],
      collect: async function (this: Gauge<string>) {
        const results = await Promise.allSettled([...reads].map((read) => read()));
        this.reset();
        for (const result of results) {
          for (const { labels, value } of result.status === 'fulfilled' ? result.value : []) {
            this.set(labels, value);
          }
        }
      },
    });
  }

  static on<L extends string>(
    registry: Registry,
    spec: { name: string; help: string; labelNames: readonly L[] },
  ): ScrapedGauge<L> {
    let byName = gauges.get(registry);
    if (!byName) {
      byName = new Map();
      gauges.set(registry, byName);
    }
    let gauge = byName.get(spec.name);
    if (!gauge) {
      gauge = new ScrapedGauge(registry, spec);
      byName.set(spec.name, gauge);
    }
    return gauge;
  }

  /** Reads `read` at each scrape, until the returned function is called. */
  add(read: () => Promise<GaugeSample<L>[]>): () => void {
    const given = read;
    this.reads.add(given);
    return () => this.reads.delete(given);
  }
}

/** `ScrapedGauge.on(registry, spec).add(read)`: one source of a gauge read at scrape. */
export function reportAtScrape<L extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: readonly L[] },
  read: () => Promise<GaugeSample<L>[]>,
): () => void {
  return ScrapedGauge.on(registry, spec).add(read);
}

/**
 * One query for the gauges that read the same thing: the calls made while one is in flight (a
 * scrape collects every gauge at once) share its answer.
 */
export function coalesced<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
