import { Registry } from 'prom-client';
import { ProblemError } from '@fluxnote/contracts';
import { metricValue } from '@fluxnote/testing';
import type { ProviderResult } from '../providers/model-provider';
import { GenerationMetrics, generationMetricNames, submitOutcome } from './generation-metrics';

describe('what generation counts', () => {
  it.each<[string, string, Parameters<typeof submitOutcome>[0]]>([
    ['accepted', 'queued now', { replayed: false }],
    ['replayed', 'an Idempotency-Key retry', { replayed: true }],
    [
      'insufficient-credits',
      'not enough credits',
      { error: ProblemError.insufficientCredits('no') },
    ],
    [
      'content-policy',
      'a prompt the safety check refused',
      { error: ProblemError.unprocessable('content-policy', 'Blocked', 'no') },
    ],
    ['service-unavailable', 'billing unreachable', { error: ProblemError.unavailable('later') }],
    ['conflict', 'a key still in flight', { error: ProblemError.conflict('wait') }],
    ['error', 'a bug', { error: new TypeError('undefined is not a function') }],
  ])('counts as %s a submit that ends in %s', (outcome, _case, result) => {
    expect(submitOutcome(result)).toBe(outcome);
  });

  it('times every provider call by outcome and counts the failures by reason, not moderation', async () => {
    const registry = new Registry();
    const metrics = new GenerationMetrics(registry);
    const calls: [number, ProviderResult][] = [
      [12, { ok: true, outputUrl: 'simulator://out.mp4' }],
      [30, { ok: false, reason: 'provider_5xx', transient: true, detail: '503' }],
      [600, { ok: false, reason: 'timeout', transient: false, detail: 'time limit' }],
      [8, { ok: false, reason: 'output_blocked', transient: false, detail: 'withheld' }],
    ];
    for (const [seconds, result] of calls) {
      metrics.providerCalled('simulator', 'wan-2.6', seconds, result);
    }
    const callsOf = (outcome: string) =>
      metricValue(
        registry,
        generationMetricNames.providerCalls,
        { model: 'wan-2.6', outcome },
        '_count',
      );
    expect([await callsOf('ok'), await callsOf('failed'), await callsOf('blocked')]).toEqual([
      1, 2, 1,
    ]);
    expect(
      await metricValue(
        registry,
        generationMetricNames.providerCalls,
        { outcome: 'failed' },
        '_sum',
      ),
    ).toBe(630);
    const failures = (reason: string) =>
      metricValue(registry, generationMetricNames.providerFailures, {
        provider: 'simulator',
        model: 'wan-2.6',
        reason,
      });
    expect([await failures('provider_5xx'), await failures('timeout')]).toEqual([1, 1]);
    expect(await metricValue(registry, generationMetricNames.providerFailures)).toBe(2);
  });
});
