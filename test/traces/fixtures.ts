// Test fixtures: compact span specs → Span records and OTLP/JSON TracesData.
import type { Attributes, Span } from '../../src/sources/types.js';

export interface SpecSpan {
  id: string; // short span id, padded to 16 hex
  parent?: string;
  service: string;
  name: string;
  start: number; // ms offset from the trace start
  dur: number; // ms
  kind?: number;
  status?: 'error' | 'ok';
  message?: string;
  attrs?: Attributes;
  resource?: Attributes;
  events?: Array<{ name: string; attrs: Attributes }>;
}

export const T0 = Date.UTC(2025, 5, 3, 10, 0, 0);

export const hexId = (s: string, len: number) => Buffer.from(s).toString('hex').slice(0, len).padStart(len, '0');

const resources = new Map<string, Attributes>();
function resourceFor(service: string, extra?: Attributes): Attributes {
  const key = service + JSON.stringify(extra ?? {});
  let r = resources.get(key);
  if (!r) resources.set(key, (r = { 'service.name': service, ...(extra ?? {}) }));
  return r;
}

export function spans(traceKey: string, startMs: number, specs: SpecSpan[]): Span[] {
  const traceId = hexId(traceKey, 32);
  return specs.map((s) => ({
    traceId,
    spanId: hexId(s.id, 16),
    parentSpanId: s.parent ? hexId(s.parent, 16) : undefined,
    service: s.service,
    name: s.name,
    kind: s.kind ?? (s.parent ? 1 : 2),
    startMs: startMs + s.start,
    endMs: startMs + s.start + s.dur,
    durationMs: s.dur,
    status: s.status ?? 'unset',
    statusMessage: s.message,
    attributes: s.attrs ?? {},
    resource: resourceFor(s.service, s.resource),
    events: (s.events ?? []).map((e) => ({ name: e.name, timeMs: startMs + s.start, attributes: e.attrs })),
  }));
}

function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: String(v) };
  return { doubleValue: v };
}

const kv = (a: Attributes) => Object.entries(a).map(([key, value]) => ({ key, value: anyValue(value) }));
const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** OTLP/JSON TracesData for spans (one resourceSpans per distinct resource object). */
export function toOtlp(all: Span[], opts: { base64Ids?: boolean; kindNames?: boolean } = {}): unknown {
  const byRes = new Map<Attributes, Span[]>();
  for (const s of all) {
    const l = byRes.get(s.resource);
    if (l) l.push(s);
    else byRes.set(s.resource, [s]);
  }
  const id = (hex: string) => (opts.base64Ids ? Buffer.from(hex, 'hex').toString('base64') : hex);
  const KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
  return {
    resourceSpans: [...byRes].map(([res, list]) => ({
      resource: { attributes: kv(res) },
      scopeSpans: [
        {
          scope: { name: 'test' },
          spans: list.map((s) => ({
            traceId: id(s.traceId),
            spanId: id(s.spanId),
            ...(s.parentSpanId ? { parentSpanId: id(s.parentSpanId) } : {}),
            name: s.name,
            kind: opts.kindNames ? KINDS[s.kind] : s.kind,
            startTimeUnixNano: nanos(s.startMs),
            endTimeUnixNano: nanos(s.endMs),
            attributes: kv(s.attributes),
            events: s.events.map((e) => ({ timeUnixNano: nanos(e.timeMs), name: e.name, attributes: kv(e.attributes) })),
            status: s.status === 'error' ? { code: opts.kindNames ? 'STATUS_CODE_ERROR' : 2, ...(s.statusMessage ? { message: s.statusMessage } : {}) } : s.status === 'ok' ? { code: 1 } : {},
          })),
        },
      ],
    })),
  };
}

/**
 * A small shop: frontend → checkout (INSERT orders) and frontend → ride (SELECT car_login).
 * From `faultFrom` on, every 3rd checkout fails with a duplicate key (app.client_retry=true), and ride
 * requests served by version 1.8.0 (every 2nd) run a slow SELECT.
 */
export function shop(n: number, startMs: number, stepMs: number, faultFrom: number): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < n; i++) {
    const t = startMs + i * stepMs;
    const fault = t >= faultFrom;
    if (i % 2 === 0) {
      const fail = fault && i % 3 === 0;
      const orderId = 1000 + i;
      out.push(
        ...spans(`co${i}`, t, [
          { id: 'a', service: 'frontend', name: 'POST /api/checkout', start: 0, dur: 30, status: fail ? 'error' : undefined, attrs: { 'http.route': '/api/checkout', 'http.response.status_code': fail ? 500 : 201 } },
          { id: 'b', parent: 'a', service: 'checkout', name: 'POST /api/checkout', kind: 2, start: 2, dur: 25, status: fail ? 'error' : undefined, attrs: { 'http.route': '/api/checkout', 'app.client_retry': fail, 'app.user_id': `u${i}` } },
          {
            id: 'c',
            parent: 'b',
            service: 'checkout',
            name: 'INSERT INTO orders',
            kind: 3,
            start: 5,
            dur: 10,
            status: fail ? 'error' : undefined,
            message: fail ? `pq: duplicate key value violates unique constraint "orders_pkey" (order ${orderId})` : undefined,
            attrs: { 'db.system': 'postgresql', 'db.statement': `INSERT INTO orders (id, user_id) VALUES (${orderId}, 'u${i}')` },
            events: fail ? [{ name: 'exception', attrs: { 'exception.type': '*pq.Error', 'exception.message': `duplicate key ${orderId}` } }] : [],
          },
        ]),
      );
    } else {
      const slow = fault && i % 4 === 1;
      const version = slow ? '1.8.0' : '1.7.2';
      out.push(
        ...spans(`ri${i}`, t, [
          { id: 'a', service: 'frontend', name: 'GET /api/rides/{id}/driver', start: 0, dur: slow ? 420 : 22, attrs: { 'http.route': '/api/rides/{id}/driver', 'http.response.status_code': 200 } },
          { id: 'b', parent: 'a', service: 'ride', name: 'GET /api/rides/{id}/driver', kind: 2, start: 1, dur: slow ? 415 : 18, resource: { 'service.version': version }, attrs: { 'http.route': '/api/rides/{id}/driver' } },
          { id: 'c', parent: 'b', service: 'ride', name: 'SELECT car_login', kind: 3, start: 3, dur: slow ? 400 : 4, resource: { 'service.version': version }, attrs: { 'db.system': 'postgresql', 'db.statement': `SELECT id FROM car_login WHERE driver_id = ${i}` } },
          { id: 'd', parent: 'b', service: 'ride', name: 'SELECT rides', kind: 3, start: slow ? 404 : 8, dur: 5, resource: { 'service.version': version }, attrs: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM rides WHERE id = 1' } },
        ]),
      );
    }
  }
  return out;
}
