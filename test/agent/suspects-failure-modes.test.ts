// rank_suspects on small synthetic systems, one failure mode each: the service that caused it must come
// first, and the evidence must name the right symptom. A shop: frontend calls cart, catalog and
// checkout; checkout calls cart and payment; catalog runs a database query.
import { describe, expect, it } from 'vitest';
import type { Sources, Span, TimeRange } from '../../src/sources/types.js';
import { rankSuspects, traceFeatures } from '../../src/analysis/suspects/index.js';
import { codePathFinding } from '../../src/agent/suspect-findings.js';

let next = 1;
const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

interface Knobs {
  /** Extra wait (ms) on calls into this service (network delay on its pod). */
  delayed?: string;
  delayMs?: number;
  /** Share of the calls the delay hits (packet loss: only retransmitted calls wait); default all. */
  delayShare?: number;
  /** Callers of the delayed service give up after this long (a timeout): the call span fails, the callee works on. */
  timeoutMs?: number;
  /** Service whose answers its callers reject at once (a 400: the call span fails, the callee did not). */
  rejected?: string;
  /** Service that is down: it records nothing, and its callers' calls fail at once (connection refused). */
  down?: string;
  /** Instances per service (pods `svc-0`…): requests spread over them. */
  pods?: number;
  /** The one instance the starvation hits (default: all of the starved service's). */
  badPod?: string;
  /** An instance always 3× slower at its own work, fault or not (a slower node). */
  slowPod?: string;
  /** Service whose own work is slower (CPU starvation), and by how much (factor). */
  starved?: string;
  factor?: number;
  /** Service whose handler throws before its second step: it stops calling its second callee and fails. */
  throws?: string;
  /** The fault leaves no span status or exception event (Nezha's recordings carry neither). */
  silent?: boolean;
  /** Service that answers a wrong value: its caller's next step fails (error in the caller). */
  wrongReturn?: string;
  /** The catalog's database query is slower by this factor (missing index). */
  slowQuery?: number;
  /** Record only root spans for this share of traces (incomplete traces). */
  rootOnly?: boolean;
}

const CALLS: Record<string, string[]> = { frontend: ['cart', 'catalog', 'checkout'], checkout: ['cart', 'payment'], cart: [], catalog: [], payment: [] };

/** One request through the shop, depth first; returns the spans and the end time of the served span. */
function serve(out: Span[], traceId: string, svc: string, start: number, parent: Span | undefined, k: Knobs, i: number): Span {
  const jitter = 1 + ((i * 7919) % 10) / 20; // deterministic ±25% variation
  const pod = k.pods ? `${svc}-${(i + svc.length) % k.pods}` : undefined;
  const starved = k.starved === svc && (!k.badPod || k.badPod === pod);
  const own = 2 * jitter * (starved ? k.factor ?? 1 : 1) * (pod && pod === k.slowPod ? 3 : 1);
  const resource = pod ? { 'k8s.pod.name': pod } : {};
  const server: Span = { traceId, spanId: hex(next++, 16), parentSpanId: parent?.spanId, service: svc, name: `serve ${svc}`, kind: 2, startMs: start, endMs: 0, durationMs: 0, status: 'unset', attributes: {}, resource, events: [] };
  out.push(server);
  let t = start + own;
  const callees = CALLS[svc]!;
  for (let c = 0; c < callees.length; c++) {
    const callee = callees[c]!;
    if (k.throws === svc && c === 1) {
      if (!k.silent) {
        server.status = 'error';
        server.events.push({ name: 'exception', timeMs: t, attributes: { 'exception.type': 'IllegalStateException', 'exception.message': 'boom' } });
      }
      break;
    }
    const hit = (k.delayed === callee || k.delayed === svc) && ((i * 31 + c * 17) % 100) / 100 < (k.delayShare ?? 1);
    const net = 0.5 * jitter + (hit ? k.delayMs ?? 0 : 0);
    const call: Span = { traceId, spanId: hex(next++, 16), parentSpanId: server.spanId, service: svc, name: `call ${callee}`, kind: 3, startMs: t, endMs: 0, durationMs: 0, status: 'unset', attributes: { 'server.address': `${callee}.shop.svc.cluster.local`, 'server.port': 8080 }, resource, events: [] };
    out.push(call);
    if (k.down === callee) {
      call.endMs = t + 0.4;
      call.durationMs = 0.4;
      call.status = 'error';
      call.events.push({ name: 'exception', timeMs: call.endMs, attributes: { 'exception.type': 'ConnectException', 'exception.message': `connect ECONNREFUSED 10.0.3.${c}:8080` } });
      server.status = 'error';
      t = call.endMs;
      break;
    }
    const child = serve(out, traceId, callee, t + net, call, k, i);
    call.endMs = child.endMs + net;
    call.durationMs = call.endMs - call.startMs;
    const gaveUp = hit && k.delayed === callee && k.timeoutMs !== undefined && call.durationMs > k.timeoutMs;
    if (gaveUp || k.rejected === callee) {
      if (gaveUp) call.endMs = call.startMs + k.timeoutMs!;
      call.durationMs = call.endMs - call.startMs;
      call.status = 'error';
      const [type, message] = gaveUp ? ['SocketTimeoutException', 'Read timed out'] : ['HttpClientErrorException', '400 Bad Request'];
      call.events.push({ name: 'exception', timeMs: call.endMs, attributes: { 'exception.type': type, 'exception.message': message } });
      server.status = 'error';
      t = call.endMs;
      break;
    }
    if (k.wrongReturn === callee && c === 0) {
      // The answer was wrong: this service's next step fails and it stops there.
      server.status = 'error';
      server.events.push({ name: 'exception', timeMs: call.endMs, attributes: { 'exception.type': 'NullPointerException', 'exception.message': 'item is null' } });
      t = call.endMs;
      break;
    }
    t = call.endMs + 0.2;
  }
  if (svc === 'catalog') {
    const q = 1.5 * jitter * (k.slowQuery ?? 1);
    out.push({ traceId, spanId: hex(next++, 16), parentSpanId: server.spanId, service: svc, name: 'SELECT products', kind: 3, startMs: t, endMs: t + q, durationMs: q, status: 'unset', attributes: { 'db.system': 'postgresql' }, resource: {}, events: [] });
    t += q;
  }
  server.endMs = t + 0.3;
  server.durationMs = server.endMs - server.startMs;
  return server;
}

/** 60 s of healthy traffic (baseline), then 60 s with the fault (window); one request every 250 ms. */
function shop(k: Knobs, opts: { baseline?: boolean; faultInBaseline?: boolean } = {}): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < 480; i++) {
    const t = i * 250;
    const faulty = t >= 60_000 || !!opts.faultInBaseline;
    if (!faulty && opts.baseline === false) continue;
    const spans: Span[] = [];
    serve(spans, hex(next++, 32), 'frontend', t, undefined, faulty ? k : { pods: k.pods, slowPod: k.slowPod }, i);
    out.push(...(faulty && k.rootOnly && i % 2 === 0 ? spans.filter((s) => !s.parentSpanId || s.service !== 'frontend' || s.kind === 2) : spans));
  }
  return out;
}

const baseline: TimeRange = { start: 0, end: 60_000 };
const window: TimeRange = { start: 60_000, end: 120_000 };
const sourcesOf = (spans: Span[]): Sources => ({
  traces: {
    findTraces: async () => ({ spans, partial: false, notes: [] }),
  } as unknown as Sources['traces'],
  defaults: { window: { start: 0, end: 120_000 } },
  problems: [],
  describe: 'synthetic shop',
});

async function top(k: Knobs, opts?: { baseline?: boolean; faultInBaseline?: boolean }) {
  const r = await rankSuspects(sourcesOf(shop(k, opts)), window, baseline);
  return r;
}

describe('rank_suspects failure modes (synthetic shop)', () => {
  it('a delayed pod: callers wait longer for it, its own spans are unchanged', async () => {
    const r = await top({ delayed: 'cart', delayMs: 40 });
    expect(r.suspects[0]!.service).toBe('cart');
    expect(r.suspects[0]!.parts.edge_wait).toBeGreaterThan(0);
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/wait on calls (frontend|checkout) → cart/);
    // A wait that grew is a change, not a wait that was long already.
    expect(r.partial.join('\n')).not.toMatch(/already far slower/);
  });

  it('a delayed pod with outgoing calls: every edge touching it is slower, in both directions', async () => {
    const r = await top({ delayed: 'checkout', delayMs: 30 });
    expect(r.suspects[0]!.service).toBe('checkout');
    // The edges frontend→checkout, checkout→cart and checkout→payment are all explained by checkout.
    expect(r.suspects[0]!.raw.slow_call_edges).toBe(3);
    expect(r.suspects.find((s) => s.service === 'payment')?.parts.edge_wait).toBeUndefined();
  });

  it('packet loss on a pod: a share of its calls wait a retransmission, the typical wait does not move', async () => {
    const r = await top({ delayed: 'payment', delayMs: 200, delayShare: 0.15 });
    expect(r.suspects[0]!.service).toBe('payment');
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/\d+ of \d+ calls checkout → payment waited over [\d.]+ ms, longer than any of the baseline's \d+ calls/);
    // The same share below the baseline's slowest wait is not evidence: nobody is blamed for the edge.
    const mild = await top({ delayed: 'payment', delayMs: 0.2, delayShare: 0.15 });
    expect(mild.suspects.find((s) => s.service === 'payment')?.parts.edge_wait).toBeUndefined();
  });

  it('a delayed pod whose callers time out: the timeouts are waits on the edge, not errors of the callers', async () => {
    const r = await top({ delayed: 'payment', delayMs: 40, timeoutMs: 30 });
    expect(r.suspects[0]!.service).toBe('payment');
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/checkout → payment.*; \d+ of them timed out \(counted as waits, not as checkout's errors\)/);
    expect(r.suspects.find((s) => s.service === 'checkout')?.parts.own_errors).toBeUndefined();
    // A callee that answers at once with a rejection did not make its caller wait: the error is the caller's.
    const rejected = await top({ rejected: 'payment' });
    expect(rejected.suspects.find((s) => s.service === 'checkout')?.parts.own_errors).toBeGreaterThan(0);
    expect(rejected.suspects.find((s) => s.service === 'payment')?.parts.edge_wait).toBeUndefined();
  });

  it('a service that is down: its callers cannot connect, it records nothing, and it is the one blamed', async () => {
    const r = await top({ down: 'payment' });
    expect(r.suspects[0]!.service).toBe('payment');
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/error span\(s\) starting here \(baseline 0\): checkout → payment: call payment \| ConnectException \| connect ECONNREFUSED/);
    expect(r.suspects.find((s) => s.service === 'checkout')?.parts.own_errors).toBeUndefined();
  });

  it('CPU starvation: the starved service’s own time grows', async () => {
    const r = await top({ starved: 'checkout', factor: 6 });
    expect(r.suspects[0]!.service).toBe('checkout');
    expect(r.suspects[0]!.parts.self_time).toBeGreaterThan(0);
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/self time of "serve checkout"/);
  });

  it('one starved pod among replicas, no baseline: it stands out against its siblings in the same window', async () => {
    const r = await top({ pods: 3, starved: 'checkout', badPod: 'checkout-1', factor: 4 }, { baseline: false });
    expect(r.suspects[0]!.service).toBe('checkout');
    expect(r.suspects[0]!.parts.pod_outlier).toBeGreaterThan(0);
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/instance checkout-1: own time of "serve checkout" [\d.]+ ms on its 2 sibling instance\(s\) → [\d.]+ ms on it/);
    // Healthy replicas, and a replica that was as slow before the window (a slower node), are no evidence.
    for (const healthy of [await top({ pods: 3 }, { baseline: false }), await top({ pods: 3, slowPod: 'cart-2' })])
      for (const s of healthy.suspects) expect(s.parts.pod_outlier).toBeUndefined();
  });

  it('an exception that cuts a handler short: the error starts there, and the call after it disappears', async () => {
    const r = await top({ throws: 'checkout' });
    expect(r.suspects[0]!.service).toBe('checkout');
    expect(r.suspects[0]!.parts.own_errors).toBeGreaterThan(0);
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/IllegalStateException/);
  });

  it('an exception that leaves no error status: the call after it disappears, reported as a changed code path', async () => {
    const r = await top({ throws: 'checkout', silent: true });
    expect(r.suspects[0]!.service).toBe('checkout');
    expect(r.suspects[0]!.parts.own_errors ?? 0).toBe(0);
    const f = codePathFinding(r.suspects[0]!, sourcesOf([]))!;
    expect(f.kind).toBe('code-path');
    expect(f.message?.[0]?.key).toBe('msg_code_path_less');
    expect(f.details).toEqual({ entry: 'serve checkout', event: 'op call payment' });
    expect(f.numbers).toMatchObject({ per_request_before: 1, per_request_after: 0 });
    expect(f.evidence.query?.text).toBe('{ resource.service.name = "checkout" && name = "serve checkout" }');
    // A healthy window has no code-path change to report, on any service.
    const healthy = await top({});
    expect(healthy.suspects.map((s) => codePathFinding(s, sourcesOf([]))).filter(Boolean)).toEqual([]);
  });

  it('a wrong return value that makes a later step fail: the failing step is where the error starts', async () => {
    // The cart answers wrong data; its callers fail right after it answered. The error starts in the
    // callers (that is where it is raised), and what changed right after the cart answered points at it.
    const r = await top({ wrongReturn: 'cart' });
    const names = r.suspects.slice(0, 2).map((s) => s.service);
    expect(names).toContain('cart');
    const cart = r.suspects.find((s) => s.service === 'cart')!;
    expect(cart.evidence.join('\n')).toMatch(/after cart answered|right after "serve cart"/);
  });

  it('a slow query: the database call of the catalog slows down', async () => {
    const r = await top({ slowQuery: 20 });
    expect(r.suspects[0]!.service).toBe('catalog');
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/SELECT products/);
  });

  it('incomplete traces: a call whose children were not recorded is not credited with self time', () => {
    const f = traceFeatures(shop({ rootOnly: true }), window, baseline);
    // Frontend's call spans lost their children in half the window's traces: no self-time shift for it.
    expect(f.selfShift.get('frontend') ?? 0).toBe(0);
  });

  it('no baseline: waits are compared across the window’s edges, and the ranking says so', async () => {
    const r = await top({ delayed: 'cart', delayMs: 40 }, { baseline: false });
    expect(r.suspects[0]!.service).toBe('cart');
    expect(r.partial.join('\n')).toMatch(/no baseline for most calls/);
  });

  it('short baseline: an operation seen twice before is judged by how many of its spans beat both', async () => {
    // Keep only the first two requests of the baseline (a recording that starts just before the fault).
    const spans = shop({ starved: 'checkout', factor: 6 });
    const early = new Set(spans.filter((s) => !s.parentSpanId && s.startMs < 60_000).slice(0, 2).map((s) => s.traceId));
    const short = spans.filter((s) => s.startMs >= 60_000 || early.has(s.traceId));
    const r = await rankSuspects(sourcesOf(short), window, baseline);
    expect(r.suspects[0]!.service).toBe('checkout');
    expect(r.suspects[0]!.parts.self_time).toBeGreaterThan(0);
  });

  it('a baseline that already holds the fault: the edge stands out among the window’s edges', async () => {
    const r = await top({ delayed: 'cart', delayMs: 40 }, { faultInBaseline: true });
    expect(r.suspects[0]!.service).toBe('cart');
    expect(r.suspects[0]!.evidence.join('\n')).toMatch(/→ cart: [\d.]+ ms → [\d.]+ ms \(median, \d+ calls\): far longer than the window's other calls, and already long in the baseline/);
    expect(r.partial.join('\n')).toMatch(/2 call edge\(s\) were already far slower than the window's other calls in the baseline \(frontend → cart, checkout → cart\): the baseline may hold the fault already/);
  });

  it('a delayed pod that talks little: its calls are pooled, however few each edge has', async () => {
    // An audit service appears only in the window, on four edges of one or two calls each: no edge has
    // enough calls for a test of its own, but all six of its calls wait 2 × delay on the wire.
    const rare = (delayMs: number): Span[] => {
      const out: Span[] = [];
      const chain = (t: number, path: string[]) => {
        const traceId = hex(next++, 32);
        let parent: Span | undefined;
        const spans: Span[] = [];
        for (let d = 0; d < path.length; d++) {
          const svc = path[d]!;
          const server: Span = { traceId, spanId: hex(next++, 16), parentSpanId: parent?.spanId, service: svc, name: `serve ${svc}`, kind: 2, startMs: t, endMs: 0, durationMs: 0, status: 'unset', attributes: {}, resource: {}, events: [] };
          spans.push(server);
          t += 1;
          if (d + 1 < path.length) {
            const call: Span = { ...server, spanId: hex(next++, 16), parentSpanId: server.spanId, name: `call ${path[d + 1]}`, kind: 3, startMs: t, events: [] };
            spans.push(call);
            t += 0.5 + delayMs;
            parent = call;
          }
        }
        // Close from the deepest span out: each ends after its child plus the wait back.
        for (let d = spans.length - 1; d >= 0; d--) {
          const s = spans[d]!;
          const child = spans[d + 1];
          s.endMs = child && child.parentSpanId === s.spanId ? child.endMs + (s.kind === 3 ? 0.5 + delayMs : 0.3) : s.startMs + 2;
          s.durationMs = s.endMs - s.startMs;
        }
        out.push(...spans);
      };
      chain(70_000, ['frontend', 'audit', 'payment']);
      chain(80_000, ['checkout', 'audit', 'cart']);
      chain(90_000, ['frontend', 'audit', 'cart']);
      return out;
    };
    const slow = await rankSuspects(sourcesOf([...shop({}), ...rare(100)]), window, baseline);
    expect(slow.suspects[0]!.service).toBe('audit');
    expect(slow.suspects[0]!.evidence.join('\n')).toMatch(/6 of 6 calls on 4 little-used call edge\(s\) touching audit waited unusually long/);
    const healthy = await rankSuspects(sourcesOf([...shop({}), ...rare(0)]), window, baseline);
    expect(healthy.suspects.find((s) => s.service === 'audit')?.parts.edge_wait).toBeUndefined();
  });

  it('a healthy window blames nobody strongly', async () => {
    const r = await top({});
    for (const s of r.suspects) expect(s.score).toBeLessThan(2);
  });
});
