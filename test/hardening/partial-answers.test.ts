// Damaged backend answers must not pass as whole (found by the remote fuzz campaign's silent-partial
// check, scripts/fuzz-remote.ts): what a reader could not read is counted and said in the call's
// `problems`, an error answered with 200 is that error, and an optional part that failed is named.
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSources } from '../../src/sources/index.js';
import { collectLeftOut } from '../../src/sources/remote/answer-notes.js';
import { MAX_ITEMS_PER_ANSWER } from '../../src/limits.js';
import { loadTool } from '../../tools/lazy.js';
import { runTool } from '../../tools/run.js';
import type { Sources } from '../../src/sources/types.js';

afterEach(() => nock.cleanAll());

async function call(sources: Sources, name: string, args: Record<string, unknown> = {}) {
  return runTool((await loadTool(name))!, args, { sources, signal: new AbortController().signal, progress: () => {}, deadlineMs: 20_000 });
}
const sourcesFor = (env: Record<string, string>) => createSources(loadConfig({ QUERYLESS_TIMEOUT_MS: '2000', ...env }));
const problems = (r: { structured?: Record<string, unknown> }) => ((r.structured?.problems as string[] | undefined) ?? []).join('\n');

const T = 1_700_000_000;

describe('partial backend answers are marked partial', () => {
  it('Prometheus: points and series that cannot be read are counted in problems', async () => {
    nock('http://prom.test')
      .get('/api/v1/query_range')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'api' }, values: [[T, '1'], ['x', '2'], [T + 30, { v: 1 }], [T + 60, '3']] }, 'junk'] } })
      .persist();
    const sources = await sourcesFor({ PROMETHEUS_URL: 'http://prom.test' });
    const r = await call(sources, 'native_query', { language: 'promql', query: 'up', from: String(T - 60), to: String(T + 120) });
    expect(r.isError).toBe(false);
    expect(problems(r)).toMatch(/Prometheus: 2 × sample without a readable \[time, value\] pair, left out \(the answer is partial\)/);
    expect(problems(r)).toMatch(/Prometheus: 1 × series that is no object/);
    expect(r.text).toMatch(/⚠ data problems: .*Prometheus: 2 ×/);
  });

  it('the same answer read whole carries no such problem', async () => {
    nock('http://prom.test')
      .get('/api/v1/query_range')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'api' }, values: [[T, '1'], [T + 60, '3']] }] } })
      .persist();
    const sources = await sourcesFor({ PROMETHEUS_URL: 'http://prom.test' });
    const r = await call(sources, 'native_query', { language: 'promql', query: 'up', from: String(T - 60), to: String(T + 120) });
    expect(r.isError).toBe(false);
    expect(r.structured?.problems).toBeUndefined();
  });

  it('Loki: "status":"error" answered with 200 is an error naming Loki, not an empty list of services', async () => {
    nock('http://loki.test')
      .get(/\/loki\/api\/v1\/label\/service_name\/values/)
      .query(true)
      .reply(200, { status: 'error', error: 'too many outstanding requests' })
      .persist();
    const sources = await sourcesFor({ LOKI_URL: 'http://loki.test' });
    const r = await call(sources, 'list_services');
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/partial answer: 1 source\(s\) failed/);
    expect(problems(r)).toMatch(/logs: .*Loki at http:\/\/loki\.test answered .* with status "error": too many outstanding requests/);
  });

  it('Pyroscope: a Connect error body answered with 200 is that error, not an empty list of services', async () => {
    nock('http://pyro.test')
      .post('/querier.v1.QuerierService/LabelValues')
      .reply(200, { code: 'unavailable', message: 'no healthy upstream' })
      .persist();
    const sources = await sourcesFor({ PYROSCOPE_URL: 'http://pyro.test' });
    const r = await call(sources, 'list_services');
    expect(r.isError).toBe(false);
    expect(problems(r)).toMatch(/profiles: .*Pyroscope at http:\/\/pyro\.test answered LabelValues with an error: no healthy upstream/);
  });

  it('Loki: lines whose metadata or time cannot be read are counted for search_logs', async () => {
    const ns = (s: number) => `${s}000000000`;
    nock('http://loki.test')
      .get('/loki/api/v1/query_range')
      .query(true)
      .reply(200, {
        status: 'success',
        data: {
          resultType: 'streams',
          result: [{ stream: { service_name: 'api' }, values: [[ns(T), 'level=error a', { structuredMetadata: { trace_id: 'ab' } }], [ns(T + 1), 'level=error b', {}], [null, 'level=error c']] }],
        },
      })
      .persist();
    const sources = await sourcesFor({ LOKI_URL: 'http://loki.test' });
    const r = await call(sources, 'search_logs', { contains: ['error'], from: String(T - 60), to: String(T + 60) });
    expect(r.isError).toBe(false);
    expect(problems(r)).toMatch(/Loki: 1 × line whose metadata \(structuredMetadata, parsed\) could not be read/);
    expect(problems(r)).toMatch(/Loki: 1 × line or sample without a readable time/);
  });

  /** log_fields on one logfmt line, Loki's detected_fields answering `status` with `body`. */
  async function logFieldsWithDetected(status: number, body: unknown) {
    nock('http://loki.test')
      .get('/loki/api/v1/query_range')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'api' }, values: [[`${T}000000000`, 'status=200 duration=12ms']] }] } })
      .get('/loki/api/v1/detected_fields')
      .query(true)
      .reply(status, body as nock.Body)
      .persist();
    const sources = await sourcesFor({ LOKI_URL: 'http://loki.test' });
    return call(sources, 'log_fields', { service: 'api', from: String(T - 60), to: String(T + 60) });
  }

  it("Loki: log_fields names Loki's detected fields when that request failed, instead of dropping the section", async () => {
    const r = await logFieldsWithDetected(503, 'upstream connect error');
    expect(r.isError).toBe(false);
    expect(problems(r)).toMatch(/Loki detected fields left out: loki answered HTTP 503/);
  });

  it("Loki: a detected field without its cardinality is counted (it shows as 0), not passed as a field of one value", async () => {
    const r = await logFieldsWithDetected(200, { fields: [{ label: 'status', type: 'int', cardinality: 3, parsers: ['logfmt'] }, { label: 'duration', type: 'duration', parsers: ['logfmt'] }] });
    expect(r.isError).toBe(false);
    expect(problems(r)).toMatch(/Loki: 1 × detected field without its cardinality \(shown as 0\), left out \(the answer is partial\)/);
  });

  it('Tempo: spans of a fetched trace that cannot be read are counted for get_trace', async () => {
    const span = (id: string, extra: object = {}) => ({ traceId: 'AAAAAAAAAAAAAAAAAAAAAQ==', spanId: id, name: 'GET /', startTimeUnixNano: `${T}000000000`, endTimeUnixNano: `${T}100000000`, ...extra });
    nock('http://tempo.test')
      .get(/\/api\/v2\/traces\//)
      .query(true)
      .reply(200, { trace: { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeSpans: [{ spans: [span('AAAAAAAAAAE='), span('AAAAAAAAAAI=', { startTimeUnixNano: 'soon' }), 42] }] }] } })
      .persist();
    const sources = await sourcesFor({ TEMPO_URL: 'http://tempo.test' });
    const r = await call(sources, 'get_trace', { trace_id: '00000000000000000000000000000001' });
    expect(r.isError).toBe(false);
    expect(problems(r)).toMatch(/Tempo: \d+ × span of trace 0+1 left unread/);
  });

  it('Tempo: search results whose span sets or spans are of another shape are counted, not shown as "matched 0"', async () => {
    const trace = (id: string, spanSets: unknown) => ({ traceID: id, rootServiceName: 'api', rootTraceName: 'GET /', startTimeUnixNano: `${T}000000000`, durationMs: 20, spanSets });
    nock('http://tempo.test')
      .get('/api/search')
      .query(true)
      .reply(200, { traces: [trace('a1', {}), trace('a2', [{ spans: [[], { spanID: '3333333333333333', name: 'x', startTimeUnixNano: `${T}000000000`, durationNanos: '1000' }], matched: 2 }])] })
      .persist();
    const sources = await sourcesFor({ TEMPO_URL: 'http://tempo.test' });
    const r = await call(sources, 'native_query', { language: 'traceql', query: '{ status = error }', from: String(T - 60), to: String(T + 60) });
    expect(r.isError).toBe(false);
    expect(problems(r)).toMatch(/Tempo: 1 × search result whose spanSets is no list/);
    expect(problems(r)).toMatch(/Tempo: 1 × matched span without a span id/);
    expect(r.text).not.toMatch(/— 0{16} 0\.0ms/);
  });

  it('Loki: a query answer without its result is an error naming Loki, not "0 series"; a pattern without samples is counted', async () => {
    nock('http://loki.test')
      .get('/loki/api/v1/query_range')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'matrix' } })
      .persist();
    const sources = await sourcesFor({ LOKI_URL: 'http://loki.test' });
    const q = await call(sources, 'native_query', { language: 'logql', query: 'sum by (service_name) (count_over_time({service_name="api"}[5m]))', from: String(T - 600), to: String(T) });
    expect(q.isError).toBe(true);
    expect(q.text).toMatch(/Loki at http:\/\/loki\.test answered \/loki\/api\/v1\/query_range with .*but Queryless expected/);
    const { collectLeftOut: collect } = await import('../../src/sources/remote/answer-notes.js');
    nock('http://loki.test').get('/loki/api/v1/patterns').query(true).reply(200, { status: 'success', data: [{ pattern: 'level=<_>', level: 'info' }] });
    const { leftOut } = await collect(() => (sources.logs as unknown as { client: { patterns: (s: string, r: object, st: undefined) => Promise<unknown> } }).client.patterns('{service_name="api"}', { start: 0, end: 1000 }, undefined));
    expect(leftOut).toEqual(['Loki: 1 × pattern without its list of samples, left out (the answer is partial)']);
  });

  it('Tempo: an attribute value of the wrong type is kept as its JSON text, and said', async () => {
    const span = { traceId: 'AAAAAAAAAAAAAAAAAAAAAQ==', spanId: 'AAAAAAAAAAE=', name: 'Charge', startTimeUnixNano: `${T}000000000`, endTimeUnixNano: `${T}100000000`, attributes: [{ key: 'http.route', value: { stringValue: [] } }] };
    nock('http://tempo.test')
      .get(/\/api\/v2\/traces\//)
      .query(true)
      .reply(200, { trace: { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeSpans: [{ spans: [span] }] }] } })
      .persist();
    const sources = await sourcesFor({ TEMPO_URL: 'http://tempo.test' });
    const r = await call(sources, 'get_trace', { trace_id: '00000000000000000000000000000001' });
    expect(r.isError).toBe(false);
    expect(problems(r)).toMatch(/Trace data: 1 × attribute value of the wrong type, kept as its JSON text \(the answer is partial\)/);
  });

  it('notes of a call nested in another reach the outer call too', async () => {
    const { noteLeftOut } = await import('../../src/sources/remote/answer-notes.js');
    const outer = await collectLeftOut(async () => {
      const inner = await collectLeftOut(async () => noteLeftOut('Loki', 'x', 2));
      expect(inner.leftOut).toEqual(['Loki: 2 × x, left out (the answer is partial)']);
    });
    expect(outer.leftOut).toEqual(['Loki: 2 × x, left out (the answer is partial)']);
    expect(MAX_ITEMS_PER_ANSWER).toBeGreaterThan(0);
  });
});
