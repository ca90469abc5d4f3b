// The RED chart and the latency heatmap against Tempo: drawn from TraceQL metrics (aggregation pushed
// down, every span counted by Tempo) when /api/metrics/query_range answers, from sampled traces when it
// does not (an older Tempo, metrics not enabled). Answers shaped as reference API.md §3.4 describes them:
// ungrouped series labelled __name__, quantiles labelled p (doubleValue), durations in seconds,
// timestampMs as strings, a step with no value left without one, histogram buckets labelled __bucket.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { TempoTraceSource } from '../../src/sources/remote/tempo.js';
import type { BackendConfig } from '../../src/config.js';
import type { Sources } from '../../src/sources/types.js';
import { latencyHeatmap, redChart, scopeOf, SpanCache } from '../../src/agent/pictures.js';
import { T0, shop, toOtlp } from '../traces/fixtures.js';

const BASE = 'http://tempo.test';
const cfg: BackendConfig = { name: 'tempo', url: BASE, headers: {}, timeoutMs: 2000, maxResponseBytes: 5e6, viaGrafana: false };
const range = { start: T0, end: T0 + 400_000 };
const sources = (): Sources => ({ traces: new TempoTraceSource(cfg), defaults: { window: range }, problems: [], describe: 'test tempo' });

const label = (key: string, value: Record<string, unknown>) => ({ key, value });
const samples = (pts: Array<[number, number | undefined]>) => pts.map(([t, v]) => (v === undefined ? { timestampMs: String(t) } : { timestampMs: String(t), value: v }));
const t = (i: number) => T0 + i * 10_000;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('trace pictures pushed down to TraceQL metrics', () => {
  it('draws RED from three TraceQL metrics queries of the service’s entry spans, with no trace fetched', async () => {
    const asked: Array<{ q: string; step: string }> = [];
    nock(BASE)
      .get('/api/metrics/query_range')
      .query((q) => (asked.push({ q: String(q.q), step: String(q.step) }), true))
      .times(3)
      .reply(200, (uri) => {
        const q = new URL(uri, BASE).searchParams.get('q') ?? '';
        if (q.includes('quantile_over_time'))
          return {
            series: [
              { labels: [label('p', { doubleValue: 0.5 })], samples: samples([[t(0), 0.02], [t(1), 0.04], [t(2), undefined]]) },
              { labels: [label('p', { doubleValue: 0.95 })], samples: samples([[t(0), 0.1], [t(1), 1.5], [t(2), undefined]]) },
            ],
            metrics: { completedJobs: 1, totalJobs: 1 },
          };
        if (q.includes('status = error')) return { series: [{ labels: [label('__name__', { stringValue: 'rate' })], samples: samples([[t(1), 1]]) }] };
        return { series: [{ labels: [label('__name__', { stringValue: 'rate' })], samples: samples([[t(0), 2], [t(1), 4], [t(2), undefined]]) }] };
      });
    const red = await new SpanCache(sources(), range).red('checkout');
    expect(red.rate).toEqual([[t(0), 2], [t(1), 4], [t(2), 0]]);
    // 1 error span/s of 4 → 25%; a step with no request has no share and no quantile.
    expect(red.errors[0]).toEqual([t(0), 0]);
    expect(red.errors[1]).toEqual([t(1), 25]);
    expect(red.errors[2]![1]).toBeNaN();
    expect(red.p50.slice(0, 2)).toEqual([[t(0), 20], [t(1), 40]]);
    expect(red.p95.slice(0, 2)).toEqual([[t(0), 100], [t(1), 1500]]);
    expect(red.p95[2]![1]).toBeNaN();
    // The service's entry spans, ungrouped; 400 s in about 40 steps.
    expect(asked.map((a) => a.q).sort()).toEqual([
      '{ resource.service.name = "checkout" && (kind = server || kind = consumer) && status = error } | rate()',
      '{ resource.service.name = "checkout" && (kind = server || kind = consumer) } | quantile_over_time(duration, 0.5, 0.95)',
      '{ resource.service.name = "checkout" && (kind = server || kind = consumer) } | rate()',
    ]);
    expect(new Set(asked.map((a) => a.step))).toEqual(new Set(['10s']));
    const svg = redChart(red, 'checkout', scopeOf(range, undefined, 'en'))!;
    expect(svg).toContain('<svg');
    expect(svg).toContain('checkout');
  });

  it('draws the heatmap from histogram_over_time: each power-of-two bucket counted per step', async () => {
    let asked = '';
    nock(BASE)
      .get('/api/metrics/query_range')
      .query((q) => ((asked = String(q.q)), true))
      .reply(200, {
        series: [
          { labels: [label('__bucket', { doubleValue: 0.016384 })], samples: samples([[t(0), 30], [t(1), 28], [t(2), undefined]]) },
          { labels: [label('__bucket', { doubleValue: 2.097152 })], samples: samples([[t(2), 5]]) },
        ],
      });
    const durations = await new SpanCache(sources(), range).durations('checkout', 'INSERT INTO orders');
    expect(asked).toBe('{ resource.service.name = "checkout" && name = "INSERT INTO orders" } | histogram_over_time(duration)');
    expect(durations).toHaveLength(3);
    expect(durations[0]!.t).toBe(t(0));
    expect(durations[0]!.n).toBe(30);
    // A bucket (8.2 ms, 16.4 ms] is drawn at its geometric middle.
    expect(durations[0]!.ms).toBeCloseTo(16.384 / Math.SQRT2, 6);
    expect(durations[2]).toMatchObject({ t: t(2), n: 5 });
    const svg = latencyHeatmap(durations, 'checkout', 'INSERT INTO orders', scopeOf(range, undefined, 'en'))!;
    // Cells carry the bucket counts, not one request per sample.
    expect(svg).toMatch(/· 30 requests/);
    expect(svg).toMatch(/· 5 requests/);
  });

  it('falls back to sampled traces when Tempo has no TraceQL metrics (404), and draws the same RED shape', async () => {
    nock(BASE).get('/api/metrics/query_range').query(true).times(3).reply(404, '404 page not found');
    const data = shop(40, T0 + 5_000, 10_000, T0 + 200_000);
    const ids = [...new Set(data.map((s) => s.traceId))];
    nock(BASE)
      .get('/api/search')
      .query(true)
      .times(8)
      .reply(200, (uri) => {
        const p = new URL(uri, BASE).searchParams;
        const [start, end] = [Number(p.get('start')) * 1000, Number(p.get('end')) * 1000];
        const inSlice = ids.filter((id) => {
          const root = data.find((s) => s.traceId === id && !s.parentSpanId)!;
          return root.startMs >= start && root.startMs < end;
        });
        return { traces: inSlice.map((id) => ({ traceID: id, rootServiceName: 'frontend', startTimeUnixNano: '0', durationMs: 1 })), metrics: {} };
      });
    for (const id of ids) nock(BASE).get(`/api/v2/traces/${id}`).query(true).reply(200, { trace: toOtlp(data.filter((s) => s.traceId === id), { base64Ids: true, kindNames: true }) });
    const red = await new SpanCache(sources(), range).red('checkout');
    // Every second request of the shop goes to checkout: 20 of 40, all found through the slices' samples.
    const requests = red.rate.reduce((n, [, r]) => n + r * 10, 0);
    expect(requests).toBeCloseTo(20, 6);
    // The shop's checkout fails from T0 + 200 s on: errors only in the second half.
    const errs = red.errors.filter(([, v]) => Number.isFinite(v) && v > 0).map(([x]) => x);
    expect(errs.length).toBeGreaterThan(0);
    expect(Math.min(...errs)).toBeGreaterThanOrEqual(T0 + 190_000);
  });
});
