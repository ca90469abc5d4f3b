// Evaluates an intent-level span query on one span (the bundle side of what TraceQL does remotely).
import type { AttrValue, Span, SpanQuery } from '../../sources/types.js';
import { isErrorSpan } from './requests.js';

/** Attribute lookup by user key: `span.x`, `resource.x`, `.x` or bare `x` (span first, then resource). */
export function attrOf(s: Span, key: string): AttrValue | undefined {
  if (key.startsWith('span.')) return s.attributes[key.slice(5)];
  if (key.startsWith('resource.')) return s.resource[key.slice(9)];
  const k = key.startsWith('.') ? key.slice(1) : key;
  return s.attributes[k] ?? s.resource[k];
}

export function spanMatches(s: Span, q: SpanQuery): boolean {
  if (s.startMs >= q.range.end || s.endMs < q.range.start) return false;
  if (q.service !== undefined && s.service !== q.service) return false;
  if (q.spanName !== undefined && s.name !== q.spanName) return false;
  if (q.status !== undefined && s.status !== q.status) return false;
  if (q.errorsOnly && !isErrorSpan(s)) return false;
  if (q.minDurationMs !== undefined && s.durationMs < q.minDurationMs) return false;
  if (q.maxDurationMs !== undefined && s.durationMs > q.maxDurationMs) return false;
  if (q.attributes) {
    for (const [key, want] of Object.entries(q.attributes)) {
      const v = attrOf(s, key);
      if (v === undefined || String(v) !== String(want)) return false;
    }
  }
  return true;
}
