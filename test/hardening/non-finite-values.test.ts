// Series whose values are all NaN or ±Inf (Prometheus answers NaN for 0/0, +Inf for x/0; the remote fuzz
// campaign sent them): explore_metric printed "avg NaN, min Infinity, max -Infinity", breakdown_metric
// "rate: NaN (absent in the baseline)" and native_query a row of NaN. Each now says there is no finite value.
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSources } from '../../src/sources/index.js';
import { rankGroups } from '../../src/analysis/metrics/summarize.js';
import { loadTool } from '../../tools/lazy.js';
import { runTool } from '../../tools/run.js';

afterEach(() => nock.cleanAll());

const NAN_VALUES = (start: number, end: number, step: number) => {
  const out: Array<[number, string]> = [];
  for (let t = start; t <= end; t += step) out.push([t, out.length % 2 ? '+Inf' : 'NaN']);
  return out;
};

describe('series without a finite value', () => {
  it('the tools say so instead of printing NaN and Infinity', async () => {
    nock('http://prom.test')
      .get('/api/v1/metadata')
      .query(true)
      .reply(200, { status: 'success', data: { http_requests_total: [{ type: 'counter', help: 'Requests.', unit: '' }] } })
      .get(/\/api\/v1\/label\/__name__\/values/)
      .query(true)
      .reply(200, { status: 'success', data: ['http_requests_total'] })
      .get('/api/v1/series')
      .query(true)
      .reply(200, { status: 'success', data: [{ __name__: 'http_requests_total', service: 'checkout' }, { __name__: 'http_requests_total', service: 'payment' }] })
      .get('/api/v1/query_range')
      .query(true)
      .reply(200, (uri) => {
        const q = new URL(uri, 'http://prom.test').searchParams;
        const values = NAN_VALUES(Math.ceil(Number(q.get('start'))), Number(q.get('end')), Number(q.get('step')));
        return { status: 'success', data: { resultType: 'matrix', result: ['checkout', 'payment'].map((service) => ({ metric: { service }, values })) } };
      })
      .persist();
    const sources = await createSources(loadConfig({ PROMETHEUS_URL: 'http://prom.test' }));
    const ctx = { sources, signal: new AbortController().signal, progress: () => {}, deadlineMs: 20_000 };
    for (const [name, args] of [
      ['explore_metric', { metric: 'http_requests_total' }],
      ['breakdown_metric', { metric: 'http_requests_total' }],
      ['native_query', { language: 'promql', query: 'sum by (service) (rate(http_requests_total[5m]))' }],
    ] as const) {
      const res = await runTool((await loadTool(name))!, args, ctx);
      expect(res.isError, `${name}: ${res.text}`).toBe(false);
      expect(res.text, name).not.toMatch(/NaN|Infinity/);
      expect(res.text, name).toMatch(/no finite value/);
    }
  });

  it('breakdown ranking: a group with nothing finite in the window names its baseline, not NaN%', () => {
    const window = { start: 1000, end: 2000 };
    const baseline = { start: 0, end: 1000 };
    const groups = rankGroups([{ labels: { service: 'a' }, points: [[500, 2], [1500, NaN]] }], window, baseline, String);
    expect(groups[0]!.explain).toBe('no finite value in the window (only not-a-number or infinite samples, or none); 2 in the baseline');
  });
});
