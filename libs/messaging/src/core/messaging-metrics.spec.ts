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

  it('reports each tracked group’s lag per partition, and a failed read leaves only its own out', async () => {
    const registry = new Registry();
    const metrics = MessagingMetrics.of(registry);
    const untrack = metrics.trackConsumer('support.customers', () =>
      Promise.resolve([
        { topic: 'fluxnote.accounts.v1', partition: 0, lag: 4 },
        { topic: 'fluxnote.accounts.v1', partition: 1, lag: 0 },
      ]),
    );
    metrics.trackConsumer('billing.ledger', () => Promise.reject(new Error('broker away')));
    metrics.trackOutbox('support', () => Promise.reject(new Error('database away')));
    const text = await registry.metrics();
    expect(text).toContain(
      'fluxnote_consumer_lag_events{group="support.customers",topic="fluxnote.accounts.v1",partition="0"} 4',
    );
    expect(text).toContain(
      'fluxnote_consumer_lag_events{group="support.customers",topic="fluxnote.accounts.v1",partition="1"} 0',
    );
    expect(text).not.toContain('billing.ledger');
    expect(text).not.toContain('schema="support"');
    untrack();
    expect(await registry.metrics()).not.toContain('support.customers');
  });

  it('registers its metrics once per registry, whoever asks', () => {
    const registry = new Registry();
    expect(MessagingMetrics.of(registry)).toBe(MessagingMetrics.of(registry));
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual([
      'fluxnote_dead_letters_total',
      'fluxnote_outbox_backlog_events',
      'fluxnote_outbox_oldest_event_age_seconds',
      'fluxnote_consumer_lag_events',
    ]);
  });
});
