// The playbook's metrics step asked one series list per metric family and ran every candidate query
// per service: against a backend listing thousands of metric names (or the same name many times, as a
// damaged answer in the remote fuzz campaign did: 1,071 range queries in one investigate, stopped by
// its deadline) its requests had no bound. Names are taken once, and families and queries are capped,
// with the step saying what it left out.
import { describe, expect, it } from 'vitest';
import { MAX_FAMILIES_LISTED, MAX_PROBES_PER_SERVICE, metricsStep } from '../../src/agent/steps/metrics.js';
import type { MetricSource, Sources } from '../../src/sources/types.js';

function countingSource(names: string[]) {
  const calls = { series: 0, range: 0 };
  const src = {
    kind: 'prometheus',
    metricNames: async () => names,
    labelValues: async () => names,
    metadata: async () => names.map((name) => ({ name, type: 'counter' as const })),
    series: async () => {
      calls.series++;
      return [{ service: 'checkout', status_code: '500' }];
    },
    range: async () => {
      calls.range++;
      return [];
    },
    instant: async () => [],
    labelNames: async () => ['service', 'status_code'],
  } as unknown as MetricSource;
  return { src, calls };
}

const run = (src: MetricSource) => {
  const window = { start: 1_700_003_600_000, end: 1_700_007_200_000 };
  const sources = { metrics: src, defaults: { window }, problems: [], describe: 'test' } as unknown as Sources;
  return metricsStep({ sources, window, baseline: { start: 1_700_000_000_000, end: 1_700_003_600_000 }, services: ['checkout'], signal: new AbortController().signal });
};

describe('the metrics step against a backend with very many metrics', () => {
  it('thousands of counters: bounded series lists and queries, and the step says it stopped', async () => {
    const { src, calls } = countingSource(Array.from({ length: 3000 }, (_, i) => `app_requests_${i}_total`));
    const r = await run(src);
    expect(calls.series).toBe(MAX_FAMILIES_LISTED);
    expect(calls.range).toBeLessThanOrEqual(MAX_PROBES_PER_SERVICE);
    expect(r.partial.join('\n')).toMatch(/only the first 60 of the candidate metric families/);
    expect(r.partial.join('\n')).toMatch(/metric quer\(ies\) beyond 40 per service were not run/);
  });

  it('one name listed many times is one family', async () => {
    const { src, calls } = countingSource(Array.from({ length: 5000 }, () => 'http_requests_total'));
    const r = await run(src);
    expect(calls.series).toBe(1);
    expect(calls.range).toBe(1);
    expect(r.partial).toEqual([]);
  });
});
