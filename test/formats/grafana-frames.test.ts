// Grafana data frames saved from the query inspector (`/api/ds/query` answers of Prometheus and Loki,
// "Panel data", "DataFrame JSON"): metrics and logs with their own times and labels.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { detectFormat } from '../../src/sources/bundle/formats/detect.js';

const DIR = path.resolve('test/fixtures/formats/grafana');
const T0 = 1748944200000;

describe('Grafana data frames', () => {
  it('Prometheus and Loki query inspector answers and panel data open as metrics and logs', async () => {
    const b = await openBundle(DIR);
    expect(b.catalog.map((e) => `${e.rel} ${e.format} ${e.signal}`)).toEqual([
      'loki-query-inspector.json grafana-frames logs',
      'panel-data.json grafana-frames metrics',
      'prometheus-query-inspector.json grafana-frames metrics',
      'tempo-trace-inspector.json grafana-frames traces',
    ]);
    expect(b.problems).toEqual([expect.stringMatching(/prometheus-query-inspector\.json: series without __name__ \(an expression's answer\) named after the file: prometheus_query_inspector_B$/)]);
    const m = b.metrics!;
    const errors = await m.instant('http_server_request_duration_seconds_count{service="checkout",http_response_status_code="500"}', T0 + 12 * 15_000);
    expect(errors.map((s) => s.points[0]![1])).toEqual([3 + 3 * 7]);
    // The expression's answer keeps its labels; its null is a gap, not a zero.
    const expr = await m.range('prometheus_query_inspector_B{service="checkout"}', { start: T0 + 11 * 15_000, end: T0 + 13 * 15_000 }, 15_000);
    expect(expr[0]!.points.map(([t, v]) => [(t - T0) / 15_000, v])).toEqual([
      [11, 0.45],
      [12, 0.45],
      [13, 0.45],
    ]);
    const cpu = await m.instant('process_cpu_seconds_total{service="ride"}', T0 + 19 * 15_000);
    expect(cpu[0]!.points[0]![1]).toBeCloseTo(100 + 19 * 0.4 + 10 * 0.5, 6);
    const logs = await b.logs!.queryLogs({ range: b.defaults.window, limit: 100, direction: 'forward' });
    expect(logs.records).toHaveLength(12);
    const first = logs.records[0]!;
    expect(first.service).toBe('checkout');
    expect(first.timeMs).toBe(T0 + 600_000 + 137);
    expect(logs.records.filter((r) => /duplicate key/.test(r.body))).toHaveLength(4);
    expect(first.attributes?.pod ?? first.attributes?.['k8s.pod.name']).toBe('checkout-7d4b9f6c8-9tq2w');
    // A trace view frame (Tempo): one row per span, times in ms, status from statusCode, tags and logs as JSON.
    const trace = (await b.traces!.getTrace('e7e8fd1af5dd7361f5d1450b1b70684d'))!;
    expect(trace.map((sp) => `${sp.service}:${sp.name}:${sp.kind}:${sp.status}`).sort()).toEqual([
      'checkout:INSERT INTO orders:3:error',
      'checkout:POST /api/checkout:2:error',
      'checkout:SELECT FROM carts:3:unset',
      'frontend:POST /api/checkout:2:error',
      'frontend:POST:3:error',
    ]);
    const insert = trace.find((sp) => sp.name === 'INSERT INTO orders')!;
    expect(insert.statusMessage).toBe('pq: duplicate key value violates unique constraint "orders_pkey"');
    expect(insert.durationMs).toBeCloseTo(3.2, 3); // float64 milliseconds since 1970 are exact to about 0.2 µs
    expect(insert.attributes['db.system']).toBe('postgresql');
    expect(insert.events).toEqual([{ name: 'exception', timeMs: expect.any(Number), attributes: { message: 'exception', 'exception.type': '*pq.Error' } }]);
    expect(trace.find((sp) => sp.name === 'POST /api/checkout' && sp.service === 'frontend')!.resource['k8s.pod.name']).toBe('frontend-6f9d7c8b5-h7m4z');
  });

  it('a large answer is recognised from its head; frames of another kind and unreadable values are said', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-frames-'));
    const doc = JSON.parse(readFileSync(path.join(DIR, 'prometheus-query-inspector.json'), 'utf8'));
    const frame = doc.results.A.frames[0];
    const n = 2000;
    frame.data.values = [Array.from({ length: n }, (_, i) => T0 + i * 1000), Array.from({ length: n }, (_, i) => (i === 5 ? 'x' : i))];
    doc.results.C = { status: 200, frames: [{ schema: { refId: 'C', fields: [{ name: 'traceID', type: 'string' }, { name: 'duration', type: 'number' }] }, data: { values: [['a1'], [12]] } }] };
    writeFileSync(path.join(dir, 'big.json'), JSON.stringify(doc));
    expect(detectFormat('big.json', readFileSync(path.join(dir, 'big.json')).subarray(0, 16384))).toEqual({ format: 'grafana-frames', signal: 'metrics' });
    const b = await openBundle(dir);
    const said = b.problems.join('\n');
    expect(said).toMatch(/big\.json: 1 of 3 frame\(s\) are not time series \(traces, tables without a time\); left out/);
    expect(said).toMatch(/big\.json: 1 value\(s\) without a readable time or not numbers; left out/);
    const v = await b.metrics!.instant('http_server_request_duration_seconds_count', T0 + 1999 * 1000);
    expect(v[0]!.points[0]![1]).toBe(1999);
  });
});
