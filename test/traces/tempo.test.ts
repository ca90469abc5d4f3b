// Tempo remote source and the trace tools over it, against nock responses shaped like Tempo's API
// (reference API.md §3: gogo-jsonpb, base64 ids in traces, trimmed hex in search, string int64s).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { TempoTraceSource, padTraceId } from '../../src/sources/remote/tempo.js';
import type { BackendConfig } from '../../src/config.js';
import type { Sources } from '../../src/sources/types.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';
import { T0, shop, spans, toOtlp } from './fixtures.js';

const BASE = 'http://tempo.test';
const cfg = (over: Partial<BackendConfig> = {}): BackendConfig => ({ name: 'tempo', url: BASE, headers: { 'X-Scope-OrgID': 'tenant-a' }, timeoutMs: 2000, maxResponseBytes: 5e6, viaGrafana: false, ...over });

// A real-shaped Tempo v2 trace (ids base64, kind/status enum names, int64 as strings), from the vulture fixture in API.md §3.2.
const VULTURE = {
  trace: {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'tempo-vulture' } }, { key: 'vulture-process-int-01', value: { intValue: '164005' } }] },
        scopeSpans: [
          {
            scope: {},
            spans: [
              {
                traceId: 'MUkZX/sL7AU0e0jv6OzBsA==',
                spanId: 'SyPeJdH7ZkE=',
                parentSpanId: 'CDonogx7beM=',
                name: 'vulture-68',
                kind: 'SPAN_KIND_SERVER',
                startTimeUnixNano: '1636729665000000000',
                endTimeUnixNano: '1636729665000092000',
                attributes: [{ key: 'http.status_code', value: { intValue: '110' } }],
                events: [{ timeUnixNano: '1636729665000000000', attributes: [] }],
                status: {},
              },
            ],
          },
        ],
      },
    ],
  },
  metrics: { inspectedBytes: '1024' },
};

function sourcesWith(tempo: TempoTraceSource, grafana = true): Sources {
  const window = { start: T0 + 300_000, end: T0 + 600_000 };
  return {
    traces: tempo,
    defaults: { window, baseline: { start: T0, end: T0 + 300_000 } },
    problems: [],
    describe: 'test tempo',
    grafana: grafana ? { url: 'http://grafana.test', datasources: { tempo: 'tempo-uid' } } : undefined,
  };
}

const ctx = (sources: Sources) => ({ sources, signal: new AbortController().signal, progress: () => {}, budgetTokens: 4000 });

/** Search answer: trace ids in hex with leading zeros trimmed, as Tempo returns them. */
function searchBody(traceIds: string[]) {
  return {
    traces: traceIds.map((id) => ({
      traceID: id.replace(/^0+/, ''),
      rootServiceName: 'frontend',
      rootTraceName: 'POST /api/checkout',
      startTimeUnixNano: '1748944800000000000',
      durationMs: 30,
      spanSets: [{ spans: [{ spanID: 'a1b2c3d4e5f60718', startTimeUnixNano: '1748944800005000000', durationNanos: '10000000', attributes: [{ key: 'status', value: { stringValue: 'error' } }] }], matched: 1 }],
    })),
    metrics: { inspectedTraces: 3100, inspectedBytes: '3811736', totalBlocks: 13, completedJobs: 1, totalJobs: 1 },
  };
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe('TempoTraceSource', () => {
  it('reads a v2 trace with base64 ids and enum names; sends the tenant header; pads short ids', async () => {
    const id = '3149195ffb0bec05347b48efe8ecc1b0';
    const scope = nock(BASE, { reqheaders: { 'X-Scope-OrgID': 'tenant-a' } }).get(`/api/v2/traces/${id}`).reply(200, VULTURE);
    const spans = await new TempoTraceSource(cfg()).getTrace(id);
    expect(scope.isDone()).toBe(true);
    expect(spans).toHaveLength(1);
    const s = spans![0]!;
    expect(s.traceId).toBe(id);
    expect(s.spanId).toBe('4b23de25d1fb6641');
    expect(s.parentSpanId).toBe('083a27a20c7b6de3');
    expect(s.kind).toBe(2);
    expect(s.service).toBe('tempo-vulture');
    expect(s.durationMs).toBeCloseTo(0.092, 3); // epoch-ms doubles keep ~0.1 µs
    expect(s.attributes['http.status_code']).toBe(110);
    expect(padTraceId('abc')).toBe('00000000000000000000000000000abc');
  });

  it('falls back to the v1 endpoint (pre-2.6 `batches` shape) when v2 does not exist, and answers undefined for unknown ids', async () => {
    const id = '00000000000000000000000000000abc';
    const batches = { batches: VULTURE.trace.resourceSpans };
    nock(BASE).get(`/api/v2/traces/${id}`).reply(404, '404 page not found').get(`/api/traces/${id}`).reply(200, batches);
    expect(await new TempoTraceSource(cfg()).getTrace('abc')).toHaveLength(1);
    nock(BASE).get(`/api/v2/traces/${id}`).reply(404, 'trace not found');
    expect(await new TempoTraceSource(cfg()).getTrace(id)).toBeUndefined();
  });

  it('searches with TraceQL and start/end in seconds, then fetches a bounded sample of full traces', async () => {
    const data = shop(12, T0 + 300_000, 1000, T0);
    const ids = [...new Set(data.map((s) => s.traceId))].slice(0, 3);
    let seen: Record<string, string> = {};
    nock(BASE)
      .get('/api/search')
      .query((q) => {
        seen = q as Record<string, string>;
        return true;
      })
      .reply(200, searchBody(ids));
    for (const id of ids) nock(BASE).get(`/api/v2/traces/${id}`).query(true).reply(200, { trace: toOtlp(data.filter((s) => s.traceId === id), { base64Ids: true, kindNames: true }) });
    const src = new TempoTraceSource(cfg(), 3);
    const set = await src.findTraces({ range: { start: T0 + 300_000, end: T0 + 600_000 }, service: 'checkout', errorsOnly: true });
    expect(seen.start).toBe(String((T0 + 300_000) / 1000));
    expect(seen.end).toBe(String((T0 + 600_000) / 1000));
    expect(seen.limit).toBe('3');
    expect(seen.q).toContain('resource.service.name = "checkout"');
    expect(seen.q).toContain('status = error');
    expect(new Set(set.spans.map((s) => s.traceId)).size).toBe(3);
    expect(set.partial).toBe(true);
    expect(set.notes.join(' ')).toMatch(/sampled 3 traces/);
  });

  it('lists services from tag values and parses TraceQL metrics (string timestamps, omitted zero values)', async () => {
    nock(BASE)
      .get('/api/v2/search/tag/resource.service.name/values')
      .query(true)
      .reply(200, { tagValues: [{ type: 'string', value: 'cart-service' }, { type: 'string', value: 'article-service' }], metrics: { inspectedBytes: '502756' } });
    const src = new TempoTraceSource(cfg());
    expect(await src.services({ start: T0, end: T0 + 60_000 })).toEqual(['article-service', 'cart-service']);
    nock(BASE)
      .get('/api/metrics/query_range')
      .query((q) => q.start === String(T0 / 1000) && q.step === '15s')
      .reply(200, {
        series: [{ labels: [{ key: 'resource.service.name', value: { stringValue: 'api' } }, { key: 'p', value: { doubleValue: 0.99 } }], samples: [{ timestampMs: String(T0), value: 0.25 }, { timestampMs: String(T0 + 60_000) }] }],
        metrics: { completedJobs: 1, totalJobs: 1 },
      });
    const series = await src.metricsRange('{} | quantile_over_time(duration, .99) by (resource.service.name)', { start: T0, end: T0 + 60_000 }, 15);
    expect(series[0]!.labels).toEqual({ 'resource.service.name': 'api', p: '0.99' });
    // Samples lie in the range asked for (Tempo aligns them to the step).
    expect(series[0]!.points).toEqual([
      [T0, 0.25],
      [T0 + 60_000, 0],
    ]);
  });
});

describe('trace tools over Tempo', () => {
  it('find_prevalent_errors: samples erroring traces and ranks the INSERT duplicate key first, with TraceQL and a Drilldown link', async () => {
    const data = shop(60, T0 + 300_000, 1000, T0);
    const failing = [...new Set(data.filter((s) => s.status === 'error').map((s) => s.traceId))];
    nock(BASE).get('/api/search').query(true).times(2).reply(200, searchBody(failing));
    for (const id of failing) nock(BASE).get(`/api/v2/traces/${id}`).query(true).times(2).reply(200, { trace: toOtlp(data.filter((s) => s.traceId === id), { base64Ids: true, kindNames: true }) });
    const res = await runTool(findTool('find_prevalent_errors')!, {}, ctx(sourcesWith(new TempoTraceSource(cfg()))));
    expect(res.isError).toBe(false);
    const g = (res.structured!.groups as Array<Record<string, unknown>>)[0]!;
    expect(g.service).toBe('checkout');
    expect(g.span_name).toBe('INSERT INTO orders');
    expect(String(g.query)).toContain('name = "INSERT INTO orders"');
    expect(String(res.structured!.link)).toContain('/a/grafana-exploretraces-app/explore');
  });

  it('service_red pushes RED down to TraceQL metrics', async () => {
    const qs: string[] = [];
    const body = (value: number) => ({
      series: [{ labels: [{ key: 'resource.service.name', value: { stringValue: 'checkout' } }], samples: [{ timestampMs: String(T0 + 300_000), value }, { timestampMs: String(T0 + 315_000), value }] }],
    });
    nock(BASE)
      .get('/api/metrics/query_range')
      .query((q) => (qs.push(String(q.q)), true))
      .times(6)
      .reply(200, (uri) => (decodeURIComponent(uri.replace(/\+/g, ' ')).includes('status = error') ? body(0.5) : uri.includes('quantile_over_time') ? { series: [{ labels: [{ key: 'resource.service.name', value: { stringValue: 'checkout' } }, { key: 'p', value: { doubleValue: 0.9 } }], samples: [{ timestampMs: String(T0 + 300_000), value: 0.12 }] }] } : body(2)));
    const res = await runTool(findTool('service_red')!, {}, ctx(sourcesWith(new TempoTraceSource(cfg()))));
    expect(res.isError).toBe(false);
    const row = (res.structured!.rows as Array<{ key: string; window: { error_rate: number; p90_ms: number } }>)[0]!;
    expect(row.key).toBe('checkout');
    expect(row.window.error_rate).toBeCloseTo(0.25, 3);
    expect(row.window.p90_ms).toBeCloseTo(120, 3);
    expect(qs.some((q) => q.includes('| rate() by (resource.service.name)'))).toBe(true);
  });

  it('reports Tempo 4xx/5xx and timeouts as clear tool errors', async () => {
    nock(BASE).get('/api/search').query(true).reply(400, 'invalid TraceQL query: parse error at line 1, col 3');
    let res = await runTool(findTool('query_tempo')!, { query: '{ .a = }' }, ctx(sourcesWith(new TempoTraceSource(cfg()))));
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/tempo answered HTTP 400: invalid TraceQL/);

    nock(BASE).get('/api/search').query(true).times(6).reply(503, 'service unavailable');
    res = await runTool(findTool('find_slow_spans')!, {}, ctx(sourcesWith(new TempoTraceSource(cfg()))));
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/tempo answered HTTP 503/);

    nock(BASE).get('/api/v2/traces/00000000000000000000000000000001').times(3).delay(500).reply(200, VULTURE);
    res = await runTool(findTool('get_trace')!, { trace_id: '1' }, ctx(sourcesWith(new TempoTraceSource(cfg({ timeoutMs: 100 })))));
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/did not answer within 100 ms/);
  }, 20_000);

  it('get_trace: unknown id is a clear error; a trace source without TraceQL says so', async () => {
    nock(BASE).get('/api/v2/traces/0000000000000000000000000000beef').reply(404, 'trace not found');
    const res = await runTool(findTool('get_trace')!, { trace_id: 'beef' }, ctx(sourcesWith(new TempoTraceSource(cfg()))));
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/trace 0000000000000000000000000000beef not found/);
    const bad = await runTool(findTool('get_trace')!, { trace_id: 'not-an-id' }, ctx(sourcesWith(new TempoTraceSource(cfg()))));
    expect(bad.text).toMatch(/is not a trace id/);
    const bundleLike: Sources = { ...sourcesWith(new TempoTraceSource(cfg())), traces: { kind: 'bundle', findTraces: async () => ({ spans: spans('x', T0, []), partial: false, notes: [] }), getTrace: async () => undefined, services: async () => [] } };
    const q = await runTool(findTool('query_tempo')!, { query: '{}' }, ctx(bundleLike));
    expect(q.isError).toBe(true);
    expect(q.text).toMatch(/cannot run TraceQL/);
  });
});
