import { describe, expect, it } from 'vitest';
import { parseOpenMetrics } from '../../src/sources/bundle/openmetrics.js';
import { BundleMetricSource } from '../../src/sources/bundle/metrics.js';
import { bucketQuantile, MODERN_SEMANTICS, semanticsForVersion } from '../../src/analysis/metrics/eval.js';

function source(text: string, version?: string) {
  const { store } = parseOpenMetrics(text);
  return new BundleMetricSource([], [], version ? semanticsForVersion(version) : MODERN_SEMANTICS, store);
}
const one = async (p: Promise<Array<{ labels: Record<string, string>; points: Array<[number, number]> }>>) => (await p).map((s) => [s.labels, s.points[0]![1]]);

const COUNTER = ['c_total{a="x"} 0 0', 'c_total{a="x"} 10 15', 'c_total{a="x"} 20 30', 'c_total{a="x"} 5 45', 'c_total{a="x"} 15 60'].join('\n');

describe('bundle PromQL evaluator', () => {
  it('rate/increase: counter resets and Prometheus 3 extrapolation (left-open window)', async () => {
    const s = source(COUNTER);
    // Window (0s, 60s]: 10,20,5,15 → 15-10+20 = 25 over 45s, extrapolated 15s to the start.
    expect((await s.instant('rate(c_total[1m])', 60_000))[0]!.points[0]![1]).toBeCloseTo(25 / 45, 14);
    expect((await s.instant('increase(c_total[1m])', 60_000))[0]!.points[0]![1]).toBeCloseTo((25 * 60) / 45, 12);
    // irate: last two samples 5 → 15.
    expect(await one(s.instant('irate(c_total[1m])', 60_000))).toEqual([[{ a: 'x' }, 10 / 15]]);
  });

  it('rate/increase with Prometheus 2.42 semantics (closed window, legacy extrapolation)', async () => {
    const s = source(COUNTER, '2.42.0+ds');
    expect((await s.instant('rate(c_total[1m])', 60_000))[0]!.points[0]![1]).toBeCloseTo(35 / 60, 14);
  });

  it('needs two samples in the window; lookback is 5 minutes', async () => {
    const s = source('g{p="a"} 7 0\ng{p="b"} 9 200\n');
    expect(await s.instant('rate(g[1m])', 60_000)).toEqual([]);
    expect(await one(s.instant('g', 299_999))).toEqual([
      [{ __name__: 'g', p: 'a' }, 7],
      [{ __name__: 'g', p: 'b' }, 9],
    ]);
    expect(await one(s.instant('g', 300_000))).toEqual([[{ __name__: 'g', p: 'b' }, 9]]);
    expect(await one(source('g{p="a"} 7 0\n', '2.42.0').instant('g', 300_000))).toEqual([[{ __name__: 'g', p: 'a' }, 7]]);
  });

  it('aggregations by/without, topk, arithmetic and comparisons', async () => {
    const s = source(['m{s="a",p="1"} 1 0', 'm{s="a",p="2"} 3 0', 'm{s="b",p="1"} 10 0', 'n{s="a"} 2 0', 'n{s="b"} 5 0'].join('\n'));
    expect(await one(s.instant('sum by (s) (m)', 0))).toEqual([
      [{ s: 'a' }, 4],
      [{ s: 'b' }, 10],
    ]);
    expect(await one(s.instant('avg without (p) (m)', 0))).toEqual([
      [{ s: 'a' }, 2],
      [{ s: 'b' }, 10],
    ]);
    expect(await one(s.instant('max(m)', 0))).toEqual([[{}, 10]]);
    expect(await one(s.instant('count(m)', 0))).toEqual([[{}, 3]]);
    expect((await one(s.instant('topk(1, m)', 0)))[0]![1]).toBe(10);
    expect(await one(s.instant('sum by (s) (m) / on (s) n', 0))).toEqual([
      [{ s: 'a' }, 2],
      [{ s: 'b' }, 2],
    ]);
    expect(await one(s.instant('m > 2', 0))).toEqual([
      [{ __name__: 'm', s: 'a', p: '2' }, 3],
      [{ __name__: 'm', s: 'b', p: '1' }, 10],
    ]);
    expect(await one(s.instant('n * 2', 0))).toEqual([
      [{ s: 'a' }, 4],
      [{ s: 'b' }, 10],
    ]);
  });

  it('histogram_quantile interpolates within buckets, handles +Inf and non-monotonic buckets', async () => {
    const b = (pairs: Array<[number, number]>) => pairs.map(([ub, count]) => ({ ub, count }));
    const h = b([
      [0.1, 10],
      [0.5, 30],
      [1, 40],
      [Infinity, 40],
    ]);
    expect(bucketQuantile(0.5, h)).toBeCloseTo(0.3, 12);
    expect(bucketQuantile(0.99, h)).toBeCloseTo(0.98, 12);
    expect(bucketQuantile(0.5, b([[0.1, 0], [Infinity, 10]]))).toBe(0.1);
    expect(bucketQuantile(0.5, b([[0.1, 10], [0.5, 8], [Infinity, 12]]))).toBeCloseTo(0.06, 12);
    expect(bucketQuantile(0.5, b([[0.1, 1], [0.5, 2]]))).toBeNaN(); // no +Inf bucket
    const s = source(['h_bucket{le="0.1"} 10 0', 'h_bucket{le="0.5"} 30 0', 'h_bucket{le="1"} 40 0', 'h_bucket{le="+Inf"} 40 0'].join('\n'));
    expect(await one(s.instant('histogram_quantile(0.5, sum by (le) (h_bucket))', 0))).toEqual([[{}, 0.30000000000000004]]);
  });

  it('range queries step at start + k*step and *_over_time functions', async () => {
    const s = source(COUNTER);
    const r = await s.range('max_over_time(c_total[30s])', { start: 0, end: 70_000 }, 20_000);
    expect(r[0]!.points.map(([t]) => t)).toEqual([0, 20_000, 40_000, 60_000]);
    expect(r[0]!.points.map(([, v]) => v)).toEqual([0, 10, 20, 15]);
    expect(await one(s.instant('avg_over_time(c_total[1m])', 60_000))).toEqual([[{ a: 'x' }, 12.5]]);
  });

  it('explains unsupported or invalid queries', async () => {
    const s = source(COUNTER);
    await expect(s.instant('rate(c_total)', 0)).rejects.toThrow(/expects a range vector/);
    await expect(s.instant('histogram_count(c_total)', 0)).rejects.toThrow(/not supported on bundles.*native histograms/);
    await expect(s.instant('sum(rate(c_total[5m])', 0)).rejects.toThrow(/invalid PromQL at column/);
  });
});

describe('series-major range evaluation', () => {
  it('returns exactly what per-step instant evaluation returns, for every default query', async () => {
    const { syntheticOpenMetrics, T0 } = await import('./fixtures.js');
    const { buildFamilies } = await import('../../src/analysis/metrics/catalog.js');
    const { defaultQueries, breakdownQueries } = await import('../../src/analysis/metrics/defaults.js');
    const { Evaluator, labelsKey } = await import('../../src/analysis/metrics/eval.js');
    const { parsePromQL } = await import('../../src/query/promql.js');
    const { store } = parseOpenMetrics(syntheticOpenMetrics());
    const ev = new Evaluator(store, MODERN_SEMANTICS);
    const fams = buildFamilies([...store.byName.keys()], [...store.families.values()]);
    const extra = ['m_total', 'app_pool_in_use * 2', 'app_pool_in_use > 12', '2 - app_pool_in_use > bool 1', 'max by (pod) (app_pool_in_use offset 1m)', 'count without (pod) (app_pool_in_use)'];
    const queries = [...fams.flatMap((f) => [...defaultQueries(f), ...breakdownQueries(f, 'pod'), ...breakdownQueries(f, 'route')]).map((q) => q.promql), ...extra];
    for (const q of queries) {
      const e = parsePromQL(q);
      const start = T0 - 120_000;
      const end = T0 + 3_700_000;
      const step = 45_000;
      const got = new Map(ev.range(e, start, end, step).map((s) => [labelsKey(s.labels), s.points]));
      const want = new Map<string, Array<[number, number]>>();
      for (let t = start; t <= end; t += step) {
        const v = ev.instant(e, t);
        if (v.kind !== 'vector') continue;
        for (const smp of v.samples) {
          const k = labelsKey(smp.labels);
          if (!want.has(k)) want.set(k, []);
          want.get(k)!.push([t, smp.value]);
        }
      }
      expect([...got.keys()].sort(), q).toEqual([...want.keys()].sort());
      for (const [k, pts] of want) expect(got.get(k), q).toEqual(pts);
    }
  });
});
