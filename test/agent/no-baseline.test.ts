// A short recording that starts at the fault, as a Tempo export of one slow checkout would be: one
// 7 s request, 38 spans, a 6.4 s database query in one service, nothing before it to compare with.
// The investigation must still name the service and the slow span, and say it had no baseline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBundle } from '../../src/sources/bundle/load.js';
import { runPlaybook } from '../../src/agent/playbook.js';
import type { Sources } from '../../src/sources/types.js';

let dir: string;
let sources: Sources;

function writeBundle(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'ql-nobase-'));
  mkdirSync(path.join(d, 'traces'));
  const t0 = BigInt(Date.parse('2026-11-20T10:04:00Z')) * 1_000_000n;
  let n = 1;
  const id = () => (n++).toString(16).padStart(16, '0');
  const traceId = 'ab'.repeat(16);
  const bySvc = new Map<string, object[]>();
  const mk = (svc: string, name: string, kind: number, startMs: number, durMs: number, parent?: { spanId: string }, attrs: object[] = []) => {
    const s = { traceId, spanId: id(), parentSpanId: parent?.spanId ?? '', name, kind, startTimeUnixNano: String(t0 + BigInt(Math.round(startMs * 1e6))), endTimeUnixNano: String(t0 + BigInt(Math.round((startMs + durMs) * 1e6))), attributes: attrs, status: {} };
    (bySvc.get(svc) ?? bySvc.set(svc, []).get(svc)!).push(s);
    return s;
  };
  const db = (stmt: string) => [{ key: 'db.system', value: { stringValue: 'postgresql' } }, { key: 'db.statement', value: { stringValue: stmt } }];
  const root = mk('frontend', 'POST /checkout', 2, 0, 7000);
  const call = mk('frontend', 'POST', 3, 5, 6980, root);
  const server = mk('checkout', 'POST /api/checkout', 2, 8, 6970, call);
  let t = 10;
  for (let i = 0; i < 10; i++) {
    const c = mk('checkout', 'GET', 3, t, 20, server);
    const s = mk('cart', 'GET /api/cart/item', 2, t + 1, 18, c);
    mk('cart', 'SELECT cart_items', 3, t + 2, 10, s, db('SELECT * FROM cart_items WHERE id = $1'));
    t += 22;
  }
  mk('checkout', 'SELECT orders', 3, t, 6400, server, db('SELECT * FROM orders WHERE customer_email = $1'));
  t += 6401;
  for (let i = 0; i < 2; i++) {
    const c = mk('checkout', 'POST', 3, t, 30, server);
    mk('payment', 'POST /charge', 2, t + 1, 28, c);
    t += 31;
  }
  const doc = { resourceSpans: [...bySvc].map(([svc, spans]) => ({ resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] })) };
  writeFileSync(path.join(d, 'traces', 'trace.json'), JSON.stringify(doc));
  // Three error lines in another service, as the recording that motivated this test had: they must
  // not outweigh a request that spends 96% of its time in one service's own work.
  mkdirSync(path.join(d, 'logs'));
  const line = (ms: number, body: string) => ({ timeUnixNano: String((t0 / 1_000_000n + BigInt(ms)) * 1_000_000n), body: { stringValue: body } });
  const logs = {
    resourceLogs: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payment' } }] }, scopeLogs: [{ scope: {}, logRecords: [line(6500, 'ERROR charge failed: card declined for order 1234'), line(6510, 'ERROR charge failed: card declined for order 1235'), line(6520, 'ERROR retry budget exhausted for order 1235')] }] },
    ],
  };
  writeFileSync(path.join(d, 'logs', 'logs.json'), JSON.stringify(logs));
  writeFileSync(path.join(d, 'incident.yaml'), 'id: one-slow-checkout\nwindow:\n  start: "2026-11-20T10:03:00Z"\n  end: "2026-11-20T10:06:00Z"\n');
  return d;
}

beforeAll(async () => {
  dir = writeBundle();
  sources = await openBundle(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('investigation without a baseline', () => {
  it('names the service owning the critical path and its slow query, marked as having no baseline, over three stray error lines', async () => {
    const r = await runPlaybook(sources, 'Why is checkout slow?');
    expect(r.suspects[0]!.service).toBe('checkout');
    expect(r.suspects[0]!.parts.critical_share).toBeGreaterThan(5);
    const slow = r.findings.find((f) => f.kind === 'latency');
    expect(slow?.service).toBe('checkout');
    expect(slow?.title).toMatch(/SELECT orders.*no baseline/);
    expect(r.partial.join('\n')).toMatch(/no baseline for most calls/);
    expect(r.suspects.findIndex((s) => s.service === 'payment')).toBeGreaterThan(0);
    // Ten quick cart calls do not make the cart a suspect.
    expect(r.suspects.find((s) => s.service === 'cart')?.score ?? 0).toBeLessThan(1);
  });
});
