// Evaluates an intent-level span query on one span (the bundle side of what TraceQL does remotely).
import type { Span, SpanQuery } from '../../sources/types.js';

export function spanMatches(s: Span, q: SpanQuery): boolean {
  if (s.startMs >= q.range.end || s.endMs < q.range.start) return false;
  if (q.service !== undefined && s.service !== q.service) return false;
  if (q.spanName !== undefined && s.name !== q.spanName) return false;
  if (q.status !== undefined && s.status !== q.status) return false;
  if (q.minDurationMs !== undefined && s.durationMs < q.minDurationMs) return false;
  if (q.maxDurationMs !== undefined && s.durationMs > q.maxDurationMs) return false;
  if (q.attributes) {
    for (const [key, want] of Object.entries(q.attributes)) {
      let v;
      if (key.startsWith('span.')) v = s.attributes[key.slice(5)];
      else if (key.startsWith('resource.')) v = s.resource[key.slice(9)];
      else v = s.attributes[key] ?? s.resource[key];
      if (v === undefined || String(v) !== String(want)) return false;
    }
  }
  return true;
}
