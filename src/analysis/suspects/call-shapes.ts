// Requests that stop early (failure mode: an exception that cuts a handler short, or a wrong answer that
// makes the caller give up). The set of child operations under each span of an operation is its shape;
// a window span whose shape is rare in the baseline and a strict subset of a usual one stopped early.
// It is blamed on the last child that answered before the stop (its answer made the caller give up),
// else on the span's own service, and the count is tested against the baseline's own rate of unusual
// shapes (Poisson).
import type { TimeRange } from '../../sources/types.js';
import { childrenOf, type TraceGraph } from './trace-graph.js';
import { coveredRatio, inRange, poissonZ } from './stats.js';

export interface CallShapes {
  score: Map<string, number>;
  detail: Map<string, { op: string; share: number; blamedBy: string }>;
}

export function callShapes(g: TraceGraph): CallShapes {
  const { spans, kidFrom, kids, window, baseline, op: opNumber, ops } = g;
  // Call structure: the set of child operations under each span of an operation. A window span whose
  // child set is a strict subset of the baseline's usual set stopped early: blame the last child that
  // answered before the stop (its answer made the caller give up), else the span's own service.
  // Each distinct shape is one string (spans share it), so the cache holds references, not copies.
  const sigCache = new Array<string | undefined>(spans.length);
  const shapes = new Map<string, string>();
  const sig = (i: number) => {
    let k = sigCache[i];
    if (k !== undefined) return k;
    const ks = new Set<string>();
    for (let c = kidFrom[i]!; c < kidFrom[i + 1]!; c++) ks.add(ops[opNumber[kids[c]!]!]!);
    k = [...ks].sort().join('|');
    const known = shapes.get(k);
    if (known === undefined) shapes.set(k, k);
    else k = known;
    sigCache[i] = k;
    return k;
  };
  const baseSigs = new Map<string, Map<string, number>>();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (!inRange(s.startMs, baseline) || inRange(s.startMs, window)) continue;
    const op = ops[opNumber[i]!]!;
    let m = baseSigs.get(op);
    if (!m) baseSigs.set(op, (m = new Map()));
    const k = sig(i);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  const shapeCache = new Map<string, Set<string>>();
  const blameDetail = new Map<string, { op: string; n: number; by: string }>();
  /** Blame unusual shapes of spans in a range; in the baseline a span's own shape is left out of the counts. */
  const blameIn = (range: TimeRange, leaveOneOut: boolean, detail: boolean): Map<string, number> => {
    const blame = new Map<string, number>();
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      if (!inRange(s.startMs, range) || (leaveOneOut && inRange(s.startMs, window))) continue;
      const op = ops[opNumber[i]!]!;
      const m = baseSigs.get(op);
      if (!m) continue;
      let total = 0;
      for (const n of m.values()) total += n;
      const k = sig(i);
      const own = leaveOneOut ? 1 : 0;
      if (total - own < 3) continue;
      if (((m.get(k) ?? 0) - own) / (total - own) >= 0.02) continue; // a known shape
      // Unusual shape. Fewer children than a usual shape → truncated after the last child.
      const mine = k ? k.split('|') : [];
      let truncated = false;
      for (const [bk, n] of m) {
        if (n / total < 0.1) continue;
        let theirs = shapeCache.get(bk);
        if (!theirs) shapeCache.set(bk, (theirs = new Set(bk ? bk.split('|') : [])));
        if (theirs.size > mine.length && mine.every((c) => theirs!.has(c))) {
          truncated = true;
          break;
        }
      }
      const ended = childrenOf(g, i).sort((a, b) => a.endMs - b.endMs);
      const last = ended[ended.length - 1];
      const target = truncated && last && last.service !== s.service ? last.service : s.service;
      blame.set(target, (blame.get(target) ?? 0) + 1);
      if (detail) {
        const d = blameDetail.get(target) ?? { op: truncated && last ? last.name : s.name, n: 0, by: `${s.service} ${s.name}` };
        d.n++;
        blameDetail.set(target, d);
      }
    }
    return blame;
  };
  const blameW = blameIn(window, false, true);
  const blameB = blameIn(baseline, true, false);
  const ratio = coveredRatio(spans.map((x) => x.startMs), window, baseline);
  const structure = new Map<string, number>();
  const structureDetail: CallShapes['detail'] = new Map();
  for (const [svc, n] of blameW) {
    // Poisson surprise vs the rate of unusual shapes the baseline itself has.
    structure.set(svc, Math.max(0, poissonZ(n, blameB.get(svc) ?? 0, ratio)));
    const d = blameDetail.get(svc)!;
    structureDetail.set(svc, { op: d.op, share: d.n, blamedBy: d.by });
  }
  return { score: structure, detail: structureDetail };
}
