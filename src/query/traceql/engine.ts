// TraceQL over bundle spans, answering in Tempo's shapes (the search's trace summaries with their matching
// spans, the metrics query_range series) so a tool reads one shape whichever engine answered.
//
// Semantics (Tempo's): a spanset filter keeps the spans of a trace that satisfy it, and the trace matches
// when some span does; `&&` needs both sides in the same trace and `||` either (the spans of both are
// kept); `A >> B`, `A > B`, `A ~ B` keep the spans of B that have an ancestor, a parent, a sibling in A;
// `<<` and `<` the spans of B that are an ancestor or the parent of a span of A. Comparisons are typed:
// a missing attribute, or one of another type, never matches (`!= nil` asks for presence). Regexes are
// RE2 and fully anchored. Metrics count the matching spans by start time in step buckets; durations are
// in seconds, as Tempo returns them.
import type { AttrValue, Span, TimeRange, TraceMetricSeries, TraceSearchResult } from '../../sources/types.js';
import { compileSafeRegex, type SafeRegex } from '../../util/regex.js';
import { quantile, kahanSum } from '../promql/functions.js';
import { compare } from '../operators.js';
import { Ticker } from '../../util/yield.js';
import { parseTraceQL, type Cond, type Field, type SpansetExpr, type Stage, type Static, type TraceQLQuery, TraceQLUnsupportedError } from './parse.js';

interface Trace {
  id: string;
  spans: Span[];
  byId: Map<string, Span>;
  children: Map<string, Span[]>;
  root?: Span;
  startMs: number;
  endMs: number;
}

// Bundles keep their span array for the life of the process: the trace index is built once per array.
const indexes = new WeakMap<Span[], Trace[]>();

export function traceIndex(spans: Span[]): Trace[] {
  let idx = indexes.get(spans);
  if (idx) return idx;
  const by = new Map<string, Span[]>();
  for (const s of spans) {
    let l = by.get(s.traceId);
    if (!l) by.set(s.traceId, (l = []));
    l.push(s);
  }
  idx = [];
  for (const [id, list] of by) {
    const byId = new Map(list.map((s) => [s.spanId, s]));
    const children = new Map<string, Span[]>();
    let root: Span | undefined;
    let startMs = Infinity;
    let endMs = -Infinity;
    for (const s of list) {
      if (s.parentSpanId && byId.has(s.parentSpanId)) {
        let c = children.get(s.parentSpanId);
        if (!c) children.set(s.parentSpanId, (c = []));
        c.push(s);
      } else if (!s.parentSpanId && (!root || s.startMs < root.startMs)) root = s;
      startMs = Math.min(startMs, s.startMs);
      endMs = Math.max(endMs, s.endMs);
    }
    idx.push({ id, spans: list, byId, children, root, startMs, endMs });
  }
  idx.sort((a, b) => a.startMs - b.startMs);
  indexes.set(spans, idx);
  return idx;
}

type Val = { kind: 'string'; v: string } | { kind: 'number'; v: number } | { kind: 'bool'; v: boolean } | { kind: 'duration'; v: number } | { kind: 'status'; v: string } | { kind: 'kind'; v: number };

function attrVal(v: AttrValue | undefined): Val | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return { kind: 'string', v };
  if (typeof v === 'number') return { kind: 'number', v };
  return { kind: 'bool', v };
}

/** Every value a field has on a span (events make some fields multi-valued). */
function values(f: Field, s: Span, t: Trace): Val[] {
  if (f.kind === 'intrinsic') {
    switch (f.name) {
      case 'duration':
      case 'span:duration':
        return [{ kind: 'duration', v: s.durationMs }];
      case 'name':
      case 'span:name':
        return [{ kind: 'string', v: s.name }];
      case 'status':
      case 'span:status':
        return [{ kind: 'status', v: s.status }];
      case 'statusMessage':
      case 'span:statusMessage':
        return [{ kind: 'string', v: s.statusMessage ?? '' }];
      case 'kind':
      case 'span:kind':
        return [{ kind: 'kind', v: s.kind }];
      case 'span:id':
        return [{ kind: 'string', v: s.spanId }];
      case 'span:parentID':
        return s.parentSpanId ? [{ kind: 'string', v: s.parentSpanId }] : [];
      case 'trace:id':
        return [{ kind: 'string', v: t.id }];
      case 'rootName':
      case 'trace:rootName':
        return t.root ? [{ kind: 'string', v: t.root.name }] : [];
      case 'rootServiceName':
      case 'trace:rootService':
        return t.root ? [{ kind: 'string', v: t.root.service }] : [];
      case 'traceDuration':
      case 'trace:duration':
        return [{ kind: 'duration', v: t.endMs - t.startMs }];
      case 'event:name':
        return s.events.map((e) => ({ kind: 'string' as const, v: e.name }));
    }
    throw new TraceQLUnsupportedError(`the intrinsic ${f.name}`);
  }
  const res = (k: string) => s.resource[k] ?? (k === 'service.name' ? s.service : undefined);
  switch (f.scope) {
    case 'span':
      return opt(attrVal(s.attributes[f.name]));
    case 'resource':
      return opt(attrVal(res(f.name)));
    case 'any':
      return opt(attrVal(s.attributes[f.name] ?? res(f.name)));
    case 'event':
      return s.events.flatMap((e) => opt(attrVal(e.attributes[f.name])));
    default:
      throw new TraceQLUnsupportedError(`${f.scope}. attributes`);
  }
}
const opt = <T>(v: T | undefined): T[] => (v === undefined ? [] : [v]);

function staticVal(x: Static): Val | undefined {
  switch (x.kind) {
    case 'nil':
      return undefined;
    case 'string':
      return { kind: 'string', v: x.value };
    case 'number':
      return { kind: 'number', v: x.value };
    case 'duration':
      return { kind: 'duration', v: x.value };
    case 'bool':
      return { kind: 'bool', v: x.value };
    case 'status':
      return { kind: 'status', v: x.value };
    case 'kind':
      return { kind: 'kind', v: x.value };
  }
}

type SpanTest = (s: Span, t: Trace) => boolean;

function compileCond(c: Cond | undefined): SpanTest {
  if (!c) return () => true;
  switch (c.type) {
    case 'and': {
      const l = compileCond(c.left);
      const r = compileCond(c.right);
      return (s, t) => l(s, t) && r(s, t);
    }
    case 'or': {
      const l = compileCond(c.left);
      const r = compileCond(c.right);
      return (s, t) => l(s, t) || r(s, t);
    }
    case 'not': {
      const x = compileCond(c.cond);
      return (s, t) => !x(s, t);
    }
    case 'static': {
      if (c.value.kind !== 'bool') throw new TraceQLUnsupportedError(`the condition "${c.value.kind}" alone (compare a field with it)`);
      const v = c.value.value;
      return () => v;
    }
    case 'cmp': {
      const { op, field } = c;
      if (c.value.kind === 'nil') {
        if (op !== '=' && op !== '!=') throw new TraceQLUnsupportedError(`nil with ${op}`);
        return (s, t) => (values(field, s, t).length > 0) === (op === '!=');
      }
      const want = staticVal(c.value)!;
      let re: SafeRegex | undefined;
      if (op === '=~' || op === '!~') {
        if (want.kind !== 'string') throw new TraceQLUnsupportedError(`${op} with a ${want.kind}`);
        re = compileSafeRegex(want.v, { anchored: true, dotAll: true });
      }
      return (s, t) =>
        values(field, s, t).some((v) => {
          if (re) return v.kind === 'string' && re.test(v.v) === (op === '=~');
          // Integers and floats compare with each other; other types only with their own.
          if (v.kind !== want.kind) return false;
          return compare(op, v.v as number | string, want.v as number | string);
        });
    }
  }
}

type SpansetFn = (t: Trace) => Span[];

function compileSpanset(e: SpansetExpr): SpansetFn {
  switch (e.type) {
    case 'filter': {
      const test = compileCond(e.cond);
      return (t) => t.spans.filter((s) => test(s, t));
    }
    case 'and':
    case 'or': {
      const l = compileSpanset(e.lhs);
      const r = compileSpanset(e.rhs);
      return (t) => {
        const a = l(t);
        const b = r(t);
        if (e.type === 'and' && (!a.length || !b.length)) return [];
        return [...new Set([...a, ...b])];
      };
    }
    case 'struct': {
      const l = compileSpanset(e.lhs);
      const r = compileSpanset(e.rhs);
      return (t) => {
        const a = l(t);
        if (!a.length) return [];
        const inA = new Set(a.map((s) => s.spanId));
        const parentOf = (s: Span) => (s.parentSpanId ? t.byId.get(s.parentSpanId) : undefined);
        const b = r(t);
        switch (e.op) {
          case '>':
            return b.filter((s) => s.parentSpanId !== undefined && inA.has(s.parentSpanId));
          case '>>':
            return b.filter((s) => {
              for (let p = parentOf(s); p; p = parentOf(p)) if (inA.has(p.spanId)) return true;
              return false;
            });
          case '~':
            return b.filter((s) => s.parentSpanId !== undefined && (t.children.get(s.parentSpanId) ?? []).some((x) => x !== s && inA.has(x.spanId)));
          case '<': {
            const parents = new Set(a.map((s) => s.parentSpanId).filter((x): x is string => !!x));
            return b.filter((s) => parents.has(s.spanId));
          }
          case '<<': {
            const anc = new Set<string>();
            for (const s of a) for (let p = parentOf(s); p; p = parentOf(p)) anc.add(p.spanId);
            return b.filter((s) => anc.has(s.spanId));
          }
        }
      };
    }
  }
}

function fieldKey(f: Field): string {
  if (f.kind === 'intrinsic') return f.name;
  return f.scope === 'any' ? `.${f.name}` : `${f.scope}.${f.name}`;
}

function fieldsOfCond(c: Cond | undefined, out: Field[]): void {
  if (!c) return;
  if (c.type === 'and' || c.type === 'or') {
    fieldsOfCond(c.left, out);
    fieldsOfCond(c.right, out);
  } else if (c.type === 'not') fieldsOfCond(c.cond, out);
  else if (c.type === 'cmp' && c.field.kind === 'attr') out.push(c.field);
}
function fieldsOfSpanset(e: SpansetExpr, out: Field[]): void {
  if (e.type === 'filter') fieldsOfCond(e.cond, out);
  else {
    fieldsOfSpanset(e.lhs, out);
    fieldsOfSpanset(e.rhs, out);
  }
}

function numeric(v: Val | undefined): number | undefined {
  if (!v) return undefined;
  if (v.kind === 'duration') return v.v / 1000;
  if (v.kind === 'number') return v.v;
  return undefined;
}

function scalarOk(st: Extract<Stage, { type: 'scalar' }>, set: Span[], t: Trace): boolean {
  let x: number;
  if (st.fn === 'count') x = set.length;
  else {
    const xs = set.map((s) => numeric(values(st.field!, s, t)[0])).filter((v): v is number => v !== undefined);
    if (!xs.length) return false;
    x = st.fn === 'sum' ? kahanSum(xs) : st.fn === 'avg' ? kahanSum(xs) / xs.length : st.fn === 'min' ? Math.min(...xs) : Math.max(...xs);
  }
  // Durations were turned into seconds above; so is a duration literal.
  const want = st.value.kind === 'duration' ? st.value.value / 1000 : st.value.kind === 'number' ? st.value.value : NaN;
  return compare(st.op, x, want);
}

export interface TraceQLRun {
  query: TraceQLQuery;
  /** Per trace overlapping the range, the spans the query kept. */
  matches: Array<{ trace: Trace; spans: Span[] }>;
  inspected: number;
}

async function run(spans: Span[], query: string | TraceQLQuery, range: TimeRange, signal?: AbortSignal): Promise<TraceQLRun> {
  const q = typeof query === 'string' ? parseTraceQL(query) : query;
  const set = compileSpanset(q.spansets);
  const matches: TraceQLRun['matches'] = [];
  let inspected = 0;
  // Yield between batches of traces: other calls go on, and the call's deadline or cancellation stops the scan.
  const tick = new Ticker(2_000, signal);
  for (const t of traceIndex(spans)) {
    if (tick.due()) await tick.pause();
    if (t.startMs >= range.end || t.endMs < range.start) continue;
    inspected++;
    const kept = set(t);
    if (!kept.length) continue;
    if (q.stages.every((st) => st.type !== 'scalar' || scalarOk(st, kept, t))) matches.push({ trace: t, spans: kept });
  }
  return { query: q, matches, inspected };
}

/** A TraceQL search, as Tempo's /api/search answers it: most recent traces first. */
export async function searchTraceQL(spans: Span[], query: string | TraceQLQuery, range: TimeRange, opts: { limit?: number; spss?: number; signal?: AbortSignal } = {}): Promise<TraceSearchResult> {
  const r = await run(spans, query, range, opts.signal);
  if (r.query.metrics) throw new TraceQLUnsupportedError('a metrics function in a search (use a metrics query)');
  const shown: Field[] = [];
  fieldsOfSpanset(r.query.spansets, shown);
  for (const st of r.query.stages) if (st.type === 'select') shown.push(...st.fields);
  const limit = opts.limit ?? 20;
  const spss = opts.spss ?? 3;
  const traces = [...r.matches]
    .sort((a, b) => b.trace.startMs - a.trace.startMs)
    .slice(0, limit)
    .map(({ trace, spans: kept }) => ({
      traceId: trace.id,
      rootServiceName: trace.root?.service,
      rootTraceName: trace.root?.name,
      startMs: trace.startMs,
      durationMs: Math.round(trace.endMs - trace.startMs),
      matched: kept.length,
      spans: kept.slice(0, spss).map((s) => {
        const attributes: Record<string, AttrValue> = {};
        for (const f of shown) {
          const v = values(f, s, trace)[0];
          if (v) attributes[f.kind === 'attr' ? f.name : fieldKey(f)] = v.kind === 'duration' ? v.v : (v.v as AttrValue);
        }
        return { spanId: s.spanId, name: s.name, startMs: s.startMs, durationMs: s.durationMs, attributes };
      }),
    }));
  return { traces, inspectedTraces: r.inspected };
}

/** A TraceQL metrics query_range, as Tempo answers it: one series per `by` value set (and quantile). */
export async function metricsTraceQL(spans: Span[], query: string | TraceQLQuery, range: TimeRange, stepSeconds: number, signal?: AbortSignal): Promise<TraceMetricSeries[]> {
  const r = await run(spans, query, range, signal);
  const m = r.query.metrics;
  if (!m) throw new TraceQLUnsupportedError('a search in a metrics query (end the query with a metrics function such as | rate())');
  const stepMs = stepSeconds * 1000;
  const n = Math.max(1, Math.ceil((range.end - range.start) / stepMs));
  const groups = new Map<string, { labels: Record<string, string>; buckets: number[][] }>();
  // A histogram counts spans per bucket of its field instead of aggregating the field's values.
  const histogram = m.fn === 'histogram_over_time';
  for (const { trace, spans: kept } of r.matches) {
    for (const s of kept) {
      if (s.startMs < range.start || s.startMs >= range.end) continue;
      const i = Math.floor((s.startMs - range.start) / stepMs);
      const labels: Record<string, string> = {};
      if (m.by.length) for (const f of m.by) labels[fieldKey(f)] = valueText(values(f, s, trace)[0]);
      else if (!histogram) labels.__name__ = m.fn;
      if (histogram) {
        const b = log2Bucket(values(m.field!, s, trace)[0]);
        if (b === undefined) continue;
        labels.__bucket = String(b);
      }
      const k = JSON.stringify(labels);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { labels, buckets: Array.from({ length: n }, () => []) }));
      const x = m.field && !histogram ? numeric(values(m.field, s, trace)[0]) : 1;
      if (x !== undefined) g.buckets[i]!.push(x);
    }
  }
  const out: TraceMetricSeries[] = [];
  const at = (i: number) => range.start + i * stepMs;
  for (const g of groups.values()) {
    if (m.fn === 'quantile_over_time') {
      for (const q of m.quantiles) {
        const points = g.buckets.flatMap((b, i) => (b.length ? [[at(i), quantile(q, b)] as [number, number]] : []));
        out.push({ labels: { ...g.labels, p: String(q) }, points });
      }
      continue;
    }
    const points: Array<[number, number]> = g.buckets.flatMap((b, i) => {
      if (m.fn === 'rate') return [[at(i), b.length / stepSeconds] as [number, number]];
      if (m.fn === 'count_over_time' || histogram) return [[at(i), b.length] as [number, number]];
      if (!b.length) return [];
      const v = m.fn === 'sum_over_time' ? kahanSum(b) : m.fn === 'avg_over_time' ? kahanSum(b) / b.length : m.fn === 'min_over_time' ? Math.min(...b) : Math.max(...b);
      return [[at(i), v] as [number, number]];
    });
    out.push({ labels: g.labels, points });
  }
  return m.select ? selectSeries(out, m.select) : out;
}

/**
 * Tempo's topk/bottomk: at each step, the k series with the highest (lowest) value keep that step's
 * point; a series kept at no step is left out. Ties go to the series met first (Tempo's order is a
 * map's, so it does not promise one).
 */
function selectSeries(series: TraceMetricSeries[], sel: { fn: 'topk' | 'bottomk'; k: number }): TraceMetricSeries[] {
  const byTime = new Map<number, Array<{ s: number; v: number }>>();
  series.forEach((x, s) => {
    for (const [t, v] of x.points) {
      if (Number.isNaN(v)) continue;
      let l = byTime.get(t);
      if (!l) byTime.set(t, (l = []));
      l.push({ s, v });
    }
  });
  const kept = series.map(() => new Set<number>());
  const sign = sel.fn === 'topk' ? -1 : 1;
  for (const [t, l] of byTime) {
    l.sort((a, b) => sign * (a.v - b.v) || a.s - b.s);
    for (const { s } of l.slice(0, sel.k)) kept[s]!.add(t);
  }
  return series.flatMap((x, s) => (kept[s]!.size ? [{ labels: x.labels, points: x.points.filter(([t]) => kept[s]!.has(t)) }] : []));
}

/**
 * Tempo's histogram bucket of a value: the next power of two at or above it, for a duration counted in
 * nanoseconds and labelled in seconds, for an integer as itself; values under 2 and other types are in
 * no bucket (Tempo leaves those spans out of the histogram).
 */
function log2Bucket(v: Val | undefined): number | undefined {
  const x = v?.kind === 'duration' ? Math.round(v.v * 1e6) : v?.kind === 'number' && Number.isInteger(v.v) ? v.v : undefined;
  if (x === undefined || !(x >= 2) || !Number.isSafeInteger(x)) return undefined;
  let b = 2 ** Math.ceil(Math.log2(x));
  if (b / 2 >= x) b /= 2; // Math.log2 rounding just above an exact power
  else if (b < x) b *= 2;
  return v!.kind === 'duration' ? b / 1e9 : b;
}

function valueText(v: Val | undefined): string {
  if (!v) return '';
  if (v.kind === 'duration') return String(v.v / 1000);
  if (v.kind === 'kind') return ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'][v.v] ?? String(v.v);
  return String(v.v);
}

/** True when the query ends with a metrics function (it needs metricsTraceQL, not searchTraceQL). */
export function isMetricsQuery(q: string | TraceQLQuery): boolean {
  return !!(typeof q === 'string' ? parseTraceQL(q) : q).metrics;
}
