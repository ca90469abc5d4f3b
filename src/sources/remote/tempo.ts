// Tempo over HTTP (directly or through Grafana's datasource proxy): TraceQL search, trace by id
// (v2 with v1 fallback), tag values, TraceQL metrics. Analyses need whole traces, so findTraces
// searches for matching trace ids and then fetches a bounded sample of full traces (like Traces Drilldown).
import type { BackendConfig } from '../../config.js';
import { BackendError, HttpClient, isObject, optionalArray } from '../../http.js';
import { MAX_ITEMS_PER_ANSWER } from '../../limits.js';
import { stringList } from './answer-values.js';
import { noteLeftOut } from './answer-notes.js';

// Shapes checked before parsing (a wrong one is a readable error naming Tempo and its URL).
const SEARCH_ANSWER = { what: 'a search answer {"traces":[…]}', test: (v: unknown) => isObject(v) && optionalArray(v.traces) };
const TRACE_ANSWER = { what: 'an OTLP trace {"trace":{"resourceSpans":[…]}} or {"batches":[…]}', test: (v: unknown) => isObject(v) };
const TAG_VALUES_ANSWER = { what: '{"tagValues":[…]}', test: (v: unknown) => isObject(v) && optionalArray(v.tagValues) };
const TAGS_ANSWER = { what: '{"scopes":[…]}', test: (v: unknown) => isObject(v) && optionalArray(v.scopes) };
const METRICS_ANSWER = { what: '{"series":[…]}', test: (v: unknown) => isObject(v) && optionalArray(v.series) };
import type { Span, SpanQuery, TimeRange, TraceMetricSeries, TraceSearchResult, TraceSet, TraceSource } from '../types.js';
import { parseTracesData, type ParseStats } from '../otlp-traces.js';
import { attributes, nanosToMs } from '../otlp.js';
import { traceqlForQuery } from '../../query/traceql.js';

export const DEFAULT_TRACE_SAMPLE = 200;
const FETCH_CONCURRENCY = 8;

interface SearchResponse {
  traces?: Array<{
    traceID?: string;
    rootServiceName?: string;
    rootTraceName?: string;
    startTimeUnixNano?: string;
    durationMs?: number;
    spanSet?: { spans?: RawSearchSpan[]; matched?: number };
    spanSets?: Array<{ spans?: RawSearchSpan[]; matched?: number }>;
  }>;
  metrics?: { inspectedTraces?: number | string };
}

interface RawSearchSpan {
  spanID?: string;
  name?: string;
  startTimeUnixNano?: string;
  durationNanos?: string | number;
  attributes?: unknown;
}

/** Tempo search/tags take uint32 unix seconds (ms or ns are rejected with 400). */
export const toTempoSeconds = (ms: number): number => Math.floor(ms / 1000);
const ceilSeconds = (ms: number): number => Math.ceil(ms / 1000);

/** Search returns trace ids with leading zeros trimmed: pad to 32 hex. */
export const padTraceId = (id: string): string => id.toLowerCase().padStart(32, '0');

export class TempoTraceSource implements TraceSource {
  readonly kind = 'tempo' as const;
  private readonly http: HttpClient;

  constructor(readonly cfg: BackendConfig, private readonly sampleSize = DEFAULT_TRACE_SAMPLE) {
    this.http = new HttpClient(cfg);
  }

  async search(traceql: string, range: TimeRange, opts: { limit?: number; spss?: number } = {}, signal?: AbortSignal): Promise<TraceSearchResult> {
    const res = await this.http.json<SearchResponse>('/api/search', {
      query: { q: traceql, start: toTempoSeconds(range.start), end: Math.max(ceilSeconds(range.end), toTempoSeconds(range.start) + 1), limit: opts.limit ?? 20, spss: opts.spss ?? 3 },
      signal,
      expect: SEARCH_ANSWER,
    });
    // Never more traces than asked for, whatever the server sends.
    // Traces without a hex id cannot be fetched or linked: left out.
    const given = res.traces ?? [];
    const readable = given.filter((t) => typeof t?.traceID === 'string' && /^[0-9a-fA-F]{1,32}$/.test(t.traceID));
    noteLeftOut('Tempo', 'search result without a hex trace id', given.length - readable.length);
    const listed = readable.slice(0, Math.max(1, opts.limit ?? 20));
    const traces = listed.map((t) => {
      // The matched spans: a list of span sets (or one), each with a list of spans. What is of another
      // shape would read as "matched 0" or as a span without id or time: counted instead.
      if (t.spanSets !== undefined && !Array.isArray(t.spanSets)) noteLeftOut('Tempo', 'search result whose spanSets is no list');
      const given = Array.isArray(t.spanSets) ? t.spanSets : t.spanSet ? [t.spanSet] : [];
      const sets = given.filter((set) => set !== null && typeof set === 'object' && !Array.isArray(set));
      noteLeftOut('Tempo', 'span set that is no object', given.length - sets.length);
      const spans = sets.flatMap((set) => {
        if (set.spans !== undefined && !Array.isArray(set.spans)) noteLeftOut('Tempo', 'span set whose spans is no list');
        const all = Array.isArray(set.spans) ? set.spans : [];
        const readable = all.filter((s) => s !== null && typeof s === 'object' && !Array.isArray(s) && typeof s.spanID === 'string');
        noteLeftOut('Tempo', 'matched span without a span id', all.length - readable.length);
        return readable.map((s) => {
          const start = nanosToMs(s.startTimeUnixNano) ?? 0;
          const duration = Number(s.durationNanos ?? 0) / 1e6;
          return { spanId: String(s.spanID ?? '').toLowerCase().padStart(16, '0'), name: typeof s.name === 'string' ? s.name : undefined, startMs: start, durationMs: Number.isFinite(duration) ? duration : 0, attributes: attributes(s.attributes) };
        });
      });
      return {
        traceId: padTraceId(t.traceID ?? ''),
        rootServiceName: typeof t.rootServiceName === 'string' ? t.rootServiceName : undefined,
        rootTraceName: typeof t.rootTraceName === 'string' ? t.rootTraceName : undefined,
        startMs: nanosToMs(t.startTimeUnixNano) ?? 0,
        durationMs: Number(t.durationMs ?? 0) || 0,
        spans,
        matched: sets.reduce((n, s) => n + (Number(s.matched ?? 0) || 0), 0),
      };
    });
    const inspected = Number(res.metrics?.inspectedTraces);
    return { traces, inspectedTraces: Number.isFinite(inspected) ? inspected : undefined };
  }

  async findTraces(q: SpanQuery, signal?: AbortSignal): Promise<TraceSet> {
    const limit = q.limitTraces ?? this.sampleSize;
    const traceql = traceqlForQuery(q);
    const found = await this.search(traceql, q.range, { limit, spss: 1 }, signal);
    const ids = [...new Set(found.traces.map((t) => t.traceId))];
    const notes: string[] = [];
    const partial = ids.length >= limit;
    if (partial) notes.push(`sampled ${ids.length} traces matching ${traceql} (Tempo search limit ${limit}); figures are over this sample`);
    const spans: Span[] = [];
    let missing = 0;
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const t = await this.getTrace(id, signal, q.range);
        if (t) for (const s of t) spans.push(s);
        else missing++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, ids.length) }, worker));
    if (missing) notes.push(`${missing} trace(s) listed by search could not be fetched`);
    return { spans, partial, notes };
  }

  /** Fetches one trace; v2 endpoint first, v1 when the server predates v2. Undefined when not found. */
  async getTrace(traceId: string, signal?: AbortSignal, range?: TimeRange): Promise<Span[] | undefined> {
    if (!/^[0-9a-fA-F]{1,32}$/.test(traceId)) throw new BackendError('tempo', undefined, `invalid trace id "${traceId.slice(0, 40)}": expected up to 32 hex characters`);
    const id = padTraceId(traceId);
    const query = range ? { start: toTempoSeconds(range.start) - 3600, end: ceilSeconds(range.end) + 3600 } : undefined;
    let body: unknown;
    try {
      body = await this.http.json<unknown>(`/api/v2/traces/${id}`, { query, signal, expect: TRACE_ANSWER });
    } catch (e) {
      if (!(e instanceof BackendError) || e.status !== 404) throw e;
      if (/trace not found/i.test(e.message)) return undefined;
      // 404 without "trace not found": an older Tempo without the v2 endpoint.
      try {
        body = await this.http.json<unknown>(`/api/traces/${id}`, { query, signal, expect: TRACE_ANSWER });
      } catch (e2) {
        if (e2 instanceof BackendError && e2.status === 404) return undefined;
        throw e2;
      }
    }
    const spans: Span[] = [];
    const stats: ParseStats = { spans: 0, skipped: 0, reasons: new Map() };
    parseTracesData(body, spans, stats);
    for (const [why, n] of stats.reasons) noteLeftOut('Tempo', `span of trace ${id} left unread (${why})`, n);
    // One trace of a runaway loop can hold millions of spans: read a bounded number.
    if (spans.length > MAX_ITEMS_PER_ANSWER) {
      noteLeftOut('Tempo', `span of trace ${id} past the ${MAX_ITEMS_PER_ANSWER} read from one answer`, spans.length - MAX_ITEMS_PER_ANSWER);
      spans.length = MAX_ITEMS_PER_ANSWER;
    }
    return spans.length ? spans : undefined;
  }

  async services(range: TimeRange, signal?: AbortSignal): Promise<string[]> {
    const res = await this.http.json<{ tagValues?: Array<{ type?: string; value?: string } | string> }>('/api/v2/search/tag/resource.service.name/values', {
      query: { start: toTempoSeconds(range.start), end: ceilSeconds(range.end) },
      signal,
      expect: TAG_VALUES_ANSWER,
    });
    const given = (res.tagValues ?? []).map((v) => (typeof v === 'string' ? v : typeof v?.value === 'string' ? v.value : ''));
    noteLeftOut('Tempo', 'service name that is no text', given.filter((v) => !v).length);
    return [...new Set(given.filter(Boolean))].sort();
  }

  async tags(range: TimeRange, signal?: AbortSignal): Promise<Array<{ scope: string; tags: string[] }>> {
    const res = await this.http.json<{ scopes?: Array<{ name: string; tags?: string[] }> }>('/api/v2/search/tags', {
      query: { start: toTempoSeconds(range.start), end: ceilSeconds(range.end) },
      signal,
      expect: TAGS_ANSWER,
    });
    const named = (res.scopes ?? []).filter((s) => typeof s?.name === 'string');
    noteLeftOut('Tempo', 'tag scope without its name', (res.scopes ?? []).length - named.length);
    return named.map((s) => ({ scope: s.name, tags: stringList(s.tags, { backend: 'Tempo', what: 'tag name' }) }));
  }

  async metricsRange(traceql: string, range: TimeRange, stepSeconds: number, signal?: AbortSignal): Promise<TraceMetricSeries[]> {
    const res = await this.http.json<{ series?: Array<{ labels?: Array<{ key: string; value?: Record<string, unknown> }>; samples?: Array<{ timestampMs?: string; value?: number }> }> }>(
      '/api/metrics/query_range',
      { query: { q: traceql, start: toTempoSeconds(range.start), end: ceilSeconds(range.end), step: `${Math.max(1, Math.round(stepSeconds))}s` }, signal, expect: METRICS_ANSWER },
    );
    // Tempo aligns samples to the step: one step either side of the range is still this answer.
    const slack = Math.max(1, Math.round(stepSeconds)) * 1000;
    return (res.series ?? []).map((s) => {
      const labels: Record<string, string> = {};
      // A series without its labels would be drawn as a service without a name: counted.
      if (s?.labels !== undefined && !Array.isArray(s?.labels)) noteLeftOut('Tempo', 'metrics series label list that is no list');
      for (const l of Array.isArray(s?.labels) ? s.labels : []) {
        if (typeof l?.key !== 'string') {
          noteLeftOut('Tempo', 'metrics series label without a key');
          continue;
        }
        const v = l.value ?? {};
        const x = v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue;
        labels[l.key] = x === undefined ? '' : String(x);
      }
      if (!Array.isArray(s?.samples)) noteLeftOut('Tempo', 'metrics series without a list of samples');
      const samples = Array.isArray(s?.samples) ? s.samples : [];
      const points = samples.map((p) => [Number(p?.timestampMs), Number(p?.value ?? 0)] as [number, number]).filter(([t]) => Number.isFinite(t));
      noteLeftOut('Tempo', 'metrics sample without a readable time', samples.length - points.length);
      // A sample far outside the range asked for (a time in seconds, 0) is no time of this answer.
      const inRange = points.filter(([t]) => t >= range.start - slack && t <= range.end + slack);
      noteLeftOut('Tempo', 'metrics sample whose time lies outside the range asked for', points.length - inRange.length);
      return { labels, points: inRange };
    });
  }
}
