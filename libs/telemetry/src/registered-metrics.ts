import { Counter, Histogram, type Registry } from 'prom-client';

/** From a millisecond to ten seconds: the default for request durations. */
export const requestBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

const byRegistry = new WeakMap<Registry, Map<string, Counter<string> | Histogram<string>>>();

interface Spec<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

function registeredOnce<M extends Counter<string> | Histogram<string>>(
  registry: Registry,
  name: string,
  make: () => M,
): M {
  let byName = byRegistry.get(registry);
  if (!byName) {
    byName = new Map();
    byRegistry.set(registry, byName);
  }
  let metric = byName.get(name);
  if (!metric) {
    metric = make();
    byName.set(name, metric);
  }
  return metric as M;
}

/**
 * The counter `spec.name` of `registry`, registered by whoever asks first: the code paths (and
 * the Nest apps of one test process) that count the same thing share one series set.
 */
export function counterOn<L extends string>(registry: Registry, spec: Spec<L>): Counter<L> {
  return registeredOnce(
    registry,
    spec.name,
    () => new Counter<L>({ ...spec, labelNames: spec.labelNames, registers: [registry] }),
  );
}

/** The histogram `spec.name` of `registry` (`requestBuckets` unless given), registered once. */
export function histogramOn<L extends string>(
  registry: Registry,
  spec: Spec<L> & { buckets?: readonly number[] },
): Histogram<L> {
  return registeredOnce(
    registry,
    spec.name,
    () =>
      new Histogram<L>({
        name: spec.name,
        help: spec.help,
        labelNames: spec.labelNames,
        buckets: [...(spec.buckets ?? requestBuckets)],
        registers: [registry],
      }),
  );
}
