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

  it('reads the same series whether the buckets of a histogram come per scrape (interleaved) or per series', () => {
    // Per scrape: the layout of a real exposition with timestamps (buckets, sum and count of one point together),
    // with look-alike names and label sets (prefixes of each other) that must not be taken for the line before.
    const perScrape: string[] = [];
    for (let t = 0; t < 4; t++) {
      for (const le of ['0.1', '1', '+Inf']) perScrape.push(`h_bucket{a="x",le="${le}"} ${t * 10 + le.length} ${1700000000 + t * 15}`);
      perScrape.push(`h_bucket{a="x",le="0.1",b="y"} ${t} ${1700000000 + t * 15}`);
      perScrape.push(`h_sum{a="x"} ${t / 4} ${1700000000 + t * 15}`, `h_sum ${t} ${1700000000 + t * 15}`);
      perScrape.push(`h_sum_more ${t} ${1700000000 + t * 15}`);
      // The same series with its labels in another order.
      perScrape.push(t % 2 ? `h_count{a="x",z="1"} ${t} ${1700000000 + t * 15}` : `h_count{z="1",a="x"} ${t} ${1700000000 + t * 15}`);
    }
    const seriesOf = (line: string) => line.slice(0, line.lastIndexOf(' ', line.lastIndexOf(' ') - 1));
    const perSeries = [...perScrape].sort((x, y) => (seriesOf(x) < seriesOf(y) ? -1 : seriesOf(x) > seriesOf(y) ? 1 : 0));
    const dump = (text: string) =>
      parseOpenMetrics(text)
        .store.series.map((s) => `${s.key} ${Array.from(s.t).join(',')} ${Array.from(s.v).join(',')}`)
        .sort();
    const a = dump(perScrape.join('\n'));
    expect(a).toEqual(dump(perSeries.join('\n')));
    expect(a).toHaveLength(8);
    expect(a.find((k) => k.includes('le\xff0.1') && !k.includes('b\xff'))).toMatch(/ 1700000000000,1700000015000,1700000030000,1700000045000 3,13,23,33$/);
    expect(a.find((k) => k.startsWith('__name__\xffh_count'))).toMatch(/ 0,1,2,3$/);
  });

  it('gives the same series for any order of the same lines (the look-ahead on the previous series never misreads a line)', () => {
    const names = ['m', 'm_total', 'm_bucket', 'mm'];
    const labelSets = ['', '{a="1"}', '{a="1",b="2"}', '{b="2",a="1"}', '{a="1 }"}', '{a="x\\"y"}'];
    const lines: string[] = [];
    for (const n of names) for (const l of labelSets) for (let t = 0; t < 3; t++) lines.push(`${n}${l} ${n.length * 10 + t} ${1700000000 + t}`);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const dump = (ls: string[]) => {
      const { store, problems } = parseOpenMetrics(ls.join('\n'));
      expect(problems).toEqual([]);
      return store.series.map((s) => `${s.key} ${Array.from(s.t).join(',')} ${Array.from(s.v).join(',')}`).sort();
    };
    const reference = dump(lines);
    // {b,a} is {a,b} in another order: 5 label sets per name.
    expect(reference).toHaveLength(names.length * 5);
    for (let round = 0; round < 20; round++) {
      const shuffled = [...lines];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      // Runs of the same line order (as a file per scrape would repeat) exercise the look-ahead.
      expect(dump([...shuffled.slice(0, 30), ...shuffled])).toEqual(dump([...lines.filter((l) => shuffled.slice(0, 30).includes(l)), ...lines]));
      expect(dump(shuffled)).toEqual(reference);
    }
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
