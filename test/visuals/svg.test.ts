// The pictures are pure functions: fixed inputs, checked markup. Telemetry text is hostile by
// assumption, so every maker is fed names that would break out of the SVG if not escaped.
import { describe, expect, it } from 'vitest';
import type { Span, StackProfile } from '../../src/sources/types.js';
import { flameGraphSvg, heatmapSvg, timeSeriesSvg, waterfallSvg } from '../../src/visuals/index.js';
import { esc, fit } from '../../src/visuals/svg.js';

const EVIL = '</text><script>alert(1)</script><text x="0">';

function profile(stacks: Array<[string[], number]>, seconds = 10): StackProfile {
  return {
    type: { id: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', sampleType: 'cpu', sampleUnit: 'nanoseconds' },
    service: 'svc',
    range: { start: 0, end: seconds * 1000 },
    durationMs: seconds * 1000,
    stacks: stacks.map(([frames, value]) => ({ frames: frames.map((f) => ({ function: f })), value })),
  };
}

function span(id: string, parent: string | undefined, name: string, start: number, end: number, status: Span['status'] = 'ok', service = 'api'): Span {
  return { traceId: 't'.repeat(32), spanId: id, parentSpanId: parent, service, name, kind: parent ? 1 : 2, startMs: start, endMs: end, durationMs: end - start, status, attributes: {}, resource: {}, events: [] };
}

describe('svg helpers', () => {
  it('escapes markup, quotes and XML-illegal control characters', () => {
    expect(esc(`<a href="x">&'\u0000`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;\ufffd');
  });
  it('cuts labels to the width with an ellipsis, counting CJK as double width', () => {
    expect(fit('abcdefghij', 6 * 6.6 + 0.1)).toBe('abcde…');
    expect(fit('abc', 100)).toBe('abc');
    expect(fit('注文注文注文', 4 * 6.6).length).toBeLessThan(4);
  });
});

describe('flame graph', () => {
  const base = profile([
    [['main', 'serve', 'parse'], 100],
    [['main', 'serve', 'lookup'], 100],
  ]);
  const cur = profile([
    [['main', 'serve', 'parse'], 20],
    [['main', 'serve', 'lookup'], 800],
    [['main', EVIL], 50],
  ]);

  it('draws frames with widths from the window, the hot function outlined, and diff colours', () => {
    const svg = flameGraphSvg(cur, { baseline: base, highlight: 'lookup', width: 1000 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/class="fr hot"/g)).toHaveLength(1);
    // lookup grew 8× per second: saturated red; parse shrank 5×: blue.
    const frame = (name: string) => svg.split('<g class="fr').find((g) => g.includes(`<title>${name} —`))!;
    expect(frame('lookup')).toMatch(/fill="hsl\(4,/);
    expect(frame('parse')).toMatch(/fill="hsl\(212,/);
    // Width follows the window's share: lookup is 800 of 870.
    const w = Number(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/.exec(frame('lookup'))![1]);
    expect(w).toBeGreaterThan(0.9 * (998 * 800) / 870);
    expect(w).toBeLessThan((998 * 800) / 870 + 1);
  });

  it('escapes function names (no markup from telemetry)', () => {
    const svg = flameGraphSvg(cur, { baseline: base, highlight: EVIL });
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;');
  });

  it('without a baseline uses the warm palette and no legend for diffs', () => {
    const svg = flameGraphSvg(cur, { labels: { grew: 'GREW' } });
    expect(svg).not.toContain('GREW');
    expect(svg).not.toMatch(/hsl\(212,/);
  });

  it('leaves out frames narrower than a pixel (a huge profile stays a small picture)', () => {
    const stacks: Array<[string[], number]> = [[['main', 'big'], 1_000_000]];
    for (let i = 0; i < 2000; i++) stacks.push([['main', `tiny${i}`], 1]);
    const svg = flameGraphSvg(profile(stacks), { width: 800 });
    expect(svg).not.toContain('tiny1999');
    expect(svg.length).toBeLessThan(5000);
  });
});

describe('waterfall', () => {
  const spans = [
    span('a'.repeat(16), undefined, 'GET /checkout', 0, 100),
    span('b'.repeat(16), 'a'.repeat(16), 'SELECT carts', 5, 30),
    span('c'.repeat(16), 'a'.repeat(16), EVIL, 35, 95, 'error', 'db'),
    span('d'.repeat(16), 'a'.repeat(16), 'cache get', 36, 40),
  ];
  it('marks the critical path and errors, one row per span', () => {
    const svg = waterfallSvg('t'.repeat(32), spans);
    expect(svg.match(/<g class="span/g)).toHaveLength(4);
    // The root, SELECT (before the slow call) and the erroring call are on the critical path; the
    // parallel cache get (inside the slow call's interval) is not.
    expect(svg.match(/class="span critical/g)).toHaveLength(3);
    expect(svg.match(/class="span critical error"/g)).toHaveLength(1);
    expect(svg).not.toContain('<script');
  });
});

describe('time series and heatmap', () => {
  const range = { start: 0, end: 600_000 };
  it('shades the baseline, marks the change, and breaks lines at gaps', () => {
    const pts: Array<[number, number]> = [[0, 1], [60_000, 2], [120_000, NaN], [180_000, 3], [240_000, 4]];
    const svg = timeSeriesSvg([{ title: EVIL, series: [{ name: EVIL, points: pts }] }], { title: 'RED', range, baseline: { start: 0, end: 300_000 }, change: 300_000 });
    expect(svg).toContain('class="change"');
    expect(svg).toContain('fill-opacity="0.18"');
    const d = /<path class="series" d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('series-dot'); // every run has two points or more
  });

  it('draws a point with a gap on both sides as a dot (one request in a sparse recording)', () => {
    const pts: Array<[number, number]> = [[0, NaN], [60_000, 420], [120_000, NaN], [180_000, 300], [240_000, 310]];
    const svg = timeSeriesSvg([{ title: 'p95', series: [{ name: 'p95', points: pts }] }], { title: 'RED', range });
    expect(svg.match(/class="series-dot"/g)).toHaveLength(1);
  });

  it('counts requests into time × log-duration cells', () => {
    const samples = [
      ...Array.from({ length: 50 }, (_, i) => ({ t: i * 5000, ms: 3 })),
      ...Array.from({ length: 50 }, (_, i) => ({ t: 300_000 + i * 5000, ms: 900 })),
    ];
    const svg = heatmapSvg(samples, { title: 'lat', range, change: 300_000, columns: 10, rows: 10 });
    // 5 columns of fast requests before, 5 of slow after: two bands, ten cells.
    expect(svg.match(/class="cell"/g)).toHaveLength(10);
    expect(svg).toContain('class="change"');
    expect(() => heatmapSvg([], { title: 'empty', range })).not.toThrow();
  });
});
