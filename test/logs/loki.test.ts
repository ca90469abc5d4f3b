import { afterEach, describe, expect, it } from 'vitest';
import { lokiPatternMatches } from '../../src/analysis/logs/lokipattern.js';
import nock from 'nock';
import { LokiClient, LokiLogSource, nsToMs, toNs } from '../../src/sources/remote/loki.js';
import type { BackendConfig } from '../../src/config.js';
import type { Sources } from '../../src/sources/types.js';
import { runTool } from '../../tools/run.js';
import { findTool } from '../../tools/index.js';
import { logqlErrors } from './lezer.js';

const LOKI = 'http://loki.test:3100';
const cfg = (): BackendConfig => ({ name: 'loki', url: LOKI, headers: { 'X-Scope-OrgID': 'tenant-a' }, timeoutMs: 2000, maxResponseBytes: 1e7, viaGrafana: false });
const T0 = Date.parse('2025-06-03T10:00:00Z');
const W = { start: T0, end: T0 + 600_000 };
const B = { start: T0 - 600_000, end: T0 };
const stats = { summary: { execTime: 0.01, queueTime: 0.0, totalBytesProcessed: 100, totalLinesProcessed: 3 } };
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

function sources(): Sources {
  return { logs: new LokiLogSource(cfg()), defaults: { window: W, baseline: B }, problems: [], describe: 'test loki', grafana: { url: 'http://grafana.test', datasources: { loki: 'lk' } } };
}
const ctx = () => ({ sources: sources(), signal: new AbortController().signal, progress: () => {}, budgetTokens: 4000 });

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('Loki client (API shapes of reference §2)', () => {
  it('converts times to nanoseconds and back', () => {
    expect(toNs(1748945994043)).toBe('1748945994043000000');
    expect(nsToMs('1569266497240578000')).toBeCloseTo(1569266497240.578, 3);
  });

  it('query_range streams: ns strings, categorize-labels metadata, tenant header, limit+1 truncation', async () => {
    nock(LOKI, { reqheaders: { 'x-scope-orgid': 'tenant-a', 'x-loki-response-encoding-flags': 'categorize-labels' } })
      .get('/loki/api/v1/query_range')
      .query((q) => q.query === '{service_name="api"} |= "boom"' && q.start === ns(W.start) && q.end === ns(W.end) && q.limit === '3' && q.direction === 'backward')
      .reply(200, {
        status: 'success',
        data: {
          resultType: 'streams',
          encodingFlags: ['categorize-labels'],
          result: [
            {
              stream: { service_name: 'api', namespace: 'prod' },
              values: [
                [ns(T0 + 3000), 'level=error msg="boom 3"', { structuredMetadata: { trace_id: 'ABCDEF0123456789abcdef0123456789', detected_level: 'error' } }],
                [ns(T0 + 2000), 'level=error msg="boom 2"', {}],
                [ns(T0 + 1000), 'level=error msg="boom 1"'],
              ],
            },
          ],
          stats,
        },
      });
    const src = new LokiLogSource(cfg());
    const set = await src.queryLogs({ range: W, service: 'api', contains: ['boom'], limit: 2 });
    expect(set.truncated).toBe(true);
    expect(set.records).toHaveLength(2);
    expect(set.records[0]!.timeMs).toBe(T0 + 3000);
    expect(set.records[0]!.traceId).toBe('abcdef0123456789abcdef0123456789');
    expect(set.records[0]!.attributes.detected_level).toBe('error');
    expect(set.records[0]!.resource).toEqual({ service_name: 'api', namespace: 'prod' });
  });

  it('query_range matrix (seconds) and instant vector', async () => {
    nock(LOKI)
      .get('/loki/api/v1/query_range')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { level: 'info' }, values: [[1588889221, '137.95'], [1588889281, '467.115']] }], stats } });
    nock(LOKI)
      .get('/loki/api/v1/query')
      .query((q) => q.time === ns(T0))
      .reply(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { level: 'warn' }, value: [1588889221, '37.77166666666667'] }], stats } });
    const c = new LokiClient(cfg());
    const m = await c.queryRange('sum by (level) (count_over_time({a="b"}[1m]))', W, { stepSec: 60 });
    expect(m.resultType).toBe('matrix');
    expect(m.series[0]!.points).toEqual([[1588889221000, 137.95], [1588889281000, 467.115]]);
    const v = await c.query('sum(rate({a="b"}[1m]))', T0);
    expect(v.series[0]!.points[0]![1]).toBeCloseTo(37.7716, 3);
  });

  it('labels, label values, series, volume (both shapes)', async () => {
    nock(LOKI).get('/loki/api/v1/labels').query(true).reply(200, { status: 'success', data: ['foo', 'bar', 'baz'] });
    nock(LOKI).get('/loki/api/v1/label/service_name/values').query(true).reply(200, { status: 'success', data: ['checkout', 'api'] });
    nock(LOKI)
      .get('/loki/api/v1/series')
      .query((q) => q['match[]'] === '{service_name="api"}')
      .reply(200, { status: 'success', data: [{ service_name: 'api', namespace: 'prod' }] });
    nock(LOKI)
      .get('/loki/api/v1/index/volume')
      .query(true)
      .reply(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'foo', env: 'prod' }, value: [1700000000, '38'] }] } });
    nock(LOKI)
      .get('/loki/api/v1/index/volume')
      .query(true)
      .reply(200, { limit: 100, volumes: [{ name: '{foo="bar"}', volume: 38 }] });
    const c = new LokiClient(cfg());
    expect(await c.labels(W)).toEqual(['foo', 'bar', 'baz']);
    expect(await new LokiLogSource(cfg()).services(W)).toEqual(['api', 'checkout']);
    expect(await c.series(['{service_name="api"}'], W)).toEqual([{ service_name: 'api', namespace: 'prod' }]);
    expect(await c.volume('{job="foo"}', W)).toEqual([{ labels: { job: 'foo', env: 'prod' }, bytes: 38 }]);
    expect(await c.volume('{foo="bar"}', W)).toEqual([{ labels: { foo: 'bar' }, bytes: 38 }]);
  });

  it('patterns, detected_fields, detected_field values, detected_labels (no envelope where Loki has none)', async () => {
    nock(LOKI).get('/loki/api/v1/patterns').query(true).reply(200, { status: 'success', data: [{ pattern: 'foo <*> bar', level: 'info', samples: [[1, 1], [2, 2]] }] });
    nock(LOKI)
      .get('/loki/api/v1/detected_fields')
      .query(true)
      .reply(200, { fields: [{ label: 'level', type: 'string', cardinality: 3, parsers: ['logfmt'] }, { label: 'duration', type: 'duration', cardinality: 152, parsers: null }], limit: 1000 });
    nock(LOKI).get('/loki/api/v1/detected_field/level/values').query(true).reply(200, { values: ['debug', 'info', 'warn', 'error'], limit: 1000 });
    nock(LOKI).get('/loki/api/v1/detected_labels').query(true).reply(200, { detectedLabels: [{ label: 'cluster', cardinality: 1 }, { label: 'service_name' }] });
    const c = new LokiClient(cfg());
    expect(await c.patterns('{a="b"}', W, 60)).toEqual([{ pattern: 'foo <*> bar', level: 'info', samples: [[1, 1], [2, 2]] }]);
    const f = await c.detectedFields('{a="b"}', W);
    expect(f![1]).toMatchObject({ label: 'duration', type: 'duration', parsers: null });
    expect(await c.detectedFieldValues('level', '{a="b"}', W)).toEqual(['debug', 'info', 'warn', 'error']);
    expect(await c.detectedLabels('{a="b"}', W)).toEqual([{ label: 'cluster', cardinality: 1 }, { label: 'service_name', cardinality: 0 }]);
  });

  it('patterns endpoint missing (404) → undefined, so callers fall back to mining', async () => {
    nock(LOKI).get('/loki/api/v1/patterns').query(true).reply(404, '404 page not found\n', { 'Content-Type': 'text/plain' });
    expect(await new LokiClient(cfg()).patterns('{a="b"}', W, 60)).toBeUndefined();
  });
});

describe('log tools over Loki', () => {
  it("log_patterns uses Loki's pattern ingester and ranks the new error first", async () => {
    const step = 50;
    const sec = (ms: number) => Math.floor(ms / 1000);
    nock(LOKI)
      .get('/loki/api/v1/patterns')
      .query((q) => q.start === ns(W.start))
      .reply(200, {
        status: 'success',
        data: [
          { pattern: 'level=info msg="served" path=<_>', level: 'info', samples: [[sec(W.start), 3000], [sec(W.start) + step, 3000]] },
          // Written with `<*>` as in Loki's marshal test fixture: the tool answers with `<_>`, a working filter.
          { pattern: 'level=error msg="pq: duplicate key <*>"', level: 'error', samples: [[sec(W.start) + 300, 12]] },
        ],
      });
    nock(LOKI)
      .get('/loki/api/v1/patterns')
      .query((q) => q.start === ns(B.start))
      .reply(200, { status: 'success', data: [{ pattern: 'level=info msg="served" path=<_>', level: 'info', samples: [[sec(B.start), 6100]] }] });
    nock(LOKI)
      .get('/loki/api/v1/query_range')
      .query((q) => String(q.query).includes('|> '))
      .times(2)
      .reply(200, { status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'api' }, values: [[ns(T0 + 300_000), 'level=error msg="pq: duplicate key 42"']] }], stats } });
    const res = await runTool(findTool('log_patterns')!, { service: 'api' }, ctx());
    expect(res.isError).toBe(false);
    const d = res.structured as { source: string; patterns: Array<{ pattern: string; status: string; level: string; samples: string[]; query: string }> };
    expect(d.source).toBe('loki-patterns');
    expect(d.patterns[0]!.status).toBe('new');
    expect(d.patterns[0]!.level).toBe('error');
    expect(d.patterns[0]!.samples[0]).toContain('duplicate key 42');
    expect(d.patterns[1]!.status).toBe('steady');
    for (const p of d.patterns) expect(logqlErrors(p.query)).toEqual([]);
    expect(d.patterns[0]!.pattern).toBe('level=error msg="pq: duplicate key <_>"');
    expect(lokiPatternMatches('level=error msg="pq: duplicate key 42"', d.patterns[0]!.pattern)).toBe(true);
    // The answer says where the patterns come from.
    expect(res.text).toMatch(/source: Loki's pattern ingester/);
  });

  it('falls back to mining sampled lines when Loki has no patterns', async () => {
    nock(LOKI).get('/loki/api/v1/patterns').query(true).reply(404, 'not found', { 'Content-Type': 'text/plain' });
    const lines = (base: number, n: number, err: boolean) => [
      ...Array.from({ length: n }, (_, i) => [ns(base + i * 1000), `level=info msg="served" path=/a/${i}`]),
      ...(err ? [[ns(base + 500), 'level=error msg="boom id=7"'], [ns(base + 1500), 'level=error msg="boom id=8"']] : []),
    ];
    nock(LOKI).get('/loki/api/v1/query_range').query((q) => q.start === ns(W.start)).reply(200, { status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'api' }, values: lines(W.start, 50, true) }], stats } });
    nock(LOKI).get('/loki/api/v1/query_range').query((q) => q.start === ns(B.start)).reply(200, { status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'api' }, values: lines(B.start, 50, false) }], stats } });
    const res = await runTool(findTool('log_patterns')!, { service: 'api' }, ctx());
    const d = res.structured as { source: string; patterns: Array<{ pattern: string; status: string }>; notes: string[] };
    expect(d.source).toBe('mined');
    expect(d.patterns[0]!.pattern).toContain('boom');
    expect(d.patterns[0]!.status).toBe('new');
    expect(d.notes.join(' ')).toMatch(/mined patterns/);
    expect(res.text).toMatch(/source: mined here/);
    // Mined patterns are filters that keep their lines, exactly as Loki's `|>` would.
    expect(lokiPatternMatches('level=error msg="boom id=7"', d.patterns[0]!.pattern)).toBe(true);
  });

  it('search_logs pushes the whole pipeline down as LogQL and reports truncation', async () => {
    nock(LOKI)
      .get('/loki/api/v1/query_range')
      .query((q) => {
        const expr = String(q.query);
        return expr === '{service_name="api"} |~ "(?i)timeout" | detected_level="error"' && logqlErrors(expr).length === 0 && q.limit === '5001';
      })
      .reply(200, { status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'api' }, values: [[ns(T0 + 1000), 'level=error msg="Timeout talking to db"', { structuredMetadata: { detected_level: 'error' } }]] }], stats } });
    const res = await runTool(findTool('search_logs')!, { service: 'api', contains: ['timeout'], level: ['error'] }, ctx());
    const d = res.structured as { matched: number; lines: Array<{ line: string }>; link?: string };
    expect(d.matched).toBe(1);
    expect(d.link).toMatch(/grafana\.test\/explore/);
  });

  it('levels fall back to local detection when Loki has no detected_level', async () => {
    nock(LOKI)
      .get('/loki/api/v1/query_range')
      .query((q) => String(q.query).includes('detected_level'))
      .reply(200, { status: 'success', data: { resultType: 'streams', result: [], stats } });
    nock(LOKI)
      .get('/loki/api/v1/query_range')
      .query((q) => q.query === '{service_name="api"}')
      .reply(200, { status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'api' }, values: [[ns(T0 + 2000), 'ERROR db down'], [ns(T0 + 1000), 'INFO all good']] }], stats } });
    const res = await runTool(findTool('search_logs')!, { service: 'api', level: ['error'] }, ctx());
    const d = res.structured as { matched: number; lines: Array<{ line: string }>; notes: string[]; query: string };
    expect(d.lines.map((l) => l.line)).toEqual(['ERROR db down']);
    expect(d.query).toBe('{service_name="api"}');
    expect(d.notes.join(' ')).toMatch(/no detected_level/);
  });

  it('Loki errors (text/plain) become clear tool errors naming the backend and status', async () => {
    nock(LOKI)
      .get('/loki/api/v1/query_range')
      .query(true)
      .reply(400, 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER', { 'Content-Type': 'text/plain' });
    const res = await runTool(findTool('query_loki')!, { query: 'nonsense' }, ctx());
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/loki answered HTTP 400: parse error at line 1, col 1/);
    expect(res.text).toMatch(/What to do/);
  });

  it('query_loki returns lines or series with the query and link', async () => {
    nock(LOKI)
      .get('/loki/api/v1/query_range')
      .query((q) => q.query === '{service_name="api"}' && q.limit === '3')
      .reply(200, { status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'api' }, values: [[ns(T0 + 2), 'b'], [ns(T0 + 1), 'a'], [ns(T0), 'z']] }], stats } });
    const res = await runTool(findTool('query_loki')!, { query: '{service_name="api"}', limit: 2 }, ctx());
    const d = res.structured as { result_type: string; lines: Array<{ line: string }>; truncated: boolean; link?: string };
    expect(d.result_type).toBe('streams');
    expect(d.lines.map((l) => l.line)).toEqual(['b', 'a']);
    expect(d.truncated).toBe(true);
    expect(d.link).toBeDefined();
  });
});
