import { afterEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { PrometheusSource, escapeLabelName } from '../../src/sources/remote/prometheus.js';
import { PromQLParseError } from '../../src/query/promql.js';
import { BackendError } from '../../src/http.js';
import type { BackendConfig } from '../../src/config.js';

const cfg = (url: string, extra: Partial<BackendConfig> = {}): BackendConfig => ({ name: 'prometheus', url, headers: {}, timeoutMs: 2000, maxResponseBytes: 1e6, viaGrafana: false, ...extra });

afterEach(() => nock.cleanAll());

describe('Prometheus HTTP client', () => {
  it('instant query: vector result, string values, warnings and infos surfaced', async () => {
    nock('http://prom.test')
      .get('/api/v1/query')
      .query({ query: 'up', time: '1435781451.781' })
      .reply(200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' }, value: [1435781451.781, '1'] }, { metric: { job: 'x' }, value: [1435781451.781, 'NaN'] }] },
        warnings: ['results truncated due to limit'],
        infos: ['PromQL info: metric might not be a counter'],
      });
    const r = await new PrometheusSource(cfg('http://prom.test')).instant('up', 1435781451781);
    expect(r[0]).toEqual({ labels: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' }, points: [[1435781451781, 1]] });
    expect(r[1]!.points[0]![1]).toBeNaN();
    expect(r.warnings).toEqual(['results truncated due to limit', 'PromQL info: metric might not be a counter']);
  });

  it('range query: matrix result, scalar and +Inf values', async () => {
    nock('http://prom.test')
      .get('/api/v1/query_range')
      .query({ query: 'rate(x_total[5m])', start: '1435781430.000', end: '1435781460.000', step: '15' })
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'node' }, values: [[1435781430.781, '0'], [1435781445.781, '+Inf'], [1435781460.781, '1']] }] } });
    const r = await new PrometheusSource(cfg('http://prom.test')).range('rate(x_total[5m])', { start: 1435781430000, end: 1435781460000 }, 15_000);
    expect(r[0]!.points).toEqual([
      [1435781430781, 0],
      [1435781445781, Infinity],
      [1435781460781, 1],
    ]);
  });

  it('long queries go in a POST form body', async () => {
    const long = `sum(rate(x_total{path=~"${'a|'.repeat(900)}b"}[5m]))`;
    nock('http://prom.test')
      .post('/api/v1/query', (body: Record<string, string>) => body.query === long && body.time === '10.000')
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200, { status: 'success', data: { resultType: 'scalar', result: [10, '2'] } });
    const r = await new PrometheusSource(cfg('http://prom.test')).instant(long, 10_000);
    expect(r).toEqual([{ labels: {}, points: [[10_000, 2]] }]);
  });

  it('invalid PromQL fails before any request', async () => {
    const scope = nock('http://prom.test').get(/.*/).reply(500);
    await expect(new PrometheusSource(cfg('http://prom.test')).instant('sum(rate(x[5m])', 0)).rejects.toBeInstanceOf(PromQLParseError);
    expect(scope.isDone()).toBe(false);
  });

  it('bad_data errors become BackendError with the server message', async () => {
    nock('http://prom.test')
      .get('/api/v1/query')
      .query(true)
      .reply(400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected' });
    const err = await new PrometheusSource(cfg('http://prom.test')).instant('up', 0).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toMatch(/prometheus answered HTTP 400: invalid parameter "query"/);
  });

  it('timeouts are reported as BackendError naming the limit', async () => {
    nock('http://prom.test').get('/api/v1/query').query(true).delay(500).reply(200, {}).persist();
    const err = await new PrometheusSource(cfg('http://prom.test', { timeoutMs: 100 })).instant('up', 0).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toMatch(/did not answer within 100 ms/);
  });

  it('Mimir: tenant header, and the /prometheus prefix found after a 404', async () => {
    nock('http://mimir.test').get('/api/v1/labels').query(true).reply(404, '404 page not found');
    nock('http://mimir.test', { reqheaders: { 'X-Scope-OrgID': 'team-a' } })
      .get('/prometheus/api/v1/labels')
      .query(true)
      .reply(200, { status: 'success', data: ['__name__', 'job'] });
    nock('http://mimir.test', { reqheaders: { 'X-Scope-OrgID': 'team-a' } })
      .get('/prometheus/api/v1/label/U__http_2e_status__code/values')
      .query(true)
      .reply(200, { status: 'success', data: ['200', '500'] });
    const s = new PrometheusSource(cfg('http://mimir.test', { headers: { 'X-Scope-OrgID': 'team-a' } }));
    expect(await s.labelNames({ start: 0, end: 60_000 })).toEqual(['__name__', 'job']);
    expect(await s.labelValues('http.status_code', { start: 0, end: 60_000 })).toEqual(['200', '500']);
    expect(escapeLabelName('service')).toBe('service');
    // model.EscapeName (ValueEncodingEscaping): '_' doubles, other invalid runes become _<hex>_.
    expect(escapeLabelName('http.status_code')).toBe('U__http_2e_status__code');
  });

  it('through the Grafana proxy: metadata, series, buildinfo', async () => {
    const base = 'http://grafana.test/api/datasources/proxy/uid/prom1';
    nock('http://grafana.test')
      .get('/api/datasources/proxy/uid/prom1/api/v1/metadata')
      .reply(200, { status: 'success', data: { http_requests_total: [{ type: 'counter', help: 'Number of HTTP requests', unit: '' }] } })
      .get('/api/datasources/proxy/uid/prom1/api/v1/series')
      .query((q) => q['match[]'] === '{service="checkout"}')
      .reply(200, { status: 'success', data: [{ __name__: 'up', service: 'checkout' }] })
      .get('/api/datasources/proxy/uid/prom1/api/v1/status/buildinfo')
      .reply(200, { status: 'success', data: { version: '2.13.1', revision: 'cb7cbad', branch: 'master', buildUser: 'x', buildDate: '20191102', goVersion: 'go1.13.1' } });
    const s = new PrometheusSource(cfg(base, { viaGrafana: true }));
    expect(await s.metadata()).toEqual([{ name: 'http_requests_total', type: 'counter', help: 'Number of HTTP requests', unit: undefined }]);
    expect(await s.series('{service="checkout"}', { start: 0, end: 1000 })).toEqual([{ __name__: 'up', service: 'checkout' }]);
    expect(await s.buildInfo()).toMatchObject({ version: '2.13.1' });
  });
});

describe('native_query (promql) against a live Prometheus (nock)', () => {
  it('summarises big results: series count, top-k by value, label cardinalities, warnings', async () => {
    const { runTool } = await import('../../tools/run.js');
    const { findTool } = await import('../../tools/index.js');
    const result = Array.from({ length: 300 }, (_, i) => ({ metric: { __name__: 'up', instance: `host-${i}:9100`, job: i % 2 ? 'node' : 'api' }, value: [1700000000, String(i)] }));
    nock('http://prom.test')
      .get('/api/v1/query')
      .query((q) => q.query === 'up' && q.time === '1700000000.000')
      .reply(200, { status: 'success', data: { resultType: 'vector', result }, warnings: ['PromQL warning: something'] });
    const sources = { metrics: new PrometheusSource(cfg('http://prom.test')), defaults: { window: { start: 1699996400000, end: 1700000000000 } }, problems: [], describe: 'live backends' };
    const r = await runTool(findTool('native_query')!, { language: 'promql', query: 'up', instant: true, limit: 5 }, { sources, signal: new AbortController().signal, progress: () => {}, budgetTokens: 2000 });
    expect(r.isError).toBe(false);
    // `limit` reaches the PromQL engine as its `top`: 5 series listed in the text, of 300.
    expect(r.text).toMatch(/top 5 by last value shown/);
    expect((r.structured as { language: string }).language).toBe('promql');
    const d = r.structured as { series_count: number; series: Array<{ labels: Record<string, string>; last: number }>; label_cardinality: Record<string, number>; warnings: string[] };
    expect(d.series_count).toBe(300);
    expect(d.series[0]!.last).toBe(299);
    expect(d.label_cardinality).toEqual({ __name__: 1, instance: 300, job: 2 });
    expect(d.warnings).toEqual(['PromQL warning: something']);
    expect(r.text).toMatch(/^Backend warnings: PromQL warning: something\n300 series \(instant\)/);
    expect(r.text).toMatch(/instance=300, job=2/);
  });
});
