// Prometheus HTTP API client (API.md §1): direct Prometheus, Mimir (`/prometheus` prefix + X-Scope-OrgID from
// the config headers) or Grafana's datasource proxy — all through Config.backends.prometheus.url.
// PromQL is validated locally before any request, so a typo never costs a round trip.
import type { BackendConfig } from '../../config.js';
import { BackendError, describeJson, HttpClient, isObject, type RequestOptions } from '../../http.js';
import type { MetricMetadata, MetricQueryResult, MetricSource, MetricType, SeriesPoints, TimeRange } from '../types.js';
import { parsePromQL } from '../../query/promql.js';
import { labelSet, labelSets, objectEntries, stringList, type From } from './answer-values.js';
import { noteLeftOut } from './answer-notes.js';

const SERIES: From = { backend: 'Prometheus', what: 'series' };

interface Envelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

interface QueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

/** Query strings longer than this go in a POST form body (URLs have practical limits around 8 KiB). */
const POST_THRESHOLD = 1500;
/** Series read from one query answer (the rest is reported, not parsed). */
export const MAX_SERIES_PER_ANSWER = 20_000;

const ENVELOPE = { what: 'a Prometheus API answer {"status":"success","data":…}', test: (v: unknown) => isObject(v) && typeof v.status === 'string' };
const QUERY_DATA = { what: 'an object {"resultType":…,"result":[…]}', test: (v: unknown) => isObject(v) && typeof v.resultType === 'string' && (Array.isArray(v.result) || v.resultType === 'scalar' || v.resultType === 'string') };
const ARRAY_DATA = { what: 'an array', test: (v: unknown) => Array.isArray(v) };
const sec = (ms: number) => (ms / 1000).toFixed(3);

export class PrometheusSource implements MetricSource {
  readonly kind = 'prometheus' as const;
  private readonly http: HttpClient;
  /** '' or '/prometheus' once a Mimir base without the prefix answered 404. */
  private prefix = '';
  private prefixProbed = false;

  constructor(readonly cfg: BackendConfig) {
    this.http = new HttpClient(cfg);
  }

  private async call<T>(
    path: string,
    params: Record<string, string | string[] | undefined>,
    signal?: AbortSignal,
    postable = false,
    data?: { what: string; test: (v: unknown) => boolean },
  ): Promise<Envelope<T>> {
    const size = Object.values(params).reduce((n, v) => n + (Array.isArray(v) ? v.join('').length : (v?.length ?? 0)), 0);
    const opts: RequestOptions = { signal, expect: ENVELOPE };
    // Grafana's proxy only allows POST on query/query_range/series/labels; Prometheus accepts both.
    if (postable && size > POST_THRESHOLD) {
      opts.method = 'POST';
      opts.form = params;
    } else opts.query = params;
    let env: Envelope<T>;
    try {
      env = await this.http.json<Envelope<T>>(`${this.prefix}${path}`, opts);
    } catch (e) {
      // A Mimir base URL without its /prometheus prefix answers 404 on /api/v1/*: retry once with it.
      if (e instanceof BackendError && e.status === 404 && !this.prefixProbed && !this.cfg.url.endsWith('/prometheus') && !this.cfg.viaGrafana) {
        this.prefixProbed = true;
        this.prefix = '/prometheus';
        try {
          return await this.call<T>(path, params, signal, postable, data);
        } catch (e2) {
          this.prefix = '';
          throw e2 instanceof BackendError && e2.status === 404 ? e : e2;
        }
      }
      throw e;
    }
    this.prefixProbed = true;
    if (env.status !== 'success') {
      throw new BackendError('prometheus', undefined, `prometheus ${env.errorType ?? 'error'}: ${env.error ?? 'unknown error'}`, env.errorType === 'bad_data' ? 'check the PromQL and parameters' : undefined);
    }
    if (data && !data.test(env.data)) throw this.http.shapeError(`${this.prefix}${path}`, `"data" to be ${data.what}`, describeJson(env.data));
    return env;
  }

  private validate(promql: string): void {
    parsePromQL(promql); // throws PromQLParseError with the column
  }

  async instant(promql: string, time: number, signal?: AbortSignal): Promise<MetricQueryResult> {
    this.validate(promql);
    const env = await this.call<QueryData>('/api/v1/query', { query: promql, time: sec(time) }, signal, true, QUERY_DATA);
    return withWarnings(decodeResult(env.data!, env), env);
  }

  async range(promql: string, range: TimeRange, stepMs: number, signal?: AbortSignal): Promise<MetricQueryResult> {
    this.validate(promql);
    const points = Math.floor((range.end - range.start) / stepMs);
    if (points > 11_000) throw new BackendError('prometheus', 400, `range query would return ${points} points per series (Prometheus caps at 11,000)`, 'raise the step or narrow the time range');
    const env = await this.call<QueryData>('/api/v1/query_range', { query: promql, start: sec(range.start), end: sec(range.end), step: String(stepMs / 1000) }, signal, true, QUERY_DATA);
    return withWarnings(decodeResult(env.data!, env), env);
  }

  async metadata(signal?: AbortSignal): Promise<MetricMetadata[]> {
    const env = await this.call<Record<string, Array<{ type: string; help?: string; unit?: string }>>>('/api/v1/metadata', {}, signal, false, { what: 'an object of metric name → metadata', test: isObject });
    const out: MetricMetadata[] = [];
    for (const [name, entries] of Object.entries(env.data ?? {})) {
      const e: unknown = Array.isArray(entries) ? entries[0] : undefined;
      if (e === null || typeof e !== 'object') {
        noteLeftOut('Prometheus', 'metric metadata that is no list of objects');
        continue;
      }
      const { type, help, unit } = e as Record<string, unknown>;
      const text = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
      out.push({ name, type: (text(type) ?? 'unknown') as MetricType, help: text(help), unit: text(unit) });
    }
    return out;
  }

  async metricNames(range: TimeRange, signal?: AbortSignal): Promise<string[]> {
    return this.labelValues('__name__', range, signal);
  }

  async series(match: string, range: TimeRange, signal?: AbortSignal): Promise<Array<Record<string, string>>> {
    this.validate(match);
    const env = await this.call<Array<Record<string, string>>>('/api/v1/series', { 'match[]': [match], start: sec(range.start), end: sec(range.end) }, signal, true, ARRAY_DATA);
    return labelSets(env.data, SERIES);
  }

  async labelNames(range: TimeRange, match?: string, signal?: AbortSignal): Promise<string[]> {
    const env = await this.call<string[]>('/api/v1/labels', { start: sec(range.start), end: sec(range.end), 'match[]': match ? [match] : undefined }, signal, true, ARRAY_DATA);
    return stringList(env.data, { backend: 'Prometheus', what: 'label name' });
  }

  async labelValues(label: string, range: TimeRange, signal?: AbortSignal): Promise<string[]> {
    const env = await this.call<string[]>(`/api/v1/label/${encodeURIComponent(escapeLabelName(label))}/values`, { start: sec(range.start), end: sec(range.end) }, signal, false, ARRAY_DATA);
    return stringList(env.data, { backend: 'Prometheus', what: 'label value' });
  }

  async buildInfo(signal?: AbortSignal): Promise<{ version: string } | undefined> {
    try {
      const env = await this.call<{ version: string }>('/api/v1/status/buildinfo', {}, signal);
      return env.data;
    } catch (e) {
      // Mimir and some proxies do not serve buildinfo: semantics then default to the modern ones.
      if (e instanceof BackendError && (e.status === 404 || e.status === 400)) return undefined;
      throw e;
    }
  }
}

/** UTF-8 label names in the URL path are escaped as `U__…` (API.md §1.6). */
export function escapeLabelName(name: string): string {
  if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) return name;
  let out = 'U__';
  for (const ch of name) {
    if (/[a-zA-Z0-9:]/.test(ch)) out += ch;
    else if (ch === '_') out += '__';
    else out += `_${ch.codePointAt(0)!.toString(16)}_`;
  }
  return out;
}

function withWarnings(r: SeriesPoints[], env: Envelope<unknown>): MetricQueryResult {
  const out = r as MetricQueryResult;
  const w = [...(env.warnings ?? []), ...(env.infos ?? [])];
  if (w.length) out.warnings = w;
  return out;
}

/** Sample values are strings; Number() reads "NaN" and "-Inf"-less forms, but not "+Inf"/"Inf"/"-Inf". */
const num = (s: unknown) => (s === '+Inf' || s === 'Inf' ? Infinity : s === '-Inf' ? -Infinity : typeof s === 'string' || typeof s === 'number' ? Number(s) : NaN);

/** A sample value as Prometheus writes it: a number in a string, "NaN" or ±Inf (a bare number is accepted). */
const sampleValue = (v: unknown): boolean => typeof v === 'number' || (typeof v === 'string' && (v === 'NaN' || v === '+Inf' || v === 'Inf' || v === '-Inf' || (v.trim() !== '' && Number.isFinite(Number(v)))));

/**
 * One [unix seconds, value] pair as [ms, number]; undefined when it is no pair, its time no number or its
 * value none Prometheus writes (an object, "x"): such a point is left out, not read as NaN.
 */
function point(p: unknown, value: (v: unknown) => unknown = (v) => v): [number, number] | undefined {
  if (!Array.isArray(p) || p.length < 2) return undefined;
  const t = typeof p[0] === 'number' ? p[0] : typeof p[0] === 'string' ? Number(p[0]) : NaN;
  const v = value(p[1]);
  return Number.isFinite(t) && sampleValue(v) ? [Math.round(t * 1000), num(v)] : undefined;
}
const histogramCount = (h: unknown) => (h !== null && typeof h === 'object' ? (h as { count?: unknown }).count : undefined);
const isPoint = (p: [number, number] | undefined): p is [number, number] => p !== undefined;

/**
 * Decodes a query answer, reading at most MAX_SERIES_PER_ANSWER series (a note in `env.warnings`
 * says when more came): what the analyses use is bounded whatever the backend sends.
 */
export function decodeResult(data: QueryData, env?: { warnings?: string[] }): SeriesPoints[] {
  let d = data;
  if ((d.resultType === 'vector' || d.resultType === 'matrix') && Array.isArray(d.result) && d.result.length > MAX_SERIES_PER_ANSWER) {
    const n = d.result.length;
    d = { ...d, result: d.result.slice(0, MAX_SERIES_PER_ANSWER) };
    if (env) (env.warnings ??= []).push(`Prometheus answered ${n} series; only the first ${MAX_SERIES_PER_ANSWER} were read: narrow the selector or aggregate (sum by …)`);
  }
  switch (d.resultType) {
    case 'scalar': {
      const p = point(d.result);
      return p ? [{ labels: {}, points: [p] }] : [];
    }
    // Entries and points of a shape the API does not give (no object, no [time, value] pair) are left out.
    case 'vector':
      return objectEntries(d.result, SERIES).flatMap((s) => {
        // Native histograms: expose their count (a float view); callers use histogram_quantile for shape.
        const p = s.value !== undefined ? point(s.value) : point(s.histogram, histogramCount);
        if (!p) noteLeftOut('Prometheus', 'sample without a readable [time, value] pair');
        return p ? [{ labels: labelSet(s.metric, SERIES), points: [p] }] : [];
      });
    case 'matrix':
      return objectEntries(d.result, SERIES).map((s) => {
        const all = [...(Array.isArray(s.values) ? s.values.map((p) => point(p)) : []), ...(Array.isArray(s.histograms) ? s.histograms.map((p) => point(p, histogramCount)) : [])];
        const points = all.filter(isPoint);
        noteLeftOut('Prometheus', 'sample without a readable [time, value] pair', all.length - points.length);
        if (!Array.isArray(s.values) && !Array.isArray(s.histograms)) noteLeftOut('Prometheus', 'series without a list of values');
        return { labels: labelSet(s.metric, SERIES), points: points.sort((a, b) => a[0] - b[0]) };
      });
    case 'string':
      throw new BackendError('prometheus', undefined, 'the query returned a string; use a numeric expression');
  }
}

export function createPrometheusSource(cfg: BackendConfig | undefined): PrometheusSource | undefined {
  return cfg ? new PrometheusSource(cfg) : undefined;
}
