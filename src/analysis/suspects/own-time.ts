// An operation's own time (failure mode: a slow code path, CPU starvation or contention inside the
// service, a slow query). Self time per operation (its duration minus its children's), window against
// baseline, by a minimum-effect test: evidence only for growth beyond +20% (and at least +2 ms, below
// which no user-visible slowdown comes from one operation); with a short baseline (an operation seen
// once or twice before), by how many window spans are slower than every baseline one. Pure calls into
// another service are left to the call waits (edges.ts); leaf instances of operations that usually have
// children are left out (their children were not recorded: an incomplete trace would credit them with
// their callees' time).
// A slower database call gives its caller a share of the evidence (TUNING.dbCallFactor): the database,
// or its load, may be the cause rather than the caller's code.
import { median } from '../../util/stats.js';
import { calleeOf, childCount, isDbCall, type TraceGraph } from './trace-graph.js';
import { exceedance, inRange, shiftEvidence } from './stats.js';
import { TUNING } from './tuning.js';

/** Fewest spans on each side for an operation to be compared. */
const MIN_SPANS = 3;

export interface OwnTime {
  /** Service → strongest operation evidence (z units). */
  score: Map<string, number>;
  detail: Map<string, { op: string; before: number; after: number; n: number }>;
}

export function ownTimeFeatures(g: TraceGraph): OwnTime {
  const { spans, self, window, baseline, op, ops } = g;
  // Operations that usually have children: a leaf instance of one lost its children (an incomplete
  // trace, or callee spans that were not recorded), so its duration is not its own time.
  const parentOps = new Set<string>();
  for (let i = 0; i < spans.length; i++) if (childCount(g, i)) parentOps.add(ops[op[i]!]!);
  // Self-time per operation. Pure calls into one other service (all children there) are left to the
  // edge waits below: their self time is network and queueing, not the caller's code.
  const opStats = new Map<string, { svc: string; op: string; b: number[]; w: number[]; db: boolean }>();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const inW = inRange(s.startMs, window);
    const inB = !inW && inRange(s.startMs, baseline);
    if (!inW && !inB) continue;
    const kids = childCount(g, i);
    if (calleeOf(g, i)) continue;
    const key = ops[op[i]!]!;
    if (!kids && parentOps.has(key)) continue;
    let st = opStats.get(key);
    if (!st) opStats.set(key, (st = { svc: s.service, op: s.name, b: [], w: [], db: !kids && isDbCall(s) }));
    (inW ? st.w : st.b).push(self[i]!);
  }
  const score = new Map<string, number>();
  const detail: OwnTime['detail'] = new Map();
  for (const st of opStats.values()) {
    if (st.b.length === 0 || st.w.length < MIN_SPANS) continue;
    // Typical self time: the larger of median and half the mean (a slow tail counts, one outlier does not).
    const before = Math.max(median(st.b), (st.b.reduce((a, v) => a + v, 0) / st.b.length) * 0.5);
    const after = Math.max(median(st.w), (st.w.reduce((a, v) => a + v, 0) / st.w.length) * 0.5);
    if (after - before < TUNING.ownMinDeltaMs) continue;
    // A short baseline (an operation seen once or twice before) has no variance to test against: count
    // the window's spans slower than every baseline one instead (distribution-free, see exceedance).
    const raw = st.b.length < MIN_SPANS ? exceedance(st.b, st.w, TUNING.ownMinGrowth, TUNING.ownMinDeltaMs).z : shiftEvidence(st.b, st.w, Math.log1p(TUNING.ownMinGrowth));
    const z = Math.min(TUNING.zCap, raw) * (st.db ? TUNING.dbCallFactor : 1);
    if (z <= 0) continue;
    if (z > (score.get(st.svc) ?? 0)) {
      score.set(st.svc, z);
      detail.set(st.svc, { op: st.op, before, after, n: st.w.length });
    }
  }
  return { score, detail };
}
