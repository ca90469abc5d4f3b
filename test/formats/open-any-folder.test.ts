// `--bundle DIR` opens any folder: incident.yaml optional or partial, files recognised by content
// wherever they are, and `queryless inspect DIR` says what each file is.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import { inspectBundle } from '../../src/sources/bundle/inspect.js';
import { runTool } from '../../tools/run.js';
import { listServices } from '../../tools/list_services.js';
import type { ToolDef } from '../../tools/types.js';

const FIX = path.resolve('test/fixtures/formats');
const ZIPKIN_WINDOW = { start: Date.UTC(2025, 5, 4, 10, 5, 0), end: Date.UTC(2025, 5, 4, 10, 5, 1) };

function folderWith(incidentYaml?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-any-'));
  cpSync(path.join(FIX, 'zipkin'), dir, { recursive: true });
  if (incidentYaml !== undefined) writeFileSync(path.join(dir, 'incident.yaml'), incidentYaml);
  return dir;
}

/** Every fixture format in one flat folder, and the JSON-valued twin in signal folders. */
function mixedFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-mixed-'));
  for (const f of ['jaeger', 'tempo', 'otlp-proto', 'logcli', 'text-logs', 'prometheus-json', 'folded']) cpSync(path.join(FIX, f), dir, { recursive: true });
  mkdirSync(path.join(dir, 'exports'));
  cpSync(path.join(FIX, 'zipkin/trace.json'), path.join(dir, 'exports/zipkin.json'));
  cpSync(path.join(FIX, 'otlp-snake/logs.json'), path.join(dir, 'exports/otel-logs.json'));
  return dir;
}

const ctx = (sources: Awaited<ReturnType<typeof openBundle>>) => ({ sources, signal: new AbortController().signal, progress: () => {} });

describe('incident.yaml is optional', () => {
  it('no incident.yaml: id from the folder, window from the data', async () => {
    const dir = folderWith();
    const b = await openBundle(dir);
    expect(b.incident.id).toBe(path.basename(dir));
    expect(b.defaults.window).toEqual(ZIPKIN_WINDOW);
    expect(b.incident.questions).toEqual([]);
  });

  it('only id:, an empty window:, unknown keys: accepted', async () => {
    for (const yaml of ['id: cart-timeouts\n', 'id: cart-timeouts\nwindow:\nowner: sre-team\nnotes: {ticket: INC-42}\n', '']) {
      const b = await openBundle(folderWith(yaml));
      expect(b.defaults.window).toEqual(ZIPKIN_WINDOW);
      if (yaml) expect(b.incident.id).toBe('cart-timeouts');
    }
    const b = await openBundle(folderWith('id: cart-timeouts\nowner: sre-team\n'));
    expect((b.incident as Record<string, unknown>).owner).toBe('sre-team');
  });

  it('a window with one end takes the other from the data; a full window is kept as given', async () => {
    const half = await openBundle(folderWith('window: {start: "2025-06-04T09:50:00Z"}\n'));
    expect(half.defaults.window).toEqual({ start: Date.UTC(2025, 5, 4, 9, 50), end: ZIPKIN_WINDOW.end });
    const full = await openBundle(folderWith('window: {start: "2025-06-04T09:00:00Z", end: "2025-06-04T11:00:00Z"}\n'));
    expect(full.defaults.window).toEqual({ start: Date.UTC(2025, 5, 4, 9), end: Date.UTC(2025, 5, 4, 11) });
  });

  it('a wrong value is still an error naming the key', async () => {
    await expect(openBundle(folderWith('window: {start: "2025-06-04T09:00:00Z", end: "soon"}\n'))).rejects.toThrow(/incident\.yaml: invalid incident metadata: window\.end: not a time/);
  });

  it('an empty folder says what it needs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-empty-'));
    await expect(openBundle(dir)).rejects.toThrow(/no window: no telemetry file was found \(run `queryless inspect/);
  });
});

describe('files recognised by content', () => {
  it('one flat folder with every format: each file goes to its signal', async () => {
    const b = await openBundle(mixedFolder());
    expect(b.problems.filter((p) => !/no time in the profile|series without __name__/.test(p))).toEqual([]);
    const byFile = Object.fromEntries(b.catalog.map((e) => [e.rel, `${e.signal}:${e.format}`]));
    expect(byFile).toEqual({
      'cart.collapsed': 'profiles:folded',
      'checkout-trace.json': 'traces:jaeger-json',
      'checkout.log': 'logs:text-log',
      'checkout.perf.folded': 'profiles:folded',
      'exports/otel-logs.json': 'logs:otlp-json',
      'exports/zipkin.json': 'traces:zipkin-json',
      'grafana-trace-download.json': 'traces:tempo-json',
      'http_errors_query_range.json': 'metrics:prometheus-json',
      'logs.binpb': 'logs:otlp-proto',
      'loki-export.jsonl': 'logs:logcli-jsonl',
      'nginx-2025-06-04.log': 'logs:text-log',
      'recommender.py-spy.txt': 'profiles:folded',
      'traces.binpb': 'traces:otlp-proto',
      'up_query.json': 'metrics:prometheus-json',
    });
    const r = await runTool(listServices as unknown as ToolDef, {}, ctx(b));
    expect(r.isError).toBe(false);
    const names = (r.structured!.services as Array<{ service: string }>).map((s) => s.service).sort();
    expect(names).toEqual(expect.arrayContaining(['cart', 'checkout', 'frontend', 'gateway', 'inventory', 'nginx', 'orders', 'payment', 'ride']));
  });

  it('a protobuf file that no name or folder describes is decided by decoding it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-proto-'));
    cpSync(path.join(FIX, 'otlp-proto/traces.binpb'), path.join(dir, 'export.bin'));
    cpSync(path.join(FIX, 'otlp-proto/logs.binpb'), path.join(dir, 'dump.dat'));
    writeFileSync(path.join(dir, 'garbage.dat'), Buffer.from([0x0a, 0x05, 1, 2, 3, 4, 5, 0x12, 0x01, 0x00]));
    const b = await openBundle(dir);
    expect(Object.fromEntries(b.catalog.map((e) => [e.rel, `${e.signal}:${e.format}`]))).toEqual({ 'dump.dat': 'logs:otlp-proto', 'export.bin': 'traces:otlp-proto', 'garbage.dat': 'undefined:unknown' });
    expect(b.problems.join('\n')).toMatch(/garbage\.dat: a protobuf message that is neither an OTLP TracesData\/LogsData\/MetricsData with spans, records or metrics nor a pprof profile; skipped/);
    expect(await b.traces!.services(b.defaults.window)).toEqual(['inventory']);
  });

  it('one file opens on its own (--bundle FILE): its neighbours and its folder\'s incident.yaml are not read', async () => {
    const dir = folderWith('id: the-folder\nwindow: {start: 2020-01-01T00:00:00Z, end: 2020-01-01T01:00:00Z}\n');
    cpSync(path.join(FIX, 'jaeger/checkout-trace.json'), path.join(dir, 'checkout-trace.json'));
    const b = await openBundle(path.join(dir, 'checkout-trace.json'));
    expect(b.catalog.map((e) => e.rel)).toEqual(['checkout-trace.json']);
    expect(b.incident.id).toBe('checkout-trace.json');
    expect(b.defaults.window.start).toBe(Date.UTC(2025, 5, 4, 10, 4, 0)); // the data's, not the folder's 2020 window
    expect((await b.traces!.services(b.defaults.window)).sort()).toEqual(['checkout', 'payment']);
    const r = await inspectBundle(path.join(dir, 'checkout-trace.json'));
    expect(r.files.map((f) => f.file)).toEqual(['checkout-trace.json']);
    await expect(openBundle(path.join(dir, 'missing.json'))).rejects.toThrow(/bundle not found: .*missing\.json \(give a folder of telemetry files, or one file\)/);
  });

  it('text lines that open with a bracket are a log, not broken JSON; a JSON array that is no telemetry is reported', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-bracket-'));
    writeFileSync(path.join(dir, 'kafka.log'), '[2024-05-07 10:55:53,434] INFO [LocalLog partition=ingest-3] Rolled new log segment (kafka.log.LocalLog)\n[2024-05-07 10:55:54,001] ERROR [ReplicaFetcher] Error for partition ingest-3 (kafka.server.ReplicaFetcherThread)\n');
    writeFileSync(path.join(dir, 'apache.log'), '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6\n');
    writeFileSync(path.join(dir, 'list.json'), '[\n  {"name": "not telemetry"}\n]\n');
    const b = await openBundle(dir);
    expect(Object.fromEntries(b.catalog.map((e) => [e.rel, `${e.signal}:${e.format}`]))).toEqual({ 'apache.log': 'logs:text-log', 'kafka.log': 'logs:text-log', 'list.json': 'undefined:unknown' });
    const logs = await b.logs!.queryLogs({ range: b.defaults.window, limit: 10, direction: 'forward' });
    expect(logs.records.map((r) => r.service).sort()).toEqual(['apache', 'kafka', 'kafka']);
    expect(b.problems.join('\n')).toMatch(/list\.json: JSON that is none of OTLP/);
  });

  it('a Tempo search answer is named as such, with what to download instead (whole, or longer than the head read)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-tsearch-'));
    const hit = (i: number) => ({ traceID: `2f3e0cee77ae5dc9c17ade3689eb2e${String(i).padStart(2, '0')}`, rootServiceName: 'shop-backend', rootTraceName: 'update-billing', startTimeUnixNano: '1684778327699392724', durationMs: 557, spanSets: [{ spans: [{ spanID: '563d623c76514f8e', startTimeUnixNano: '1684778327735077898', durationNanos: '446979497' }], matched: 1 }] });
    writeFileSync(path.join(dir, 'search.json'), JSON.stringify({ traces: [hit(1)], metrics: { inspectedBytes: '22' } }));
    writeFileSync(path.join(dir, 'big-search.json'), JSON.stringify({ traces: Array.from({ length: 400 }, (_, i) => hit(i)) }, null, 1));
    const b = await openBundle(path.join(dir), {}).catch((e: Error) => e);
    expect(b).toBeInstanceOf(Error);
    expect((b as Error).message).toMatch(/search\.json: a Tempo search answer: it lists traces .* without their spans; download the traces themselves/);
    const { catalogBundle } = await import('../../src/sources/bundle/formats/catalog.js');
    const entries = await catalogBundle(dir, { root: dir });
    expect(entries.map((e) => [e.rel, e.format, e.problem?.slice(0, 24)]).sort()).toEqual([
      ['big-search.json', 'unknown', 'a Tempo search answer: i'],
      ['search.json', 'unknown', 'a Tempo search answer: i'],
    ]);
  });

  it('inspect: format, signal, services, time range, counts and problems per file', async () => {
    const dir = mixedFolder();
    cpSync(path.join(FIX, 'legacy-pprof/heap.txt'), path.join(dir, 'heap.txt'));
    const r = await inspectBundle(dir);
    expect(r.incidentYaml).toBe(false);
    const jaeger = r.files.find((f) => f.file === 'checkout-trace.json')!;
    expect(jaeger).toMatchObject({ format: 'Jaeger JSON', signal: 'traces', services: ['checkout', 'payment'], counts: { spans: 2, traces: 1, errors: 2 }, problems: [] });
    expect(jaeger.range).toEqual({ start: Date.UTC(2025, 5, 4, 10, 4), end: Date.UTC(2025, 5, 4, 10, 4, 1, 250) });
    expect(r.files.find((f) => f.file === 'loki-export.jsonl')).toMatchObject({ format: 'logcli JSON Lines', counts: { records: 3 }, services: ['gateway', 'payment'] });
    expect(r.files.find((f) => f.file === 'up_query.json')).toMatchObject({ signal: 'metrics', counts: { series: 2, samples: 2, metrics: 1 } });
    expect(r.files.find((f) => f.file === 'heap.txt')!.problems[0]).toMatch(/^legacy pprof format .*go tool pprof -proto/);
  });

  it('the recorded bundles of the datasets are recognised file by file, with no problem (skipped without the datasets)', async () => {
    const root = path.resolve('../shared/datasets/nezha-trainticket/dev');
    if (!existsSync(root)) return;
    const first = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'incident.yaml'))).sort()[0]!;
    const r = await inspectBundle(path.join(root, first));
    expect(r.files.length).toBeGreaterThan(0);
    for (const f of r.files) {
      expect(f.signal, f.file).toBeDefined();
      expect(f.problems.filter((p) => /skipped|not /.test(p)), f.file).toEqual([]);
    }
  });

  it('queryless inspect prints the same, as text and --json', () => {
    const bin = path.resolve('bin/queryless.js');
    const text = execFileSync('node', [bin, 'inspect', path.join(FIX, 'zipkin')], { encoding: 'utf8' });
    expect(text).toMatch(/trace\.json\n\s+Zipkin v2 JSON · traces/);
    expect(text).toMatch(/3 spans, 1 traces, 1 errors/);
    const json = JSON.parse(execFileSync('node', [bin, 'inspect', path.join(FIX, 'otlp-proto'), '--json'], { encoding: 'utf8' }));
    expect(json.files.map((f: { file: string; format: string }) => `${f.file} ${f.format}`)).toEqual(['logs.binpb OTLP protobuf', 'traces.binpb OTLP protobuf']);
    const legacy = spawnSync('node', [bin, 'inspect', path.join(FIX, 'legacy-pprof')], { encoding: 'utf8' });
    expect(legacy.status).toBe(1);
    expect(legacy.stdout).toMatch(/convert it with `go tool pprof -proto/);
  });
});
