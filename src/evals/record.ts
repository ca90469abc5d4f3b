// `queryless record`: pulls a time window from the configured live backends into an incident bundle
// (the same formats the bundle loader reads), bounded in size, with a summary of what was kept.
//   traces   Tempo /api/search over time slices (a bounded sample spread across the window, errors
//            first) + /api/v2/traces/{id}, converted to OTLP/JSON (hex ids, numeric enums)
//   logs     Loki /loki/api/v1/query_range, direction forward, paged by nanosecond time → OTLP LogsData
//   metrics  Prometheus /api/v1/series + /api/v1/metadata + /api/v1/query_range per metric family and
//            selection → OpenMetrics text with timestamps and `# EOF`
//   profiles Pyroscope SelectMergeProfile (protojson) per service × profile type, for the baseline and
//            the incident separately → pprof (.pb.gz) under profiles/<service>/
import { pushAll } from '../util/stats.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import YAML from 'yaml';
import { Function as PFunction, Label, Line, Location, Mapping, Profile, Sample, StringTable, ValueType, emptyTableToken } from 'pprof-format';
import type { BackendName, Config } from '../config.js';
import { BackendError, HttpClient } from '../http.js';
import type { TimeRange } from '../sources/types.js';

export interface RecordOptions {
  /** Incident start and end (epoch ms). */
  from: number;
  to: number;
  /** Start of the fault-free baseline before `from` (epoch ms). */
  baselineFrom?: number;
  services?: string[];
  out: string;
  /** Caps (defaults in RECORD_DEFAULTS). */
  maxTraces?: number;
  maxLogLines?: number;
  maxSeries?: number;
  maxProfileTypes?: number;
  maxBytes?: number;
  stepSeconds?: number;
  /** Lines per Loki request (default 5000, Loki's usual max_entries_limit_per_query). */
  logPageSize?: number;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

export const RECORD_DEFAULTS = { maxTraces: 300, maxLogLines: 20_000, maxSeries: 2_000, maxProfileTypes: 4, maxBytes: 200 * 1024 * 1024 };

export interface SignalSummary {
  backend: BackendName;
  status: 'recorded' | 'not configured' | 'failed' | 'empty';
  kept: string;
  /** What was left out and why (caps, errors). */
  notes: string[];
  files: string[];
  bytes: number;
}

export interface RecordSummary {
  dir: string;
  window: { start: string; end: string };
  signals: SignalSummary[];
  bytes: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const nsOf = (ms: number) => (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
const secOf = (ms: number) => Math.floor(ms / 1000);

class ByteBudget {
  used = 0;
  constructor(readonly max: number) {}
  left(): number {
    return this.max - this.used;
  }
}

async function writeOut(dir: string, rel: string, data: Buffer | string, budget: ByteBudget, files: string[]): Promise<number> {
  const full = path.join(dir, rel);
  await mkdir(path.dirname(full), { recursive: true });
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  await writeFile(full, buf);
  budget.used += buf.length;
  files.push(rel);
  return buf.length;
}

function describeError(e: unknown): string {
  if (e instanceof BackendError) return `${e.message}${e.hint ? ` (${e.hint})` : ''}`;
  return (e as Error).message;
}

// ---------------------------------------------------------------- traces (Tempo)

interface TempoSearch {
  traces?: Array<{ traceID: string; startTimeUnixNano?: string; rootServiceName?: string }>;
}

type Json = Record<string, unknown>;

const KIND_NUM: Record<string, number> = { SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 };
const STATUS_NUM: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

const b64hex = (v: unknown, len: number): string | undefined => {
  if (typeof v !== 'string' || v === '') return undefined;
  if (/^[0-9a-f]+$/i.test(v) && v.length === len) return v.toLowerCase();
  const hex = Buffer.from(v, 'base64').toString('hex');
  return hex.length === len ? hex : undefined;
};

/** Tempo trace JSON (gogo jsonpb: base64 ids, enum names) → OTLP/JSON (hex ids, numeric enums). */
export function tempoTraceToOtlp(body: Json): { resourceSpans: Json[] } {
  const inner = (body.trace as Json | undefined) ?? body;
  const rs = ((inner.resourceSpans ?? inner.batches) as Json[] | undefined) ?? [];
  return {
    resourceSpans: rs.map((r) => {
      const scopes = ((r.scopeSpans ?? r.instrumentationLibrarySpans) as Json[] | undefined) ?? [];
      return {
        resource: r.resource ?? { attributes: [] },
        scopeSpans: scopes.map((s) => ({
          scope: s.scope ?? s.instrumentationLibrary ?? {},
          spans: ((s.spans as Json[] | undefined) ?? []).map((sp) => {
            const out: Json = { ...sp };
            out.traceId = b64hex(sp.traceId, 32);
            out.spanId = b64hex(sp.spanId, 16);
            const parent = b64hex(sp.parentSpanId, 16);
            if (parent) out.parentSpanId = parent;
            else delete out.parentSpanId;
            out.kind = typeof sp.kind === 'number' ? sp.kind : (KIND_NUM[String(sp.kind ?? '')] ?? 0);
            const st = (sp.status as Json | undefined) ?? {};
            const code = typeof st.code === 'number' ? st.code : (STATUS_NUM[String(st.code ?? '')] ?? 0);
            out.status = { ...(code ? { code } : {}), ...(st.message ? { message: st.message } : {}) };
            if (Array.isArray(sp.links)) out.links = (sp.links as Json[]).map((l) => ({ ...l, traceId: b64hex(l.traceId, 32), spanId: b64hex(l.spanId, 16) }));
            return out;
          }),
        })),
      };
    }),
  };
}

function slices(r: TimeRange, n: number): TimeRange[] {
  const out: TimeRange[] = [];
  const w = (r.end - r.start) / n;
  for (let i = 0; i < n; i++) out.push({ start: r.start + i * w, end: i === n - 1 ? r.end : r.start + (i + 1) * w });
  return out;
}

async function recordTraces(client: HttpClient, range: TimeRange, opts: RecordOptions, budget: ByteBudget, sum: SignalSummary): Promise<void> {
  const max = opts.maxTraces ?? RECORD_DEFAULTS.maxTraces;
  const selectors = opts.services?.length ? opts.services.map((s) => `resource.service.name = ${JSON.stringify(s)}`) : [''];
  // Spread the sample over the window (baseline and incident alike), errors first in each slice:
  // search returns at most `limit` traces per call, not evenly over time.
  const nSlices = Math.max(1, Math.min(12, Math.ceil((range.end - range.start) / 300_000)));
  const perCall = Math.max(1, Math.ceil(max / (nSlices * selectors.length * 2)));
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const sl of slices(range, nSlices)) {
    for (const sel of selectors) {
      for (const extra of ['status = error', '']) {
        const cond = [sel, extra].filter(Boolean).join(' && ');
        const q = `{ ${cond} }`.replace('{  }', '{}');
        const res = await client.json<TempoSearch>('/api/search', { query: { q, start: secOf(sl.start), end: Math.max(secOf(sl.end), secOf(sl.start) + 1), limit: perCall, spss: 1 }, signal: opts.signal });
        for (const t of res.traces ?? []) {
          const id = t.traceID.toLowerCase().padStart(32, '0');
          if (!seen.has(id)) {
            seen.add(id);
            ids.push(id);
          }
        }
      }
    }
  }
  const kept = ids.slice(0, max);
  if (ids.length > max) sum.notes.push(`${ids.length - max} more trace ids found than the cap of ${max} (--max-traces)`);
  const lines: string[] = [];
  let spans = 0;
  let bytes = 0;
  let failed = 0;
  // Tempo < 2.6 has no /api/v2/traces: fall back to v1 (same ResourceSpans content) on a 404 from v2.
  let api: 'v2' | 'v1' = 'v2';
  for (const id of kept) {
    if (bytes > budget.left()) {
      sum.notes.push(`stopped after ${lines.length} traces: size cap reached (--max-bytes)`);
      break;
    }
    try {
      const get = (v: 'v1' | 'v2') => client.json<Json>(`/api/${v === 'v2' ? 'v2/' : ''}traces/${id}`, { query: { start: secOf(range.start) - 60, end: secOf(range.end) + 60 }, signal: opts.signal });
      let body: Json;
      try {
        body = await get(api);
      } catch (e) {
        if (!(api === 'v2' && lines.length === 0 && e instanceof BackendError && e.status === 404)) throw e;
        body = await get('v1');
        api = 'v1';
        sum.notes.push('Tempo has no /api/v2/traces (before 2.6): used /api/traces');
      }
      const otlp = tempoTraceToOtlp(body);
      for (const r of otlp.resourceSpans) for (const s of (r.scopeSpans as Json[]) ?? []) spans += ((s.spans as unknown[]) ?? []).length;
      const line = JSON.stringify(otlp);
      bytes += line.length + 1;
      lines.push(line);
    } catch (e) {
      if (e instanceof BackendError && e.status === 404) failed++;
      else throw e;
    }
  }
  if (failed) sum.notes.push(`${failed} trace(s) listed by search were not found by id (404)`);
  if (!lines.length) {
    sum.status = 'empty';
    sum.kept = '0 traces';
    return;
  }
  sum.bytes += await writeOut(opts.out, 'traces/traces.jsonl.gz', gzipSync(lines.join('\n') + '\n'), budget, sum.files);
  sum.kept = `${lines.length} traces, ${spans} spans (sampled from ${ids.length} found; errors first per time slice)`;
}

// ---------------------------------------------------------------- logs (Loki)

type LokiEntry = [string, string] | [string, string, { structuredMetadata?: Record<string, string>; parsed?: Record<string, string> }];
interface LokiStreams {
  data?: { resultType?: string; result?: Array<{ stream: Record<string, string>; values: LokiEntry[] }> };
}

const SERVICE_LABELS = ['service_name', 'service', 'app', 'application', 'job', 'container'];

function kv(obj: Record<string, string>): Array<{ key: string; value: { stringValue: string } }> {
  return Object.entries(obj).map(([key, v]) => ({ key, value: { stringValue: v } }));
}

const SEVERITY: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, warning: 13, error: 17, critical: 21, fatal: 21 };

async function recordLogs(client: HttpClient, range: TimeRange, opts: RecordOptions, budget: ByteBudget, sum: SignalSummary): Promise<void> {
  const max = opts.maxLogLines ?? RECORD_DEFAULTS.maxLogLines;
  const labels = await client.json<{ data?: string[] }>('/loki/api/v1/labels', { query: { start: nsOf(range.start), end: nsOf(range.end) }, signal: opts.signal });
  const svcLabel = SERVICE_LABELS.find((l) => (labels.data ?? []).includes(l));
  if (!svcLabel) {
    sum.status = 'empty';
    sum.kept = '0 lines';
    sum.notes.push(`no service label (${SERVICE_LABELS.join(', ')}) among Loki's labels in the window`);
    return;
  }
  const selectors = opts.services?.length ? opts.services.map((s) => `{${svcLabel}=${JSON.stringify(s)}}`) : [`{${svcLabel}=~".+"}`];
  const page = opts.logPageSize ?? 5000;
  // stream key → resource and records
  const streams = new Map<string, { stream: Record<string, string>; records: Json[] }>();
  let total = 0;
  let bytes = 0;
  let capped = false;
  for (const selector of selectors) {
    let start = BigInt(nsOf(range.start));
    const end = BigInt(nsOf(range.end));
    const seenAtEdge = new Set<string>();
    while (start < end && !capped) {
      const res = await client.json<LokiStreams>('/loki/api/v1/query_range', {
        query: { query: selector, start: start.toString(), end: end.toString(), limit: page, direction: 'forward' },
        headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
        signal: opts.signal,
      });
      const entries: Array<{ stream: Record<string, string>; e: LokiEntry }> = [];
      for (const s of res.data?.result ?? []) for (const e of s.values ?? []) entries.push({ stream: s.stream, e });
      entries.sort((a, b) => (BigInt(a.e[0]) < BigInt(b.e[0]) ? -1 : BigInt(a.e[0]) > BigInt(b.e[0]) ? 1 : 0));
      let last = start;
      const atLast = new Set<string>();
      let fresh = 0;
      for (const { stream, e } of entries) {
        const ts = BigInt(e[0]);
        const skey = JSON.stringify(Object.entries(stream).sort());
        const ekey = `${skey}\u0000${e[0]}\u0000${e[1]}`;
        // Paging forward restarts at the last timestamp (start is inclusive): drop what we already have.
        if (ts === start && seenAtEdge.has(ekey)) continue;
        if (total >= max || bytes > budget.left()) {
          capped = true;
          break;
        }
        if (ts > last) {
          last = ts;
          atLast.clear();
        }
        atLast.add(ekey);
        fresh++;
        let st = streams.get(skey);
        if (!st) streams.set(skey, (st = { stream, records: [] }));
        const meta = e[2] ?? {};
        const attrs: Record<string, string> = { ...(meta.structuredMetadata ?? {}), ...(meta.parsed ?? {}) };
        const rec: Json = { timeUnixNano: e[0], observedTimeUnixNano: e[0], body: { stringValue: e[1] } };
        const tid = attrs.trace_id ?? attrs.traceID ?? attrs.traceId;
        const sid = attrs.span_id ?? attrs.spanID ?? attrs.spanId;
        if (tid && /^[0-9a-f]{1,32}$/i.test(tid)) {
          rec.traceId = tid.toLowerCase().padStart(32, '0');
          delete attrs.trace_id, delete attrs.traceID, delete attrs.traceId;
        }
        if (sid && /^[0-9a-f]{1,16}$/i.test(sid)) {
          rec.spanId = sid.toLowerCase().padStart(16, '0');
          delete attrs.span_id, delete attrs.spanID, delete attrs.spanId;
        }
        const level = (attrs.detected_level ?? attrs.level ?? stream.detected_level ?? stream.level)?.toLowerCase();
        if (level && SEVERITY[level]) {
          rec.severityText = level.toUpperCase();
          rec.severityNumber = SEVERITY[level];
        }
        rec.attributes = kv(attrs);
        st.records.push(rec);
        total++;
        bytes += e[1].length + 80;
      }
      if (entries.length < page || fresh === 0) break;
      // Next page starts at the last timestamp returned (inclusive); entries seen there are skipped.
      start = last;
      seenAtEdge.clear();
      for (const k of atLast) seenAtEdge.add(k);
    }
  }
  if (capped) sum.notes.push(`stopped at ${total} lines: cap --max-log-lines ${max} or the size cap reached; the kept lines are the earliest of the window`);
  if (!total) {
    sum.status = 'empty';
    sum.kept = '0 lines';
    return;
  }
  const resourceLogs = [...streams.values()].map(({ stream, records }) => {
    const res: Record<string, string> = { ...stream };
    res['service.name'] = stream[svcLabel] ?? 'unknown_service';
    return { resource: { attributes: kv(res) }, scopeLogs: [{ scope: { name: 'loki' }, logRecords: records }] };
  });
  sum.bytes += await writeOut(opts.out, 'logs/logs.json.gz', gzipSync(JSON.stringify({ resourceLogs })), budget, sum.files);
  sum.kept = `${total} lines from ${streams.size} stream(s), service label "${svcLabel}"`;
}

// ---------------------------------------------------------------- metrics (Prometheus)

interface PromEnvelope<T> {
  status: string;
  data: T;
  warnings?: string[];
}

type PromMatrix = { resultType: string; result: Array<{ metric: Record<string, string>; values?: Array<[number, string]>; histograms?: unknown[] }> };

const FAMILY_SUFFIX = /(_bucket|_sum|_count|_total|_created|_gsum|_gcount|_info)$/;

function omValue(v: string): string {
  const n = Number(v);
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

const escLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Record<string, string>) => {
  const e = Object.entries(l).filter(([k]) => k !== '__name__').sort(([a], [b]) => (a < b ? -1 : 1));
  return e.length ? `{${e.map(([k, v]) => `${k}="${escLabel(v)}"`).join(',')}}` : '';
};

/** The OpenMetrics family of a sample name given the metadata Prometheus knows. */
function familyOf(name: string, meta: Map<string, { type: string; help?: string; unit?: string }>): { family: string; type: string; help?: string; unit?: string } {
  const m = meta.get(name);
  if (m) {
    // OpenMetrics counters are named without `_total`; the sample keeps it.
    if (m.type === 'counter' && name.endsWith('_total')) return { family: name.slice(0, -6), ...m };
    if (m.type === 'counter') return { family: name, type: 'unknown', help: m.help };
    return { family: name, ...m };
  }
  const base = name.replace(FAMILY_SUFFIX, '');
  const bm = meta.get(base);
  if (bm && base !== name && ['histogram', 'summary', 'gaugehistogram', 'counter', 'info'].includes(bm.type)) return { family: base, ...bm };
  return { family: name, type: 'unknown' };
}

async function recordMetrics(client: HttpClient, range: TimeRange, opts: RecordOptions, budget: ByteBudget, sum: SignalSummary): Promise<void> {
  const maxSeries = opts.maxSeries ?? RECORD_DEFAULTS.maxSeries;
  const start = range.start / 1000;
  const end = range.end / 1000;
  // Step: the native resolution where possible, never over 11,000 points per series.
  const step = opts.stepSeconds ?? Math.max(15, Math.ceil((end - start) / 11_000));
  const matchers = opts.services?.length ? opts.services.flatMap((s) => ['service', 'job', 'service_name'].map((l) => `{${l}=${JSON.stringify(s)}}`)) : ['{__name__=~".+"}'];
  const series = await client.json<PromEnvelope<Array<Record<string, string>>>>('/api/v1/series', { method: 'POST', form: { 'match[]': matchers, start, end, limit: maxSeries + 1 }, signal: opts.signal });
  const all = series.data ?? [];
  const uniq = new Map<string, Record<string, string>>();
  for (const s of all) uniq.set(JSON.stringify(Object.entries(s).sort()), s);
  let selected = [...uniq.values()];
  if (selected.length > maxSeries) {
    sum.notes.push(`more than ${maxSeries} series match; kept the first ${maxSeries} (--max-series, or narrow with --services)`);
    selected = selected.slice(0, maxSeries);
  }
  if (!selected.length) {
    sum.status = 'empty';
    sum.kept = '0 series';
    return;
  }
  const metaRes = await client.json<PromEnvelope<Record<string, Array<{ type: string; help?: string; unit?: string }>>>>('/api/v1/metadata', { signal: opts.signal }).catch((e) => {
    sum.notes.push(`metadata unavailable (${describeError(e)}); types written as unknown`);
    return { status: 'error', data: {} } as PromEnvelope<Record<string, Array<{ type: string; help?: string; unit?: string }>>>;
  });
  const meta = new Map(Object.entries(metaRes.data ?? {}).map(([k, v]) => [k, v[0]!]));
  // One query_range per metric name and selection label set (the series' labels other than the name
  // are narrowed by the services given); results are the series themselves.
  const byName = new Map<string, Array<Record<string, string>>>();
  for (const s of selected) byName.set(s.__name__ ?? '', [...(byName.get(s.__name__ ?? '') ?? []), s]);
  const families = new Map<string, { type: string; help?: string; unit?: string; lines: string[] }>();
  let samples = 0;
  let nSeries = 0;
  let nativeHistograms = 0;
  const wanted = new Set(selected.map((s) => JSON.stringify(Object.entries(s).sort())));
  for (const [name, list] of byName) {
    if (!name) continue;
    if (budget.left() <= 0) {
      sum.notes.push('size cap reached: remaining metric families left out (--max-bytes)');
      break;
    }
    const svcMatchers = opts.services?.length ? [...new Set(list.flatMap((s) => ['service', 'job', 'service_name'].filter((l) => s[l] && opts.services!.includes(s[l]!)).map((l) => `${l}=${JSON.stringify(s[l])}`)))] : [''];
    for (const m of svcMatchers) {
      const query = `{__name__=${JSON.stringify(name)}${m ? `,${m}` : ''}}`;
      const res = await client.json<PromEnvelope<PromMatrix>>('/api/v1/query_range', { method: 'POST', form: { query, start, end, step }, signal: opts.signal });
      const fam = familyOf(name, meta);
      let f = families.get(fam.family);
      if (!f) families.set(fam.family, (f = { type: fam.type, help: fam.help, unit: fam.unit, lines: [] }));
      for (const r of res.data?.result ?? []) {
        const labels = { ...r.metric, __name__: r.metric.__name__ ?? name };
        if (!wanted.has(JSON.stringify(Object.entries(labels).sort()))) continue;
        wanted.delete(JSON.stringify(Object.entries(labels).sort()));
        nSeries++;
        if (r.histograms?.length && !r.values?.length) {
          nativeHistograms++;
          continue;
        }
        const lt = labelText(labels);
        for (const [t, v] of r.values ?? []) {
          f.lines.push(`${labels.__name__}${lt} ${omValue(v)} ${t}`);
          samples++;
        }
      }
    }
  }
  if (nativeHistograms) sum.notes.push(`${nativeHistograms} native-histogram series left out: OpenMetrics text (what promtool backfills) cannot carry them`);
  const out: string[] = [];
  for (const [family, f] of [...families].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!f.lines.length) continue;
    out.push(`# TYPE ${family} ${f.type}`);
    if (f.unit && family.endsWith(`_${f.unit}`)) out.push(`# UNIT ${family} ${f.unit}`);
    if (f.help) out.push(`# HELP ${family} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    pushAll(out, f.lines);
  }
  out.push('# EOF');
  sum.bytes += await writeOut(opts.out, 'metrics/metrics.om.gz', gzipSync(out.join('\n') + '\n'), budget, sum.files);
  sum.kept = `${nSeries} series in ${families.size} families, ${samples} samples at step ${step}s`;
}

// ---------------------------------------------------------------- profiles (Pyroscope)

type PJson = Record<string, unknown>;
const num = (v: unknown): number => (v === undefined || v === null || v === '' ? 0 : Number(v));

/** Pyroscope protojson pprof → binary pprof via pprof-format (string indices remapped into a fresh table). */
export function pprofFromJson(j: PJson, range?: TimeRange): Uint8Array {
  const strings = ((j.stringTable as string[] | undefined) ?? ['']).map(String);
  const table = new StringTable();
  const s = (i: unknown) => table.dedup(strings[num(i)] ?? '');
  void emptyTableToken;
  const vt = (v: PJson | undefined) => new ValueType({ type: s(v?.type), unit: s(v?.unit) });
  const p = new Profile({
    sampleType: ((j.sampleType as PJson[] | undefined) ?? []).map(vt),
    sample: ((j.sample as PJson[] | undefined) ?? []).map(
      (x) =>
        new Sample({
          locationId: ((x.locationId as unknown[]) ?? []).map(num),
          value: ((x.value as unknown[]) ?? []).map(num),
          label: ((x.label as PJson[] | undefined) ?? []).map((l) => new Label({ key: s(l.key), str: s(l.str), num: num(l.num), numUnit: s(l.numUnit) })),
        } as ConstructorParameters<typeof Sample>[0]),
    ),
    mapping: ((j.mapping as PJson[] | undefined) ?? []).map(
      (m) => new Mapping({ id: num(m.id), memoryStart: num(m.memoryStart), memoryLimit: num(m.memoryLimit), fileOffset: num(m.fileOffset), filename: s(m.filename), buildId: s(m.buildId), hasFunctions: Boolean(m.hasFunctions), hasFilenames: Boolean(m.hasFilenames), hasLineNumbers: Boolean(m.hasLineNumbers), hasInlineFrames: Boolean(m.hasInlineFrames) } as ConstructorParameters<typeof Mapping>[0]),
    ),
    location: ((j.location as PJson[] | undefined) ?? []).map(
      (l) => new Location({ id: num(l.id), mappingId: num(l.mappingId), address: num(l.address), isFolded: Boolean(l.isFolded), line: ((l.line as PJson[] | undefined) ?? []).map((ln) => new Line({ functionId: num(ln.functionId), line: num(ln.line) })) }),
    ),
    function: ((j.function as PJson[] | undefined) ?? []).map((f) => new PFunction({ id: num(f.id), name: s(f.name), systemName: s(f.systemName), filename: s(f.filename), startLine: num(f.startLine) })),
    stringTable: table,
    timeNanos: range ? BigInt(Math.trunc(range.start)) * 1_000_000n : num(j.timeNanos),
    durationNanos: range ? BigInt(Math.trunc(range.end - range.start)) * 1_000_000n : num(j.durationNanos),
    periodType: j.periodType ? vt(j.periodType as PJson) : undefined,
    period: num(j.period),
    defaultSampleType: j.defaultSampleType !== undefined ? s(j.defaultSampleType) : 0,
    dropFrames: j.dropFrames !== undefined ? s(j.dropFrames) : 0,
    keepFrames: j.keepFrames !== undefined ? s(j.keepFrames) : 0,
  });
  return p.encode();
}

async function recordProfiles(client: HttpClient, range: TimeRange, incidentStart: number, opts: RecordOptions, budget: ByteBudget, sum: SignalSummary): Promise<void> {
  const rpc = (method: string, body: unknown) => client.json<PJson>(`/querier.v1.QuerierService/${method}`, { method: 'POST', json: body, signal: opts.signal });
  let services = opts.services;
  if (!services?.length) {
    const v = await rpc('LabelValues', { name: 'service_name', start: Math.trunc(range.start), end: Math.trunc(range.end) });
    services = ((v.names as string[] | undefined) ?? []).filter(Boolean);
  }
  if (!services.length) {
    sum.status = 'empty';
    sum.kept = '0 profiles';
    return;
  }
  const types = await rpc('ProfileTypes', { start: Math.trunc(range.start), end: Math.trunc(range.end) });
  const allTypes = ((types.profileTypes as PJson[] | undefined) ?? []).map((t) => String(t.ID ?? t.id ?? ''));
  // Halves: baseline (before the incident start) and incident, so diffs stay possible offline.
  const parts: Array<{ label: string; r: TimeRange }> = incidentStart > range.start + 1000 ? [{ label: 'baseline', r: { start: range.start, end: incidentStart } }, { label: 'incident', r: { start: incidentStart, end: range.end } }] : [{ label: 'window', r: range }];
  const maxTypes = opts.maxProfileTypes ?? RECORD_DEFAULTS.maxProfileTypes;
  let n = 0;
  for (const svc of services) {
    const sel = `{service_name=${JSON.stringify(svc)}}`;
    const series = await rpc('Series', { matchers: [sel], labelNames: ['__profile_type__'], start: Math.trunc(range.start), end: Math.trunc(range.end) });
    const present = new Set(((series.labelsSet as PJson[] | undefined) ?? []).flatMap((ls) => ((ls.labels as Array<{ name: string; value: string }>) ?? []).filter((l) => l.name === '__profile_type__').map((l) => l.value)));
    // CPU first, then memory, then the rest: the order investigations use them in.
    const order = (t: string) => (t.startsWith('process_cpu') ? 0 : t.startsWith('memory') ? 1 : t.startsWith('mutex') || t.startsWith('block') ? 2 : 3);
    const svcTypes = allTypes.filter((t) => present.size === 0 || present.has(t)).sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
    if (svcTypes.length > maxTypes) sum.notes.push(`${svc}: kept ${maxTypes} of ${svcTypes.length} profile types (--max-profile-types)`);
    for (const t of svcTypes.slice(0, maxTypes)) {
      for (const part of parts) {
        if (budget.left() <= 0) {
          sum.notes.push('size cap reached: remaining profiles left out (--max-bytes)');
          break;
        }
        const prof = await rpc('SelectMergeProfile', { profileTypeID: t, labelSelector: sel, start: Math.trunc(part.r.start), end: Math.trunc(part.r.end) });
        if (!((prof.sample as unknown[] | undefined) ?? []).length) continue;
        const bin = pprofFromJson(prof, part.r);
        const name = `${t.split(':').slice(0, 2).join('-')}.${part.label}.pb.gz`.replace(/[^\w.-]+/g, '_');
        sum.bytes += await writeOut(opts.out, path.join('profiles', svc.replace(/[/\\]/g, '_'), name), gzipSync(bin), budget, sum.files);
        n++;
      }
    }
  }
  if (!n) {
    sum.status = 'empty';
    sum.kept = '0 profiles';
    return;
  }
  sum.kept = `${n} merged profile(s) for ${services.length} service(s) (${parts.map((p) => p.label).join(' + ')})`;
}

// ---------------------------------------------------------------- bundle

export async function recordBundle(config: Config, opts: RecordOptions): Promise<RecordSummary> {
  if (!(opts.to > opts.from)) throw new Error('--to must be after --from');
  if (opts.baselineFrom !== undefined && !(opts.baselineFrom < opts.from)) throw new Error('--baseline-from must be before --from');
  const range: TimeRange = { start: opts.baselineFrom ?? opts.from, end: opts.to };
  const budget = new ByteBudget(opts.maxBytes ?? RECORD_DEFAULTS.maxBytes);
  await mkdir(opts.out, { recursive: true });
  const signals: SignalSummary[] = [];
  const steps: Array<[BackendName, (c: HttpClient, s: SignalSummary) => Promise<void>]> = [
    ['tempo', (c, s) => recordTraces(c, range, opts, budget, s)],
    ['loki', (c, s) => recordLogs(c, range, opts, budget, s)],
    ['prometheus', (c, s) => recordMetrics(c, range, opts, budget, s)],
    ['pyroscope', (c, s) => recordProfiles(c, range, opts.from, opts, budget, s)],
  ];
  for (const [name, fn] of steps) {
    const cfg = config.backends[name];
    const s: SignalSummary = { backend: name, status: 'recorded', kept: '', notes: [], files: [], bytes: 0 };
    signals.push(s);
    if (!cfg) {
      s.status = 'not configured';
      s.kept = 'nothing';
      s.notes.push(`set ${name.toUpperCase()}_URL (or GRAFANA_URL + GRAFANA_${name.toUpperCase()}_UID) to record it`);
      continue;
    }
    opts.onProgress?.(`recording ${name}…`);
    try {
      await fn(new HttpClient(cfg), s);
    } catch (e) {
      s.status = 'failed';
      s.kept = s.kept || 'nothing';
      s.notes.push(describeError(e));
    }
  }
  const id = path.basename(path.resolve(opts.out));
  const incident = {
    id,
    title: `Incident recorded ${iso(opts.from)} → ${iso(opts.to)}`,
    window: { start: iso(range.start), end: iso(range.end) },
    ...(opts.baselineFrom !== undefined ? { baseline: { start: iso(opts.baselineFrom), end: iso(opts.from) } } : {}),
    incident: { start: iso(opts.from), end: iso(opts.to) },
    questions: [] as Array<{ lang: string; text: string }>,
    recorded: {
      at: new Date().toISOString(),
      services: opts.services ?? 'all',
      signals: Object.fromEntries(signals.map((s) => [s.backend, { status: s.status, kept: s.kept, notes: s.notes, bytes: s.bytes }])),
    },
  };
  const doc = new YAML.Document(incident);
  doc.commentBefore = ` Recorded by \`queryless record\`. Fill in before using it as an eval case:
   questions: [{lang: en, text: "Why are checkouts failing since 10:04?"}]
   truth: {service: checkout, fault: exception, span: "INSERT INTO orders", function: ..., file: ...}
   repositories: {checkout: owner/repo}   (optional, for source lookup)`;
  const yamlText = doc.toString();
  await writeFile(path.join(opts.out, 'incident.yaml'), yamlText);
  budget.used += yamlText.length;
  return { dir: path.resolve(opts.out), window: incident.window, signals, bytes: budget.used };
}

export function renderRecordSummary(s: RecordSummary): string {
  const kb = (b: number) => (b > 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MB` : `${(b / 1024).toFixed(1)} kB`);
  const lines = [`Recorded ${s.window.start} → ${s.window.end} into ${s.dir} (${kb(s.bytes)})`];
  for (const x of s.signals) {
    lines.push(`  ${x.backend.padEnd(10)} ${x.status.padEnd(14)} ${x.kept}${x.bytes ? ` — ${kb(x.bytes)}` : ''}`);
    for (const n of x.notes) lines.push(`  ${''.padEnd(10)} note: ${n}`);
  }
  lines.push('Next: edit incident.yaml (questions, truth), then `queryless eval DIR` or `queryless investigate --bundle DIR "question"`.');
  return lines.join('\n');
}
