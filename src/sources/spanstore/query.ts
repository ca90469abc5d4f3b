// Span queries over the store: which traces match an intent-level SpanQuery, and which services have
// spans in a range. Columns decide what they can (time, service, span name, status, duration); the
// rest (error signals, attribute filters) is judged by spanMatches on the span itself, so a bundle
// answers exactly as the same query evaluated span by span.
import type { SpanQuery, TimeRange } from '../types.js';
import { spanMatches } from '../../analysis/traces/match.js';
import { statusNumber, type SpanStore } from './store.js';

/** Trace numbers with at least one span matching the query, in the order their first match starts. */
export function matchingTraces(store: SpanStore, q: SpanQuery): number[] {
  const c = store.cols;
  const service = q.service === undefined ? -2 : store.stringId(q.service);
  const name = q.spanName === undefined ? -2 : store.stringId(q.spanName);
  if (service === -1 || name === -1) return [];
  const status = q.status === undefined ? -1 : statusNumber(q.status);
  const needsSpan = q.errorsOnly === true || q.attributes !== undefined;
  const { start: from, end: to } = q.range;
  const hit = new Uint8Array(store.traces);
  const out: number[] = [];
  for (let i = 0; i < store.size; i++) {
    const s = c.start[i]!;
    if (s >= to) break;
    const t = store.traceOf[i]!;
    if (hit[t]) continue;
    const e = c.end[i]!;
    if (e < from) continue;
    if (service >= 0 && c.service[i] !== service) continue;
    if (name >= 0 && c.name[i] !== name) continue;
    if (status >= 0 && c.status[i] !== status) continue;
    if (q.minDurationMs !== undefined && e - s < q.minDurationMs) continue;
    if (q.maxDurationMs !== undefined && e - s > q.maxDurationMs) continue;
    if (needsSpan && !spanMatches(store.span(i), q)) continue;
    hit[t] = 1;
    out.push(t);
  }
  return out;
}

/** Services with a span overlapping the range, sorted. */
export function servicesIn(store: SpanStore, range: TimeRange): string[] {
  const c = store.cols;
  const seen = new Set<number>();
  for (let i = 0; i < store.size; i++) if (c.start[i]! < range.end && c.end[i]! >= range.start) seen.add(c.service[i]!);
  return [...seen].map((id) => store.strings[id]!).sort();
}
