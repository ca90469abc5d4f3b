// Jaeger's JSON (the UI's "Download JSON", the query service's /api/traces answer): `{data: [trace]}`
// where a trace is `{traceID, spans, processes}`; a span has `operationName`, `references`
// (CHILD_OF / FOLLOWS_FROM), `startTime` and `duration` in microseconds, typed `tags`, `logs` and a
// `processID` naming its process (service name and tags). Mapped onto OTLP the way Jaeger's own
// OTLP translator does: span.kind, otel.status_code and error tags, otel.scope/library name.
import type { Attributes, InstrumentationScope, Span, SpanLink, SpanStatus } from '../../types.js';
import type { ParseStats } from '../../otlp-traces.js';
import { normaliseId } from '../../otlp.js';
import { KIND_BY_NAME, microsToMs, scopeFromTags, skipSpan, statusFromTags, traceStateFromTags, withoutDerivedTags } from './span-common.js';

interface JaegerTag {
  key?: string;
  type?: string;
  value?: unknown;
}
interface JaegerSpan {
  traceID?: string;
  spanID?: string;
  parentSpanID?: string;
  operationName?: string;
  references?: Array<{ refType?: string; traceID?: string; spanID?: string }>;
  startTime?: number;
  duration?: number;
  tags?: JaegerTag[];
  logs?: Array<{ timestamp?: number; fields?: JaegerTag[] }>;
  processID?: string;
  process?: { serviceName?: string; tags?: JaegerTag[] };
}
interface JaegerTrace {
  traceID?: string;
  spans?: JaegerSpan[];
  processes?: Record<string, { serviceName?: string; tags?: JaegerTag[] }>;
}

/** True for `{data: [{traceID, spans…}]}` (a saved answer) or one bare trace `{traceID, spans, processes}`. */
export function looksLikeJaeger(doc: unknown): boolean {
  if (!doc || typeof doc !== 'object') return false;
  const d = doc as { data?: unknown; spans?: unknown; processes?: unknown };
  if (Array.isArray(d.data)) {
    const first = d.data[0] as JaegerTrace | undefined;
    return d.data.length === 0 || (!!first && typeof first === 'object' && Array.isArray(first.spans));
  }
  return Array.isArray(d.spans) && typeof d.processes === 'object';
}

function tagValue(t: JaegerTag): string | number | boolean | undefined {
  const v = t.value;
  if (v === undefined || v === null) return undefined;
  if (t.type === 'int64' && typeof v === 'string') {
    // Exact beyond 2^53: keep the decimal string.
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function tagsToAttributes(tags: JaegerTag[] | undefined): Attributes {
  const out: Attributes = {};
  for (const t of tags ?? []) {
    if (!t || typeof t.key !== 'string') continue;
    const v = tagValue(t);
    if (v !== undefined) out[t.key] = v;
  }
  return out;
}


export function parseJaeger(doc: unknown, out: Span[], stats: ParseStats): void {
  const d = doc as { data?: JaegerTrace[] } & JaegerTrace;
  const traces: JaegerTrace[] = Array.isArray(d.data) ? d.data : [d];
  for (const trace of traces) {
    if (!trace || !Array.isArray(trace.spans)) continue;
    const resources = new Map<string, { service: string; resource: Attributes }>();
    const resourceOf = (s: JaegerSpan) => {
      const id = s.processID ?? '';
      let r = resources.get(id);
      if (!r) {
        const p = s.process ?? trace.processes?.[id];
        const resource = tagsToAttributes(p?.tags);
        const service = typeof p?.serviceName === 'string' && p.serviceName !== '' ? p.serviceName : 'unknown';
        resource['service.name'] = service;
        resources.set(id, (r = { service, resource }));
      }
      return r;
    };
    const scopes = new Map<string, InstrumentationScope>();
    for (const s of trace.spans) {
      const traceId = normaliseId(s.traceID ?? trace.traceID, 32);
      const spanId = normaliseId(s.spanID, 16);
      if (!traceId || !spanId) {
        skipSpan(stats, 'missing or invalid traceID/spanID');
        continue;
      }
      const startMs = microsToMs(s.startTime);
      if (startMs === undefined) {
        skipSpan(stats, 'missing startTime');
        continue;
      }
      const durationMs = Math.max(0, microsToMs(s.duration) ?? 0);
      const tags = tagsToAttributes(s.tags);
      const refs = Array.isArray(s.references) ? s.references : [];
      // The parent is the first CHILD_OF reference in the same trace; other references are links.
      const parentRef = refs.find((r) => r?.refType === 'CHILD_OF' && normaliseId(r.traceID, 32) === traceId);
      const parent = parentRef ? normaliseId(parentRef.spanID, 16) : s.parentSpanID ? normaliseId(s.parentSpanID, 16) : undefined;
      const links: SpanLink[] = [];
      for (const r of refs) {
        if (r === parentRef) continue;
        const lt = normaliseId(r?.traceID, 32);
        const ls = normaliseId(r?.spanID, 16);
        if (lt && ls) links.push({ traceId: lt, spanId: ls, attributes: r.refType ? { 'jaeger.ref_type': r.refType } : {} });
      }
      const { status, message } = statusFromTags(tags);
      const scope = scopeFromTags(tags, scopes);
      const attributes = withoutDerivedTags(tags);
      const { service, resource } = resourceOf(s);
      out.push({
        traceId,
        spanId,
        parentSpanId: parent && parent !== '0000000000000000' ? parent : undefined,
        service,
        name: typeof s.operationName === 'string' ? s.operationName : '',
        kind: KIND_BY_NAME[String(tags['span.kind'] ?? '').toLowerCase()] ?? 0,
        startMs,
        endMs: startMs + durationMs,
        durationMs,
        status: status as SpanStatus,
        statusMessage: message,
        attributes,
        resource,
        events: (s.logs ?? []).map((l) => {
          const fields = tagsToAttributes(l.fields);
          const name = typeof fields.event === 'string' ? fields.event : 'log';
          delete fields.event;
          return { name, timeMs: microsToMs(l.timestamp) ?? startMs, attributes: fields };
        }),
        scope,
        traceState: traceStateFromTags(tags),
        links: links.length ? links : undefined,
      });
      stats.spans++;
    }
  }
}
