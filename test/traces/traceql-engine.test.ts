// The bundle TraceQL engine on two small traces whose answers are worked out by hand.
import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/sources/types.js';
import { isMetricsQuery, metricsTraceQL, searchTraceQL } from '../../src/query/traceql/engine.js';
import { parseTraceQL } from '../../src/query/traceql/parse.js';

const T0 = Date.UTC(2025, 5, 3, 10, 0, 0);
const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
let n = 0;
function span(traceId: string, id: string, parent: string | undefined, service: string, name: string, kind: number, start: number, end: number, extra: Partial<Span> = {}): Span {
  n++;
  return { traceId, spanId: id.padStart(16, '0'), parentSpanId: parent?.padStart(16, '0'), service, name, kind, startMs: T0 + start, endMs: T0 + end, durationMs: end - start, status: 'unset', attributes: {}, resource: { 'service.name': service }, events: [], ...extra };
}
const SPANS: Span[] = [
  span(A, '1', undefined, 'checkout', 'POST /order', 2, 0, 500),
  span(A, '2', '1', 'checkout', 'charge', 3, 10, 400, { status: 'error', attributes: { 'http.status_code': 502 } }),
  span(A, '3', '2', 'payment', 'Charge', 2, 20, 390, { status: 'error', attributes: { 'db.system': 'postgres' }, events: [{ name: 'exception', timeMs: T0 + 300, attributes: { 'exception.type': 'Timeout' } }] }),
  span(A, '4', '1', 'checkout', 'validate', 1, 5, 8),
  span(B, '5', undefined, 'cart', 'GET /cart', 2, 70_000, 70_050, { attributes: { 'http.route': '/cart' } }),
  span(B, '6', '5', 'redis', 'GET', 3, 70_005, 70_010),
];
const RANGE = { start: T0, end: T0 + 120_000 };
const found = async (q: string) => (await searchTraceQL(SPANS, q, RANGE)).traces.map((t) => [t.traceId[0], t.matched]);

describe('TraceQL on bundles: search', async () => {
  it('spanset filters: intrinsics, scoped and unscoped attributes, typed comparisons, nil, regex', async () => {
    expect(await found('{ status = error }')).toEqual([['a', 2]]);
    expect(await found('{ resource.service.name = "payment" && span.db.system = "postgres" }')).toEqual([['a', 1]]);
    expect(await found('{ span.http.status_code >= 500 }')).toEqual([['a', 1]]);
    // Typed: the attribute is an integer, so the string "502" does not match it.
    expect(await found('{ span.http.status_code = "502" }')).toEqual([]);
    expect(await found('{ duration > 100ms }')).toEqual([['a', 3]]);
    expect(await found('{ .db.system != nil }')).toEqual([['a', 1]]);
    expect(await found('{ .db.system = nil && status = error }')).toEqual([['a', 1]]);
    expect(await found('{ name =~ "P.*" }')).toEqual([['a', 1]]);
    expect(await found('{ name =~ "OST.*" }')).toEqual([]);
    expect(await found('{ kind = client && !(status = error) }')).toEqual([['b', 1]]);
    expect(await found('{ rootServiceName = "cart" }')).toEqual([['b', 2]]);
    expect(await found('{ traceDuration > 400ms }')).toEqual([['a', 4]]);
    expect(await found('{ event:name = "exception" && event.exception.type = "Timeout" }')).toEqual([['a', 1]]);
    expect(await found('{ 500 <= span.http.status_code }')).toEqual([['a', 1]]);
    expect(await found('{ true }')).toEqual([['b', 2], ['a', 4]]);
  });

  it('structural operators and && / || between spansets', async () => {
    expect(await found('{ kind = server } > { kind = client }')).toEqual([['b', 1], ['a', 1]]);
    expect(await found('{ name = "POST /order" } >> { status = error }')).toEqual([['a', 2]]);
    expect(await found('{ name = "validate" } ~ { name = "charge" }')).toEqual([['a', 1]]);
    expect(await found('{ name = "Charge" } << { kind = server }')).toEqual([['a', 1]]);
    expect(await found('{ name = "Charge" } < { name = "charge" }')).toEqual([['a', 1]]);
    expect(await found('{ .http.route = "/cart" } && { name = "GET" }')).toEqual([['b', 2]]);
    expect(await found('{ .http.route = "/cart" } && { name = "nope" }')).toEqual([]);
    expect(await found('{ .http.route = "/cart" } || { name = "validate" }')).toEqual([['b', 1], ['a', 1]]);
    expect(await found('({ kind = server } > { kind = client }) && { status = error }')).toEqual([['a', 2]]);
  });

  it('scalar filters and select; the answer has Tempo search shape', async () => {
    expect(await found('{ } | count() > 3')).toEqual([['a', 4]]);
    expect(await found('{ } | avg(duration) > 200ms')).toEqual([['a', 4]]);
    const res = await searchTraceQL(SPANS, '{ status = error } | select(resource.service.name, span.db.system)', RANGE, { spss: 1 });
    expect(res.inspectedTraces).toBe(2);
    expect(res.traces).toEqual([
      {
        traceId: A,
        rootServiceName: 'checkout',
        rootTraceName: 'POST /order',
        startMs: T0,
        durationMs: 500,
        matched: 2,
        spans: [{ spanId: '0000000000000002', name: 'charge', startMs: T0 + 10, durationMs: 390, attributes: { 'service.name': 'checkout' } }],
      },
    ]);
    expect((await searchTraceQL(SPANS, '{ }', RANGE, { limit: 1 })).traces.map((t) => t.traceId)).toEqual([B]);
    // Traces outside the window are not inspected.
    expect((await searchTraceQL(SPANS, '{ }', { start: T0 + 60_000, end: T0 + 120_000 })).inspectedTraces).toBe(1);
  });

  it('refuses what it does not run, naming it; syntax errors give the column', async () => {
    await expect(found('{ .a = 1 } | by(.x)')).rejects.toThrow(/by\(\) on spansets is not supported by the bundle TraceQL engine/);
    await expect(found('{ } !>> { }')).rejects.toThrow(/spanset operator !>> is not supported/);
    await expect(found('{ link.x = 1 }')).rejects.toThrow(/link\. attributes/);
    await expect(found('{ status = error')).rejects.toThrow(/invalid TraceQL at column/);
    expect(() => parseTraceQL('{ } | quantile_over_time(duration, .99)')).toThrow(/leading zero/);
    await expect(searchTraceQL(SPANS, '{ } | rate()', RANGE)).rejects.toThrow(/metrics function in a search/);
  });
});

describe('TraceQL on bundles: metrics', async () => {
  it('rate and count_over_time by attributes, in step buckets by span start', async () => {
    expect(isMetricsQuery('{ } | rate()')).toBe(true);
    expect(await metricsTraceQL(SPANS, '{ status = error } | rate() by (resource.service.name)', RANGE, 60)).toEqual([
      { labels: { 'resource.service.name': 'checkout' }, points: [[T0, 1 / 60], [T0 + 60_000, 0]] },
      { labels: { 'resource.service.name': 'payment' }, points: [[T0, 1 / 60], [T0 + 60_000, 0]] },
    ]);
    expect(await metricsTraceQL(SPANS, '{ } | count_over_time()', RANGE, 60)).toEqual([{ labels: { __name__: 'count_over_time' }, points: [[T0, 4], [T0 + 60_000, 2]] }]);
    expect((await metricsTraceQL(SPANS, '{ } | count_over_time() by (kind, span.http.route)', RANGE, 120)).map((s) => [s.labels, s.points[0]![1]])).toEqual([
      [{ kind: 'server', 'span.http.route': '' }, 2],
      [{ kind: 'client', 'span.http.route': '' }, 2],
      [{ kind: 'internal', 'span.http.route': '' }, 1],
      [{ kind: 'server', 'span.http.route': '/cart' }, 1],
    ]);
  });

  it('quantile_over_time and max_over_time of durations, in seconds', async () => {
    expect(await metricsTraceQL(SPANS, '{ resource.service.name = "checkout" } | quantile_over_time(duration, 0.5, 0.9) by (resource.service.name)', RANGE, 120)).toEqual([
      { labels: { 'resource.service.name': 'checkout', p: '0.5' }, points: [[T0, 0.39]] },
      { labels: { 'resource.service.name': 'checkout', p: '0.9' }, points: [[T0, 0.478]] },
    ]);
    expect((await metricsTraceQL(SPANS, '{ kind = server } | max_over_time(duration) by (name)', RANGE, 60)).map((s) => [s.labels.name, s.points])).toEqual([
      ['POST /order', [[T0, 0.5]]],
      ['Charge', [[T0, 0.37]]],
      ['GET /cart', [[T0 + 60_000, 0.05]]],
    ]);
  });

  it('histogram_over_time: power-of-two buckets as Tempo labels them (__bucket, durations in seconds)', async () => {
    const byBucket = (series: Array<{ labels: Record<string, string>; points: Array<[number, number]> }>) => Object.fromEntries(series.map((x) => [x.labels.__bucket, x.points.map(([, v]) => v)]));
    // 500, 390 and 370 ms round up to 2^29 ns; 3 ms to 2^22 ns; 50 ms to 2^26 ns; 5 ms to 2^23 ns.
    expect(byBucket(await metricsTraceQL(SPANS, '{ } | histogram_over_time(duration)', RANGE, 60))).toEqual({
      '0.536870912': [3, 0],
      '0.004194304': [1, 0],
      '0.067108864': [0, 1],
      '0.008388608': [0, 1],
    });
    const grouped = await metricsTraceQL(SPANS, '{ kind = server } | histogram_over_time(duration) by (resource.service.name)', RANGE, 120);
    expect(grouped.map((x) => x.labels)).toEqual([
      { 'resource.service.name': 'checkout', __bucket: '0.536870912' },
      { 'resource.service.name': 'payment', __bucket: '0.536870912' },
      { 'resource.service.name': 'cart', __bucket: '0.067108864' },
    ]);
    // An integer attribute is its own bucket scale: 502 → 512.
    expect(await metricsTraceQL(SPANS, '{ span.http.status_code != nil } | histogram_over_time(span.http.status_code)', RANGE, 120)).toEqual([{ labels: { __bucket: '512' }, points: [[T0, 1]] }]);
  });

  it('topk/bottomk keep, at each step, the k highest or lowest series (Tempo: a series kept at no step is left out)', async () => {
    expect(await metricsTraceQL(SPANS, '{ } | count_over_time() by (resource.service.name) | topk(2)', RANGE, 60)).toEqual([
      { labels: { 'resource.service.name': 'checkout' }, points: [[T0, 3]] },
      { labels: { 'resource.service.name': 'payment' }, points: [[T0, 1]] },
      { labels: { 'resource.service.name': 'cart' }, points: [[T0 + 60_000, 1]] },
      { labels: { 'resource.service.name': 'redis' }, points: [[T0 + 60_000, 1]] },
    ]);
    expect(await metricsTraceQL(SPANS, '{ } | count_over_time() by (resource.service.name) | bottomk(1)', RANGE, 60)).toEqual([
      { labels: { 'resource.service.name': 'checkout' }, points: [[T0 + 60_000, 0]] },
      { labels: { 'resource.service.name': 'cart' }, points: [[T0, 0]] },
    ]);
    await expect(metricsTraceQL(SPANS, '{ } | topk(2)', RANGE, 60)).rejects.toThrow(/needs a metrics function before it/);
    await expect(metricsTraceQL(SPANS, '{ } | rate() | topk(2) | bottomk(1)', RANGE, 60)).rejects.toThrow(/nothing can follow topk/);
  });
});
void n;
