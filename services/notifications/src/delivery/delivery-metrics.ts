import type { Registry } from 'prom-client';
import { counterOn, metricsRegistry } from '@fluxnote/telemetry';

export const deliveryMetricName = 'fluxnote_notification_deliveries_total';

/**
 * What one delivery attempt came to: `sent`; `discarded` (the push device is gone); `retrying`
 * (failed, tried again later); `dead` (failed its last attempt: operations look at those).
 */
export type DeliveryOutcome = 'sent' | 'discarded' | 'retrying' | 'dead';

/** Counts one delivery attempt in `fluxnote_notification_deliveries_total{channel,outcome}`. */
export function countDelivery(
  channel: 'email' | 'push',
  outcome: DeliveryOutcome,
  registry: Registry = metricsRegistry,
): void {
  counterOn(registry, {
    name: deliveryMetricName,
    help: 'Email and push delivery attempts by channel and outcome (sent, discarded, retrying, dead)',
    labelNames: ['channel', 'outcome'] as const,
  }).inc({ channel, outcome });
}
