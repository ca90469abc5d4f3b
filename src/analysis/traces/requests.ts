// Entry spans: where a request enters a service (server/consumer spans, roots, or a parent in another service).
import type { Span } from '../../sources/types.js';

export function indexById(spans: Span[]): Map<string, Span> {
  const m = new Map<string, Span>();
  for (const s of spans) m.set(`${s.traceId}:${s.spanId}`, s);
  return m;
}

export function parentOf(s: Span, byId: Map<string, Span>): Span | undefined {
  return s.parentSpanId ? byId.get(`${s.traceId}:${s.parentSpanId}`) : undefined;
}

export function isEntrySpan(s: Span, byId: Map<string, Span>): boolean {
  if (s.kind === 2 || s.kind === 5) return true;
  const p = parentOf(s, byId);
  if (!p) return true; // root, or orphan whose parent is missing
  return p.service !== s.service && s.kind !== 3 && s.kind !== 4;
}

/** An entry span counts as failed when its status is error or it answered an HTTP 5xx. */
export function isFailed(s: Span): boolean {
  if (s.status === 'error') return true;
  const code = Number(s.attributes['http.response.status_code'] ?? s.attributes['http.status_code']);
  return Number.isFinite(code) && code >= 500;
}
