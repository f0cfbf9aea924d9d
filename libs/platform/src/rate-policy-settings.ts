import type { RatePolicy } from './rate-limits';

/**
 * A service's rate policies with its setting applied (the gateway's `RATE_LIMITS`, accounts'
 * `LOGIN_CODE_RATE_LIMITS`): a comma-separated list of
 * `name=points/seconds` (`signup-by-address=10/3600`); `*=points/seconds` sets every policy (a
 * load test), and named entries after it still apply. A name the service does not have, or a
 * value that is not two positive whole numbers, is refused, so a typo never silently removes a
 * limit.
 */
export function withRateOverrides<K extends string>(
  policies: Readonly<Record<K, RatePolicy>>,
  setting: string | undefined,
  settingName = 'RATE_LIMITS',
): Record<K, RatePolicy> {
  const result: Record<K, RatePolicy> = { ...policies };
  const byName = new Map(Object.entries<RatePolicy>(policies).map(([k, p]) => [p.name, k as K]));
  for (const entry of (setting ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const match = /^([a-z-]+)=(\d+)\/(\d+)$/.exec(entry);
    const every = /^\*=(\d+)\/(\d+)$/.exec(entry);
    if (every && Number(every[1]) >= 1 && Number(every[2]) >= 1) {
      for (const key of byName.values()) {
        result[key] = { ...result[key], points: Number(every[1]), perSeconds: Number(every[2]) };
      }
      continue;
    }
    const key = match ? byName.get(match[1]) : undefined;
    if (!match || key === undefined || Number(match[2]) < 1 || Number(match[3]) < 1) {
      throw new Error(
        `${settingName}: "${entry}" is not name=points/seconds with one of ${[...byName.keys()].join(', ')}`,
      );
    }
    result[key] = { ...result[key], points: Number(match[2]), perSeconds: Number(match[3]) };
  }
  return result;
}
