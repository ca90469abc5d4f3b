// Who owns the wait around a call (client span time outside the callee's server span): the callee
// when several callers wait longer for it, or when it is the only thing the caller waits longer for
// (a delayed network on the callee's side); the caller when all its work slowed (its own CPU).
import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/sources/types.js';
import { traceFeatures } from '../../src/analysis/suspects.js';

let next = 1;
const id = (n: number) => n.toString(16).padStart(16, '0');
function span(traceId: string, service: string, name: string, kind: number, start: number, dur: number, parent?: Span): Span {
  return { traceId, spanId: id(next++), parentSpanId: parent?.spanId, service, name, kind, startMs: start, endMs: start + dur, durationMs: dur, status: 'unset', attributes: {}, resource: {}, events: [] };
}

/** A request: `caller` serves it, does `ownMs` of work, then calls each callee (5 ms server spans) with `gap(callee)` ms of wait around each call. */
function request(t: number, caller: string, callees: string[], gap: (callee: string) => number, ownMs: number): Span[] {
  const traceId = id(next++).padStart(32, '0');
  const out: Span[] = [];
  let cursor = t + ownMs;
  const calls: Span[] = [];
  for (const c of callees) {
    const g = gap(c);
    calls.push({ ...span(traceId, caller, `call ${c}`, 3, cursor, 5 + g), parentSpanId: undefined });
    cursor += 5 + g + 1;
  }
  const root = span(traceId, caller, `GET /${caller}`, 2, t, cursor - t);
  out.push(root);
  for (const cl of calls) {
    cl.parentSpanId = root.spanId;
    out.push(cl);
    const callee = cl.name.slice(5);
    out.push(span(traceId, callee, `serve ${callee}`, 2, cl.startMs + (cl.durationMs - 5) / 2, 5, cl));
  }
  return out;
}

const window = { start: 60_000, end: 120_000 };
const baseline = { start: 0, end: 60_000 };

describe('wait attribution', () => {
  it('blames the callee whose network got slow for every caller', () => {
    const spans: Span[] = [];
    for (let t = 0; t < 120_000; t += 1000) {
      const slow = t >= 60_000;
      const gap = (c: string) => (c === 'cart' && slow ? 40 : 1 + (t % 3000) / 1000);
      spans.push(...request(t, 'frontend', ['cart', 'catalog'], gap, 2), ...request(t + 300, 'checkout', ['cart', 'payment'], gap, 2));
    }
    const f = traceFeatures(spans, window, baseline);
    expect([...f.selfShift.keys()]).toEqual(['cart']);
    expect(f.selfDetail.get('cart')!.op).toMatch(/^wait for cart in (frontend|checkout)/);
  });

  it('keeps the wait with a caller whose own work slowed as well (its CPU)', () => {
    const spans: Span[] = [];
    for (let t = 0; t < 120_000; t += 1000) {
      const slow = t >= 60_000;
      spans.push(...request(t, 'frontend', ['cart', 'catalog'], () => (slow ? 30 : 1 + (t % 3000) / 1000), slow ? 40 : 2));
    }
    const f = traceFeatures(spans, window, baseline);
    expect(f.selfShift.has('frontend')).toBe(true);
    expect(f.selfShift.has('cart')).toBe(false);
    expect(f.selfShift.has('catalog')).toBe(false);
  });
});
