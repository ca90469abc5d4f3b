// Trace benchmark: a generated 500k-span window (in memory and as OTLP/JSON text); measures the load
// (MB/s of OTLP JSON parsed into spans) and spans/s of each analysis. Prints figures and targets.
// Run: npx tsc -p . && node -e "import('./dist/bench/traces.js').then(m => m.run())"
import { randomBytes } from 'node:crypto';
import type { Attributes, Span } from '../src/sources/types.js';
import { parseTracesData, type ParseStats } from '../src/sources/otlp-traces.js';
import { SpanStoreBuilder, type SpanStore } from '../src/sources/spanstore/store.js';
import { decodeOtlpJsonBytes } from '../src/sources/spanstore/otlp-json.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { redGroups } from '../src/analysis/traces/red.js';
import { findPrevalentErrors } from '../src/analysis/traces/errors.js';
import { findSlowSpans } from '../src/analysis/traces/slow.js';
import { compareAttributes } from '../src/analysis/traces/compare.js';
import { traceView } from '../src/analysis/traces/view.js';
import { parse as csvParse } from 'csv-parse/sync';
import { sniffCsv } from '../src/sources/bundle/formats/csv-table.js';
import { parseCsvSpans } from '../src/sources/bundle/formats/csv-spans.js';

const TARGET_SPANS = 500_000;
const TARGET_ANALYSIS = 1_000_000; // spans/s
const TARGET_LOAD = 100; // MB/s

/** Deterministic pseudo-random numbers (the benchmark must not depend on luck). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = ['frontend', 'checkout', 'ride', 'catalog', 'auth', 'payment'];

/** ~25-span requests: frontend → 3–4 downstream services, each with DB/cache client spans. */
export function generate(total = TARGET_SPANS, start = Date.UTC(2025, 5, 3, 9, 50)): Span[] {
  const rand = rng(42);
  const resources = new Map<string, Attributes>();
  const res = (svc: string, version: string): Attributes => {
    const k = `${svc}@${version}`;
    let r = resources.get(k);
    if (!r) resources.set(k, (r = { 'service.name': svc, 'service.version': version, 'k8s.namespace.name': 'shop', 'k8s.pod.name': `${svc}-${version.replace(/\./g, '')}-x7k2p`, 'telemetry.sdk.language': 'go' }));
    return r;
  };
  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
  const out: Span[] = [];
  const window = 30 * 60_000;
  let n = 0;
  while (out.length < total) {
    const t0 = start + (n++ / (total / 25)) * window;
    const traceId = hex(16);
    const incident = t0 > start + 14 * 60_000;
    const rootId = hex(8);
    const spans: Span[] = [];
    let cursor = t0 + 0.5;
    const callees = 3 + Math.floor(rand() * 2);
    for (let c = 0; c < callees; c++) {
      const svc = SERVICES[1 + Math.floor(rand() * (SERVICES.length - 1))]!;
      const newVersion = incident && svc === 'ride' && rand() < 0.5;
      const r = res(svc, newVersion ? '1.8.0' : '1.7.2');
      const clientId = hex(8);
      const serverId = hex(8);
      const fail = incident && svc === 'checkout' && rand() < 0.1;
      const route = `/api/${svc}/{id}`;
      const dbs = 4;
      let inner = cursor + 0.3;
      const kids: Span[] = [];
      for (let d = 0; d < dbs; d++) {
        const slow = newVersion && d === 0;
        const dur = slow ? 300 + rand() * 200 : 0.5 + rand() * 3;
        const isErr = fail && d === dbs - 1;
        kids.push({
          traceId,
          spanId: hex(8),
          parentSpanId: serverId,
          service: svc,
          name: d % 2 ? `SELECT ${svc}_items` : 'cache.Get',
          kind: 3,
          startMs: inner,
          endMs: inner + dur,
          durationMs: dur,
          status: isErr ? 'error' : 'unset',
          statusMessage: isErr ? `pq: duplicate key value violates unique constraint "orders_pkey" (id ${Math.floor(rand() * 1e6)})` : undefined,
          attributes: d % 2 ? { 'db.system': 'postgresql', 'db.statement': `SELECT * FROM ${svc}_items WHERE id = ${Math.floor(rand() * 1e5)}`, 'server.address': 'db', 'app.user_id': `u${Math.floor(rand() * 1e6)}` } : { 'db.system': 'redis', 'db.operation': 'GET', 'app.cache_hit': rand() < 0.8 },
          resource: r,
          events: isErr ? [{ name: 'exception', timeMs: inner, attributes: { 'exception.type': '*pq.Error', 'exception.message': 'duplicate key' } }] : [],
        });
        inner += dur + 0.1;
      }
      const serverEnd = inner + 0.2;
      spans.push({ traceId, spanId: clientId, parentSpanId: rootId, service: 'frontend', name: `GET ${route}`, kind: 3, startMs: cursor, endMs: serverEnd + 0.2, durationMs: serverEnd + 0.2 - cursor, status: fail ? 'error' : 'unset', attributes: { 'http.request.method': 'GET', 'server.address': svc, 'http.response.status_code': fail ? 500 : 200 }, resource: res('frontend', '3.1.0'), events: [] });
      spans.push({ traceId, spanId: serverId, parentSpanId: clientId, service: svc, name: `GET ${route}`, kind: 2, startMs: cursor + 0.1, endMs: serverEnd, durationMs: serverEnd - cursor - 0.1, status: fail ? 'error' : 'unset', attributes: { 'http.route': route, 'http.request.method': 'GET', 'http.response.status_code': fail ? 500 : 200, 'app.region': rand() < 0.5 ? 'eu' : 'us' }, resource: r, events: [] });
      spans.push(...kids);
      cursor = serverEnd + 0.4;
    }
    const failed = spans.some((s) => s.status === 'error');
    const root: Span = { traceId, spanId: rootId, service: 'frontend', name: 'GET /api/page', kind: 2, startMs: t0, endMs: cursor + 0.3, durationMs: cursor + 0.3 - t0, status: failed ? 'error' : 'unset', attributes: { 'http.route': '/api/page', 'http.response.status_code': failed ? 500 : 200, 'url.full': `https://shop.example/api/page?session=${hex(6)}` }, resource: res('frontend', '3.1.0'), events: [] };
    out.push(root, ...spans);
  }
  return out;
}

function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: String(v) };
  return { doubleValue: v };
}

/** OTLP/JSON text for the spans: one resourceSpans per resource (as collectors write them). */
export function toOtlpJson(spans: Span[]): string {
  const byRes = new Map<Attributes, Span[]>();
  for (const s of spans) {
    const l = byRes.get(s.resource);
    if (l) l.push(s);
    else byRes.set(s.resource, [s]);
  }
  const kv = (a: Attributes) => Object.entries(a).map(([key, value]) => ({ key, value: anyValue(value) }));
  const ns = (ms: number) => (BigInt(Math.round(ms * 1e3)) * 1000n).toString();
  return JSON.stringify({
    resourceSpans: [...byRes].map(([r, list]) => ({
      resource: { attributes: kv(r) },
      scopeSpans: [
        {
          scope: { name: 'bench' },
          spans: list.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: ns(s.startMs),
            endTimeUnixNano: ns(s.endMs),
            attributes: kv(s.attributes),
            ...(s.events.length ? { events: s.events.map((e) => ({ timeUnixNano: ns(e.timeMs), name: e.name, attributes: kv(e.attributes) })) } : {}),
            status: s.status === 'error' ? { code: 2, message: s.statusMessage } : {},
          })),
        },
      ],
    })),
  });
}

function time<T>(fn: () => T, minMs = 300): { ms: number; value: T } {
  // Warm up once, then repeat until at least minMs elapsed; report the best run.
  let value = fn();
  let best = Infinity;
  let total = 0;
  let runs = 0;
  while (total < minMs || runs < 2) {
    const t = performance.now();
    value = fn();
    const d = performance.now() - t;
    best = Math.min(best, d);
    total += d;
    runs++;
    if (runs >= 5) break;
  }
  return { ms: best, value };
}

/** A full garbage collection (the bench process is started without --expose-gc). */
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The store of the bytes (its builder unreachable once this returns). */
function loadStore(bytes: Buffer): SpanStore {
  const builder = new SpanStoreBuilder();
  decodeOtlpJsonBytes(bytes, builder, { spans: 0, skipped: 0, reasons: new Map() });
  return builder.build();
}

/** Keeps what is being measured reachable until the measurement is taken. */
const held: unknown[] = [];

/**
 * Bytes per span on the heap after full GCs: the span store; the span objects the general decoder
 * makes (what a bundle kept before the store); and the span objects a query makes from the store
 * (on top of it: their texts are the store's).
 */
function memoryPerSpan(bytes: Buffer): { store: number; counted: number; objects: number; made: number } {
  const gc = fullGc();
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  const store = loadStore(bytes);
  held.push(store);
  const withStore = used();
  const n = store.size;
  const made: Span[] = [];
  for (let i = 0; i < n; i++) made.push(store.span(i));
  held.push(made);
  const withMade = used();
  held.length = 0;
  const base2 = used();
  const objects: Span[] = [];
  parseTracesData(JSON.parse(bytes.toString('utf8')), objects, { spans: 0, skipped: 0, reasons: new Map() });
  held.push(objects);
  const withObjects = used();
  held.length = 0;
  return { store: (withStore - base) / n, counted: store.bytes() / n, made: (withMade - withStore) / n, objects: (withObjects - base2) / n };
}

export async function run(): Promise<void> {
  const out = (s: string) => process.stdout.write(s + '\n');
  const t0 = performance.now();
  const spans = generate();
  const window = { start: Date.UTC(2025, 5, 3, 10, 4), end: Date.UTC(2025, 5, 3, 10, 20) };
  const baseline = { start: Date.UTC(2025, 5, 3, 9, 50), end: Date.UTC(2025, 5, 3, 10, 4) };
  const text = toOtlpJson(spans);
  const mb = Buffer.byteLength(text) / 1e6;
  out(`traces bench: ${spans.length} spans, ${new Set(spans.map((s) => s.traceId)).size} traces, OTLP JSON ${mb.toFixed(1)} MB (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const rows: Array<[string, string, string, string]> = [];
  // Calibration: JSON.parse alone bounds any OTLP/JSON loader on this machine (and shows its load).
  // The two are timed in alternation (parse, load, parse, load…) and the medians compared, so a burst
  // of load from other processes hits both alike.
  const parseMs: number[] = [];
  const loadMs: number[] = [];
  const storeMs: number[] = [];
  let loaded = 0;
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    (JSON.parse(text) as { resourceSpans: unknown[] }).resourceSpans.length;
    parseMs.push(performance.now() - t);
    t = performance.now();
    const parsed: Span[] = [];
    const stats: ParseStats = { spans: 0, skipped: 0, reasons: new Map() };
    parseTracesData(JSON.parse(text), parsed, stats);
    loadMs.push(performance.now() - t);
    t = performance.now();
    loaded = loadStore(bytes).size;
    storeMs.push(performance.now() - t);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rawMBs = mb / (med(parseMs) / 1000);
  const loadMBs = mb / (med(loadMs) / 1000);
  const storeMBs = mb / (med(storeMs) / 1000);
  rows.push(['calibration: JSON.parse alone', `${rawMBs.toFixed(0)} MB/s`, '', 'the floor: upper bound for a loader that parses whole documents']);
  rows.push(['load into the span store (byte decoder)', `${storeMBs.toFixed(0)} MB/s`, `${((loaded / med(storeMs)) * 1000 / 1e6).toFixed(2)} M spans/s`, `${((storeMBs / rawMBs) * 100).toFixed(0)}% of JSON.parse (goal ≥ 80%); ${(storeMBs / TARGET_LOAD).toFixed(2)}× target ${TARGET_LOAD} MB/s`]);
  rows.push(['load, general decoder (JSON.parse + OTLP → span objects)', `${loadMBs.toFixed(0)} MB/s`, '', `${((loadMBs / rawMBs) * 100).toFixed(0)}% of JSON.parse (files the byte decoder leaves to it)`]);
  const mem = memoryPerSpan(bytes);
  rows.push(['memory per span: span store', `${mem.store.toFixed(0)} B`, `${mem.counted.toFixed(0)} B counted`, `heap + array buffers after full GCs; the general decoder's span objects: ${mem.objects.toFixed(0)} B (${(mem.objects / mem.store).toFixed(1)}×); objects a query makes from the store: +${mem.made.toFixed(0)} B`]);
  const analyses: Array<[string, () => unknown]> = [
    ['service RED (by service)', () => redGroups(spans, window, (s) => s.service)],
    ['prevalent errors (window vs baseline)', () => findPrevalentErrors(spans, { window, baseline })],
    ['slow spans (slow requests, critical path)', () => findSlowSpans(spans, { window, baseline, mode: 'slow' })],
    ['slow spans (window vs baseline)', () => findSlowSpans(spans, { window, baseline, mode: 'baseline' })],
    ['compare attributes (slow vs rest)', () => compareAttributes(spans, { window, selection: { kind: 'slow' }, against: 'rest' })],
    ['compare attributes (errors, by service)', () => compareAttributes(spans, { window, selection: { kind: 'errors' }, against: 'rest', service: 'checkout' })],
  ];
  for (const [name, fn] of analyses) {
    const r = time(fn);
    const rate = (spans.length / r.ms) * 1000;
    rows.push([name, `${(r.ms / 1000).toFixed(2)} s`, `${(rate / 1e6).toFixed(2)} M spans/s`, `${(rate / TARGET_ANALYSIS).toFixed(2)}× target 1 M spans/s`]);
  }
  // One huge trace (100k spans) rendered within a budget.
  const huge = generate(100_000).map((s) => ({ ...s, traceId: 'ab'.repeat(16) }));
  const hv = time(() => traceView('ab'.repeat(16), huge, 60));
  rows.push(['trace view (one 100k-span trace)', `${(hv.ms / 1000).toFixed(2)} s`, `${((huge.length / hv.ms) * 1000 / 1e6).toFixed(2)} M spans/s`, `${((huge.length / hv.ms) * 1000 / TARGET_ANALYSIS).toFixed(2)}× target`]);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const r of rows) out(`  ${r[0].padEnd(w)}  ${r[1].padStart(10)}  ${r[2].padStart(16)}  ${r[3]}`);
  out(`  (load: medians of 5 alternated runs; analyses: best of up to 5 runs; figures depend on the machine and its load: load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} CPU(s))`);
  csvSpansReading();
}

/**
 * Reading a span table shaped as ClickHouse's `otel_traces` exported with `FORMAT CSVWithNames` (map text
 * attributes, ns durations) against csv-parse alone on the same text and options: alternated, best of 5.
 */
export function csvSpansReading(rows = 200_000): void {
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const lines = ['"Timestamp","TraceId","SpanId","ParentSpanId","TraceState","SpanName","SpanKind","ServiceName","ResourceAttributes","ScopeName","ScopeVersion","SpanAttributes","Duration","StatusCode","StatusMessage","Events.Timestamp","Events.Name","Events.Attributes"'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(1715076000000 + i * 3).toISOString().replace('T', ' ').replace('Z', '000000');
    const err = i % 97 === 0;
    lines.push(
      [
        q(t),
        q((i >> 2).toString(16).padStart(32, '0')),
        q((i + 1).toString(16).padStart(16, '0')),
        q(i % 4 ? i.toString(16).padStart(16, '0') : ''),
        q(''),
        q(i % 4 ? `SELECT orders` : `GET /api/orders/{id}`),
        q(i % 4 ? 'Client' : 'Server'),
        q(`svc${i % 8}`),
        q(`{'service.name':'svc${i % 8}','host.name':'ip-10-0-0-${i % 50}'}`),
        q('io.opentelemetry.http'),
        q('1.2.0'),
        q(`{'http.request.method':'GET','url.path':'/api/orders/${i}','http.response.status_code':'${err ? 500 : 200}'}`),
        String(1_000_000 + (i % 5000) * 1000),
        q(err ? 'Error' : 'Unset'),
        q(err ? 'upstream reset' : ''),
        q(err ? `['${t}']` : '[]'),
        q(err ? "['exception']" : '[]'),
        q(err ? "[{'exception.type':'java.io.IOException','exception.message':'reset, retrying'}]" : '[]'),
      ].join(','),
    );
  }
  const text = lines.join('\n') + '\n';
  const shape = sniffCsv(text.slice(0, 65536))!;
  let ours = Infinity;
  let floor = Infinity;
  let spans = 0;
  for (let r = 0; r < 5; r++) {
    let t = performance.now();
    const out: Span[] = [];
    parseCsvSpans('bench.csv', text, shape, out, { spans: 0, skipped: 0, reasons: new Map() });
    spans = out.length;
    ours = Math.min(ours, performance.now() - t);
    t = performance.now();
    csvParse(text, { delimiter: ',', bom: true, skip_empty_lines: true, relax_quotes: true, from_line: 2 });
    floor = Math.min(floor, performance.now() - t);
  }
  const mb = text.length / 1e6;
  console.log(`traces: reading a span table (${spans.toLocaleString('en')} generated ClickHouse otel_traces rows, CSVWithNames, ${mb.toFixed(0)} MB, best of 5)`);
  console.log(`  spans with map attributes, kinds, statuses, events: ${(mb / (ours / 1000)).toFixed(1)} MB/s; csv-parse alone: ${(mb / (floor / 1000)).toFixed(1)} MB/s; ratio ${(ours / floor).toFixed(2)}× its time`);
}
