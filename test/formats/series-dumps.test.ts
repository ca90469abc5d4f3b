// Raw series dumped from a TSDB: `promtool tsdb dump` (a real dump, Prometheus 2.42) and VictoriaMetrics'
// JSON export, opened as bundle metrics and queried with PromQL; damaged lines are counted and said.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { detectFormat } from '../../src/sources/bundle/formats/detect.js';
import { parseLabelSet } from '../../src/sources/bundle/openmetrics.js';

const DIR = path.resolve('test/fixtures/formats/series-dumps');

describe('series dumps', () => {
  it('a promtool tsdb dump and a VictoriaMetrics export open as metrics with their own times', async () => {
    const b = await openBundle(DIR);
    expect(b.problems).toEqual([]);
    expect(b.catalog.map((e) => `${e.rel} ${e.format}`)).toEqual(['prometheus-tsdb-dump.txt tsdb-dump', 'vm-export.jsonl vm-export']);
    const m = b.metrics!;
    const q = 'http_server_request_duration_seconds_count{instance="frontend-6f9d7c8b5-2xkqp",http_route="/api/rides/{id}/driver",http_response_status_code="200"}';
    const at = await m.instant(q, 1748944811111);
    expect(at.map((s) => s.points[0]![1])).toEqual([159]);
    const first = JSON.parse(readFileSync(path.join(DIR, 'vm-export.jsonl'), 'utf8').split('\n')[0]!) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
    const cpu = await m.instant(`process_cpu_seconds_total{instance="${first.metric.instance}"}`, first.timestamps[3]!);
    expect(cpu.map((s) => s.points[0]![1])).toEqual([first.values[3]]);
    const rate = await m.range(`rate(process_cpu_seconds_total{instance="${first.metric.instance}"}[1m])`, { start: first.timestamps[10]!, end: first.timestamps[20]! }, 15_000);
    expect(rate[0]!.points.every(([, v]) => v > 0 && v < 1)).toBe(true);
  });

  it('damaged lines are counted, named and left out', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-dumps-'));
    const good = readFileSync(path.join(DIR, 'prometheus-tsdb-dump.txt'), 'utf8').split('\n').slice(0, 60);
    writeFileSync(path.join(dir, 'dump.txt'), [...good, '{__name__="x", a="unclosed} 1 1748944811111', '{__name__="x"} not-a-number 1748944811111', ''].join('\n'));
    writeFileSync(path.join(dir, 'vm.jsonl'), '{"metric":{"__name__":"up","job":"api"},"values":[1,"x",1],"timestamps":[1748944800000,1748944815000]}\n{"metric":{"job":"api"},"values":[1],"timestamps":[1748944800000]}\n{"metric":{"__name__":"http.server.requests","job":"api"},"values":[7],"timestamps":[1748944800000]}\n');
    const b = await openBundle(dir);
    const said = b.problems.join('\n');
    expect(said).toMatch(/dump\.txt: 2 line\(s\) are not "\{__name__=…, …\} value timestamp-ms" samples \(first: unterminated value for label a\); left out/);
    expect(said).toMatch(/vm\.jsonl: 1 series without __name__; left out/);
    expect(said).toMatch(/vm\.jsonl: 2 value\(s\) without a matching timestamp, or not numbers; left out/);
    expect((await b.metrics!.instant('up', 1748944800000)).map((s) => s.points[0]![1])).toEqual([1]);
    expect(said).toMatch(/vm\.jsonl: 1 series named with characters PromQL cannot select; '_' stands for each/);
    expect((await b.metrics!.instant('http_server_requests', 1748944800000)).map((s) => s.points[0]![1])).toEqual([7]);
  });

  it('label sets with escapes; a dump is not taken for JSON or logs', () => {
    expect(parseLabelSet('{__name__="a", path="C:\\\\x", msg="say \\"hi\\"\\n"}')).toEqual({ __name__: 'a', path: 'C:\\x', msg: 'say "hi"\n' });
    expect(detectFormat('x.txt', Buffer.from('{__name__="up", job="api"} 1 1748944800000\n{__name__="up", job="web"} 0 1748944800000\n')).format).toBe('tsdb-dump');
    expect(detectFormat('x.log', Buffer.from('{"level":"info","msg":"started"}\n')).format).toBe('json-log');
  });
});
