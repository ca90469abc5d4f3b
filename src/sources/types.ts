// Source interfaces: intent-level requests in, typed records out.
// Two kinds of implementation per signal: bundle (files on disk) and remote (HTTP backends).
// Analyses (src/analysis) only ever see these types, never a backend's wire format.

/** Epoch milliseconds (may carry a fraction for sub-millisecond precision). */
export type EpochMs = number;

export interface TimeRange {
  start: EpochMs;
  end: EpochMs;
}

/** Integers beyond ±2^53 are kept as their exact decimal string (a double would round them). */
export type AttrValue = string | number | boolean;
export type Attributes = Record<string, AttrValue>;

// ---------------------------------------------------------------- traces

export type SpanStatus = 'unset' | 'ok' | 'error';

export interface SpanEvent {
  name: string;
  timeMs: EpochMs;
  attributes: Attributes;
}

export interface Span {
  traceId: string; // 32 lowercase hex
  spanId: string; // 16 lowercase hex
  parentSpanId?: string;
  service: string;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: EpochMs;
  endMs: EpochMs;
  durationMs: number;
  status: SpanStatus;
  statusMessage?: string;
  /** Span attributes (scope `span.` in TraceQL). */
  attributes: Attributes;
  /** Resource attributes (scope `resource.` in TraceQL), shared object per resource. */
  resource: Attributes;
  events: SpanEvent[];
  /** Instrumentation scope (library) that made the span, shared object per scope. */
  scope?: InstrumentationScope;
  /** W3C trace state, when the producer set one. */
  traceState?: string;
  /** Links to spans of other traces (batch consumers, fan-in), when present. */
  links?: SpanLink[];
}

export interface InstrumentationScope {
  name: string;
  version?: string;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
}

/** Intent-level span request; rendered to TraceQL for Tempo, evaluated directly on bundles. */
export interface SpanQuery {
  range: TimeRange;
  service?: string;
  spanName?: string;
  status?: SpanStatus;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Attribute equality filters; keys may be prefixed `span.` / `resource.` or bare. */
  attributes?: Record<string, AttrValue>;
  /** Only spans that carry an error signal: status error, HTTP status >= 500, or an exception event. */
  errorsOnly?: boolean;
  /** Max traces to return (remote sources sample; bundles return all when undefined). */
  limitTraces?: number;
}

export interface TraceSource {
  readonly kind: 'bundle' | 'tempo';
  /** Whole traces (all their spans) having at least one span matching the query. */
  findTraces(q: SpanQuery, signal?: AbortSignal): Promise<TraceSet>;
  /** One trace by id; undefined when not found. */
  getTrace(traceId: string, signal?: AbortSignal): Promise<Span[] | undefined>;
  /** Service names seen in the range. */
  services(range: TimeRange, signal?: AbortSignal): Promise<string[]>;
  /** Raw TraceQL search (remote only): trace summaries with their matching spansets. */
  search?(traceql: string, range: TimeRange, opts: { limit?: number; spss?: number }, signal?: AbortSignal): Promise<TraceSearchResult>;
  /** TraceQL metrics range query (remote only); duration-valued results are in seconds, as Tempo returns them. */
  metricsRange?(traceql: string, range: TimeRange, stepSeconds: number, signal?: AbortSignal): Promise<TraceMetricSeries[]>;
  /** Attribute names by scope (remote only). */
  tags?(range: TimeRange, signal?: AbortSignal): Promise<Array<{ scope: string; tags: string[] }>>;
}

export interface TraceSearchResult {
  traces: Array<{
    traceId: string;
    rootServiceName?: string;
    rootTraceName?: string;
    startMs: EpochMs;
    durationMs: number;
    spans: Array<{ spanId: string; name?: string; startMs: EpochMs; durationMs: number; attributes: Attributes }>;
    matched: number;
  }>;
  inspectedTraces?: number;
}

export interface TraceMetricSeries {
  labels: Record<string, string>;
  /** [epoch ms, value]; Tempo omits zero values, restored as 0. */
  points: Array<[EpochMs, number]>;
}

export interface TraceSet {
  spans: Span[];
  /** True when the backend capped the answer (sampled traces). */
  partial: boolean;
  notes: string[];
}

// ---------------------------------------------------------------- logs

export interface LogRecord {
  timeMs: EpochMs;
  service: string;
  body: string;
  severityText?: string;
  severityNumber?: number;
  /** Log attributes / structured metadata / parsed stream labels other than service. */
  attributes: Attributes;
  resource: Attributes;
  traceId?: string;
  spanId?: string;
  /** OTLP event name (`event_name`): the class of event a structured log record reports. */
  eventName?: string;
  /** Instrumentation scope (logger) that wrote the record, when known. */
  scope?: InstrumentationScope;
}

export interface LogQuery {
  range: TimeRange;
  service?: string;
  /** Extra stream label matchers (equality). */
  labels?: Record<string, string>;
  /** Line filters, all must match. */
  contains?: string[];
  notContains?: string[];
  regex?: string;
  caseInsensitive?: boolean;
  traceId?: string;
  limit?: number;
  direction?: 'backward' | 'forward';
}

export interface LogSet {
  records: LogRecord[];
  /** True when more lines matched than were returned. */
  truncated: boolean;
  notes: string[];
}

export interface LogSource {
  readonly kind: 'bundle' | 'loki';
  queryLogs(q: LogQuery, signal?: AbortSignal): Promise<LogSet>;
  services(range: TimeRange, signal?: AbortSignal): Promise<string[]>;
}

// ---------------------------------------------------------------- metrics

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

export interface MetricMetadata {
  name: string; // family name
  type: MetricType;
  help?: string;
  unit?: string;
}

export interface SeriesPoints {
  labels: Record<string, string>; // includes __name__ for raw series
  points: Array<[EpochMs, number]>;
}

/** Query results; `warnings` carries the backend's warnings/infos (e.g. "results truncated"). */
export type MetricQueryResult = SeriesPoints[] & { warnings?: string[] };

export interface MetricSource {
  readonly kind: 'bundle' | 'prometheus';
  /** Evaluate PromQL at one instant. Bundles implement the subset our builders render. */
  instant(promql: string, time: EpochMs, signal?: AbortSignal): Promise<MetricQueryResult>;
  /** Range query at start + k*step (Prometheus query_range semantics, both ends inclusive). */
  range(promql: string, range: TimeRange, stepMs: number, signal?: AbortSignal): Promise<MetricQueryResult>;
  metadata(signal?: AbortSignal): Promise<MetricMetadata[]>;
  /** Metric names (values of __name__) seen in the range. */
  metricNames?(range: TimeRange, signal?: AbortSignal): Promise<string[]>;
  /** Server version (remote), for semantics that changed between Prometheus releases. */
  buildInfo?(signal?: AbortSignal): Promise<{ version: string } | undefined>;
  /** Series label sets matching a selector (e.g. `{service="checkout"}`) within the range. */
  series(match: string, range: TimeRange, signal?: AbortSignal): Promise<Array<Record<string, string>>>;
  labelValues(label: string, range: TimeRange, signal?: AbortSignal): Promise<string[]>;
}

// ---------------------------------------------------------------- profiles

export interface ProfileTypeInfo {
  /** Pyroscope-style id `name:sampleType:sampleUnit:periodType:periodUnit`. */
  id: string;
  sampleType: string;
  sampleUnit: string;
}

/** A merged profile as stacks of function frames (leaf last) with values. */
export interface StackProfile {
  type: ProfileTypeInfo;
  service: string;
  range: TimeRange;
  /** Total duration covered by the merged profiles, for per-second normalisation. */
  durationMs: number;
  stacks: Array<{ frames: Frame[]; value: number }>;
}

export interface Frame {
  function: string;
  file?: string;
  line?: number;
  /** Process-wide interned id of `function` (src/analysis/profiles/intern.ts); lets analyses use arrays instead of string maps. */
  fid?: number;
}

export interface ProfileSource {
  readonly kind: 'bundle' | 'pyroscope';
  profileTypes(service: string | undefined, range: TimeRange, signal?: AbortSignal): Promise<Array<ProfileTypeInfo & { services: string[] }>>;
  /** Merge all profiles of a service and type over the range; undefined when none. */
  mergedProfile(service: string, typeId: string, range: TimeRange, signal?: AbortSignal): Promise<StackProfile | undefined>;
  services(range: TimeRange, signal?: AbortSignal): Promise<string[]>;
  /** Where a service's code lives, from `service_repository`/`service_git_ref`/`service_root_path` labels (Pyroscope). */
  repository?(service: string, range: TimeRange, signal?: AbortSignal): Promise<{ repository: string; ref?: string; rootPath?: string } | undefined>;
}

// ---------------------------------------------------------------- source code

export interface SourceFile {
  repo: string; // owner/repo, or "bundle"
  path: string;
  ref?: string;
  text: string;
  url?: string;
}

export interface CodeSource {
  readonly kind: 'bundle' | 'github';
  /** Read a file; `path` may be a suffix of a repository path (stack traces carry partial paths). */
  readFile(service: string | undefined, path: string, signal?: AbortSignal): Promise<SourceFile | undefined>;
  /** Find where a function is defined; returns candidate files with the line of definition. */
  findFunction(service: string | undefined, functionName: string, signal?: AbortSignal): Promise<Array<{ file: SourceFile; line: number }>>;
}

// ---------------------------------------------------------------- all sources

export interface Sources {
  traces?: TraceSource;
  logs?: LogSource;
  metrics?: MetricSource;
  profiles?: ProfileSource;
  code?: CodeSource;
  /** The scope the sources cover by default (bundle window, or "last hour" for live backends). */
  defaults: {
    window: TimeRange;
    baseline?: TimeRange;
    incident?: TimeRange;
  };
  /** Problems found while loading (e.g. a corrupt bundle file): surfaced by tools, never hidden. */
  problems: string[];
  /** Grafana settings for deep links, when configured. */
  grafana?: GrafanaLinkConfig;
  describe: string;
  /** True when the data cannot change while the process runs (a recorded bundle read from disk, no
   * live code source): answers computed from it may be kept for good. */
  immutable?: boolean;
}

export interface GrafanaLinkConfig {
  url: string;
  datasources: { prometheus?: string; loki?: string; tempo?: string; pyroscope?: string };
}
