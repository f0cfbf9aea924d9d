import { Registry } from 'prom-client';
import { MessagingMetrics } from './messaging-metrics';

describe('MessagingMetrics', () => {
  it('counts dead letters by topic and group', async () => {
    const registry = new Registry();
    const metrics = MessagingMetrics.of(registry);
    metrics.deadLettered('fluxnote.billing.v1', 'notifications.feed');
    metrics.deadLettered('fluxnote.billing.v1', 'notifications.feed');
    metrics.deadLettered('fluxnote.accounts.v1', 'support.customers');
    const text = await registry.metrics();
    expect(text).toContain(
      'fluxnote_dead_letters_total{topic="fluxnote.billing.v1",group="notifications.feed"} 2',
    );
    expect(text).toContain(
      'fluxnote_dead_letters_total{topic="fluxnote.accounts.v1",group="support.customers"} 1',
    );
  });

  it('reads the outbox backlog at each scrape, while it is tracked', async () => {
    const registry = new Registry();
    const metrics = MessagingMetrics.of(registry);
    let events = 3;
    const untrack = metrics.trackOutbox('billing', () =>
      Promise.resolve({ events, oldestSeconds: 42.5 }),
    );
    expect(await registry.metrics()).toContain(
      'fluxnote_outbox_backlog_events{schema="billing"} 3',
    );
    events = 0;
    const text = await registry.metrics();
    expect(text).toContain('fluxnote_outbox_backlog_events{schema="billing"} 0');
    expect(text).toContain('fluxnote_outbox_oldest_event_age_seconds{schema="billing"} 42.5');
    untrack();
    expect(await registry.metrics()).not.toContain('schema="billing"');
  });

  it('registers its metrics once per registry, whoever asks', () => {
    const registry = new Registry();
    expect(MessagingMetrics.of(registry)).toBe(MessagingMetrics.of(registry));
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual([
      'fluxnote_dead_letters_total',
      'fluxnote_outbox_backlog_events',
      'fluxnote_outbox_oldest_event_age_seconds',
    ]);
  });
});
