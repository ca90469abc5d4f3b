// The metrics loader asks the builder for its sample count before and after every file (to name a file
// that added none). The count walked every series each time: a bundle of many metric files paid
// files × series. It is now kept as points are stored, and stays equal to what the store holds.
import { describe, expect, it } from 'vitest';
import { MetricStoreBuilder } from '../../src/sources/bundle/openmetrics.js';

describe('MetricStoreBuilder.samples', () => {
  it('counts what was stored, across text files and saved answers, without walking the series', () => {
    const b = new MetricStoreBuilder();
    const walks = { n: 0 };
    const byKey = (b as unknown as { byKey: Map<string, unknown> }).byKey;
    const values = byKey.values.bind(byKey);
    byKey.values = () => {
      walks.n++;
      return values();
    };
    expect(b.samples).toBe(0);
    b.add('a.prom', '# TYPE up gauge\nup{job="a"} 1 1700000000\nup{job="a"} 1 1700000015\nup{job="b"} 0 1700000000\nbroken line\n');
    expect(b.samples).toBe(3);
    b.addSeries({ __name__: 'rps', job: 'a' }, [[1_700_000_000_000, 2], [1e20, 3], [1_700_000_015_000, 4]]);
    expect(b.samples).toBe(5);
    // Without a timestamp and no scrape time: nothing stored, nothing counted.
    b.add('b.prom', 'up{job="c"} 1\n');
    expect(b.samples).toBe(5);
    expect(walks.n).toBe(0);
    expect(b.finish().sampleCount).toBe(5);
  });
});
