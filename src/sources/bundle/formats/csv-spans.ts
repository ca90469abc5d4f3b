// Span tables (CSV/TSV with trace id, span id, a start and an end or a duration) into spans for the same
// store as OTLP: the ClickHouse exporter's `otel_traces` (`Timestamp`, `TraceId`, `SpanId`, `ParentSpanId`,
// `SpanName`, `SpanKind`, `ServiceName`, `ResourceAttributes`, `SpanAttributes`, `Duration` in nanoseconds,
// `StatusCode`, `StatusMessage`, `Events.*` arrays), the Nezha dataset's trace CSVs (`TraceID`, `SpanID`,
// `ParentID` with `root`, `PodName`, `OperationName`, `StartTimeUnixNano`, `EndTimeUnixNano`) and tables
// with the same roles under other spellings. Columns with no role become span attributes.
import type { Attributes, InstrumentationScope, Span, SpanEvent, SpanStatus } from '../../types.js';
import { countEndBeforeStart, type ParseStats } from '../../otlp-traces.js';
import { normaliseId } from '../../otlp.js';
import { KIND_BY_NAME, parentIdOf, skipSpan } from './span-common.js';
import { addCells, forEachCsvRow, skippedProblems, type CsvShape } from './csv-table.js';
import { SPAN_ROLES, mapRoles, normName } from './csv-roles.js';
import { attributeMap, cellTime, clickhouseArray, durationUnitFromName, serviceName, zonelessProblem } from './csv-values.js';

/** The ClickHouse exporter's tables: their `Duration` is in nanoseconds. */
function isClickhouseOtel(columns: string[]): boolean {
  const n = new Set(columns.map(normName));
  return n.has('spanattributes') || n.has('resourceattributes') || (n.has('servicename') && n.has('spanname'));
}

/** `Server`, `SPAN_KIND_SERVER`, `server`, `2` → OTLP's kind number. */
function kindOf(v: string | undefined): number {
  const t = (v ?? '').trim();
  if (/^[0-5]$/.test(t)) return Number(t);
  return KIND_BY_NAME[t.replace(/^SPAN_KIND_/i, '').toLowerCase()] ?? 0;
}

/** `Error`, `STATUS_CODE_ERROR`, `2`, or an HTTP status (5xx is an error). */
function statusOf(v: string | undefined): SpanStatus {
  const t = (v ?? '').trim().replace(/^STATUS_CODE_/i, '').toLowerCase();
  if (t === 'error' || t === '2' || t === 'err') return 'error';
  if (t === 'ok' || t === '1') return 'ok';
  if (/^\d{3}$/.test(t)) return Number(t) >= 500 ? 'error' : 'unset';
  return 'unset';
}

/** ClickHouse's `Events.Timestamp`, `Events.Name`, `Events.Attributes` arrays, zipped. */
function eventsOf(times: string | undefined, names: string | undefined, attrs: string | undefined, fallbackMs: number): SpanEvent[] {
  const n = names !== undefined ? clickhouseArray(names) : undefined;
  if (!n?.length) return [];
  const t = times !== undefined ? clickhouseArray(times) : undefined;
  const a = attrs !== undefined ? clickhouseArray(attrs) : undefined;
  return n.map((name, i) => {
    const at = a?.[i];
    const attributes: Attributes = {};
    if (at && typeof at === 'object' && !Array.isArray(at)) for (const [k, v] of Object.entries(at)) if (v !== null && typeof v !== 'object') attributes[k] = v;
    return { name: String(name), timeMs: cellTime(String(t?.[i] ?? ''))?.ms ?? fallbackMs, attributes };
  });
}

export function parseCsvSpans(file: string, text: string, shape: CsvShape, out: Span[], stats: ParseStats): string[] {
  const cols = shape.columns;
  const r = mapRoles(cols, SPAN_ROLES);
  const problems: string[] = [];
  const claimed = new Set(Object.values(r));
  const others = cols.map((c, i) => [c, i] as const).filter(([, i]) => !claimed.has(i));
  // Duration's unit: the header's suffix, else the product's (ClickHouse: ns); a bare number with no end
  // column and no product to say is read as milliseconds, and the problems say so.
  let unitMs = r.duration !== undefined ? durationUnitFromName(cols[r.duration]!) : undefined;
  if (unitMs === undefined && r.duration !== undefined && isClickhouseOtel(cols)) unitMs = 1e-6;
  if (unitMs === undefined && r.duration !== undefined && r.end === undefined) {
    unitMs = 1;
    problems.push(`${file}: column "${cols[r.duration]}" does not say its unit; read as milliseconds`);
  }
  let learnedUnitMs: number | undefined;
  const resources = new Map<string, Attributes>();
  const scopes = new Map<string, InstrumentationScope>();
  let zoneless = false;
  let firstSkipped: number | undefined;
  const skip = (why: string, index: number) => {
    skipSpan(stats, why);
    firstSkipped ??= index;
  };
  const res = forEachCsvRow(text, shape, (f, index) => {
    const traceId = normaliseId(f[r.traceId!]!.trim(), 32);
    const spanId = normaliseId(f[r.spanId!]!.trim(), 16);
    if (!traceId || !spanId) return skip(`missing or invalid ${cols[r.traceId!]}/${cols[r.spanId!]}`, index);
    const start = cellTime(f[r.start!]!);
    if (!start) return skip(`no readable time in ${cols[r.start!]}`, index);
    zoneless ||= start.zoneless;
    const end = r.end !== undefined ? cellTime(f[r.end]!) : undefined;
    const d = r.duration !== undefined ? Number(f[r.duration]) : NaN;
    let durationMs: number;
    if (end) {
      durationMs = end.ms - start.ms;
      // With both columns, the rows say the duration's unit: a row whose end cannot be read uses it.
      if (unitMs === undefined && durationMs > 0 && d > 0) learnedUnitMs ??= unitFromRatio(durationMs / d);
    } else {
      if (!Number.isFinite(d)) return skip('no end and no duration', index);
      const unit = unitMs ?? learnedUnitMs;
      if (unit === undefined) return skip(`no readable end in ${cols[r.end!]} and no row yet to tell the unit of ${cols[r.duration!]}`, index);
      durationMs = d * unit;
    }
    if (durationMs < 0) {
      countEndBeforeStart(stats);
      durationMs = 0;
    }
    const resCell = r.resourceAttributes !== undefined ? f[r.resourceAttributes]! : '';
    const rawService = r.service !== undefined ? f[r.service]!.trim() : '';
    const key = `${rawService}\n${resCell}`;
    let resource = resources.get(key);
    if (!resource) {
      const ra = resCell ? (attributeMap(resCell) ?? {}) : {};
      const svc = rawService ? serviceName(rawService, cols[r.service!]!) : String(ra['service.name'] ?? 'unknown');
      resource = { ...ra, 'service.name': svc };
      if (rawService && svc !== rawService) resource['k8s.pod.name'] = rawService;
      resources.set(key, resource);
    }
    const attributes: Attributes = (r.spanAttributes !== undefined ? attributeMap(f[r.spanAttributes]!) : undefined) ?? {};
    addCells(attributes, others, f);
    let scope: InstrumentationScope | undefined;
    const scopeName = r.scopeName !== undefined ? f[r.scopeName]! : '';
    if (scopeName) {
      const version = r.scopeVersion !== undefined ? f[r.scopeVersion]! : '';
      const k = `${scopeName}\n${version}`;
      scope = scopes.get(k);
      if (!scope) scopes.set(k, (scope = version ? { name: scopeName, version } : { name: scopeName }));
    }
    const statusMessage = r.statusMessage !== undefined && f[r.statusMessage] ? f[r.statusMessage] : undefined;
    const span: Span = {
      traceId,
      spanId,
      parentSpanId: r.parentId !== undefined ? parentIdOf(f[r.parentId]!.trim()) : undefined,
      service: String(resource['service.name']),
      name: r.name !== undefined ? f[r.name]! : '',
      kind: kindOf(r.kind !== undefined ? f[r.kind] : undefined),
      startMs: start.ms,
      endMs: start.ms + durationMs,
      durationMs,
      status: statusOf(r.statusCode !== undefined ? f[r.statusCode] : undefined),
      statusMessage,
      attributes,
      resource,
      events: eventsOf(r.eventTimes !== undefined ? f[r.eventTimes] : undefined, r.eventNames !== undefined ? f[r.eventNames] : undefined, r.eventAttributes !== undefined ? f[r.eventAttributes] : undefined, start.ms),
      scope,
    };
    if (r.traceState !== undefined && f[r.traceState]) span.traceState = f[r.traceState];
    out.push(span);
    stats.spans++;
  });
  if (zoneless) problems.push(zonelessProblem(file, cols[r.start!]!));
  if (firstSkipped !== undefined) problems.push(`${file}: the first row whose span was skipped is line ${res.lineOf(firstSkipped)}`);
  problems.push(...skippedProblems(file, res));
  return problems;
}

/** The duration unit (ns, µs, ms or s, in ms) nearest a row's (end − start) / duration, on a log scale. */
function unitFromRatio(ratio: number): number | undefined {
  if (!Number.isFinite(ratio) || ratio <= 0) return undefined;
  const units = [1e-6, 1e-3, 1, 1e3];
  const best = units.reduce((a, b) => (Math.abs(Math.log10(ratio / b)) < Math.abs(Math.log10(ratio / a)) ? b : a));
  // Further than a factor of ~30 from every unit: the columns do not agree, and no unit is learned.
  return Math.abs(Math.log10(ratio / best)) < 1.5 ? best : undefined;
}
