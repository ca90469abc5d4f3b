// Backend answers of the right outer shape with the wrong things inside (found by the remote fuzz
// campaign, scripts/fuzz-remote.ts): a number in a list of label values ("n.endsWith is not a
// function" in find_metrics), a Loki pattern without its text and a matrix whose values are `true`
// (log_patterns and native_query failed with TypeErrors: the guard did not reach `logs.client`), and a
// merged profile whose indexes point nowhere ("hot_functions failed: …"). Each tool now answers.
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSources } from '../../src/sources/index.js';
import { BackendError } from '../../src/http.js';
import { guardRemoteSource } from '../../src/sources/remote/guard.js';
import { decodeResult } from '../../src/sources/remote/prometheus.js';
import { parseQueryData } from '../../src/sources/remote/loki.js';
import { loadTool } from '../../tools/lazy.js';
import { runTool } from '../../tools/run.js';
import type { Sources } from '../../src/sources/types.js';

afterEach(() => nock.cleanAll());

async function call(sources: Sources, name: string, args: Record<string, unknown> = {}) {
  return runTool((await loadTool(name))!, args, { sources, signal: new AbortController().signal, progress: () => {}, deadlineMs: 20_000 });
}

const sourcesFor = (env: Record<string, string>) => createSources(loadConfig({ QUERYLESS_TIMEOUT_MS: '2000', ...env }));

describe('answers with the wrong things inside', () => {
  it('Prometheus: label values that are no strings are left out, not called string methods on', async () => {
    nock('http://prom.test')
      .get(/\/api\/v1\/label\/__name__\/values/)
      .query(true)
      .reply(200, { status: 'success', data: [42, null, { x: 1 }, 'http_requests_total'] })
      .get('/api/v1/metadata')
      .query(true)
      .reply(200, { status: 'success', data: { http_requests_total: 'counter', up: [7] } })
      .get('/api/v1/series')
      .query(true)
      .reply(200, { status: 'success', data: [{ __name__: 'http_requests_total', service: 7, job: null }, 'junk'] })
      .persist();
    const sources = await sourcesFor({ PROMETHEUS_URL: 'http://prom.test' });
    const res = await call(sources, 'find_metrics');
    expect(res.isError).toBe(false);
    expect(res.text).toMatch(/http_requests_total/);
    expect(await sources.metrics!.labelValues('__name__', { start: 0, end: 1000 })).toEqual(['http_requests_total']);
  });

  it('Prometheus: a series whose labels or points are of the wrong type keeps what can be read', () => {
    const series = decodeResult({ resultType: 'matrix', result: [{ metric: { job: 'api', code: 500, bad: {} }, values: [[1700000000, '1'], true, ['x', '2'], [1700000060, 3]] }, 'junk'] } as never);
    expect(series).toEqual([{ labels: { job: 'api', code: '500' }, points: [[1700000000000, 1], [1700000060000, 3]] }]);
    expect(decodeResult({ resultType: 'vector', result: [{ metric: null, value: 'NaN' }] } as never)).toEqual([]);
  });

  it('Loki: a pattern without text and a matrix with values `true` do not fail the tools', async () => {
    const stats = { summary: {} };
    nock('http://loki.test')
      .get('/loki/api/v1/patterns')
      .query(true)
      .reply(200, { status: 'success', data: [{ level: 'error', samples: [[1, 2]] }, { pattern: 'level=error msg=<_>', level: 'error', samples: [[1, 2], 'x'] }] })
      .get('/loki/api/v1/query_range')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { service_name: 'api' }, values: true }], stats } })
      .persist();
    const sources = await sourcesFor({ LOKI_URL: 'http://loki.test' });
    const patterns = await call(sources, 'log_patterns', { service: 'api' });
    expect(patterns.text).not.toMatch(/failed: |Cannot read|replaceAll/);
    const q = await call(sources, 'native_query', { language: 'logql', query: 'sum by (service_name) (count_over_time({service_name="api"}[5m]))' });
    expect(q.isError).toBe(false);
    expect(q.text).not.toMatch(/not iterable/);
    const lines = parseQueryData({ status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'api', n: 3 }, values: [['1700000000000000000', 'ok'], [null, 'no time'], ['1700000000000000001', { msg: 'object' }]] }] } } as never);
    expect(lines.streams[0]!.labels).toEqual({ service_name: 'api', n: '3' });
    expect(lines.streams[0]!.entries.map((e) => e.line)).toEqual(['ok', '{"msg":"object"}']);
    expect(lines.warnings.join('\n')).toMatch(/1 line\(s\) or sample\(s\) without a readable time/);
  });

  it('Loki: a query answer without its resultType (or without data) is an error naming Loki, not "got a undefined result"', async () => {
    for (const body of [{ status: 'success', data: { result: [] } }, { status: 'success' }]) {
      nock('http://loki.test').get('/loki/api/v1/query_range').query(true).reply(200, body);
      const sources = await sourcesFor({ LOKI_URL: 'http://loki.test' });
      const res = await call(sources, 'search_logs', { contains: ['error'] });
      expect(res.isError).toBe(true);
      expect(res.text).toMatch(/^search_logs: Loki at http:\/\/loki\.test answered \/loki\/api\/v1\/query_range with an object with keys .*, but Queryless expected \{"status":"success","data":\{"resultType"/);
      expect(res.text).not.toMatch(/undefined/);
      nock.cleanAll();
    }
  });

  it('Prometheus: an answer without "data" says the field is missing, not "a undefined"', async () => {
    nock('http://prom.test').get(/\/api\/v1\/label\/__name__\/values/).query(true).reply(200, { status: 'success' });
    const sources = await sourcesFor({ PROMETHEUS_URL: 'http://prom.test' });
    const res = await call(sources, 'find_metrics');
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/answered \/api\/v1\/label\/__name__\/values with nothing there \(the field is missing\), but Queryless expected "data" to be an array/);
    expect(res.text).not.toMatch(/undefined/);
  });

  it('Pyroscope: a merged profile whose indexes point nowhere is an error naming Pyroscope, not a tool failure', async () => {
    const svc = '/querier.v1.QuerierService';
    nock('http://pyro.test')
      .post(`${svc}/Series`)
      .reply(200, { labelsSet: [{ labels: [{ name: '__profile_type__', value: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds' }, { name: 'service_name', value: 'api' }] }] })
      .post(`${svc}/SelectMergeProfile`)
      .reply(200, { sampleType: [{ type: '1', unit: '2' }], sample: [{ locationId: ['NaN'], value: ['9'] }], location: [], function: [], stringTable: ['', 'cpu', 'nanoseconds'] })
      .persist();
    const sources = await sourcesFor({ PYROSCOPE_URL: 'http://pyro.test' });
    const res = await call(sources, 'hot_functions', { service: 'api' });
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/^hot_functions: Pyroscope at http:\/\/pyro\.test answered a profile Queryless cannot read: /);
  });

  it('the guard reaches the clients a source holds', async () => {
    class Client {
      read(): string {
        return (null as unknown as { x: string }).x;
      }
    }
    class Source {
      client = new Client();
      at = new Map([['a', 1]]);
    }
    const s = guardRemoteSource('loki', 'http://loki.test', new Source());
    expect(() => s.client.read()).toThrow(BackendError);
    expect(() => s.client.read()).toThrow(/Loki at http:\/\/loki\.test answered read in a shape Queryless did not expect/);
    expect(s.at.size).toBe(1);
    expect(s.client).toBe(s.client);
  });
});
