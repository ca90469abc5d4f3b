import { describe, expect, it } from 'vitest';
import { parseOpenMetrics } from '../../src/sources/bundle/openmetrics.js';
import { BundleMetricSource } from '../../src/sources/bundle/metrics.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';
import type { Sources } from '../../src/sources/types.js';
import { syntheticOpenMetrics, T0 } from './fixtures.js';

const MIN = 60_000;
function sources(): Sources {
  const { store } = parseOpenMetrics(syntheticOpenMetrics(), 'synthetic.om');
  return {
    metrics: new BundleMetricSource([], [], undefined, store),
    defaults: { window: { start: T0, end: T0 + 60 * MIN }, baseline: { start: T0, end: T0 + 40 * MIN }, incident: { start: T0 + 40 * MIN, end: T0 + 60 * MIN } },
    problems: [],
    describe: 'synthetic bundle',
    grafana: { url: 'http://grafana.test', datasources: { prometheus: 'prom1' } },
  };
}
async function call(name: string, args: Record<string, unknown>, s = sources()) {
  const tool = findTool(name);
  expect(tool, name).toBeDefined();
  return runTool(tool!, args, { sources: s, signal: new AbortController().signal, progress: () => {}, budgetTokens: 8000 });
}

describe('metric tools on a bundle', () => {
  it('find_metrics tolerates typos and filters by label', async () => {
    const r = await call('find_metrics', { query: 'latncy' });
    expect(r.isError).toBe(false);
    const hits = (r.structured!.hits as Array<{ name: string; type: string; series: number }>);
    expect(hits[0]).toMatchObject({ name: 'app_latency_seconds', type: 'histogram' });
    expect(hits[0]!.series).toBe(26); // 2 routes × (11 buckets + sum + count)
    const byLabel = await call('find_metrics', { query: '', labels: 'service="checkout"' });
    const names = (byLabel.structured!.hits as Array<{ name: string }>).map((h) => h.name).sort();
    expect(names).toEqual(['app_pool_in_use', 'app_requests_total']);
    expect(byLabel.structured!.query).toMatch(/count by \(__name__\)/);
  });

  it('explore_metric picks the default per type and shows the shift', async () => {
    const r = await call('explore_metric', { metric: 'app_latency_seconds' });
    expect(r.isError).toBe(false);
    const d = r.structured as { type: string; query: string; panels: Array<{ id: string; series: Array<{ change: number; shift?: { at: string } }> }>; link?: string };
    expect(d.type).toBe('histogram');
    expect(d.query).toBe('histogram_quantile(0.5, sum by (le) (rate(app_latency_seconds_bucket[5m])))');
    const p99 = d.panels.find((p) => p.id === 'p99')!;
    expect(p99.series[0]!.change).toBeGreaterThan(1);
    expect(Date.parse(p99.series[0]!.shift!.at)).toBeGreaterThanOrEqual(T0 + 38 * MIN);
    expect(Date.parse(p99.series[0]!.shift!.at)).toBeLessThanOrEqual(T0 + 46 * MIN);
    expect(d.panels.map((p) => p.id)).toEqual(['p50', 'p90', 'p99', 'rate', 'buckets']);
    expect(d.link).toMatch(/^http:\/\/grafana\.test\/explore\?/);
    const c = await call('explore_metric', { metric: 'app_requests_total' });
    expect((c.structured as { query: string }).query).toBe('sum(rate(app_requests_total[5m]))');
    const g = await call('explore_metric', { metric: 'app_pool_in_use', labels: 'service="checkout"' });
    expect((g.structured as { query: string }).query).toBe('avg(app_pool_in_use{service="checkout"})');
  });

  it('explore_metric suggests close names for an unknown metric', async () => {
    const r = await call('explore_metric', { metric: 'app_latncy_seconds' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/unknown metric "app_latncy_seconds".*did you mean "app_latency_seconds"/);
  });

  it('breakdown_metric ranks the value that changed first, with a one-line reason', async () => {
    const r = await call('breakdown_metric', { metric: 'app_latency_seconds', by: 'route' });
    expect(r.isError).toBe(false);
    const b = (r.structured as { breakdowns: Array<{ label: string; groups: Array<{ value: string; explain: string; score: number }> }> }).breakdowns[0]!;
    expect(b.groups[0]!.value).toBe('/b');
    expect(b.groups[0]!.explain).toMatch(/p99: .* vs .* baseline/);
    const pods = await call('breakdown_metric', { metric: 'app_pool_in_use' });
    const byPod = (pods.structured as { breakdowns: Array<{ label: string; groups: Array<{ value: string }> }> }).breakdowns.find((x) => x.label === 'pod')!;
    expect(byPod.groups[0]!.value).toBe('b');
    const bad = await call('breakdown_metric', { metric: 'app_pool_in_use', by: 'nope' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/no label "nope".*\n.*pod \(3\)/s);
  });

  it('native_query (promql) runs on the bundle engine and rejects invalid PromQL before anything runs', async () => {
    const r = await call('native_query', { language: 'promql', query: 'sum by (pod) (app_pool_in_use)', instant: true });
    expect(r.isError, r.text).toBe(false);
    expect(r.structured).toMatchObject({ language: 'promql', engine: 'bundle', kind: 'instant', series_count: 3 });
    const fn = await call('native_query', { language: 'promql', query: 'histogram_count(app_pool_in_use)' });
    expect(fn.isError).toBe(true);
    expect(fn.text).toMatch(/bundle PromQL engine: function histogram_count\(\) is not supported on bundles/);
    const bad = await call('native_query', { language: 'promql', query: 'sum(rate(x[5m])' });
    expect(bad.text).toMatch(/invalid PromQL at column/);
  });
});

describe('metrics playbook step', () => {
  it('reports resource metrics moving vs baseline, with PromQL and an Explore link', async () => {
    const { metricsStep } = await import('../../src/agent/steps/metrics.js');
    const s = sources();
    const r = await metricsStep({ sources: s, window: s.defaults.incident!, baseline: s.defaults.baseline, services: ['checkout'], signal: new AbortController().signal });
    expect(r.partial).toEqual([]);
    const pool = r.findings.find((f) => f.details?.metric === 'app_pool_in_use');
    expect(pool).toMatchObject({ kind: 'metric-anomaly', service: 'checkout' });
    expect(pool!.evidence.query).toEqual({ language: 'promql', text: 'avg(app_pool_in_use{service="checkout"})' });
    expect(pool!.evidence.link).toMatch(/^http:\/\/grafana\.test\/explore/);
    expect(Number(pool!.numbers.window)).toBeGreaterThan(Number(pool!.numbers.baseline));
  });

  it('says what it could not do when there is no metrics source', async () => {
    const { metricsStep } = await import('../../src/agent/steps/metrics.js');
    const s = { ...sources(), metrics: undefined };
    const r = await metricsStep({ sources: s, window: s.defaults.window, services: [], signal: new AbortController().signal });
    expect(r.findings).toEqual([]);
    expect(r.partial).toEqual(['metrics: no metrics source']);
  });
});
