// Grafana data frames saved to a file: the query inspector's response (`/api/ds/query`:
// `{"results": {"A": {"frames": [{schema, data}]}}}`), the inspector's "DataFrame JSON" (a list of
// `{schema: {fields}, data: {values}}`) and its "Panel data" (`{"series": [{fields: [{name, type,
// labels, values}]}]}`). Frames are columns: a time field and number fields (each with its labels) are
// metrics; a time field and a line field (Loki's `labels`/`Time`/`Line`/`tsNs`, or another log source's
// message column) are logs; `level`/`value`/`self`/`label` columns are a flame graph (formats/flamebearer.ts). Each file is read as the signal most of its frames hold; frames of another
// kind (traces, tables without time) are counted and said.
import type { Attributes, InstrumentationScope, LogRecord, Span } from '../../types.js';
import type { ParseStats } from '../../otlp-traces.js';
import { parentIdOf, scopeFromTags, spanCore, translatedSpan, withoutDerivedTags } from './span-common.js';
import { fileMetricName, promqlMetricName, type MetricStoreBuilder } from '../openmetrics.js';
import { lokiStreamsRecords } from './logcli.js';
import { isObject } from '../../../util/objects.js';

interface FrameField {
  name: string;
  type?: string;
  labels?: Record<string, string>;
  /** Grafana's unit of the field (`ns`, `bytes`, `short`…). */
  unit?: string;
  values: unknown[];
}
export interface Frame {
  name?: string;
  refId?: string;
  fields: FrameField[];
}


/** One frame in either layout (schema + data columns, or fields holding their values); undefined when it is neither. */
function frameOf(raw: unknown): Frame | undefined {
  if (!isObject(raw)) return undefined;
  const schema = raw.schema;
  if (isObject(schema) && Array.isArray(schema.fields)) {
    const data = isObject(raw.data) && Array.isArray(raw.data.values) ? (raw.data.values as unknown[]) : [];
    const fields = (schema.fields as unknown[]).map((f, i) => fieldOf(f, Array.isArray(data[i]) ? (data[i] as unknown[]) : []));
    return fields.every(Boolean) ? { name: typeof schema.name === 'string' ? schema.name : undefined, refId: typeof schema.refId === 'string' ? schema.refId : undefined, fields: fields as FrameField[] } : undefined;
  }
  if (Array.isArray(raw.fields) && raw.fields.length > 0 && (raw.fields as unknown[]).every((f) => isObject(f) && Array.isArray(f.values))) {
    const fields = (raw.fields as Array<Record<string, unknown>>).map((f) => fieldOf(f, f.values as unknown[]));
    return fields.every(Boolean) ? { name: typeof raw.name === 'string' ? raw.name : undefined, refId: typeof raw.refId === 'string' ? raw.refId : undefined, fields: fields as FrameField[] } : undefined;
  }
  return undefined;
}

function fieldOf(f: unknown, values: unknown[]): FrameField | undefined {
  if (!isObject(f) || typeof f.name !== 'string') return undefined;
  const labels: Record<string, string> = {};
  if (isObject(f.labels)) for (const [k, v] of Object.entries(f.labels)) if (typeof v === 'string') labels[k] = v;
  // An enum field holds indices into its config's texts (Grafana's flame graph labels).
  const texts = isObject(f.config) && isObject(f.config.type) && isObject(f.config.type.enum) ? f.config.type.enum.text : undefined;
  const shown = f.type === 'enum' && Array.isArray(texts) ? values.map((v) => (typeof v === 'number' ? texts[v] : v)) : values;
  const unit = isObject(f.config) && typeof f.config.unit === 'string' ? f.config.unit : undefined;
  return { name: f.name, type: f.type === 'enum' ? 'string' : typeof f.type === 'string' ? f.type : undefined, labels, values: shown, unit };
}

/** The frames a saved document holds, or undefined when it is not Grafana's. */
export function grafanaFrames(doc: unknown): Frame[] | undefined {
  let list: unknown[] | undefined;
  if (Array.isArray(doc)) list = doc;
  else if (isObject(doc) && isObject(doc.results)) list = Object.values(doc.results).flatMap((r) => (isObject(r) && Array.isArray(r.frames) ? r.frames : []));
  else if (isObject(doc) && Array.isArray(doc.series)) list = doc.series;
  else if (isObject(doc) && Array.isArray(doc.frames)) list = doc.frames;
  if (!list || list.length === 0) return undefined;
  const frames = list.map(frameOf);
  return frames.every(Boolean) ? (frames as Frame[]) : undefined;
}

const timeField = (f: Frame) => f.fields.find((x) => x.type === 'time') ?? f.fields.find((x) => /^(time|timestamp)$/i.test(x.name));
const lineField = (f: Frame) => f.fields.find((x) => x.name === 'Line') ?? f.fields.find((x) => x.type === 'string' && /^(line|message|msg|log|body|_source)$/i.test(x.name));

export type FrameKind = 'logs' | 'metrics' | 'profiles' | 'traces' | 'other';

/** Grafana's trace frame (the Tempo and Jaeger data sources' trace view): one row per span. */
const traceFields = (f: Frame) => {
  const by = (n: string) => f.fields.find((x) => x.name === n);
  const [traceID, spanID, startTime, duration] = [by('traceID'), by('spanID'), by('startTime'), by('duration')];
  return traceID && spanID && startTime && duration ? { traceID, spanID, startTime, duration, by } : undefined;
};

/** Grafana's flame graph frame (the Pyroscope data source): a tree as rows with these columns. */
export const flameFields = (f: Frame) => {
  const by = (n: string) => f.fields.find((x) => x.name === n);
  const [level, value, self, label] = [by('level'), by('value'), by('self'), by('label')];
  return level && value && self && label ? { level, value, self, label } : undefined;
};

export function frameKind(f: Frame): FrameKind {
  if (flameFields(f)) return 'profiles';
  if (traceFields(f)) return 'traces';
  if (!timeField(f)) return 'other';
  if (lineField(f)) return 'logs';
  return f.fields.some((x) => x.type === 'number') ? 'metrics' : 'other';
}

/** The signal most frames hold (ties to metrics, then logs); undefined when none is logs, metrics or a flame graph. */
export function framesSignal(frames: Frame[]): 'logs' | 'metrics' | 'profiles' | 'traces' | undefined {
  const n = { logs: 0, metrics: 0, profiles: 0, traces: 0, other: 0 };
  for (const f of frames) n[frameKind(f)]++;
  const best = (['metrics', 'logs', 'profiles', 'traces'] as const).reduce((a, k) => (n[k] > n[a] ? k : a), 'metrics' as 'logs' | 'metrics' | 'profiles' | 'traces');
  return n[best] > 0 ? best : undefined;
}

/** Epoch ms of a time value (ms numbers, as frames carry them; RFC 3339 text from some sources). */
function timeMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

export function leftOut(file: string, frames: Frame[], kind: FrameKind): string[] {
  const others = frames.filter((f) => frameKind(f) !== kind).length;
  const what = kind === 'logs' ? 'log lines' : kind === 'profiles' ? 'flame graphs' : kind === 'traces' ? 'traces' : 'time series';
  return others ? [`${file}: ${others} of ${frames.length} frame(s) are not ${what} (traces, tables without a time); left out`] : [];
}

/** The metric frames into the store: one series per number field, named by its `__name__` label, else
 * (an expression's answer, whose legend is no metric name) after the file and the query's refId. */
export function addFrameMetrics(b: MetricStoreBuilder, file: string, frames: Frame[]): string[] {
  const stem = fileMetricName(file);
  const refIds = new Set(frames.map((f) => f.refId));
  let bad = 0;
  const unnamed = new Set<string>();
  for (const f of frames) {
    if (frameKind(f) !== 'metrics') continue;
    const times = timeField(f)!.values.map(timeMs);
    for (const field of f.fields) {
      if (field.type !== 'number') continue;
      let name = field.labels?.__name__;
      if (!name) unnamed.add((name = refIds.size > 1 && f.refId ? `${stem}_${promqlMetricName(f.refId)}` : stem));
      const points: Array<[number, number]> = [];
      field.values.forEach((v, i) => {
        const t = times[i];
        // A null is a gap Grafana draws as one; it is no sample.
        if (v === null || v === undefined) return;
        if (t === undefined || typeof v !== 'number') bad++;
        else points.push([t, v]);
      });
      if (points.length) b.addSeries({ ...field.labels, __name__: name }, points);
    }
  }
  const problems = leftOut(file, frames, 'metrics');
  if (unnamed.size) problems.push(`${file}: series without __name__ (an expression's answer) named after the file: ${[...unnamed].join(', ')}`);
  if (bad) problems.push(`${file}: ${bad} value(s) without a readable time or not numbers; left out`);
  return problems;
}

/** The log frames as records: Loki's (labels per line, `tsNs`) through the Loki answer reader, others
 * with their string fields as labels. */
export function frameLogRecords(file: string, frames: Frame[], fallbackService: string, out: LogRecord[]): string[] {
  const result: Array<{ stream: Record<string, unknown>; values: Array<[string, string]> }> = [];
  let bad = 0;
  for (const f of frames) {
    if (frameKind(f) !== 'logs') continue;
    const time = timeField(f)!;
    const line = lineField(f)!;
    const labelsField = f.fields.find((x) => x.name === 'labels');
    const tsNs = f.fields.find((x) => x.name === 'tsNs');
    const extra = f.fields.filter((x) => x !== time && x !== line && x !== labelsField && x !== tsNs && x.type === 'string' && !/^(id|labelTypes)$/.test(x.name));
    line.values.forEach((text, i) => {
      const ns = typeof tsNs?.values[i] === 'string' ? (tsNs.values[i] as string) : undefined;
      const ms = timeMs(time.values[i]);
      if (typeof text !== 'string' || (ns === undefined && ms === undefined)) return void bad++;
      let labels: Record<string, unknown> = { ...line.labels };
      const l = labelsField?.values[i];
      if (isObject(l)) labels = { ...labels, ...l };
      else if (typeof l === 'string') {
        try {
          const parsed = JSON.parse(l) as unknown;
          if (isObject(parsed)) labels = { ...labels, ...parsed };
        } catch {
          // not JSON: the line keeps the field labels only
        }
      }
      for (const x of extra) if (typeof x.values[i] === 'string') labels[x.name] = x.values[i];
      result.push({ stream: labels, values: [[ns ?? String(Math.round(ms! * 1e6)), text]] });
    });
  }
  bad += lokiStreamsRecords({ data: { resultType: 'streams', result } }, fallbackService, out);
  const problems = leftOut(file, frames, 'logs');
  if (bad) problems.push(`${file}: ${bad} line(s) without a readable time or text; left out`);
  return problems;
}

/** `[{key, value}]` (a JSON list, or its text) as attributes. */
function keyValues(v: unknown): Attributes {
  let list = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v) as unknown;
    } catch {
      return {};
    }
  }
  const out: Attributes = {};
  if (Array.isArray(list))
    for (const kv of list) if (isObject(kv) && typeof kv.key === 'string' && (typeof kv.value === 'string' || typeof kv.value === 'number' || typeof kv.value === 'boolean')) out[kv.key] = kv.value;
  return out;
}

/** Grafana trace frames as spans: times in milliseconds, status from `statusCode` (0 unset, 1 ok, 2 error),
 * attributes from `tags`, the resource from `serviceTags`, events from `logs`. */
export function frameSpans(file: string, frames: Frame[], out: Span[], stats: ParseStats): string[] {
  const resources = new Map<string, Attributes>();
  const scopes = new Map<string, InstrumentationScope>();
  for (const f of frames) {
    const c = frameKind(f) === 'traces' ? traceFields(f) : undefined;
    if (!c) continue;
    const col = (name: string, i: number) => c.by(name)?.values[i];
    c.spanID.values.forEach((spanId, i) => {
      const ms = (name: string) => (typeof col(name, i) === 'number' ? (col(name, i) as number) * 1000 : undefined);
      const core = spanCore(stats, { traceId: col('traceID', i), spanId, startMicros: ms('startTime'), durationMicros: ms('duration') }, { ids: 'traceID/spanID', start: 'startTime' });
      if (!core) return;
      const service = typeof col('serviceName', i) === 'string' && col('serviceName', i) ? (col('serviceName', i) as string) : 'unknown';
      const serviceTags = keyValues(col('serviceTags', i));
      const rkey = `${service}\0${JSON.stringify(serviceTags)}`;
      let resource = resources.get(rkey);
      if (!resource) resources.set(rkey, (resource = { ...serviceTags, 'service.name': service }));
      const code = Number(col('statusCode', i));
      const message = col('statusMessage', i);
      const tags: Attributes = { ...keyValues(col('tags', i)) };
      if (code === 2) tags['otel.status_code'] = 'ERROR';
      else if (code === 1) tags['otel.status_code'] = 'OK';
      if (typeof message === 'string' && message) tags['otel.status_description'] = message;
      const library = col('instrumentationLibraryName', i);
      if (typeof library === 'string' && library) tags['otel.scope.name'] = library;
      const version = col('instrumentationLibraryVersion', i);
      if (typeof version === 'string' && version) tags['otel.scope.version'] = version;
      const logs = col('logs', i);
      const parsedLogs = typeof logs === 'string' ? safeJson(logs) : logs;
      const events = (Array.isArray(parsedLogs) ? parsedLogs : []).flatMap((l) => {
        if (!isObject(l) || typeof l.timestamp !== 'number') return [];
        const attributes = keyValues(l.fields);
        const name = typeof l.name === 'string' ? l.name : typeof attributes.message === 'string' ? attributes.message : typeof attributes.event === 'string' ? attributes.event : '';
        return [{ name, timeMs: l.timestamp, attributes }];
      });
      out.push(translatedSpan(core, { parent: parentIdOf(col('parentSpanID', i)), service, name: col('operationName', i), kind: col('kind', i), tags, attributes: withoutDerivedTags(tags), resource, events, scope: scopeFromTags(tags, scopes) }));
      stats.spans++;
    });
  }
  return leftOut(file, frames, 'traces');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
