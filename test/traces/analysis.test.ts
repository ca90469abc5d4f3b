import { describe, expect, it } from 'vitest';
import { buildTree, criticalSelf, selfTimes } from '../../src/analysis/traces/tree.js';
import { findPrevalentErrors } from '../../src/analysis/traces/errors.js';
import { findSlowSpans } from '../../src/analysis/traces/slow.js';
import { compareAttributes } from '../../src/analysis/traces/compare.js';
import { redGroups, compareRed } from '../../src/analysis/traces/red.js';
import { traceView } from '../../src/analysis/traces/view.js';
import { normaliseMessage, normaliseStatement } from '../../src/analysis/traces/normalise.js';
import { coverage, errorInformation, describeErrorInformation } from '../../src/analysis/traces/requests.js';
import type { Span } from '../../src/sources/types.js';
import { T0, shop, spans } from './fixtures.js';

const byName = (list: Span[], crit: Float64Array) => Object.fromEntries(list.map((s, i) => [s.name, Math.round(crit[i]! * 1000) / 1000]));

describe('critical path and self time', () => {
  it('follows the last-finishing child, skips parallel children, sums to the root duration', () => {
    const list = spans('t1', T0, [
      { id: 'r', service: 'a', name: 'root', start: 0, dur: 100 },
      { id: 'x', parent: 'r', service: 'b', name: 'x', start: 10, dur: 30 }, // 10–40
      { id: 'y', parent: 'r', service: 'b', name: 'y', start: 20, dur: 60 }, // 20–80, overlaps x
      { id: 'z', parent: 'y', service: 'c', name: 'z', start: 30, dur: 20 }, // 30–50
    ]);
    const t = buildTree('t1', list);
    const crit = criticalSelf(t);
    const c = byName(list, crit);
    // Walking back from 100: y (20–80) is last; x ends at 40 > cursor 20 → parallel, off the path.
    expect(c).toEqual({ root: 20 + 20, x: 0, y: 40, z: 20 });
    expect([...crit].reduce((a, b) => a + b, 0)).toBeCloseTo(100, 6);
    const self = selfTimes(t);
    expect(byName(list, self)).toEqual({ root: 100 - 70, x: 30, y: 40, z: 20 });
  });

  it('clamps children that outlive their parent (async) and that start before it (clock skew)', () => {
    const list = spans('t2', T0, [
      { id: 'r', service: 'a', name: 'root', start: 0, dur: 50 },
      { id: 'p', parent: 'r', service: 'a', name: 'publish', start: 10, dur: 10 },
      { id: 'q', parent: 'p', service: 'b', name: 'consume', start: 15, dur: 200, kind: 5 }, // async, outlives everything
      { id: 's', parent: 'r', service: 'c', name: 'skewed', start: -5, dur: 8 }, // starts before the root
    ]);
    const t = buildTree('t2', list);
    const crit = criticalSelf(t);
    const total = [...crit].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(50, 6);
    for (const v of crit) expect(v).toBeGreaterThanOrEqual(0);
    for (const v of selfTimes(t)) expect(v).toBeGreaterThanOrEqual(0);
    // The consumer is clamped to its parent's interval [10, 20], so it owns at most 5 ms there.
    expect(byName(list, crit).consume).toBeLessThanOrEqual(5 + 1e-9);
  });

  it('walks a 200k-deep trace without overflowing the stack', () => {
    const n = 200_000;
    const list: Span[] = [];
    const traceId = 'f'.repeat(32);
    const res = { 'service.name': 'deep' };
    for (let i = 0; i < n; i++) {
      list.push({
        traceId,
        spanId: i.toString(16).padStart(16, '0'),
        parentSpanId: i ? (i - 1).toString(16).padStart(16, '0') : undefined,
        service: 'deep',
        name: `f${i % 7}`,
        kind: 1,
        startMs: T0 + i * 0.001,
        endMs: T0 + 1000 - i * 0.001,
        durationMs: 1000 - i * 0.002,
        status: i === n - 1 ? 'error' : 'unset',
        attributes: {},
        resource: res,
        events: [],
      });
    }
    const t = buildTree(traceId, list);
    expect([...criticalSelf(t)].reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 3);
    const v = traceView(traceId, list, 40);
    expect(v.lines.length).toBeLessThanOrEqual(40);
    expect(v.errors).toBe(1);
    const e = findPrevalentErrors(list, { window: { start: T0 - 1, end: T0 + 2000 } });
    expect(e.groups[0]!.traces).toBe(1);
  });
});

describe('prevalent errors: a call its caller gave up on', () => {
  it('names the service the call was waiting for, when the callee outlived the call or the error says it timed out', () => {
    const list = [
      // checkout gave up on payment after 1 s; payment went on working until 3 s.
      ...spans('to1', T0, [
        { id: 'a', service: 'checkout', name: 'POST /checkout', start: 0, dur: 1010, status: 'error', message: 'upstream failed' },
        { id: 'b', parent: 'a', service: 'checkout', name: 'POST payment/charge', kind: 3, start: 5, dur: 1000, status: 'error', message: 'request aborted' },
        { id: 'c', parent: 'b', service: 'payment', name: 'POST /charge', kind: 2, start: 8, dur: 3000 },
      ]),
      // The callee answered in time but the caller's error says it timed out (clock skew hides the overrun).
      ...spans('to2', T0 + 10, [
        { id: 'a', service: 'cart', name: 'GET /cart', start: 0, dur: 510, status: 'error' },
        { id: 'b', parent: 'a', service: 'cart', name: 'GET redis', kind: 3, start: 2, dur: 500, status: 'error', message: 'context deadline exceeded' },
        { id: 'c', parent: 'b', service: 'store', name: 'GET', kind: 2, start: 3, dur: 498 },
      ]),
      // A plain failure in the caller's own code: no callee to blame.
      ...spans('to3', T0 + 20, [{ id: 'a', service: 'orders', name: 'POST /orders', start: 0, dur: 20, status: 'error', message: 'constraint violated' }]),
    ];
    const res = findPrevalentErrors(list, { window: { start: T0 - 1, end: T0 + 5000 } });
    const by = Object.fromEntries(res.groups.map((g) => [g.service, g.details.timed_out_waiting_for]));
    expect(by).toEqual({ checkout: 'payment', cart: 'store', orders: undefined });
  });
});

describe('prevalent errors', () => {
  const data = shop(600, T0, 1000, T0 + 300_000);
  const window = { start: T0 + 300_000, end: T0 + 600_000 };
  const baseline = { start: T0, end: T0 + 300_000 };

  it('groups by structure and masked message, ranks by affected requests, marks new', () => {
    const res = findPrevalentErrors(data, { window, baseline });
    const g = res.groups[0]!;
    expect(g.service).toBe('checkout');
    expect(g.spanName).toBe('INSERT INTO orders');
    expect(g.message).toBe('pq: duplicate key value violates unique constraint "orders_pkey" (order <n>)');
    expect(g.path.map((p) => `${p.service}:${p.name}`)).toEqual(['frontend:POST /api/checkout', 'checkout:POST /api/checkout', 'checkout:INSERT INTO orders']);
    expect(g.traces).toBe(50); // every 3rd of the 150 checkouts of the window
    expect(g.rootFailures).toBe(50);
    expect(g.isNew).toBe(true);
    expect(g.details['db.statement']).toBe('INSERT INTO orders (id, user_id) VALUES (?…)');
    expect(g.details['exception.type']).toBe('*pq.Error');
    expect(g.common['db.system']).toBe('postgresql');
    expect(g.examples).toHaveLength(3);
    // Errors propagate to parents: one group (the origin), not three.
    expect(res.groups).toHaveLength(1);
    expect(res.failedRequests).toBe(50);
  });

  it('finds errors from HTTP 5xx and exception events when spans carry no status, and says when there is no error information', () => {
    const noStatus = spans('ns', T0 + 400_000, [
      { id: 'a', service: 'gw', name: 'GET /x', start: 0, dur: 10, attrs: { 'http.status_code': 503 } },
      { id: 'b', parent: 'a', service: 'api', name: 'handler', start: 1, dur: 5, events: [{ name: 'exception', attrs: { 'exception.type': 'java.lang.IllegalStateException', 'exception.message': 'order 42 not found' } }] },
    ]);
    const res = findPrevalentErrors(noStatus, { window });
    expect(res.groups[0]!.service).toBe('api');
    expect(res.groups[0]!.message).toBe('order <n> not found');
    expect(res.noErrorInfo).toBeUndefined();
    const plain = spans('pl', T0 + 400_000, [{ id: 'a', service: 'gw', name: 'GET /x', start: 0, dur: 10 }]);
    expect(describeErrorInformation(errorInformation(plain))).toMatch(/no error information/);
  });
});

describe('slow spans', () => {
  const data = shop(600, T0, 1000, T0 + 300_000);
  const window = { start: T0 + 300_000, end: T0 + 600_000 };
  const baseline = { start: T0, end: T0 + 300_000 };

  it('ranks the slow SELECT first by critical-path share of slow requests, with its baseline', () => {
    const res = findSlowSpans(data, { window, baseline });
    const g = res.groups[0]!;
    expect(g.service).toBe('ride');
    expect(g.name).toBe('SELECT car_login');
    expect(g.detail).toBe('SELECT id FROM car_login WHERE driver_id = ?');
    expect(g.share).toBeGreaterThan(0.8);
    expect(g.perOccurrenceMs).toBeCloseTo(400, 0);
    expect(g.baselinePerOccurrenceMs).toBeCloseTo(4, 0);
    expect(res.thresholdMs).toBeGreaterThan(0);
  });

  it('baseline mode ranks by added latency per request and names the slowed service', () => {
    const res = findSlowSpans(data, { window, baseline, mode: 'baseline' });
    expect(res.groups[0]!.name).toBe('SELECT car_login');
    expect(res.groups[0]!.addedMsPerRequest).toBeGreaterThan(50);
    expect(res.services[0]!.service).toBe('ride');
    expect(2 ** res.services[0]!.slowdown!).toBeGreaterThan(5);
  });
});

describe('compare attributes', () => {
  const data = shop(600, T0, 1000, T0 + 300_000);
  const window = { start: T0 + 300_000, end: T0 + 600_000 };

  it('surfaces the version of slow ride requests and the retry flag of failing checkouts', () => {
    const slow = compareAttributes(data, { window, selection: { kind: 'slow' }, against: 'rest', service: 'ride' });
    expect(slow.attributes[0]!.attribute).toBe('resource.service.version');
    expect(slow.attributes[0]!.values.find((v) => v.value === '1.8.0')!.selection).toBe(1);
    const err = compareAttributes(data, { window, selection: { kind: 'errors' }, against: 'rest' });
    expect(err.attributes[0]!.attribute).toBe('span.app.client_retry');
    // Status restates the selection: kept apart, not ranked.
    expect(err.implied.map((a) => a.attribute)).toContain('status');
    // Per-user ids are high cardinality: skipped.
    expect(err.skipped.join(' ')).toMatch(/app\.user_id/);
  });
});

describe('RED and coverage', () => {
  it('divides by the seconds covered by data, not the nominal range', () => {
    // 60 requests over 60 s, inside a 600 s range.
    const data = shop(60, T0 + 100_000, 1000, Infinity);
    const r = redGroups(data, { start: T0, end: T0 + 600_000 }, (s) => s.service);
    expect(r.coveredSeconds).toBeGreaterThan(58);
    expect(r.coveredSeconds).toBeLessThan(61);
    expect(r.groups.get('frontend')!.ratePerSec).toBeCloseTo(60 / r.coveredSeconds, 6);
    expect(coverage(data, { start: T0, end: T0 + 1 }).seconds).toBe(0);
    const rows = compareRed(r.groups, new Map());
    expect(rows.length).toBe(3);
  });
});

describe('normalisation', () => {
  it('masks ids, numbers, urls, uuids, ips and hex but keeps names and HTTP codes', () => {
    expect(normaliseMessage('HTTP 503 from http://10.0.0.1:8080/api?id=7 for 3f2a9c1e-1111-2222-3333-444455556666 at 0xdeadbeef')).toBe('HTTP 503 from <url> for <uuid> at <hex>');
    expect(normaliseMessage("user 'bob' not found (id 991)")).toBe("user '<v>' not found (id <n>)");
    expect(normaliseStatement("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'x' AND y = $1")).toBe('SELECT * FROM t WHERE id IN (?…) AND name = ? AND y = ?');
  });
});
