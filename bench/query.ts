// Bundle LogQL and TraceQL engines: throughput on generated records, each beside a reference run in the same
// process — a hand-written loop that computes the same answer with no query engine (parsing, pipeline stages,
// label sets) — so the ratio is the engine's cost, whatever the machine's load.
// Run: npm run bench -- query   (BENCH_QUERY_LINES, BENCH_QUERY_SPANS change the sizes)
import type { LogRecord, Span } from '../src/sources/types.js';
import { runLogQL } from '../src/query/logql/engine.js';
import { metricsTraceQL, searchTraceQL } from '../src/query/traceql/engine.js';

const LINES = Number(process.env.BENCH_QUERY_LINES ?? 300_000);
const SPANS = Number(process.env.BENCH_QUERY_SPANS ?? 300_000);
const T0 = Date.UTC(2025, 0, 1);
const SPAN_MS = 3_600_000;

function rng(seed: number): () => number {
  return () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function logs(): LogRecord[] {
  const rnd = rng(11);
  const out: LogRecord[] = [];
  for (let i = 0; i < LINES; i++) {
    const svc = `svc-${i % 20}`;
    const err = rnd() < 0.05;
    const status = err ? 500 + Math.floor(rnd() * 4) : 200;
    const body = `level=${err ? 'error' : 'info'} msg="${err ? 'upstream failed' : 'request served'}" route=/api/v1/items/${i % 97} status=${status} latency=${Math.floor(rnd() * 900)}ms`;
    out.push({ timeMs: T0 + Math.floor((i / LINES) * SPAN_MS), service: svc, body, attributes: {}, resource: { 'service.name': svc } });
  }
  return out;
}

function spans(): Span[] {
  const rnd = rng(5);
  const out: Span[] = [];
  for (let i = 0; i < SPANS; i += 4) {
    const traceId = i.toString(16).padStart(32, '0');
    const start = T0 + Math.floor((i / SPANS) * SPAN_MS);
    const svc = `svc-${(i / 4) % 20}`;
    for (let k = 0; k < 4 && i + k < SPANS; k++) {
      const err = k === 3 && rnd() < 0.1;
      const service = k === 0 ? svc : `dep-${k}`;
      out.push({
        traceId,
        spanId: (i + k + 1).toString(16).padStart(16, '0'),
        parentSpanId: k === 0 ? undefined : (i + k).toString(16).padStart(16, '0'),
        service,
        name: k === 0 ? 'GET /items' : `call-${k}`,
        kind: k === 0 ? 2 : 3,
        startMs: start + k,
        endMs: start + 50 - k,
        durationMs: 50 - 2 * k,
        status: err ? 'error' : 'unset',
        attributes: { 'http.status_code': err ? 503 : 200 },
        resource: { 'service.name': service },
        events: [],
      });
    }
  }
  return out;
}

async function best<T>(f: () => T | Promise<T>, runs = 3): Promise<[T, number]> {
  let r: T | undefined;
  let s = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    r = await f();
    s = Math.min(s, (performance.now() - t) / 1000);
  }
  return [r!, s];
}

/** Engine vs reference, run alternately (so both see the same machine load); prints both and the ratio. */
async function compare(what: string, n: number, unit: string, engine: () => unknown, reference: () => unknown, same: (a: unknown, b: unknown) => boolean): Promise<void> {
  const [a, te] = await best(engine);
  const [b, tr] = await best(reference);
  if (!same(a, b)) throw new Error(`${what}: the engine and the reference disagree`);
  process.stdout.write(`  ${what}: ${(n / te / 1e6).toFixed(2)}M ${unit}/s (reference loop ${(n / tr / 1e6).toFixed(2)}M/s) → ${(te / tr).toFixed(1)}× the reference's time\n`);
}

export async function run(): Promise<void> {
  const out = (s: string) => process.stdout.write(s + '\n');
  const records = logs();
  out(`query bench: ${LINES.toLocaleString('en')} log lines, ${SPANS.toLocaleString('en')} spans over one hour (generated)`);
  const range = { start: T0 + 60_000, end: T0 + SPAN_MS, stepMs: 60_000, limit: 5000, direction: 'forward' as const };

  // count_over_time by service, one-minute windows (t − 1m, t].
  const countRef = () => {
    const by = new Map<string, number[]>();
    const n = Math.floor((range.end - range.start) / range.stepMs) + 1;
    for (const r of records) {
      const k = Math.ceil((r.timeMs - range.start) / range.stepMs);
      if (k < 0 || k >= n) continue;
      let a = by.get(r.service);
      if (!a) by.set(r.service, (a = new Array<number>(n).fill(0)));
      a[k]!++;
    }
    return [...by.values()].reduce((s, a) => s + a.reduce((x, y) => x + y, 0), 0);
  };
  const countEngine = async () => (await runLogQL(records, 'sum by (service_name) (count_over_time({service_name=~"svc-.*"}[1m]))', range)).series.reduce((s, x) => s + x.points.reduce((a, p) => a + p[1], 0), 0);
  await compare('LogQL sum by (service_name) (count_over_time(…[1m]))', LINES, 'lines', countEngine, countRef, (a, b) => a === b);

  // Line filter + logfmt + numeric label filter, log query (forward, first 5,000 lines).
  const filterRef = () => {
    const outL: string[] = [];
    for (const r of records) {
      if (r.timeMs < range.start || r.timeMs >= range.end || r.service !== 'svc-3' || !r.body.includes('error')) continue;
      const m = /status=(\d+)/.exec(r.body);
      if (m && Number(m[1]) >= 500) outL.push(r.body);
      if (outL.length >= range.limit) break;
    }
    return outL.length;
  };
  const filterEngine = async () => (await runLogQL(records, '{service_name="svc-3"} |= "error" | logfmt | status >= 500', range)).streams.reduce((s, x) => s + x.entries.length, 0);
  await compare('LogQL {…} |= "error" | logfmt | status >= 500', LINES, 'lines', filterEngine, filterRef, (a, b) => a === b);

  const spanList = spans();
  const win = { start: T0, end: T0 + SPAN_MS };
  // Warm the trace index once: it is built once per bundle and kept.
  await searchTraceQL(spanList, '{ }', win, { limit: 1 });
  const rateRef = () => {
    const by = new Map<string, number>();
    for (const s of spanList) if (s.status === 'error') by.set(String(s.resource['service.name']), (by.get(String(s.resource['service.name'])) ?? 0) + 1);
    return [...by.values()].reduce((a, b) => a + b, 0);
  };
  const rateEngine = async () => (await metricsTraceQL(spanList, '{ status = error } | rate() by (resource.service.name)', win, 60)).reduce((s, x) => s + x.points.reduce((a, p) => a + p[1] * 60, 0), 0);
  await compare('TraceQL { status = error } | rate() by (resource.service.name)', SPANS, 'spans', rateEngine, rateRef, (a, b) => Math.abs((a as number) - (b as number)) < 1e-6);

  const structRef = () => {
    const byId = new Map(spanList.map((s) => [s.spanId, s]));
    const traces = new Set<string>();
    for (const s of spanList) {
      if (s.status !== 'error') continue;
      for (let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined)
        if (p.kind === 2) {
          traces.add(s.traceId);
          break;
        }
    }
    return traces.size;
  };
  const structEngine = async () => (await searchTraceQL(spanList, '{ kind = server } >> { status = error }', win, { limit: 1e9 })).traces.length;
  await compare('TraceQL { kind = server } >> { status = error } (search)', SPANS, 'spans', structEngine, structRef, (a, b) => a === b);
}
