// Trace files in every format a user may have: each fixture under test/fixtures/formats/ was written
// from its format's specification (Jaeger's JSON model, Zipkin's v2 API, OTLP proto and JSON mapping,
// Tempo's trace answer). The bundle opens the folder with no incident.yaml and reads spans from it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBundle } from '../../src/sources/bundle/load.js';
import type { Span } from '../../src/sources/types.js';
import { tracesBinpb, TRACE_ID } from '../../scripts/fixtures/otlp-binpb.js';
import { runTool } from '../../tools/run.js';
import { getTraceTool as getTrace } from '../../tools/get_trace.js';
import type { ToolDef } from '../../tools/types.js';

const FIX = path.resolve('test/fixtures/formats');

async function spansOf(folder: string): Promise<{ spans: Span[]; problems: string[]; window: { start: number; end: number } }> {
  const b = await openBundle(path.join(FIX, folder));
  const spans = (await b.traces!.findTraces({ range: b.defaults.window })).spans;
  return { spans, problems: b.problems, window: b.defaults.window };
}

const byName = (spans: Span[], name: string): Span => {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span named ${name} in ${spans.map((x) => x.name).join(', ')}`);
  return s;
};

describe('trace formats', () => {
  it('Jaeger JSON (UI download): processes, references, typed tags, logs, status and scope tags', async () => {
    const { spans, problems, window } = await spansOf('jaeger');
    expect(problems).toEqual([]);
    expect(window).toEqual({ start: Date.UTC(2025, 5, 4, 10, 4, 0), end: Date.UTC(2025, 5, 4, 10, 4, 2) });
    const root = byName(spans, 'POST /api/checkout');
    expect(root).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: undefined,
      service: 'checkout',
      kind: 2,
      durationMs: 1250,
      status: 'error',
      statusMessage: 'payment declined',
      scope: { name: 'io.opentelemetry.servlet-5.0', version: '2.10.0-alpha' },
      traceState: 'vendor=abc',
    });
    expect(root.startMs).toBe(Date.UTC(2025, 5, 4, 10, 4, 0));
    expect(root.attributes).toEqual({ 'http.request.method': 'POST', 'http.response.status_code': 500 });
    expect(root.resource).toMatchObject({ 'service.name': 'checkout', 'host.name': 'checkout-7d4b9c-x2x9q' });
    expect(root.events).toEqual([{ name: 'exception', timeMs: Date.UTC(2025, 5, 4, 10, 4, 1, 200), attributes: { 'exception.type': 'PaymentDeclined', 'exception.message': 'card 4242 declined' } }]);
    const charge = byName(spans, 'charge');
    expect(charge).toMatchObject({ service: 'payment', kind: 3, status: 'error', parentSpanId: 'eee19b7ec3c1b174' });
    expect(charge.attributes['payment.amount_cents']).toBe(129900);
    // The FOLLOWS_FROM reference to another trace is a link, not the parent.
    expect(charge.links).toEqual([{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: { 'jaeger.ref_type': 'FOLLOWS_FROM' } }]);
  });

  it('Zipkin v2 JSON: kinds, µs times, endpoints, annotations, error tag, otel.library tags', async () => {
    const { spans, problems } = await spansOf('zipkin');
    expect(problems).toEqual([]);
    expect(spans).toHaveLength(3);
    const server = byName(spans, 'get /api/cart');
    expect(server).toMatchObject({ service: 'frontend', kind: 2, status: 'unset', durationMs: 86, startMs: Date.UTC(2025, 5, 4, 10, 5, 0) });
    const client = byName(spans, 'get');
    expect(client).toMatchObject({ kind: 3, status: 'error', statusMessage: 'upstream timed out', parentSpanId: 'a2fb4a1d1a96d312' });
    expect(client.attributes).toMatchObject({ 'peer.service': 'cart', 'network.peer.address': '10.0.0.40', 'network.peer.port': 7070, 'http.path': '/cart' });
    expect(client.attributes.error).toBeUndefined();
    expect(client.events.map((e) => [e.name, e.timeMs])).toEqual([
      ['ws', Date.UTC(2025, 5, 4, 10, 5, 0) + 2.1],
      ['wr', Date.UTC(2025, 5, 4, 10, 5, 0) + 81],
    ]);
    const cart = byName(spans, 'get /cart');
    expect(cart).toMatchObject({ service: 'cart', parentSpanId: '0020000000000001', scope: { name: 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', version: '0.53.0' } });
  });

  it("Tempo's / Grafana's trace download: batches with base64 ids", async () => {
    const { spans, problems } = await spansOf('tempo');
    expect(problems).toEqual([]);
    const root = byName(spans, 'ride.Dispatch/Assign');
    expect(root).toMatchObject({ traceId: '7a3c1f00e4b3a2d19c8b7a6f5e4d3c2b', spanId: '53995c3f42cd8ad8', status: 'error', statusMessage: 'context deadline exceeded', kind: 2, durationMs: 420 });
    expect(root.scope).toEqual({ name: 'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', version: '0.49.0' });
    expect(byName(spans, 'SELECT drivers').parentSpanId).toBe('53995c3f42cd8ad8');
  });

  it('OTLP/JSON with snake_case field names: links, trace state, scope, exact int64', async () => {
    const { spans, problems } = await spansOf('otlp-snake');
    expect(problems).toEqual([]);
    const [s] = spans;
    expect(s).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', service: 'orders', kind: 5, status: 'ok', durationMs: 250, traceState: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7', scope: { name: 'orders-instrumentation', version: '1.4.2' } });
    // Beyond 2^53 a double would round (…993 → …992): the exact decimal string is kept.
    expect(s!.attributes['order.big_id']).toBe('9007199254740993');
    expect(s!.attributes['order.negative_big']).toBe('-9223372036854775808');
    expect(s!.attributes['order.small_id']).toBe(42);
    expect(s!.links).toEqual([
      { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceState: 'rojo=1', attributes: { 'messaging.message.id': 'm-1' } },
      { traceId: '1af7651916cd43dd8448eb211c80319d', spanId: 'c7ad6b7169203332', attributes: {} },
    ]);
    // get_trace names the linked traces, to open next.
    const b = await openBundle(path.join(FIX, 'otlp-snake'));
    const r = await runTool(getTrace as unknown as ToolDef, { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, { sources: b, signal: new AbortController().signal, progress: () => {} });
    expect(r.text).toContain('links=0af7651916cd43dd8448eb211c80319c,1af7651916cd43dd8448eb211c80319d');
  });

  it('OTLP protobuf (.binpb, the file exporter with format: proto), written field by field', async () => {
    // The committed file is exactly what the field-by-field writer produces (scripts/fixtures/otlp-binpb.ts).
    expect(Buffer.compare(readFileSync(path.join(FIX, 'otlp-proto/traces.binpb')), Buffer.from(tracesBinpb()))).toBe(0);
    const { spans, problems } = await spansOf('otlp-proto');
    expect(problems).toEqual([]);
    const server = byName(spans, 'inventory.Stock/Reserve');
    expect(server).toMatchObject({
      traceId: TRACE_ID,
      spanId: '051581bf3cb55c13',
      service: 'inventory',
      kind: 2,
      status: 'error',
      statusMessage: 'out of stock',
      durationMs: 310,
      traceState: 'vendor=inv',
      scope: { name: 'inventory.grpc', version: '0.9.1' },
    });
    expect(server.attributes).toEqual({ 'stock.request_id': '9007199254740993', 'stock.delta': -5, 'stock.retry': true, 'stock.fill_ratio': 0.25 });
    expect(server.resource).toEqual({ 'service.name': 'inventory', 'deployment.environment.name': 'prod' });
    expect(server.events).toEqual([{ name: 'exception', timeMs: server.startMs + 300, attributes: { 'exception.message': 'out of stock' } }]);
    expect(server.links).toEqual([{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceState: 'rojo=1', attributes: { 'link.reason': 'batch' } }]);
    expect(byName(spans, 'SELECT stock')).toMatchObject({ parentSpanId: '051581bf3cb55c13', kind: 3, durationMs: 285 });
  });

  it("Jaeger v2's query API answer: OTLP/JSON under result", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-jaeger-v3-'));
    const otlp = JSON.parse(readFileSync(path.join(FIX, 'otlp-snake/traces.json'), 'utf8'));
    writeFileSync(path.join(dir, 'api-v3-trace.json'), JSON.stringify({ result: otlp }));
    const b = await openBundle(dir);
    expect(b.catalog.map((e) => `${e.signal}:${e.format}`)).toEqual(['traces:otlp-json']);
    expect((await b.traces!.getTrace('4bf92f3577b34da6a3ce929d0e0e4736'))!.map((s) => s.name)).toEqual(['consume orders batch']);
  });

  it('Zipkin shared spans (Brave joins the server half to the client id): the server half becomes a child', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ql-zipkin-shared-'));
    const base = { traceId: '86154a4ba6e91385', id: '4d1e00c0db9010db', timestamp: 1749031500000000 };
    writeFileSync(
      path.join(dir, 'brave.json'),
      JSON.stringify([
        { ...base, kind: 'CLIENT', name: 'get', duration: 9000, localEndpoint: { serviceName: 'frontend' } },
        { ...base, kind: 'SERVER', name: 'get /items', shared: true, timestamp: 1749031500001000, duration: 7000, localEndpoint: { serviceName: 'backend' } },
      ]),
    );
    const b = await openBundle(dir);
    const spans = (await b.traces!.getTrace('86154a4ba6e91385'))!;
    const client = byName(spans, 'get');
    const server = byName(spans, 'get /items');
    expect(client.spanId).toBe('4d1e00c0db9010db');
    expect(server).toMatchObject({ spanId: 'cd1e00c0db9010db', parentSpanId: '4d1e00c0db9010db', service: 'backend', kind: 2 });
  });
});
