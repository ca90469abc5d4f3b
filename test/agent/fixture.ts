// A small, deterministic incident bundle written to a temp dir (OTLP/JSON traces and logs + incident.yaml):
// frontend → checkout → INSERT (duplicate-key errors from 10:04) and frontend → ride → SELECT (slow from 10:04),
// healthy catalog. Optional extra log line (e.g. a prompt injection) in checkout's logs.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const T0 = Date.parse('2025-06-03T09:50:00Z');
const INCIDENT = Date.parse('2025-06-03T10:04:00Z');
const END = Date.parse('2025-06-03T10:20:00Z');

let seq = 0;
function hex(n: number, len: number): string {
  return (n.toString(16) + Math.random().toString(16).slice(2) + '0'.repeat(len)).slice(0, len);
}
// Deterministic pseudo-random numbers so the fixture is the same on every run.
let seed = 42;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

const ns = (ms: number) => String(BigInt(Math.round(ms * 1000)) * 1000n);
const attr = (k: string, v: string | number | boolean) => ({
  key: k,
  value: typeof v === 'string' ? { stringValue: v } : typeof v === 'number' ? { intValue: String(v) } : { boolValue: v },
});

interface RawSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  start: number;
  end: number;
  error?: { type: string; message: string };
  attrs?: Record<string, string | number | boolean>;
}

export function writeFixtureBundle(opts: { injection?: string } = {}): string {
  seed = 42;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ql-agent-'));
  const spans: RawSpan[] = [];
  const logs: Array<{ service: string; t: number; sev: number; text: string; body: string; traceId?: string }> = [];
  for (let t = T0; t < END; t += 2000) {
    const after = t >= INCIDENT;
    // checkout request
    {
      const traceId = hex(++seq, 32);
      const root = hex(++seq, 16);
      const srv = hex(++seq, 16);
      const ins = hex(++seq, 16);
      const fail = after && rnd() < 0.4;
      const d = 20 + rnd() * 10;
      spans.push({ service: 'frontend', traceId, spanId: root, name: 'POST /checkout', kind: 2, start: t, end: t + d + 4, error: fail ? { type: 'http', message: '500' } : undefined });
      spans.push({ service: 'checkout', traceId, spanId: srv, parentSpanId: root, name: 'POST /api/checkout', kind: 2, start: t + 1, end: t + d + 2, error: fail ? { type: '*pq.Error', message: 'internal' } : undefined, attrs: { 'app.client_retry': fail } });
      spans.push({
        service: 'checkout',
        traceId,
        spanId: ins,
        parentSpanId: srv,
        name: 'INSERT INTO orders',
        kind: 3,
        start: t + 2,
        end: t + 2 + d - 4,
        attrs: { 'db.system': 'postgresql', 'db.statement': 'INSERT INTO orders (id, user_id, total) VALUES ($1, $2, $3)' },
        error: fail ? { type: '*pq.Error', message: 'pq: duplicate key value violates unique constraint "orders_pkey"' } : undefined,
      });
      if (fail) logs.push({ service: 'checkout', t: t + d, sev: 17, text: 'ERROR', body: `level=ERROR msg="create order failed" err="pq: duplicate key value violates unique constraint \\"orders_pkey\\"" order_id=${1000 + seq}`, traceId });
      else logs.push({ service: 'checkout', t: t + d, sev: 9, text: 'INFO', body: `level=INFO msg="order created" order_id=${1000 + seq}`, traceId });
    }
    // ride request
    {
      const traceId = hex(++seq, 32);
      const root = hex(++seq, 16);
      const srv = hex(++seq, 16);
      const q = hex(++seq, 16);
      const slow = after ? 300 + rnd() * 100 : 3 + rnd() * 2;
      spans.push({ service: 'frontend', traceId, spanId: root, name: 'GET /rides', kind: 2, start: t + 500, end: t + 510 + slow });
      spans.push({ service: 'ride', traceId, spanId: srv, parentSpanId: root, name: 'GET /api/rides/{id}/driver', kind: 2, start: t + 501, end: t + 508 + slow });
      spans.push({ service: 'ride', traceId, spanId: q, parentSpanId: srv, name: 'SELECT car_login', kind: 3, start: t + 503, end: t + 503 + slow, attrs: { 'db.system': 'postgresql', 'db.statement': 'SELECT driver_id FROM car_login WHERE car_id = $1' } });
    }
    // catalog request (healthy)
    {
      const traceId = hex(++seq, 32);
      const root = hex(++seq, 16);
      const srv = hex(++seq, 16);
      const d = 8 + rnd() * 4;
      spans.push({ service: 'frontend', traceId, spanId: root, name: 'GET /products', kind: 2, start: t + 1000, end: t + 1002 + d });
      spans.push({ service: 'catalog', traceId, spanId: srv, parentSpanId: root, name: 'GET /api/products', kind: 2, start: t + 1001, end: t + 1001 + d });
      logs.push({ service: 'catalog', t: t + 1001, sev: 9, text: 'INFO', body: `level=INFO msg="listed products" n=${Math.floor(rnd() * 50)}`, traceId });
    }
  }
  // A hostile line repeated in a healthy service's logs, so it surfaces as a new error pattern.
  if (opts.injection) for (let t = INCIDENT + 5000; t < END; t += 20_000) logs.push({ service: 'catalog', t, sev: 17, text: 'ERROR', body: opts.injection });

  const byService = new Map<string, RawSpan[]>();
  for (const s of spans) {
    const l = byService.get(s.service) ?? [];
    l.push(s);
    byService.set(s.service, l);
  }
  const traces = {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [attr('service.name', service)] },
      scopeSpans: [
        {
          scope: { name: 'fixture' },
          spans: list.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? '',
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: ns(s.start),
            endTimeUnixNano: ns(s.end),
            attributes: Object.entries(s.attrs ?? {}).map(([k, v]) => attr(k, v)),
            events: s.error ? [{ name: 'exception', timeUnixNano: ns(s.end), attributes: [attr('exception.type', s.error.type), attr('exception.message', s.error.message)] }] : [],
            status: s.error ? { code: 2, message: s.error.message } : {},
          })),
        },
      ],
    })),
  };
  const logsByService = new Map<string, typeof logs>();
  for (const l of logs) {
    const a = logsByService.get(l.service) ?? [];
    a.push(l);
    logsByService.set(l.service, a);
  }
  const logsDoc = {
    resourceLogs: [...logsByService].map(([service, list]) => ({
      resource: { attributes: [attr('service.name', service)] },
      scopeLogs: [
        {
          logRecords: list.map((l) => ({
            timeUnixNano: ns(l.t),
            severityNumber: l.sev,
            severityText: l.text,
            body: { stringValue: l.body },
            traceId: l.traceId ?? '',
          })),
        },
      ],
    })),
  };
  mkdirSync(path.join(dir, 'traces'));
  mkdirSync(path.join(dir, 'logs'));
  writeFileSync(path.join(dir, 'traces', 'traces.json'), JSON.stringify(traces));
  writeFileSync(path.join(dir, 'logs', 'logs.json'), JSON.stringify(logsDoc));
  writeFileSync(
    path.join(dir, 'incident.yaml'),
    [
      'id: agent-fixture',
      'title: fixture incident',
      'window: { start: "2025-06-03T09:50:00Z", end: "2025-06-03T10:20:00Z" }',
      'baseline: { start: "2025-06-03T09:50:00Z", end: "2025-06-03T10:04:00Z" }',
      'incident: { start: "2025-06-03T10:04:00Z", end: "2025-06-03T10:20:00Z" }',
      '',
    ].join('\n'),
  );
  return dir;
}
