// The wait on a call: network and queueing between two services (failure mode: a network fault, or a
// starved pod that queues requests before and after its instrumented code runs).
//
// A call from service A to service B shows in a trace as a span of A whose children all belong to B.
// Its self time (its duration minus its children's) is time spent in neither service's code: on the
// wire, queued at B before its server span started, or waiting for A's thread to pick the answer up.
// That wait is measured per edge A→B and tested for a change:
//   - with a trace baseline: a minimum-effect Welch test on log(1 + wait), window against baseline, and a
//     count of the calls that waited longer than any baseline call (a delay on a few calls, or on a share
//     of them as packet loss gives, leaves the typical wait in place);
//   - without one (the recording starts at the fault, or the edge is new): its typical wait against the other
//     edges' in the same window (a robust z across edges), because the window itself is all there is;
//     with one, the stronger of the two, since a baseline can already hold the fault.
// A delayed or starved pod slows every edge that touches it, in both directions; one slow caller slows
// only its own outgoing calls. The symptoms are therefore attributed, edge by edge, to the endpoint
// that explains the most of them: greedily, the service whose edges are both the most anomalous in
// total and the most consistently anomalous (a service with seven normal edges and one slow one did
// not cause the slow one). Each edge is explained once.
import { median } from '../../util/stats.js';
import { exceedance, inRange, poissonBinomialUpperTail, pToZ, shiftEvidence } from './stats.js';
import { timedOutCall } from './error-origin.js';
import { calleeOf, type TraceGraph } from './trace-graph.js';
import { TUNING } from './tuning.js';

export interface EdgeStat {
  caller: string;
  callee: string;
  /** Median wait (ms) in the baseline (NaN without one) and in the window. */
  before: number;
  after: number;
  /** Calls in the window. */
  n: number;
  /** One-sided evidence that the wait grew (z units, ≥ 0). */
  z: number;
  /** What the wait was judged against: the edge's own baseline, or the window's other edges. */
  against: 'baseline' | 'window';
  /** Set when the evidence is calls past the baseline's slowest: k of the n calls waited over limitMs,
   * longer than any of the nb baseline calls. */
  slow?: { k: number; limitMs: number; nb: number };
  /** The edge had a baseline of its own and did not change from it, but it is anomalous across the
   * window's edges: it was already slow there (the baseline may hold the fault). */
  alreadySlow?: boolean;
  /** Set on a service's pooled test of its rare calls (caller and callee are then that service): k of
   * the n calls on its `edges` edges with too few calls for a test of their own waited unusually long. */
  rare?: { k: number; edges: number };
  /** Window calls on the edge that the caller gave up on (timeouts): their wait is their whole length. */
  timeouts?: number;
}

export interface EdgeFeatures {
  /** Service → evidence of the edges attributed to it (z units). */
  score: Map<string, number>;
  /** Service → its attributed edges, strongest first. */
  detail: Map<string, EdgeStat[]>;
  /** True when the traces hold too little baseline to compare each edge with its own past. */
  noBaseline: boolean;
}

/** Fewest calls on a side for an edge's wait to be compared. */
const MIN_CALLS = 3;

interface Waits {
  caller: string;
  callee: string;
  b: number[];
  w: number[];
  /** Window calls the caller gave up on. */
  timeouts: number;
}

/**
 * Wait of each pure call span (all children in one other service), by edge and range. A call span with
 * no recorded child is not a call we can split (the callee's spans are missing): left out.
 */
function collectWaits(g: TraceGraph): Waits[] {
  const waits = new Map<string, Waits>();
  for (let i = 0; i < g.spans.length; i++) {
    const s = g.spans[i]!;
    const callee = calleeOf(g, i);
    if (!callee) continue;
    const inW = inRange(s.startMs, g.window);
    if (!inW && !inRange(s.startMs, g.baseline)) continue;
    const key = `${s.service}\u0000${callee}`;
    let e = waits.get(key);
    if (!e) waits.set(key, (e = { caller: s.service, callee, b: [], w: [], timeouts: 0 }));
    // A call the caller gave up on waited its whole length at least (the callee had not answered);
    // its self time holds only the way out.
    const timedOut = timedOutCall(g, i);
    if (timedOut && inW) e.timeouts++;
    (inW ? e.w : e.b).push(timedOut ? s.durationMs : g.self[i]!);
  }
  return [...waits.values()];
}

/**
 * True when most calls of the window are on edges with too few calls in the baseline to be compared
 * with it (the recording starts at, or just before, the fault). Weighted by calls, so a handful of
 * rare edges does not decide it.
 */
function baselineMissing(waits: Waits[], g: TraceGraph): boolean {
  let calls = 0;
  let withBaseline = 0;
  for (const e of waits) {
    calls += e.w.length;
    if (e.b.length >= MIN_CALLS) withBaseline += e.w.length;
  }
  if (calls > 0) return withBaseline * 2 < calls;
  // No calls between services: the baseline is missing when it holds no span at all.
  return !g.spans.some((s) => inRange(s.startMs, g.baseline) && !inRange(s.startMs, g.window));
}

/** Evidence per edge against its own baseline: the larger of a typical-wait shift and calls past the baseline's slowest. */
function judgeAgainstBaseline(e: { b: number[]; w: number[] }): Pick<EdgeStat, 'z' | 'slow'> {
  if (e.b.length < MIN_CALLS || e.w.length < MIN_CALLS) return { z: 0 };
  const shift = median(e.w) - median(e.b) < TUNING.edgeMinDeltaMs ? 0 : shiftEvidence(e.b, e.w, Math.log1p(TUNING.edgeMinGrowth));
  // Calls slower than any of the baseline's: a delay on a share of the calls (packet loss) or on an
  // edge with too few calls for the mean test's degrees of freedom.
  const past = exceedance(e.b, e.w, TUNING.edgeMinGrowth, TUNING.edgeMinDeltaMs, TUNING.edgeMinSlowShare);
  const z = Math.min(TUNING.zCap, Math.max(shift, past.z));
  // The count is what the report shows only when the typical wait did not move (else the medians say more).
  return shift > 0 || past.z === 0 ? { z } : { z, slow: { k: past.k, limitMs: past.limit, nb: e.b.length } };
}

/**
 * Evidence per edge against the other edges of the window. A faulty pod can touch most edges (a busy
 * caller calls everyone), so the reference is the lower half of the edges' typical waits, the part
 * most likely healthy: z = (log(1 + median wait) − their median) / their spread (1.4826·MAD), the
 * spread floored at the minimum effect so edges a few tens of percent apart are not anomalous.
 */
function judgeWithinWindow(edges: Array<{ w: number[] }>): number[] {
  const xs = edges.map((e) => (e.w.length >= MIN_CALLS ? Math.log1p(median(e.w)) : NaN));
  const ok = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (ok.length < 3) return xs.map(() => 0);
  const lower = ok.slice(0, Math.ceil(ok.length / 2));
  const m = median(lower);
  const scale = Math.max(1.4826 * median(lower.map((x) => Math.abs(x - m))), Math.log1p(TUNING.edgeMinGrowth));
  return xs.map((x) => {
    if (!Number.isFinite(x) || Math.expm1(x) - Math.expm1(m) < TUNING.edgeMinDeltaMs) return 0;
    return Math.max(0, Math.min(TUNING.zCap, (x - m) / scale));
  });
}

/**
 * Calls on edges with too few window calls for a test of their own (a service that talks little) are
 * pooled per service: a delayed or starved pod makes all of its calls wait, however few each edge has.
 * A call counts as slow when it waited longer than every baseline call of its edge (null chance
 * 1/(nb + 1)) or, on an edge without baseline calls, longer than the window's 90th percentile of waits
 * (null chance 0.1, `edgeRareNullShare`), both by the minimum effect and with the shares floored as
 * for dense edges; k slow calls of n are a Poisson-binomial tail. One pseudo-edge per service whose
 * tail is anomalous. Pooling busy edges too was tried: their small drifts add up to false blame.
 */
function rareCalls(waits: Waits[]): EdgeStat[] {
  const all = waits.flatMap((e) => e.w).sort((a, b) => a - b);
  if (all.length === 0) return [];
  const ref = all[Math.min(all.length - 1, Math.floor((1 - TUNING.edgeRareNullShare) * all.length))]!;
  const pooled = new Map<string, { ps: number[]; k: number; slow: number[]; edges: number; judged: boolean }>();
  for (const e of waits) {
    if (e.w.length === 0 || e.w.length >= MIN_CALLS) continue;
    let max = -Infinity;
    for (const x of e.b) if (x > max) max = x;
    const base = e.b.length > 0 ? max : ref;
    const limit = Math.max(base * (1 + TUNING.edgeMinGrowth), base + TUNING.edgeMinDeltaMs);
    const p = Math.max(e.b.length > 0 ? 1 / (e.b.length + 1) : TUNING.edgeRareNullShare, TUNING.edgeMinSlowShare);
    for (const svc of new Set([e.caller, e.callee])) {
      let acc = pooled.get(svc);
      if (!acc) pooled.set(svc, (acc = { ps: [], k: 0, slow: [], edges: 0, judged: false }));
      acc.edges++;
      acc.judged ||= e.b.length > 0;
      for (const x of e.w) {
        acc.ps.push(p);
        if (x > limit) (acc.k++, acc.slow.push(x));
      }
    }
  }
  const out: EdgeStat[] = [];
  for (const [svc, acc] of pooled) {
    const z = Math.min(TUNING.zCap, pToZ(poissonBinomialUpperTail(acc.k, acc.ps)));
    if (z < TUNING.edgeAnomalousZ) continue;
    out.push({ caller: svc, callee: svc, before: NaN, after: median(acc.slow), n: acc.ps.length, z, against: acc.judged ? 'baseline' : 'window', rare: { k: acc.k, edges: acc.edges } });
  }
  return out;
}

/**
 * Greedy attribution: repeatedly take the service whose unexplained anomalous edges carry the most
 * evidence, scaled by the share of its edges that are anomalous, and give it those edges.
 */
function attribute(edges: EdgeStat[]): Map<string, EdgeStat[]> {
  const touching = new Map<string, EdgeStat[]>();
  for (const e of edges) {
    for (const svc of new Set([e.caller, e.callee])) {
      let l = touching.get(svc);
      if (!l) touching.set(svc, (l = []));
      l.push(e);
    }
  }
  const open = new Set(edges.filter((e) => e.z >= TUNING.edgeAnomalousZ));
  const out = new Map<string, EdgeStat[]>();
  while (open.size > 0) {
    let best: string | undefined;
    let bestValue = 0;
    for (const [svc, l] of [...touching].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const mine = l.filter((e) => open.has(e));
      if (mine.length === 0) continue;
      const anomalous = l.filter((e) => e.z >= TUNING.edgeAnomalousZ).length;
      const value = mine.reduce((a, e) => a + e.z, 0) * (anomalous / l.length);
      if (value > bestValue) {
        bestValue = value;
        best = svc;
      }
    }
    if (!best) break;
    const mine = touching.get(best)!.filter((e) => open.has(e));
    for (const e of mine) open.delete(e);
    out.set(best, mine.sort((a, b) => b.z - a.z));
  }
  return out;
}

export function edgeFeatures(g: TraceGraph): EdgeFeatures {
  const waits = collectWaits(g);
  const noBaseline = baselineMissing(waits, g);
  // An edge without a baseline of its own (a call that only happens now, or too rarely before) is
  // judged against the window's other edges, as every edge is when the whole baseline is missing.
  // An edge with one keeps the stronger of the two: a baseline can hold the fault already (faults
  // that come back, a baseline chosen too late), and then only the comparison across edges sees it.
  const within = judgeWithinWindow(waits);
  const own = waits.map((e) => !noBaseline && e.b.length >= MIN_CALLS);
  const edges: EdgeStat[] = waits.map((e, i) => {
    const judged = own[i] ? judgeAgainstBaseline(e) : undefined;
    const z = Math.max(judged?.z ?? 0, within[i]!);
    const before = e.b.length ? median(e.b) : NaN;
    const after = e.w.length ? median(e.w) : NaN;
    // Slow already in the baseline: anomalous across the window's edges, and its typical wait grew by
    // less than the minimum effect (a grown wait on a few calls is a change the mean test lacks power for).
    const alreadySlow = judged !== undefined && within[i]! >= TUNING.edgeAnomalousZ && Math.log1p(after) - Math.log1p(before) < Math.log1p(TUNING.edgeMinGrowth);
    return {
      caller: e.caller,
      callee: e.callee,
      before,
      after,
      n: e.w.length,
      ...(judged && !alreadySlow ? { ...judged, z } : { z }),
      against: judged && !alreadySlow ? 'baseline' : 'window',
      ...(alreadySlow ? { alreadySlow } : {}),
      ...(e.timeouts > 0 ? { timeouts: e.timeouts } : {}),
    };
  });
  const detail = attribute([...edges, ...rareCalls(waits)]);
  const score = new Map<string, number>();
  for (const [svc, l] of detail) score.set(svc, l.reduce((a, e) => a + e.z, 0));
  return { score, detail, noBaseline };
}
