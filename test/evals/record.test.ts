// `queryless record` round trip: nock serves each backend with responses shaped like the real APIs
// (reference/API.md: Tempo gogo-jsonpb with base64 ids and enum names, Loki streams with ns strings and
// categorize-labels metadata, Prometheus envelopes with string values, Pyroscope protojson pprof);
// the recorded bundle must load and give the same answers as computed from those live responses.
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import nock from 'nock';
import YAML from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { recordBundle, renderRecordSummary, tempoTraceToOtlp } from '../../src/evals/record.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { recordCommand } from '../../src/commands/record.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';

const T0 = Date.parse('2025-06-03T09:55:00Z'); // baseline start
const FROM = Date.parse('2025-06-03T10:00:00Z');
const TO = Date.parse('2025-06-03T10:05:00Z');
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

// ------------------------------------------------------------- the "live" data
interface LiveSpan { traceId: string; spanId: string; parent?: string; service: string; name: string; kind: string; start: number; dur: number; error?: boolean; attrs: Record<string, string | number> }
const traces: Array<{ id: string; start: number; error: boolean; spans: LiveSpan[] }> = [];
for (let i = 0; i < 8; i++) {
  // Trace 0 has leading zero bytes: Tempo search trims them, the recorder must pad them back.
  const id = i === 0 ? '0000' + hex(0xabc, 28) : hex(0x1000 + i, 32);
  const start = T0 + 30_000 + i * 70_000;
  const error = start >= FROM && i % 2 === 0;
  const s = (k: number) => hex(i * 16 + k + 1, 16);
  traces.push({
    id,
    start,
    error,
    spans: [
      { traceId: id, spanId: s(0), service: 'frontend', name: 'POST /api/checkout', kind: 'SPAN_KIND_SERVER', start, dur: 120, error, attrs: { 'http.response.status_code': error ? 500 : 200 } },
      { traceId: id, spanId: s(1), parent: s(0), service: 'checkout', name: 'POST /api/checkout', kind: 'SPAN_KIND_SERVER', start: start + 5, dur: 100, error, attrs: { 'http.route': '/api/checkout' } },
      { traceId: id, spanId: s(2), parent: s(1), service: 'checkout', name: 'INSERT INTO orders', kind: 'SPAN_KIND_CLIENT', start: start + 10, dur: 40, error, attrs: { 'db.system': 'postgresql', 'db.rows': 1 } },
    ],
  });
}

function tempoTraceJson(t: (typeof traces)[number]) {
  const byService = new Map<string, LiveSpan[]>();
  for (const s of t.spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return {
    trace: {
      resourceSpans: [...byService].map(([svc, spans]) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }, { key: 'k8s.pod.name', value: { stringValue: `${svc}-7d9f` } }] },
        scopeSpans: [
          {
            scope: { name: 'otel' },
            spans: spans.map((s) => ({
              traceId: b64(s.traceId),
              spanId: b64(s.spanId),
              ...(s.parent ? { parentSpanId: b64(s.parent) } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: ns(s.start),
              endTimeUnixNano: ns(s.start + s.dur),
              attributes: Object.entries(s.attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
              status: s.error ? { code: 'STATUS_CODE_ERROR', message: 'pq: duplicate key value violates unique constraint "orders_pkey"' } : {},
            })),
          },
        ],
      })),
    },
    metrics: { inspectedBytes: '2048' },
  };
}

const logLines: Array<{ ts: bigint; service: string; level: string; line: string; traceId?: string }> = [];
for (let i = 0; i < 23; i++) {
  const t = T0 + 10_000 + i * 25_000;
  const service = i % 3 === 0 ? 'frontend' : 'checkout';
  const err = t >= FROM && service === 'checkout';
  logLines.push({ ts: BigInt(ns(t)) + BigInt(i), service, level: err ? 'error' : 'info', line: err ? `level=error msg="insert order failed" err="pq: duplicate key value violates unique constraint \\"orders_pkey\\"" order_id=${1000 + i}` : `level=info msg="request served" path=/api/checkout n=${i}`, traceId: i % 4 === 0 ? traces[i % 8]!.id : undefined });
}
// Two lines at the same nanosecond in different streams: paging must keep both, once.
logLines.push({ ts: logLines[6]!.ts, service: 'frontend', level: 'info', line: 'level=info msg="same ns, other stream"' });
logLines.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));

const step = 15;
const promSeries = [
  { labels: { __name__: 'http_requests_total', service: 'checkout', status: '200', job: 'checkout' }, f: (k: number) => 10 * k },
  { labels: { __name__: 'http_requests_total', service: 'checkout', status: '500', job: 'checkout' }, f: (k: number) => (k > 20 ? 2 * (k - 20) : 0) },
  { labels: { __name__: 'http_requests_total', service: 'frontend', status: '200', job: 'frontend' }, f: (k: number) => 12 * k },
  { labels: { __name__: 'db_pool_in_use', service: 'checkout', job: 'checkout' }, f: (k: number) => (k % 5) + 0.5 },
];
const promMeta = {
  http_requests_total: [{ type: 'counter', help: 'Requests served', unit: '' }],
  db_pool_in_use: [{ type: 'gauge', help: 'Connections in use', unit: '' }],
};

const PROFILE_TYPE = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
function pprofJson(startMs: number, endMs: number) {
  const incident = startMs >= FROM;
  // strings: 0 "", 1 cpu, 2 nanoseconds, 3 main.main, 4 checkout.(*Repo).Insert, 5 main.go, 6 repo.go, 7 runtime.mallocgc
  return {
    sampleType: [{ type: '1', unit: '2' }],
    sample: [
      { locationId: ['2', '1'], value: [incident ? '900000000' : '100000000'] },
      { locationId: ['3', '1'], value: ['50000000'] },
    ],
    mapping: [{ id: '1', hasFunctions: true }],
    location: [
      { id: '1', mappingId: '1', line: [{ functionId: '1', line: '12' }] },
      { id: '2', mappingId: '1', line: [{ functionId: '2', line: '37' }] },
      { id: '3', mappingId: '1', line: [{ functionId: '3', line: '1' }] },
    ],
    function: [
      { id: '1', name: '3', systemName: '3', filename: '5', startLine: '10' },
      { id: '2', name: '4', systemName: '4', filename: '6', startLine: '30' },
      { id: '3', name: '7', systemName: '7', filename: '0' },
    ],
    stringTable: ['', 'cpu', 'nanoseconds', 'main.main', 'checkout.(*Repo).Insert', 'main.go', 'repo.go', 'runtime.mallocgc'],
    timeNanos: ns(startMs),
    durationNanos: ns(endMs - startMs),
    periodType: { type: '1', unit: '2' },
    period: '10000000',
  };
}

// ------------------------------------------------------------- nock backends
function mockBackends() {
  nock('http://tempo.test')
    .persist()
    .get('/api/search')
    .query(true)
    .reply((uri) => {
      const q = new URL(uri, 'http://x').searchParams;
      const start = Number(q.get('start')) * 1000;
      const end = Number(q.get('end')) * 1000;
      const query = q.get('q') ?? '';
      const limit = Number(q.get('limit') ?? 20);
      const svc = /resource\.service\.name = "([^"]+)"/.exec(query)?.[1];
      const hits = traces
        .filter((t) => t.start >= start && t.start < end && (!/status = error/.test(query) || t.error) && (!svc || t.spans.some((s) => s.service === svc)))
        .slice(0, limit)
        .map((t) => ({ traceID: t.id.replace(/^0+/, ''), rootServiceName: 'frontend', rootTraceName: 'POST /api/checkout', startTimeUnixNano: ns(t.start), durationMs: 120, spanSets: [{ spans: [{ spanID: t.spans[0]!.spanId, startTimeUnixNano: ns(t.start), durationNanos: '120000000' }], matched: 1 }] }));
      return [200, { traces: hits, metrics: { inspectedTraces: traces.length, inspectedBytes: '1000', completedJobs: 1, totalJobs: 1 } }];
    })
    .get(/^\/api\/v2\/traces\/[0-9a-f]+/)
    .query(true)
    .reply((uri) => {
      const id = /traces\/([0-9a-f]+)/.exec(uri)![1]!;
      const t = traces.find((x) => x.id === id);
      return t ? [200, tempoTraceJson(t)] : [404, 'trace not found'];
    });

  nock('http://loki.test')
    .persist()
    .get('/loki/api/v1/labels')
    .query(true)
    .reply(200, { status: 'success', data: ['level', 'service_name'] })
    .get('/loki/api/v1/query_range')
    .query(true)
    .reply(function (uri) {
      const q = new URL(uri, 'http://x').searchParams;
      // What the recorder must send (a wrong request gets Loki's 400, which the test then sees).
      if (this.req.headers['x-loki-response-encoding-flags'] !== 'categorize-labels') return [400, 'expected categorize-labels'];
      if (q.get('direction') !== 'forward') return [400, 'expected direction=forward'];
      if (!/^\d{19}$/.test(q.get('start') ?? '')) return [400, 'expected nanosecond start'];
      const start = BigInt(q.get('start')!);
      const end = BigInt(q.get('end')!);
      const limit = Number(q.get('limit'));
      const sel = q.get('query')!;
      const svc = /service_name="([^"]+)"/.exec(sel)?.[1];
      const hits = logLines.filter((l) => l.ts >= start && l.ts < end && (!svc || l.service === svc)).slice(0, limit);
      const streams = new Map<string, { stream: Record<string, string>; values: unknown[] }>();
      for (const l of hits) {
        const stream = { service_name: l.service, level: l.level };
        const k = JSON.stringify(stream);
        if (!streams.has(k)) streams.set(k, { stream, values: [] });
        streams.get(k)!.values.push([l.ts.toString(), l.line, l.traceId ? { structuredMetadata: { trace_id: l.traceId, detected_level: l.level } } : { structuredMetadata: { detected_level: l.level } }]);
      }
      return [200, { status: 'success', data: { resultType: 'streams', encodingFlags: ['categorize-labels'], result: [...streams.values()], stats: { summary: { execTime: 0.01 } } } }];
    });

  const matrixFor = (name: string, extra: Record<string, string>, start: number, end: number, st: number) =>
    promSeries
      .filter((s) => s.labels.__name__ === name && Object.entries(extra).every(([k, v]) => (s.labels as Record<string, string>)[k] === v))
      .map((s) => {
        const values: Array<[number, string]> = [];
        for (let t = start, k = 0; t <= end; t += st, k++) values.push([t, String(s.f(k))]);
        return { metric: s.labels, values };
      });
  nock('http://prom.test')
    .persist()
    .post('/api/v1/series')
    .reply((_uri, body) => {
      const p = new URLSearchParams(String(body));
      const sel = p.getAll('match[]').map((m) => (m === '{__name__=~".+"}' ? {} : /^\{(\w+)="([^"]+)"\}$/.exec(m)));
      if (sel.some((m) => m === null)) return [400, { status: 'error', errorType: 'bad_data', error: `unexpected match[] ${p.getAll('match[]')}` }];
      const hit = promSeries.filter((s) => sel.some((m) => Array.isArray(m) ? (s.labels as Record<string, string>)[m[1]!] === m[2] : true));
      return [200, { status: 'success', data: hit.map((s) => s.labels) }];
    })
    .get('/api/v1/metadata')
    .reply(200, { status: 'success', data: promMeta })
    .post('/api/v1/query_range')
    .reply((_uri, body) => {
      const p = new URLSearchParams(String(body));
      const m = /^\{__name__="([^"]+)"(?:,(\w+)="([^"]+)")?\}$/.exec(p.get('query')!);
      if (!m) return [400, { status: 'error', errorType: 'bad_data', error: `invalid parameter "query": ${p.get('query')}` }];
      const extra = m[2] ? { [m[2]]: m[3]! } : {};
      return [200, { status: 'success', data: { resultType: 'matrix', result: matrixFor(m[1]!, extra, Number(p.get('start')), Number(p.get('end')), Number(p.get('step'))) } }];
    });

  nock('http://pyro.test')
    .persist()
    .post('/querier.v1.QuerierService/LabelValues')
    .reply(200, { names: ['checkout'] })
    .post('/querier.v1.QuerierService/ProfileTypes')
    .reply(200, { profileTypes: [{ ID: PROFILE_TYPE, name: 'process_cpu', sampleType: 'cpu', sampleUnit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds' }] })
    .post('/querier.v1.QuerierService/Series')
    .reply(200, { labelsSet: [{ labels: [{ name: '__profile_type__', value: PROFILE_TYPE }, { name: 'service_name', value: 'checkout' }] }] })
    .post('/querier.v1.QuerierService/SelectMergeProfile')
    .reply((_uri, body) => {
      const b = (typeof body === 'string' ? JSON.parse(body) : body) as { profileTypeID: string; labelSelector: string; start: number; end: number };
      if (b.profileTypeID !== PROFILE_TYPE || b.labelSelector !== '{service_name="checkout"}') return [400, { code: 'invalid_argument', message: `unexpected ${b.profileTypeID} ${b.labelSelector}` }];
      return [200, pprofJson(b.start, b.end)];
    });
}

const out = mkdtempSync(path.join(tmpdir(), 'ql-record-'));
const config = loadConfig({ TEMPO_URL: 'http://tempo.test', LOKI_URL: 'http://loki.test', PROMETHEUS_URL: 'http://prom.test', PYROSCOPE_URL: 'http://pyro.test' } as NodeJS.ProcessEnv);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  rmSync(out, { recursive: true, force: true });
});

describe('queryless record', () => {
  it('converts Tempo trace JSON (base64 ids, enum names) to OTLP/JSON', () => {
    const o = tempoTraceToOtlp(tempoTraceJson(traces[4]!) as never);
    const sp = (o.resourceSpans[0]!.scopeSpans as Array<{ spans: Array<Record<string, unknown>> }>)[0]!.spans[0]!;
    expect(sp.traceId).toBe(traces[4]!.id);
    expect(sp.spanId).toBe(traces[4]!.spans[0]!.spanId);
    expect(sp.kind).toBe(2);
    expect(sp.status).toEqual({ code: 2, message: 'pq: duplicate key value violates unique constraint "orders_pkey"' });
  });

  it('records every backend into a bundle that loads back with the same answers', async () => {
    mockBackends();
    const summary = await recordBundle(config, { from: FROM, to: TO, baselineFrom: T0, out, logPageSize: 7 });
    const text = renderRecordSummary(summary);
    expect(summary.signals.map((s) => [s.backend, s.status])).toEqual([
      ['tempo', 'recorded'],
      ['loki', 'recorded'],
      ['prometheus', 'recorded'],
      ['pyroscope', 'recorded'],
    ]);
    expect(text).toMatch(/tempo\s+recorded\s+8 traces, 24 spans/);
    expect(text).toMatch(/loki\s+recorded\s+24 lines/);
    expect(text).toMatch(/prometheus\s+recorded\s+4 series in 2 families/);
    expect(text).toMatch(/pyroscope\s+recorded\s+2 merged profile\(s\) for 1 service\(s\) \(baseline \+ incident\)/);

    // incident.yaml skeleton
    const inc = YAML.parse(readFileSync(path.join(out, 'incident.yaml'), 'utf8'));
    expect(inc.window).toEqual({ start: '2025-06-03T09:55:00.000Z', end: '2025-06-03T10:05:00.000Z' });
    expect(inc.baseline).toEqual({ start: '2025-06-03T09:55:00.000Z', end: '2025-06-03T10:00:00.000Z' });
    expect(inc.questions).toEqual([]);
    expect(inc.truth).toBeUndefined();
    // OpenMetrics: counters as families without _total, timestamps, # EOF.
    const om = gunzipSync(readFileSync(path.join(out, 'metrics/metrics.om.gz'))).toString();
    expect(om).toContain('# TYPE http_requests counter');
    expect(om).toContain(`http_requests_total{job="checkout",service="checkout",status="500"} 0 ${T0 / 1000}`);
    expect(om.trimEnd().endsWith('# EOF')).toBe(true);
    expect(existsSync(path.join(out, 'profiles/checkout'))).toBe(true);

    const b = await openBundle(out);
    expect(b.problems).toEqual([]);
    const range = b.defaults.window;
    expect(range).toEqual({ start: T0, end: TO });

    // Traces: every span, ids in hex, errors kept.
    const set = await b.traces!.findTraces({ range });
    expect(set.spans).toHaveLength(24);
    expect(new Set(set.spans.map((s) => s.traceId))).toEqual(new Set(traces.map((t) => t.id)));
    expect(set.spans.filter((s) => s.status === 'error')).toHaveLength(traces.filter((t) => t.error).length * 3);
    const insert = set.spans.find((s) => s.name === 'INSERT INTO orders')!;
    expect(insert).toMatchObject({ service: 'checkout', kind: 3, attributes: { 'db.system': 'postgresql', 'db.rows': 1 } });

    // Logs: every line once (paging at 7 with a shared nanosecond), trace ids and levels kept.
    const logs = await b.logs!.queryLogs({ range, limit: 1000, direction: 'forward' });
    expect(logs.records).toHaveLength(logLines.length);
    expect(logs.records.map((r) => r.body).sort()).toEqual(logLines.map((l) => l.line).sort());
    const withTrace = logs.records.filter((r) => r.traceId);
    expect(withTrace.map((r) => r.traceId).sort()).toEqual(logLines.filter((l) => l.traceId).map((l) => l.traceId).sort());
    expect(logs.records.filter((r) => r.severityText === 'ERROR')).toHaveLength(logLines.filter((l) => l.level === 'error').length);

    // Metrics: same series and values as the live query_range answers.
    const series = await b.metrics!.series('{__name__="http_requests_total"}', range);
    expect(series).toHaveLength(3);
    const at = T0 + 30 * step * 1000;
    const v = await b.metrics!.instant('http_requests_total{service="checkout",status="500"}', at);
    expect(v[0]!.points[0]![1]).toBe(2 * (30 - 20));
    const md = await b.metrics!.metadata();
    expect(md.find((m) => m.name === 'http_requests')?.type ?? md.find((m) => m.name === 'http_requests_total')?.type).toBe('counter');

    // Profiles: baseline and incident kept apart, with the live totals.
    const inc1 = await b.profiles!.mergedProfile('checkout', PROFILE_TYPE, { start: FROM, end: TO });
    const base1 = await b.profiles!.mergedProfile('checkout', PROFILE_TYPE, { start: T0, end: FROM });
    const total = (p: typeof inc1) => p!.stacks.reduce((a, s) => a + s.value, 0);
    expect(total(inc1)).toBe(950_000_000);
    expect(total(base1)).toBe(150_000_000);
    expect(inc1!.stacks.some((s) => s.frames.some((f) => f.function === 'checkout.(*Repo).Insert' && f.file === 'repo.go'))).toBe(true);

    // The list_services tool over the bundle answers what the live responses say.
    const res = await runTool(findTool('list_services')!, {}, { sources: b, signal: new AbortController().signal, progress: () => {} });
    expect(res.isError).toBe(false);
    const rows = (res.structured!.services as Array<{ service: string; signals: Record<string, boolean>; window?: { requests: number; errors: number } }>);
    const liveServices = new Set([...traces.flatMap((t) => t.spans.map((s) => s.service)), ...logLines.map((l) => l.service), ...promSeries.map((s) => s.labels.service), 'checkout']);
    expect(rows.map((r) => r.service).sort()).toEqual([...liveServices].sort());
    const checkout = rows.find((r) => r.service === 'checkout')!;
    expect(checkout.signals).toEqual({ traces: true, logs: true, metrics: true, profiles: true });
    const frontend = rows.find((r) => r.service === 'frontend')!;
    expect(frontend.signals).toEqual({ traces: true, logs: true, metrics: true, profiles: false });
  });

  it('keeps going when a backend fails, and says what it kept', async () => {
    nock('http://tempo.test').persist().get('/api/search').query(true).reply(503, 'tempo unavailable');
    nock('http://loki.test').persist().get('/loki/api/v1/labels').query(true).reply(200, { status: 'success', data: ['service_name'] }).get('/loki/api/v1/query_range').query(true).reply(200, { status: 'success', data: { resultType: 'streams', result: [] } });
    const dir = path.join(out, 'partial');
    const cfg = loadConfig({ TEMPO_URL: 'http://tempo.test', LOKI_URL: 'http://loki.test', QUERYLESS_TIMEOUT_MS: '1000' } as NodeJS.ProcessEnv);
    const summary = await recordBundle(cfg, { from: FROM, to: TO, out: dir });
    const by = Object.fromEntries(summary.signals.map((s) => [s.backend, s]));
    expect(by.tempo!.status).toBe('failed');
    expect(by.tempo!.notes[0]).toMatch(/tempo answered HTTP 503: tempo unavailable/);
    expect(by.loki!.status).toBe('empty');
    expect(by.prometheus!.status).toBe('not configured');
    expect(by.prometheus!.notes[0]).toMatch(/PROMETHEUS_URL/);
    const b = await openBundle(dir);
    expect(b.incident.window).toEqual({ start: FROM, end: TO });
  });

  it('the CLI command records with flags for the backends and refuses a non-empty folder', async () => {
    mockBackends();
    const dir = path.join(out, 'cli');
    const args = ['--from', '2025-06-03T10:00:00Z', '--to', '2025-06-03T10:05:00Z', '--baseline-from', '2025-06-03T09:55:00Z', '--services', 'checkout', '-o', dir, '--quiet', '--tempo-url', 'http://tempo.test', '--loki-url', 'http://loki.test', '--prometheus-url', 'http://prom.test', '--pyroscope-url', 'http://pyro.test'];
    expect(await recordCommand(args)).toBe(0);
    const b = await openBundle(dir);
    const set = await b.traces!.findTraces({ range: b.defaults.window });
    expect(new Set(set.spans.map((s) => s.service))).toEqual(new Set(['frontend', 'checkout'])); // whole traces through checkout
    const logs = await b.logs!.queryLogs({ range: b.defaults.window, limit: 1000 });
    expect(new Set(logs.records.map((r) => r.service))).toEqual(new Set(['checkout']));
    await expect(recordCommand(args)).rejects.toThrow(/not empty/);
  });
});
