// Zipkin v2 JSON (the /api/v2/spans body, the UI's trace download): an array of spans, or of traces
// (arrays of spans, the /api/v2/traces answer). A span has hex `traceId` (16 or 32), `id`, `parentId`,
// `name`, `kind` (CLIENT, SERVER, PRODUCER, CONSUMER), `timestamp` and `duration` in microseconds,
// `localEndpoint.serviceName`, string `tags` and `annotations` [{timestamp, value}].
import type { Attributes, InstrumentationScope, Span } from '../../types.js';
import type { ParseStats } from '../../otlp-traces.js';
import { microsToMs, parentIdOf, scopeFromTags, spanCore, translatedSpan, withoutDerivedTags } from './span-common.js';

interface ZipkinSpan {
  traceId?: string;
  id?: string;
  parentId?: string;
  name?: string;
  kind?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number };
  remoteEndpoint?: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number };
  annotations?: Array<{ timestamp?: number; value?: string }>;
  tags?: Record<string, unknown>;
  shared?: boolean;
}

const isZipkinSpan = (x: unknown): boolean => !!x && typeof x === 'object' && typeof (x as ZipkinSpan).traceId === 'string' && typeof (x as ZipkinSpan).id === 'string';

/** An array of Zipkin v2 spans, or an array of such arrays. */
export function looksLikeZipkin(doc: unknown): boolean {
  if (!Array.isArray(doc) || doc.length === 0) return false;
  const first = Array.isArray(doc[0]) ? doc[0][0] : doc[0];
  return isZipkinSpan(first);
}


/** A stable id for the server half of a shared span: the client's id with its top bit flipped. */
function sharedServerId(id: string): string {
  return ((parseInt(id[0]!, 16) ^ 8).toString(16)) + id.slice(1);
}

export function parseZipkin(doc: unknown, out: Span[], stats: ParseStats): void {
  const list = (doc as unknown[]).flatMap((x) => (Array.isArray(x) ? x : [x])) as ZipkinSpan[];
  const resources = new Map<string, Attributes>();
  const scopes = new Map<string, InstrumentationScope>();
  for (const s of list) {
    if (!s || typeof s !== 'object') continue;
    const core = spanCore(stats, { traceId: s.traceId, spanId: s.id, startMicros: s.timestamp, durationMicros: s.duration }, { ids: 'traceId/id', start: 'timestamp' });
    if (!core) continue;
    // Brave's default joins RPCs: the server half reuses the client's span id with `shared: true`.
    // One id is one span here, so the server half gets its own id, a child of the client half.
    let parent = s.parentId ? parentIdOf(s.parentId) : undefined;
    if (s.shared === true && String(s.kind).toUpperCase() === 'SERVER') {
      parent = core.spanId;
      core.spanId = sharedServerId(core.spanId);
    }
    const service = s.localEndpoint?.serviceName || 'unknown';
    let resource = resources.get(service);
    if (!resource) resources.set(service, (resource = { 'service.name': service }));
    const tags: Attributes = {};
    for (const [k, v] of Object.entries(s.tags ?? {})) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') tags[k] = v;
    const attributes = withoutDerivedTags(tags);
    // The remote side of a call, as OTLP semantic conventions name it.
    const remote = s.remoteEndpoint;
    if (remote?.serviceName && attributes['peer.service'] === undefined) attributes['peer.service'] = remote.serviceName;
    if ((remote?.ipv4 || remote?.ipv6) && attributes['network.peer.address'] === undefined) attributes['network.peer.address'] = (remote.ipv4 || remote.ipv6)!;
    if (remote?.port && attributes['network.peer.port'] === undefined) attributes['network.peer.port'] = remote.port;
    out.push(
      translatedSpan(core, {
        parent,
        service,
        name: s.name,
        kind: s.kind,
        tags,
        attributes,
        resource,
        events: (s.annotations ?? []).map((a) => ({ name: typeof a.value === 'string' ? a.value : '', timeMs: microsToMs(a.timestamp) ?? core.startMs, attributes: {} })),
        scope: scopeFromTags(tags, scopes),
      }),
    );
    stats.spans++;
  }
}
