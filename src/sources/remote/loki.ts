// Loki HTTP API client (direct or through Grafana's datasource proxy) and the LogSource over it.
// Shapes follow Loki's API (reference/API.md §2): nanosecond timestamps in and out for streams,
// seconds for matrix/vector and patterns, text/plain errors, endpoints without envelope for
// detected_fields/detected_labels. Truncation is detected by asking for limit+1 lines.
import type { BackendConfig } from '../../config.js';
import { BackendError, HttpClient, isObject, optionalArray, type RequestOptions } from '../../http.js';
import { MAX_ITEMS_PER_ANSWER } from '../../limits.js';
import { labelSet, labelSets, objectEntries, stringList, type From } from './answer-values.js';
import { noteLeftOut } from './answer-notes.js';

const STREAM: From = { backend: 'Loki', what: 'stream or series' };
const LINE_META: From = { backend: 'Loki', what: 'line metadata' };

// Shapes checked before parsing (a wrong one is a readable error naming Loki and its URL).
const QUERY_ANSWER = {
  what: '{"status":"success","data":{"resultType":…,"result":[…]}}',
  // The result's type decides how it is read: an answer without one cannot be read as anything.
  // Loki always writes `result` (an empty list when nothing matched): an answer without it lost it.
  test: (v: unknown) => isObject(v) && isObject(v.data) && typeof v.data.resultType === 'string' && (Array.isArray(v.data.result) || v.data.resultType === 'scalar'),
};
const LIST_ANSWER = { what: '{"status":"success","data":[…]}', test: (v: unknown) => isObject(v) && optionalArray(v.data) };
import type { Attributes, LogQuery, LogRecord, LogSet, LogSource, SeriesPoints, TimeRange } from '../types.js';
import { renderLogQL, serviceSelector, type LogQLQuery } from '../../query/logql.js';

export interface LokiEntry {
  /** Nanoseconds since epoch, as Loki sent it (string keeps full precision). */
  tsNs: string;
  timeMs: number;
  line: string;
  structuredMetadata?: Record<string, string>;
  parsed?: Record<string, string>;
}

export interface LokiStream {
  labels: Record<string, string>;
  entries: LokiEntry[];
}

export interface LokiQueryResult {
  resultType: 'streams' | 'matrix' | 'vector' | 'scalar';
  streams: LokiStream[];
  series: SeriesPoints[];
  warnings: string[];
}

export interface LokiPattern {
  pattern: string;
  level?: string;
  /** [unix seconds, count] */
  samples: Array<[number, number]>;
}

export interface LokiDetectedField {
  label: string;
  type: string;
  cardinality: number;
  parsers: string[] | null;
  jsonPath?: string[];
}

/** ms epoch → Loki nanosecond string (integers with > 10 digits are read as ns). */
export function toNs(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms - Math.floor(ms)) * 1e6))).toString();
}

export function nsToMs(ns: string): number {
  if (ns.length <= 6) return Number(ns) / 1e6;
  return Number(ns.slice(0, -6)) + Number(ns.slice(-6)) / 1e6;
}

const TRACE_KEYS = ['trace_id', 'traceID', 'traceId', 'traceid', 'TraceId'];
const SPAN_KEYS = ['span_id', 'spanID', 'spanId', 'spanid', 'SpanId'];
const SERVICE_KEYS = ['service_name', 'service', 'app', 'application', 'app_name', 'name', 'container', 'job'];

type Envelope<T> = { status: string; data: T; warnings?: string[] };

export class LokiClient {
  readonly http: HttpClient;

  constructor(readonly cfg: BackendConfig) {
    this.http = new HttpClient(cfg);
  }

  /**
   * An answer with Loki's envelope: `"status":"error"` (a proxy or Loki itself answering an error with
   * 200) is that error, naming Loki, not an empty list read out of a missing `data`.
   */
  private async envelope<T extends { status?: unknown }>(path: string, opts: RequestOptions): Promise<T> {
    const b = await this.http.json<T>(path, opts);
    const e = b as { status?: unknown; error?: unknown; message?: unknown };
    if (isObject(b) && e.status !== undefined && e.status !== 'success') {
      const said = typeof e.error === 'string' ? e.error : typeof e.message === 'string' ? e.message : 'no error text';
      throw new BackendError('loki', 200, `Loki at ${this.cfg.url} answered ${path} with status ${JSON.stringify(String(e.status).slice(0, 40))}: ${said}`, 'check the query and the time range; if it persists, check Loki\'s logs');
    }
    return b;
  }

  private range(r: TimeRange): { start: string; end: string } {
    return { start: toNs(r.start), end: toNs(r.end) };
  }

  /** GET /loki/api/v1/query_range with structured metadata kept apart (categorize-labels). */
  async queryRange(expr: string, r: TimeRange, opts: { limit?: number; direction?: 'backward' | 'forward'; stepSec?: number } = {}, signal?: AbortSignal): Promise<LokiQueryResult> {
    const body = await this.envelope<Envelope<{ resultType: string; result: unknown[]; encodingFlags?: string[] }>>('/loki/api/v1/query_range', {
      query: { query: expr, ...this.range(r), limit: opts.limit, direction: opts.direction, step: opts.stepSec !== undefined ? `${opts.stepSec}s` : undefined },
      headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
      signal,
      expect: QUERY_ANSWER,
    });
    return parseQueryData(body);
  }

  /** GET /loki/api/v1/query (instant; metric queries only). */
  async query(expr: string, timeMs: number, signal?: AbortSignal): Promise<LokiQueryResult> {
    const body = await this.envelope<Envelope<{ resultType: string; result: unknown[] }>>('/loki/api/v1/query', { query: { query: expr, time: toNs(timeMs) }, signal, expect: QUERY_ANSWER });
    return parseQueryData(body);
  }

  async labels(r: TimeRange, selector?: string, signal?: AbortSignal): Promise<string[]> {
    const b = await this.envelope<Envelope<string[] | null>>('/loki/api/v1/labels', { query: { ...this.range(r), query: selector }, signal, expect: LIST_ANSWER });
    return stringList(b.data, { backend: 'Loki', what: 'label name' });
  }

  async labelValues(name: string, r: TimeRange, selector?: string, signal?: AbortSignal): Promise<string[]> {
    const b = await this.envelope<Envelope<string[] | null>>(`/loki/api/v1/label/${encodeURIComponent(name)}/values`, { query: { ...this.range(r), query: selector }, signal, expect: LIST_ANSWER });
    return stringList(b.data, { backend: 'Loki', what: 'label value' });
  }

  async series(match: string[], r: TimeRange, signal?: AbortSignal): Promise<Array<Record<string, string>>> {
    const b = await this.envelope<Envelope<Array<Record<string, string>> | null>>('/loki/api/v1/series', { query: { 'match[]': match, ...this.range(r) }, signal, expect: LIST_ANSWER });
    return labelSets(b.data, STREAM);
  }

  /** Bytes per label set (query-frontend answers Prometheus-shaped; a bare querier answers `volumes`). */
  async volume(selector: string, r: TimeRange, opts: { limit?: number; targetLabels?: string[]; aggregateBy?: 'series' | 'labels' } = {}, signal?: AbortSignal): Promise<Array<{ labels: Record<string, string>; bytes: number }>> {
    const b = await this.http.json<Envelope<{ resultType: string; result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> }> & { volumes?: Array<{ name: string; volume: number }> }>('/loki/api/v1/index/volume', {
      query: { query: selector, ...this.range(r), limit: opts.limit, targetLabels: opts.targetLabels?.join(','), aggregateBy: opts.aggregateBy },
      signal,
    });
    if (Array.isArray(b.volumes)) {
      const named = b.volumes.filter((v) => typeof v?.name === 'string');
      noteLeftOut('Loki', 'volume without a series name', b.volumes.length - named.length);
      return named.map((v) => ({ labels: parseSelectorLabels(v.name), bytes: Number(v.volume) || 0 }));
    }
    return objectEntries(b.data?.result, { backend: 'Loki', what: 'volume entry' }).flatMap((x) => {
      const s = x as { metric?: unknown; value?: unknown; values?: unknown };
      const second = (p: unknown) => (Array.isArray(p) ? Number(p[1]) || 0 : 0);
      return [{ labels: labelSet(s.metric), bytes: s.value !== undefined ? second(s.value) : Array.isArray(s.values) ? s.values.reduce((n: number, p) => n + second(p), 0) : 0 }];
    });
  }

  /** Loki's own patterns (pattern ingester). Undefined when the endpoint is not there (404) or disabled. */
  async patterns(selector: string, r: TimeRange, stepSec: number | undefined, signal?: AbortSignal): Promise<LokiPattern[] | undefined> {
    try {
      const b = await this.envelope<Envelope<Array<{ pattern: string; level?: string; samples: Array<[number, number]> }> | null>>('/loki/api/v1/patterns', {
        query: { query: selector, ...this.range(r), step: stepSec !== undefined ? `${stepSec}s` : undefined },
        signal,
        retries: 0,
      });
      // Patterns without their text, and samples that are no [seconds, count] pair, are left out (and counted).
      const all = Array.isArray(b.data) ? b.data : [];
      const named = all.filter((p) => typeof p?.pattern === 'string');
      noteLeftOut('Loki', 'pattern without its text', all.length - named.length);
      return named.map((p) => {
        if (!Array.isArray(p.samples)) noteLeftOut('Loki', 'pattern without its list of samples');
        const given = Array.isArray(p.samples) ? p.samples : [];
        const samples = given.filter((s) => Array.isArray(s) && Number.isFinite(s[0]) && Number.isFinite(s[1]));
        noteLeftOut('Loki', 'pattern sample that is no [seconds, count] pair', given.length - samples.length);
        return { pattern: p.pattern, level: typeof p.level === 'string' ? p.level : undefined, samples };
      });
    } catch (e) {
      if (e instanceof BackendError && (e.status === 404 || e.status === 400 || e.status === 501)) return undefined;
      throw e;
    }
  }

  async detectedFields(selector: string, r: TimeRange, opts: { lineLimit?: number; limit?: number } = {}, signal?: AbortSignal): Promise<LokiDetectedField[] | undefined> {
    try {
      const b = await this.http.json<{ fields?: LokiDetectedField[] | null }>('/loki/api/v1/detected_fields', { query: { query: selector, ...this.range(r), line_limit: opts.lineLimit, limit: opts.limit }, signal, retries: 0 });
      const all = Array.isArray(b.fields) ? b.fields : [];
      const named = all.filter((f) => typeof f?.label === 'string');
      noteLeftOut('Loki', 'detected field without its name', all.length - named.length);
      noteLeftOut('Loki', 'detected field without its cardinality (shown as 0)', named.filter((f) => !Number.isFinite(Number(f.cardinality)) || f.cardinality === null || f.cardinality === undefined).length);
      return named.map((f) => ({ ...f, type: typeof f.type === 'string' ? f.type : 'string', cardinality: Number(f.cardinality) || 0, parsers: Array.isArray(f.parsers) ? stringList(f.parsers) : null }));
    } catch (e) {
      if (e instanceof BackendError && (e.status === 404 || e.status === 501)) return undefined;
      throw e;
    }
  }

  async detectedFieldValues(name: string, selector: string, r: TimeRange, signal?: AbortSignal): Promise<string[] | undefined> {
    try {
      const b = await this.http.json<{ values?: string[] | null }>(`/loki/api/v1/detected_field/${encodeURIComponent(name)}/values`, { query: { query: selector, ...this.range(r) }, signal, retries: 0 });
      return stringList(b.values, { backend: 'Loki', what: 'detected field value' });
    } catch (e) {
      if (e instanceof BackendError && (e.status === 404 || e.status === 501)) return undefined;
      throw e;
    }
  }

  async detectedLabels(selector: string | undefined, r: TimeRange, signal?: AbortSignal): Promise<Array<{ label: string; cardinality: number }> | undefined> {
    try {
      const b = await this.http.json<{ detectedLabels?: Array<{ label: string; cardinality?: number }> | null }>('/loki/api/v1/detected_labels', { query: { query: selector, ...this.range(r) }, signal, retries: 0 });
      const all = Array.isArray(b.detectedLabels) ? b.detectedLabels : [];
      const named = all.filter((l) => typeof l?.label === 'string');
      noteLeftOut('Loki', 'detected label without its name', all.length - named.length);
      noteLeftOut('Loki', 'detected label without its cardinality (shown as 0)', named.filter((l) => !Number.isFinite(Number(l.cardinality)) || l.cardinality === null || l.cardinality === undefined).length);
      return named.map((l) => ({ label: l.label, cardinality: Number(l.cardinality) || 0 }));
    } catch (e) {
      if (e instanceof BackendError && (e.status === 404 || e.status === 501)) return undefined;
      throw e;
    }
  }
}

/** `{a="b", c="d"}` → {a: b, c: d} (volume answers name series this way). */
export function parseSelectorLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([A-Za-z_][\w]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return out;
}

/** The objects of a list (a result's streams or series); anything else is left out, and counted. */
const objects = (v: unknown): Array<Record<string, unknown>> => objectEntries(v, STREAM);

/** A nanosecond time as Loki writes it (a string of digits; a number is accepted), else undefined. */
function nsText(v: unknown): string | undefined {
  const t = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : v;
  return typeof t === 'string' && /^\d{1,20}$/.test(t) ? t : undefined;
}

/** A [unix seconds, "value"] pair as [ms, number]; undefined when it is no pair or its time no number. */
function secondsPoint(p: unknown): [number, number] | undefined {
  if (!Array.isArray(p) || p.length < 2) return undefined;
  const t = Number(p[0]);
  const v = typeof p[1] === 'string' || typeof p[1] === 'number' ? Number(p[1]) : NaN;
  return Number.isFinite(t) && (typeof p[0] === 'number' || typeof p[0] === 'string') ? [t * 1000, v] : undefined;
}

export function parseQueryData(body: Envelope<{ resultType: string; result: unknown[] }>): LokiQueryResult {
  const d = body.data ?? { resultType: 'streams', result: [] };
  if (!Array.isArray(d.result)) d.result = d.resultType === 'scalar' ? d.result ?? [] : [];
  const out: LokiQueryResult = { resultType: d.resultType as LokiQueryResult['resultType'], streams: [], series: [], warnings: Array.isArray(body.warnings) ? body.warnings.map(String) : [] };
  // At most MAX_ITEMS_PER_ANSWER entries (lines or series) are read from one answer; the rest is noted.
  let budget = MAX_ITEMS_PER_ANSWER;
  let dropped = 0;
  let malformed = 0;
  if (d.resultType === 'streams') {
    for (const s of objects(d.result)) {
      if (!Array.isArray(s.values)) noteLeftOut('Loki', 'stream without a list of lines');
      const values = Array.isArray(s.values) ? s.values : [];
      if (budget <= 0) {
        dropped += values.length;
        continue;
      }
      const kept = values.length > budget ? values.slice(0, budget) : values;
      dropped += values.length - kept.length;
      budget -= kept.length;
      // An entry is [ns string, line, metadata?]; one whose time is no integer is left out, and counted.
      const entries: LokiEntry[] = [];
      for (const v of kept) {
        const ns = Array.isArray(v) ? nsText(v[0]) : undefined;
        if (ns === undefined) {
          malformed++;
          continue;
        }
        const meta = (v as unknown[])[2] as { structuredMetadata?: unknown; parsed?: unknown } | undefined;
        // The third element holds the line's structured metadata and parsed labels: one with neither lost them.
        if (meta !== undefined && (meta === null || typeof meta !== 'object' || (meta.structuredMetadata === undefined && meta.parsed === undefined))) noteLeftOut('Loki', 'line whose metadata (structuredMetadata, parsed) could not be read');
        const line = (v as unknown[])[1];
        entries.push({ tsNs: ns, timeMs: nsToMs(ns), line: typeof line === 'string' ? line : line === undefined || line === null ? '' : typeof line === 'object' ? JSON.stringify(line) : String(line), structuredMetadata: meta?.structuredMetadata ? labelSet(meta.structuredMetadata, LINE_META) : undefined, parsed: meta?.parsed ? labelSet(meta.parsed, LINE_META) : undefined });
      }
      out.streams.push({ labels: labelSet(s.stream, STREAM), entries });
    }
    if (dropped) out.warnings.push(`Loki answered ${dropped} more line(s) than the ${MAX_ITEMS_PER_ANSWER} read from one answer; they were left out: narrow the window or add filters`);
  } else if (d.resultType === 'matrix') {
    const all = objects(d.result);
    if (all.length > MAX_ITEMS_PER_ANSWER) out.warnings.push(`Loki answered ${all.length} series; only the first ${MAX_ITEMS_PER_ANSWER} were read: aggregate (sum by …) or narrow the selector`);
    for (const s of all.slice(0, MAX_ITEMS_PER_ANSWER)) {
      const given = Array.isArray(s.values) ? s.values : [];
      if (!Array.isArray(s.values)) noteLeftOut('Loki', 'series without a list of values');
      const points = given.map(secondsPoint).filter((p): p is [number, number] => p !== undefined);
      malformed += given.length - points.length;
      out.series.push({ labels: labelSet(s.metric, STREAM), points });
    }
  } else if (d.resultType === 'vector') {
    for (const s of objects(d.result)) {
      const p = secondsPoint(s.value);
      if (p) out.series.push({ labels: labelSet(s.metric, STREAM), points: [p] });
      else malformed++;
    }
  } else if (d.resultType === 'scalar') {
    const p = secondsPoint(d.result);
    if (p) out.series.push({ labels: {}, points: [p] });
  }
  if (malformed) {
    out.warnings.push(`Loki answered ${malformed} line(s) or sample(s) without a readable time; they were left out`);
    noteLeftOut('Loki', 'line or sample without a readable time', malformed);
  }
  return out;
}

/** Turns Loki streams into LogRecords, newest or oldest first. */
export function streamsToRecords(streams: LokiStream[], direction: 'backward' | 'forward' = 'backward'): LogRecord[] {
  const out: LogRecord[] = [];
  for (const s of streams) {
    const service = SERVICE_KEYS.map((k) => s.labels[k]).find((v) => v) ?? 'unknown_service';
    for (const e of s.entries) {
      const attributes: Attributes = { ...(e.structuredMetadata ?? {}), ...(e.parsed ?? {}) };
      const traceId = TRACE_KEYS.map((k) => attributes[k] ?? s.labels[k]).find((v) => v !== undefined);
      const spanId = SPAN_KEYS.map((k) => attributes[k] ?? s.labels[k]).find((v) => v !== undefined);
      const sevNum = attributes.severity_number !== undefined ? Number(attributes.severity_number) : undefined;
      out.push({
        timeMs: e.timeMs,
        service,
        body: e.line,
        severityText: typeof attributes.severity_text === 'string' ? attributes.severity_text : undefined,
        severityNumber: sevNum && Number.isFinite(sevNum) ? sevNum : undefined,
        attributes,
        resource: s.labels,
        traceId: traceId !== undefined ? String(traceId).toLowerCase() : undefined,
        spanId: spanId !== undefined ? String(spanId).toLowerCase() : undefined,
      });
    }
  }
  out.sort((a, b) => (direction === 'forward' ? a.timeMs - b.timeMs : b.timeMs - a.timeMs));
  return out;
}

/** The LogQL a LogQuery renders to. */
export function logQueryToLogQL(q: LogQuery): LogQLQuery {
  const lineFilters: NonNullable<LogQLQuery['lineFilters']> = [];
  for (const c of q.contains ?? []) lineFilters.push({ op: '|=', value: c, caseInsensitive: q.caseInsensitive });
  for (const c of q.notContains ?? []) lineFilters.push({ op: '!=', value: c, caseInsensitive: q.caseInsensitive });
  if (q.regex !== undefined) lineFilters.push({ op: '|~', value: q.regex, caseInsensitive: q.caseInsensitive });
  if (q.traceId) lineFilters.push({ op: '|=', value: q.traceId });
  return { selector: serviceSelector(q.service, q.labels), lineFilters };
}

export const LOKI_MAX_LINES = 5000;

export class LokiLogSource implements LogSource {
  readonly kind = 'loki' as const;
  readonly client: LokiClient;

  constructor(cfg: BackendConfig) {
    this.client = new LokiClient(cfg);
  }

  async queryLogs(q: LogQuery, signal?: AbortSignal): Promise<LogSet> {
    const limit = Math.min(q.limit ?? 1000, LOKI_MAX_LINES);
    // Loki cannot filter on trace id as a label in general: a line filter finds it in the text; structured metadata
    // trace ids are matched after the fetch.
    const expr = renderLogQL(logQueryToLogQL(q));
    return this.fetch(expr, q.range, limit, q.direction ?? 'backward', signal);
  }

  /** Runs a log query asking for limit+1 lines, so truncation is known. */
  async fetch(expr: string, range: TimeRange, limit: number, direction: 'backward' | 'forward', signal?: AbortSignal): Promise<LogSet> {
    const res = await this.client.queryRange(expr, range, { limit: limit + 1, direction }, signal);
    if (res.resultType !== 'streams') throw new BackendError('loki', 200, `expected a log query, got a ${res.resultType} result for ${expr}`);
    const records = streamsToRecords(res.streams, direction);
    const truncated = records.length > limit;
    return { records: records.slice(0, limit), truncated, notes: [...res.warnings, ...(truncated ? [`Loki returned more than ${limit} lines; the oldest/newest were left out (narrow the window or add filters)`] : [])] };
  }

  async services(range: TimeRange, signal?: AbortSignal): Promise<string[]> {
    return (await this.client.labelValues('service_name', range, undefined, signal)).sort();
  }
}
