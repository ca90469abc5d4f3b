// Tempo's TraceQL metrics (/api/metrics/query_range) under damaged answers: samples without a readable
// time are counted, and an investigate picture whose metrics query failed says it was drawn from
// sampled traces (a Tempo without the endpoint, 404, stays the quiet fallback it is).
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSources } from '../../src/sources/index.js';
import { collectLeftOut } from '../../src/sources/remote/answer-notes.js';
import { SpanCache } from '../../src/agent/pictures.js';

afterEach(() => nock.cleanAll());

const T = 1_700_000_000;
const range = { start: T * 1000, end: (T + 600) * 1000 };
const sourcesFor = () => createSources(loadConfig({ TEMPO_URL: 'http://tempo.test', QUERYLESS_TIMEOUT_MS: '2000' }));

describe('TraceQL metrics under damage', () => {
  it('samples without a readable time are left out and counted', async () => {
    nock('http://tempo.test')
      .get('/api/metrics/query_range')
      .query(true)
      .reply(200, { series: [{ labels: [{ key: 'resource.service.name', value: { stringValue: 'api' } }], samples: [{ timestampMs: String(T * 1000), value: 2 }, { timestampMs: 'soon', value: 3 }, { value: 1 }] }] });
    const sources = await sourcesFor();
    const { result, leftOut } = await collectLeftOut(() => sources.traces!.metricsRange!('{ } | rate()', range, 60));
    expect(result[0]!.points).toEqual([[T * 1000, 2]]);
    expect(leftOut).toEqual(['Tempo: 2 × metrics sample without a readable time, left out (the answer is partial)']);
  });

  it('a sample whose time lies far outside the range asked for (42 ms: 1970) is counted, not drawn', async () => {
    nock('http://tempo.test')
      .get('/api/metrics/query_range')
      .query(true)
      .reply(200, { series: [{ labels: [], samples: [{ timestampMs: String(T * 1000), value: 2 }, { timestampMs: 42, value: 3 }] }] });
    const sources = await sourcesFor();
    const { result, leftOut } = await collectLeftOut(() => sources.traces!.metricsRange!('{ } | rate()', range, 60));
    expect(result[0]!.points).toEqual([[T * 1000, 2]]);
    expect(leftOut).toEqual(['Tempo: 1 × metrics sample whose time lies outside the range asked for, left out (the answer is partial)']);
  });

  it('a series whose label list is no list is counted (it would show as a service without a name)', async () => {
    nock('http://tempo.test')
      .get('/api/metrics/query_range')
      .query(true)
      .reply(200, { series: [{ labels: {}, samples: [{ timestampMs: String(T * 1000), value: 2 }] }] });
    const sources = await sourcesFor();
    const { leftOut } = await collectLeftOut(() => sources.traces!.metricsRange!('{ } | rate() by (resource.service.name)', range, 60));
    expect(leftOut).toEqual(['Tempo: 1 × metrics series label list that is no list, left out (the answer is partial)']);
  });

  it('a picture whose TraceQL metrics failed says it was drawn from sampled traces', async () => {
    nock('http://tempo.test')
      .get('/api/metrics/query_range')
      .query(true)
      .times(9)
      .reply(200, '{"series":[{"labels":', { 'content-type': 'application/json' })
      .get('/api/search')
      .query(true)
      .times(20)
      .reply(200, { traces: [] });
    const sources = await sourcesFor();
    const { leftOut } = await collectLeftOut(() => new SpanCache(sources, range).red('api'));
    expect(leftOut.join('\n')).toMatch(/Tempo TraceQL metrics for the red picture failed \(Tempo at http:\/\/tempo\.test answered \/api\/metrics\/query_range with something that is not JSON.*\): drawn from sampled traces instead/);
  });

  it('a Tempo without TraceQL metrics (404) falls back quietly', async () => {
    nock('http://tempo.test').get('/api/metrics/query_range').query(true).times(9).reply(404, '404 page not found').get('/api/search').query(true).times(20).reply(200, { traces: [] });
    const sources = await sourcesFor();
    const { leftOut } = await collectLeftOut(() => new SpanCache(sources, range).red('api'));
    expect(leftOut).toEqual([]);
  });
});
