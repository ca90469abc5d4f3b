import { describe, expect, it } from 'vitest';
import { parseOpenMetrics, familyOf } from '../../src/sources/bundle/openmetrics.js';

describe('OpenMetrics parser', () => {
  it('parses families, labels with escapes, special values and ms timestamps', () => {
    const { store, problems } = parseOpenMetrics(
      [
        '# HELP req Requests "served".',
        '# TYPE req counter',
        '# UNIT lat seconds',
        'req_total{path="/a\\"b",msg="x\\ny"} 1 1700000000.123',
        'req_total{path="/a\\"b",msg="x\\ny"} +Inf 1700000015.5 # {trace_id="abc"} 1 1700000015',
        'req_total{msg="x\\ny",path="/a\\"b"} NaN 1700000030',
        'up 1 1700000000',
        '# EOF',
        'ignored 1 1',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(store.series).toHaveLength(2);
    const s = store.byName.get('req_total')![0]!;
    expect(s.labels).toEqual({ __name__: 'req_total', path: '/a"b', msg: 'x\ny' });
    // Same series written with another label order is merged.
    expect(Array.from(s.t)).toEqual([1700000000123, 1700000015500, 1700000030000]);
    expect(s.v[1]).toBe(Infinity);
    expect(Number.isNaN(s.v[2]!)).toBe(true);
    expect(familyOf('req_total', store.families)).toMatchObject({ name: 'req', type: 'counter', help: 'Requests "served".' });
    expect(store.families.get('lat')?.unit).toBe('seconds');
  });

  it('reports malformed lines with their line number and keeps the rest of the file', () => {
    const { store, problems } = parseOpenMetrics(['a 1 10', 'b{x="1" 2 10', 'c one 10', 'd 1 10', '# TYPE e bogus', 'a 2 20'].join('\n'), 'f.om');
    expect(problems).toEqual([
      expect.stringMatching(/^f\.om: line 2: unterminated label set/),
      expect.stringMatching(/^f\.om: line 3: invalid value "one"/),
      expect.stringMatching(/^f\.om: line 5: unknown metric type "bogus"/),
    ]);
    expect([...store.byName.keys()].sort()).toEqual(['a', 'd']);
    expect(store.byName.get('a')![0]!.v.length).toBe(2);
  });

  it('sorts out-of-order samples, keeps the last duplicate, precomputes counter resets', () => {
    const { store, problems } = parseOpenMetrics(['c_total 5 30', 'c_total 1 10', 'c_total 3 20', 'c_total 2 40', 'c_total 9 20', 'c_total 4 50'].join('\n'));
    expect(problems).toEqual([]);
    const s = store.series[0]!;
    expect(Array.from(s.t)).toEqual([10000, 20000, 30000, 40000, 50000]);
    expect(Array.from(s.v)).toEqual([1, 9, 5, 2, 4]);
    expect(Array.from(s.resets)).toEqual([2, 3]);
  });

  it('counts samples without timestamps as a problem instead of guessing a time', () => {
    const { problems, store } = parseOpenMetrics('x 1\nx 2 10\n', 'g.om');
    expect(problems).toEqual(['g.om: 1 sample(s) without a timestamp skipped (bundle metrics need timestamps)']);
    expect(store.sampleCount).toBe(1);
  });
});
