// Jaeger's JSON (the UI's "Download JSON", the query service's /api/traces answer): `{data: [trace]}`
// where a trace is `{traceID, spans, processes}`; a span has `operationName`, `references`
// (CHILD_OF / FOLLOWS_FROM), `startTime` and `duration` in microseconds, typed `tags`, `logs` and a
// `processID` naming its process (service name and tags). Mapped onto OTLP the way Jaeger's own
// OTLP translator does: span.kind, otel.status_code and error tags, otel.scope/library name.
import type { Attributes, InstrumentationScope, Span, SpanLink } from '../../types.js';
import type { ParseStats } from '../../otlp-traces.js';
import { normaliseId } from '../../otlp.js';
import { microsToMs, parentIdOf, scopeFromTags, spanCore, translatedSpan, withoutDerivedTags } from './span-common.js';

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
      const core = spanCore(stats, { traceId: s.traceID ?? trace.traceID, spanId: s.spanID, startMicros: s.startTime, durationMicros: s.duration }, { ids: 'traceID/spanID', start: 'startTime' });
      if (!core) continue;
      const tags = tagsToAttributes(s.tags);
      const refs = Array.isArray(s.references) ? s.references : [];
      // The parent is the first CHILD_OF reference in the same trace; other references are links.
      const parentRef = refs.find((r) => r?.refType === 'CHILD_OF' && normaliseId(r.traceID, 32) === core.traceId);
      const links: SpanLink[] = [];
      for (const r of refs) {
        if (r === parentRef) continue;
        const lt = normaliseId(r?.traceID, 32);
        const ls = normaliseId(r?.spanID, 16);
        if (lt && ls) links.push({ traceId: lt, spanId: ls, attributes: r.refType ? { 'jaeger.ref_type': r.refType } : {} });
      }
      const { service, resource } = resourceOf(s);
      const events = (s.logs ?? []).map((l) => {
        const fields = tagsToAttributes(l.fields);
        const name = typeof fields.event === 'string' ? fields.event : 'log';
        delete fields.event;
        return { name, timeMs: microsToMs(l.timestamp) ?? core.startMs, attributes: fields };
      });
      out.push(
        translatedSpan(core, {
          parent: parentIdOf(parentRef ? parentRef.spanID : s.parentSpanID),
          service,
          name: s.operationName,
          kind: tags['span.kind'],
          tags,
          attributes: withoutDerivedTags(tags),
          resource,
          events,
          scope: scopeFromTags(tags, scopes),
          links,
        }),
      );
      stats.spans++;
    }
  }
}
