import { describe, expect, it } from 'vitest';
import { parser } from '@prometheus-io/lezer-promql';
import { agg, binary, eq, histogramQuantile, parsePromQL, PromQLParseError, rate, re, render, selector, formatDuration, num } from '../../src/query/promql.js';
import { defaultQueries, breakdownQueries } from '../../src/analysis/metrics/defaults.js';
import type { MetricFamily } from '../../src/analysis/metrics/catalog.js';

function lezerValid(q: string): boolean {
  let ok = true;
  parser.parse(q).iterate({ enter: (n) => void (n.type.isError && (ok = false)) });
  return ok;
}

describe('typed PromQL builder', () => {
  it('renders selectors with escaped values and durations', () => {
    const s = selector('http_requests_total', [eq('path', 'a"b\\c'), re('code', '5..')]);
    expect(render(rate(s, 90_000))).toBe('rate(http_requests_total{path="a\\"b\\\\c", code=~"5.."}[1m30s])');
    expect(formatDuration(3_600_000 + 5000)).toBe('1h5s');
    expect(() => selector('bad-name')).toThrow(/invalid metric name/);
    expect(() => selector(undefined, [eq('a', '')])).toThrow(/non-empty|needs a metric name/);
  });

  it('adds parentheses only where precedence needs them', () => {
    const a = selector('a');
    const b = selector('b');
    const c = selector('c');
    expect(render(binary('-', a, binary('-', b, c)))).toBe('a - (b - c)');
    expect(render(binary('*', binary('+', a, b), c))).toBe('(a + b) * c');
    expect(render(binary('/', a, b, { matching: { on: true, labels: ['x'] } }))).toBe('a / on (x) b');
    expect(render(binary('>', a, num(2), { bool: true }))).toBe('a > bool 2');
  });

  it('every default query is valid PromQL and round-trips through the parser', () => {
    const fams: MetricFamily[] = [
      { name: 'x_total', kind: 'counter', typeSource: 'convention', sampleNames: ['x_total'] },
      { name: 'g', kind: 'gauge', typeSource: 'metadata', sampleNames: ['g'] },
      { name: 'h_seconds', kind: 'histogram', typeSource: 'metadata', sampleNames: ['h_seconds_bucket', 'h_seconds_sum', 'h_seconds_count'] },
      { name: 'nh', kind: 'native-histogram', typeSource: 'metadata', sampleNames: ['nh'] },
      { name: 's', kind: 'summary', typeSource: 'metadata', sampleNames: ['s', 's_sum', 's_count'] },
      { name: 'build_info', kind: 'info', typeSource: 'convention', sampleNames: ['build_info'] },
      { name: 'up', kind: 'up', typeSource: 'convention', sampleNames: ['up'] },
    ];
    for (const f of fams) {
      const qs = [...defaultQueries(f, { matchers: [eq('service', 'checkout')], windowMs: 900_000 }), ...breakdownQueries(f, 'route')];
      expect(qs.length).toBeGreaterThan(0);
      for (const q of qs) {
        expect(lezerValid(q.promql), q.promql).toBe(true);
        expect(render(parsePromQL(q.promql))).toBe(q.promql);
      }
    }
    const h = defaultQueries(fams[2]!, {}).find((q) => q.id === 'p99')!;
    expect(h.promql).toBe('histogram_quantile(0.99, sum by (le) (rate(h_seconds_bucket[5m])))');
    expect(render(histogramQuantile(0.5, agg('sum', rate(selector('h_bucket'), 60_000), { by: ['le', 'route'] })))).toBe('histogram_quantile(0.5, sum by (le, route) (rate(h_bucket[1m])))');
  });

  it('parses PromQL into the typed AST and rejects invalid PromQL with the column', () => {
    const e = parsePromQL('sum by (le) (rate(x_bucket{a="b"}[5m] offset 1m)) > bool 0.5');
    expect(e.type).toBe('binary');
    expect(render(e)).toBe('sum by (le) (rate(x_bucket{a="b"}[5m] offset 1m)) > bool 0.5');
    expect(parsePromQL('{__name__="up", job="x"}')).toMatchObject({ type: 'selector', name: 'up', matchers: [{ label: 'job', op: '=', value: 'x' }] });
    for (const bad of ['sum(rate(x[5m])', 'foo{a="b"', 'rate(x[5q])', '{}', '']) {
      expect(() => parsePromQL(bad), bad).toThrow(PromQLParseError);
    }
    try {
      parsePromQL('sum(rate(x[5m])) +');
    } catch (err) {
      expect((err as Error).message).toMatch(/invalid PromQL at column \d+/);
    }
  });
});
