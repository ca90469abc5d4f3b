// The call tree of the recorded traces, built once and read by every trace feature: which spans are
// in the window or the baseline, each span's children, its self time, and caller → callee call counts.
import type { Span, TimeRange } from '../../sources/types.js';
import { inRange } from './stats.js';

export interface TraceGraph {
  window: TimeRange;
  baseline: TimeRange;
  /** Spans starting in the window or the baseline (their parents may lie outside: kept for the tree). */
  spans: Span[];
  bySpanId: Map<string, Span>;
  children: Map<Span, Span[]>;
  /** Self time of each span (ms). */
  self: Map<Span, number>;
  /** `caller\u0000callee` → calls seen. */
  calls: Map<string, number>;
  /** Operation key of a span (service and name), cached. */
  opOf(s: Span): string;
}

/** Self time of each span: its duration minus the union of its children's intervals (clipped to it). */
function selfTimes(spans: Span[], children: Map<Span, Span[]>): Map<Span, number> {
  const out = new Map<Span, number>();
  for (const s of spans) {
    const kids = children.get(s);
    if (!kids || kids.length === 0) {
      out.set(s, Math.max(0, s.durationMs));
      continue;
    }
    const iv: Array<[number, number]> = [];
    for (const c of kids) {
      const a = Math.max(s.startMs, c.startMs);
      const b = Math.min(s.endMs, c.endMs);
      if (b > a) iv.push([a, b]);
    }
    iv.sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let curS = -Infinity;
    let curE = -Infinity;
    for (const [a, b] of iv) {
      if (a > curE) {
        if (curE > curS) covered += curE - curS;
        curS = a;
        curE = b;
      } else if (b > curE) curE = b;
    }
    if (curE > curS) covered += curE - curS;
    out.set(s, Math.max(0, s.durationMs - covered));
  }
  return out;
}

/** A call to a database: OpenTelemetry's db.system(.name) attribute, else a span named after an SQL verb. */
const SQL_VERB = /^(SELECT|INSERT|UPDATE|DELETE|UPSERT|MERGE|REPLACE|CALL|EXEC|EXECUTE)\b/;
export function isDbCall(s: Span): boolean {
  return s.attributes['db.system'] !== undefined || s.attributes['db.system.name'] !== undefined || SQL_VERB.test(s.name);
}

/** The service every child of a span belongs to, when that is one other service: the span is a call. */
export function calleeOf(s: Span, children: Map<Span, Span[]>): string | undefined {
  const kids = children.get(s);
  if (!kids || kids.length === 0) return undefined;
  const callee = kids[0]!.service;
  return callee !== s.service && kids.every((c) => c.service === callee) ? callee : undefined;
}

export function buildTraceGraph(allSpans: Span[], window: TimeRange, baseline: TimeRange): TraceGraph {
  const spans = allSpans.filter((s) => inRange(s.startMs, window) || inRange(s.startMs, baseline));
  // Index by span id (64-bit random ids: the trace id is checked on lookup instead of building keys).
  const bySpanId = new Map<string, Span>();
  for (const s of allSpans) bySpanId.set(s.spanId, s);
  const children = new Map<Span, Span[]>();
  const calls = new Map<string, number>();
  for (const s of spans) {
    if (!s.parentSpanId) continue;
    const p = bySpanId.get(s.parentSpanId);
    if (!p || p.traceId !== s.traceId) continue;
    let l = children.get(p);
    if (!l) children.set(p, (l = []));
    l.push(s);
    if (p.service !== s.service) {
      const e = `${p.service}\u0000${s.service}`;
      calls.set(e, (calls.get(e) ?? 0) + 1);
    }
  }
  const opName = new Map<Span, string>();
  const opOf = (s: Span) => {
    let k = opName.get(s);
    if (k === undefined) opName.set(s, (k = `${s.service}\u0000${s.name}`));
    return k;
  };
  return { window, baseline, spans, bySpanId, children, self: selfTimes(spans, children), calls, opOf };
}
