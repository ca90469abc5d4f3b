// OTLP/JSON TracesData → Span records. Accepts OTLP hex ids and Tempo's base64 ids,
// `scopeSpans` and the legacy `instrumentationLibrarySpans`, `{trace: …}` and `{batches: …}` wrappers.
import type { Span, SpanEvent, SpanLink, SpanStatus } from './types.js';
import { SPAN_KINDS, attributes, nanosToMs, normaliseId, scopeOf, serviceOf } from './otlp.js';
import { isDateMs, NOT_A_DATE } from '../util/plausible-time.js';

export interface ParseStats {
  spans: number;
  skipped: number;
  reasons: Map<string, number>;
  /** Spans kept whose end came before their start: read with zero duration (the file's problems say how many). */
  endBeforeStart?: number;
}

/** Counts a span kept with zero duration because its end came before its start. */
export function countEndBeforeStart(stats: ParseStats): void {
  stats.endBeforeStart = (stats.endBeforeStart ?? 0) + 1;
}

export function statusCode(code: unknown): SpanStatus {
  if (code === 2 || code === 'STATUS_CODE_ERROR' || code === 'ERROR') return 'error';
  if (code === 1 || code === 'STATUS_CODE_OK' || code === 'OK') return 'ok';
  return 'unset';
}

/** Lowercase hex of exactly `len` characters: the common OTLP/JSON case, checked without a regex. */
function isHexOfLength(id: string, len: number): boolean {
  if (id.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

export const fastId = (id: unknown, len: number): string | undefined => (typeof id === 'string' && isHexOfLength(id, len) ? id : normaliseId(id, len));

/**
 * Unix nanoseconds → epoch ms; the common decimal-string case in one pass without a regex, slices or
 * BigInt: the digits before the last six (≤ 14 of them, exact in a double) are the whole milliseconds.
 */
export function fastNanos(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const n = v.length;
    if (n > 6 && n <= 20) {
      const cut = n - 6;
      let hi = 0;
      let lo = 0;
      for (let i = 0; i < n; i++) {
        const d = v.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return nanosToMs(v);
        if (i < cut) hi = hi * 10 + d;
        else lo = lo * 10 + d;
      }
      return hi + lo / 1e6;
    }
  }
  return nanosToMs(v);
}

export function kindOf(k: unknown): number {
  if (typeof k === 'number') return k;
  if (typeof k === 'string') return Object.hasOwn(SPAN_KINDS, k) ? SPAN_KINDS[k]! : 0; // not Object's own names ('toString')
  return 0;
}

/** A span's `events` (JSON) as SpanEvents; an event without a time takes the span's start. */
export function spanEvents(list: unknown, startMs: number): SpanEvent[] {
  return Array.isArray(list) && list.length > 0
    ? (list as Array<Record<string, unknown>>).map((e) => ({
        name: typeof e.name === 'string' ? e.name : '',
        timeMs: fastNanos(e.timeUnixNano) ?? startMs,
        attributes: attributes(e.attributes),
      }))
    : [];
}

function resourceSpansOf(doc: unknown): unknown[] {
  if (!doc || typeof doc !== 'object') return [];
  const d = doc as Record<string, unknown>;
  if (Array.isArray(d.resourceSpans)) return d.resourceSpans;
  if (Array.isArray(d.batches)) return d.batches;
  if (d.trace && typeof d.trace === 'object') return resourceSpansOf(d.trace);
  return [];
}

/** True when a document looks like OTLP TracesData (used to reject wrong files clearly). */
export function looksLikeTracesData(doc: unknown): boolean {
  if (!doc || typeof doc !== 'object') return false;
  const d = doc as Record<string, unknown>;
  // Grafana's "Download trace" wraps TracesData in `trace`; an ECS log document's `trace` is `{"id": …}`, no trace.
  return Array.isArray(d.resourceSpans) || Array.isArray(d.batches) || (typeof d.trace === 'object' && d.trace !== null && looksLikeTracesData(d.trace));
}

export function parseTracesData(doc: unknown, out: Span[], stats: ParseStats): void {
  const skip = (why: string) => {
    stats.skipped++;
    stats.reasons.set(why, (stats.reasons.get(why) ?? 0) + 1);
  };
  for (const rs of resourceSpansOf(doc)) {
    const r = rs as Record<string, unknown>;
    const resource = attributes((r.resource as { attributes?: unknown } | undefined)?.attributes);
    const service = serviceOf(resource);
    const scopes = (r.scopeSpans ?? r.instrumentationLibrarySpans ?? []) as Array<{ spans?: unknown[]; scope?: unknown; instrumentationLibrary?: unknown }>;
    if (!Array.isArray(scopes)) continue;
    for (const scope of scopes) {
      if (!scope || !Array.isArray(scope.spans)) continue;
      const scopeInfo = scopeOf(scope.scope ?? scope.instrumentationLibrary);
      for (const raw of scope.spans) {
        const s = raw as Record<string, unknown>;
        const traceId = fastId(s.traceId, 32);
        const spanId = fastId(s.spanId, 16);
        if (!traceId || !spanId) {
          skip('missing or invalid traceId/spanId');
          continue;
        }
        const startMs = fastNanos(s.startTimeUnixNano);
        let endMs = fastNanos(s.endTimeUnixNano);
        if (startMs === undefined) {
          skip('missing startTimeUnixNano');
          continue;
        }
        if (!isDateMs(startMs) || (endMs !== undefined && !Number.isNaN(endMs) && !isDateMs(endMs))) {
          skip(`start or end time ${NOT_A_DATE}`);
          continue;
        }
        if (endMs !== undefined && endMs < startMs) countEndBeforeStart(stats);
        if (endMs === undefined || endMs < startMs) endMs = startMs;
        const st = s.status;
        let status: SpanStatus = 'unset';
        let message: string | undefined;
        if (st && typeof st === 'object') {
          const code = (st as { code?: unknown }).code;
          if (code !== undefined) status = statusCode(code);
          const m = (st as { message?: unknown }).message;
          if (typeof m === 'string' && m !== '') message = m;
        }
        const events = spanEvents(s.events, startMs);
        const links = Array.isArray(s.links) && s.links.length > 0 ? linksOf(s.links) : undefined;
        const parent = s.parentSpanId === undefined || s.parentSpanId === '' ? undefined : fastId(s.parentSpanId, 16);
        const span: Span = {
          traceId,
          spanId,
          parentSpanId: parent && parent !== '0000000000000000' ? parent : undefined,
          service,
          name: typeof s.name === 'string' ? s.name : '',
          kind: kindOf(s.kind),
          startMs,
          endMs,
          durationMs: endMs - startMs,
          status,
          statusMessage: message,
          attributes: attributes(s.attributes),
          resource,
          events,
        };
        // Optional fields only when present (the span store gives back the same objects).
        if (scopeInfo) span.scope = scopeInfo;
        if (typeof s.traceState === 'string' && s.traceState !== '') span.traceState = s.traceState;
        if (links) span.links = links;
        out.push(span);
        stats.spans++;
      }
    }
  }
}

function linksOf(list: unknown[]): SpanLink[] {
  const out: SpanLink[] = [];
  for (const raw of list) {
    const l = raw as Record<string, unknown> | null;
    const traceId = l ? fastId(l.traceId, 32) : undefined;
    const spanId = l ? fastId(l.spanId, 16) : undefined;
    if (!traceId || !spanId) continue;
    const link: SpanLink = { traceId, spanId, attributes: attributes(l!.attributes) };
    if (typeof l!.traceState === 'string' && l!.traceState !== '') link.traceState = l!.traceState;
    out.push(link);
  }
  return out;
}
