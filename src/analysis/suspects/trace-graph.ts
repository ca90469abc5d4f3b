// The call tree of the recorded traces, built once and read by every trace feature: which spans are
// in the window or the baseline, each span's children, its self time, and caller → callee call counts.
// Spans are numbered by their place in `spans` and everything per span is a typed array indexed by
// that number: on 500k spans, maps keyed by span objects cost a few hundred MB of heap and garbage.
import type { Span, TimeRange } from '../../sources/types.js';
import { inRange } from './stats.js';

export interface TraceGraph {
  window: TimeRange;
  baseline: TimeRange;
  /** Spans starting in the window or the baseline (their parents may lie outside: kept for the tree). */
  spans: Span[];
  /** Every span the graph was built from (parents outside the window and baseline are among them). */
  all: Span[];
  /** Parent of spans[i] in the same trace: an index into `all`, -1 for none. */
  parent: Int32Array;
  /** Children of spans[i] are spans[kids[k]] for k in [kidFrom[i], kidFrom[i + 1]), in the order of `spans`. */
  kidFrom: Int32Array;
  kids: Int32Array;
  /** Self time of each span (ms). */
  self: Float64Array;
  /** `caller\u0000callee` → calls seen. */
  calls: Map<string, number>;
  /** Operation of each span: ops[op[i]] is its key (service and name). */
  op: Int32Array;
  ops: string[];
}

/** Number of children of spans[i]. */
export function childCount(g: TraceGraph, i: number): number {
  return g.kidFrom[i + 1]! - g.kidFrom[i]!;
}

/** The children of spans[i], as span objects (for the few spans that need them whole). */
export function childrenOf(g: TraceGraph, i: number): Span[] {
  const out: Span[] = [];
  for (let k = g.kidFrom[i]!; k < g.kidFrom[i + 1]!; k++) out.push(g.spans[g.kids[k]!]!);
  return out;
}

/** Self time of each span: its duration minus the union of its children's intervals (clipped to it). */
function selfTimes(g: Pick<TraceGraph, 'spans' | 'kidFrom' | 'kids'>): Float64Array {
  const { spans, kidFrom, kids } = g;
  const out = new Float64Array(spans.length);
  // Interval ends, reused across spans; sorted by start through an index order (stable, as the union needs only the order of starts).
  let as = new Float64Array(16);
  let bs = new Float64Array(16);
  const order: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const from = kidFrom[i]!;
    const to = kidFrom[i + 1]!;
    if (from === to) {
      out[i] = Math.max(0, s.durationMs);
      continue;
    }
    if (to - from > as.length) {
      as = new Float64Array(2 * (to - from));
      bs = new Float64Array(2 * (to - from));
    }
    let m = 0;
    for (let k = from; k < to; k++) {
      const c = spans[kids[k]!]!;
      const a = Math.max(s.startMs, c.startMs);
      const b = Math.min(s.endMs, c.endMs);
      if (b > a) {
        as[m] = a;
        bs[m++] = b;
      }
    }
    order.length = m;
    for (let k = 0; k < m; k++) order[k] = k;
    order.sort((x, y) => as[x]! - as[y]!);
    let covered = 0;
    let curS = -Infinity;
    let curE = -Infinity;
    for (let k = 0; k < m; k++) {
      const a = as[order[k]!]!;
      const b = bs[order[k]!]!;
      if (a > curE) {
        if (curE > curS) covered += curE - curS;
        curS = a;
        curE = b;
      } else if (b > curE) curE = b;
    }
    if (curE > curS) covered += curE - curS;
    out[i] = Math.max(0, s.durationMs - covered);
  }
  return out;
}

/** A call to a database: OpenTelemetry's db.system(.name) attribute, else a span named after an SQL verb. */
const SQL_VERB = /^(SELECT|INSERT|UPDATE|DELETE|UPSERT|MERGE|REPLACE|CALL|EXEC|EXECUTE)\b/;
export function isDbCall(s: Span): boolean {
  return s.attributes['db.system'] !== undefined || s.attributes['db.system.name'] !== undefined || SQL_VERB.test(s.name);
}

/** The service every child of spans[i] belongs to, when that is one other service: the span is a call. */
export function calleeOf(g: TraceGraph, i: number): string | undefined {
  const from = g.kidFrom[i]!;
  const to = g.kidFrom[i + 1]!;
  if (from === to) return undefined;
  const own = g.spans[i]!.service;
  const callee = g.spans[g.kids[from]!]!.service;
  if (callee === own) return undefined;
  for (let k = from + 1; k < to; k++) if (g.spans[g.kids[k]!]!.service !== callee) return undefined;
  return callee;
}

/** Operation numbers (service and name) of the spans, and the operations' keys. */
function operations(spans: Span[]): { op: Int32Array; ops: string[] } {
  const op = new Int32Array(spans.length);
  const ops: string[] = [];
  // Two levels (service, then name) so no key is built per span.
  const ids = new Map<string, Map<string, number>>();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    let byName = ids.get(s.service);
    if (!byName) ids.set(s.service, (byName = new Map()));
    let id = byName.get(s.name);
    if (id === undefined) {
      id = ops.push(`${s.service}\u0000${s.name}`) - 1;
      byName.set(s.name, id);
    }
    op[i] = id;
  }
  return { op, ops };
}

/**
 * Parent of each span of `spans` in the same trace, as an index into `spans` (-1 for none). Span ids are
 * 64-bit random ids: the trace id is checked on lookup instead of building keys; a repeated id points
 * at its last span, as a map filled in order does. The id index lives only during the call.
 */
export function parentIndex(spans: Span[]): Int32Array {
  // The call tree, the event patterns and the transitions all ask for the parents of the same spans.
  const known = parentsOf.get(spans);
  if (known && known.length === spans.length) return known;
  const parent = parentIndexOnce(spans);
  parentsOf.set(spans, parent);
  return parent;
}

/** Parents per spans array, for as long as the array lives (read-only: callers never write to it). */
const parentsOf = new WeakMap<Span[], Int32Array>();

function parentIndexOnce(spans: Span[]): Int32Array {
  const bySpanId = new Map<string, number>();
  for (let j = 0; j < spans.length; j++) bySpanId.set(spans[j]!.spanId, j);
  const parent = new Int32Array(spans.length).fill(-1);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (!s.parentSpanId) continue;
    const j = bySpanId.get(s.parentSpanId);
    if (j !== undefined && spans[j]!.traceId === s.traceId) parent[i] = j;
  }
  return parent;
}

export function buildTraceGraph(allSpans: Span[], window: TimeRange, baseline: TimeRange): TraceGraph {
  // Place of each span of allSpans in `spans`, -1 when it starts outside the window and the baseline.
  const place = new Int32Array(allSpans.length).fill(-1);
  const spans: Span[] = [];
  /** Place in allSpans of spans[i]. */
  const from = new Int32Array(allSpans.length);
  for (let j = 0; j < allSpans.length; j++) {
    const s = allSpans[j]!;
    if (inRange(s.startMs, window) || inRange(s.startMs, baseline)) {
      place[j] = spans.push(s) - 1;
      from[place[j]!] = j;
    }
  }
  const parentAll = parentIndex(allSpans);
  const n = spans.length;
  const parent = new Int32Array(n).fill(-1);
  const kidFrom = new Int32Array(n + 1);
  const calls = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const s = spans[i]!;
    const j = parentAll[from[i]!]!;
    if (j < 0) continue;
    const p = allSpans[j]!;
    parent[i] = j;
    if (place[j]! >= 0) kidFrom[place[j]! + 1]++;
    if (p.service !== s.service) {
      const e = `${p.service}\u0000${s.service}`;
      calls.set(e, (calls.get(e) ?? 0) + 1);
    }
  }
  // Children grouped by parent (a counting sort: each parent's children stay in the order of `spans`).
  for (let i = 0; i < n; i++) kidFrom[i + 1] += kidFrom[i]!;
  const kids = new Int32Array(kidFrom[n]!);
  const fill = kidFrom.slice(0, n);
  for (let i = 0; i < n; i++) {
    const j = parent[i]!;
    if (j >= 0 && place[j]! >= 0) kids[fill[place[j]!]!++] = i;
  }
  const { op, ops } = operations(spans);
  return { window, baseline, spans, all: allSpans, parent, kidFrom, kids, self: selfTimes({ spans, kidFrom, kids }), calls, op, ops };
}
