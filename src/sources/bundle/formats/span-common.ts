// What the non-OTLP trace formats (Jaeger, Zipkin) share when mapped onto spans: microsecond times,
// kind names, the status carried by tags, the skip counter.
import type { Attributes, InstrumentationScope, Span, SpanEvent, SpanLink, SpanStatus } from '../../types.js';
import { normaliseId } from '../../otlp.js';
import { countEndBeforeStart, type ParseStats } from '../../otlp-traces.js';
import { isDateMs, NOT_A_DATE } from '../../../util/plausible-time.js';

/** Span kind by the lowercase name Jaeger's `span.kind` tag and Zipkin's `kind` use (OTLP numbers). */
export const KIND_BY_NAME: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

/** Microseconds since the epoch (number or decimal string) → epoch ms. */
export function microsToMs(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  return n === undefined || !Number.isFinite(n) ? undefined : n / 1000;
}

export function skipSpan(stats: ParseStats, why: string): void {
  stats.skipped++;
  stats.reasons.set(why, (stats.reasons.get(why) ?? 0) + 1);
}

/**
 * Status from the tags a translator leaves: `otel.status_code` (OK/ERROR) and its description win;
 * else an `error` tag (Jaeger: true; Zipkin: the message, or "true"/"") marks an error.
 */
export function statusFromTags(tags: Attributes): { status: SpanStatus; message?: string } {
  const code = String(tags['otel.status_code'] ?? '').toUpperCase();
  const desc = tags['otel.status_description'];
  const message = typeof desc === 'string' && desc !== '' ? desc : undefined;
  if (code === 'ERROR') return { status: 'error', message };
  if (code === 'OK') return { status: 'ok', message };
  const err = tags.error;
  if (err === true || err === 'true') return { status: 'error', message };
  if (typeof err === 'string' && err !== '' && err !== 'false') return { status: 'error', message: message ?? err };
  return { status: 'unset', message };
}

// Tags a translator derives from OTLP fields (kind, status, scope, trace state): they become those
// fields again, not attributes.
const DERIVED = new Set(['span.kind', 'otel.status_code', 'otel.status_description', 'error', 'otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version', 'w3c.tracestate', 'internal.span.format']);

export function withoutDerivedTags(tags: Attributes): Attributes {
  const out: Attributes = {};
  for (const k of Object.keys(tags)) if (!DERIVED.has(k)) out[k] = tags[k]!;
  return out;
}

/** The instrumentation scope named by `otel.scope.*` (or the older `otel.library.*`) tags; one object per scope via `cache`. */
export function scopeFromTags(tags: Attributes, cache: Map<string, InstrumentationScope>): InstrumentationScope | undefined {
  const name = tags['otel.scope.name'] ?? tags['otel.library.name'];
  if (typeof name !== 'string' || name === '') return undefined;
  const version = tags['otel.scope.version'] ?? tags['otel.library.version'];
  const key = `${name}\n${version ?? ''}`;
  let scope = cache.get(key);
  if (!scope) cache.set(key, (scope = typeof version === 'string' && version ? { name, version } : { name }));
  return scope;
}

/** The W3C trace state a translator kept as a tag. */
export function traceStateFromTags(tags: Attributes): string | undefined {
  const t = tags['w3c.tracestate'];
  return typeof t === 'string' && t !== '' ? t : undefined;
}

/** The identity and timing every span needs; undefined (counted as skipped, with why) when missing. */
export function spanCore(
  stats: ParseStats,
  raw: { traceId: unknown; spanId: unknown; startMicros: unknown; durationMicros: unknown },
  names: { ids: string; start: string },
): { traceId: string; spanId: string; startMs: number; durationMs: number } | undefined {
  const traceId = normaliseId(raw.traceId, 32);
  const spanId = normaliseId(raw.spanId, 16);
  if (!traceId || !spanId) {
    skipSpan(stats, `missing or invalid ${names.ids}`);
    return undefined;
  }
  const startMs = microsToMs(raw.startMicros);
  if (startMs === undefined) {
    skipSpan(stats, `missing ${names.start}`);
    return undefined;
  }
  const given = microsToMs(raw.durationMicros) ?? 0;
  if (given < 0) countEndBeforeStart(stats);
  const durationMs = Math.max(0, given);
  if (!isDateMs(startMs) || !isDateMs(startMs + durationMs)) {
    skipSpan(stats, `${names.start} or its duration ${NOT_A_DATE}`);
    return undefined;
  }
  return { traceId, spanId, startMs, durationMs };
}

/** A parent span id in hex, none for an empty or all-zero one. */
export function parentIdOf(raw: unknown): string | undefined {
  const p = normaliseId(raw, 16);
  return p && p !== '0000000000000000' ? p : undefined;
}

/** A span from a translated format: times from its core, kind/status/scope/trace state from its tags. */
export function translatedSpan(
  core: { traceId: string; spanId: string; startMs: number; durationMs: number },
  f: { parent?: string; service: string; name: unknown; kind: unknown; tags: Attributes; attributes: Attributes; resource: Attributes; events: SpanEvent[]; scope?: InstrumentationScope; links?: SpanLink[] },
): Span {
  const { status, message } = statusFromTags(f.tags);
  return {
    ...core,
    parentSpanId: f.parent,
    service: f.service,
    name: typeof f.name === 'string' ? f.name : '',
    kind: KIND_BY_NAME[String(f.kind ?? '').toLowerCase()] ?? 0,
    endMs: core.startMs + core.durationMs,
    status,
    statusMessage: message,
    attributes: f.attributes,
    resource: f.resource,
    events: f.events,
    scope: f.scope,
    traceState: traceStateFromTags(f.tags),
    links: f.links?.length ? f.links : undefined,
  };
}
