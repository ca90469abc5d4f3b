// One faulty pod among healthy replicas (failure mode: a starved or delayed pod, a bad node). A service
// that runs several instances gives a reference that needs no baseline: the same operation on its
// sibling instances, in the same window, under the same load and inputs. For each instance and each of
// its operations' own time, and each wait on the calls into or out of it, the instance is compared with
// its siblings on log(1 + ms), by a minimum-effect Welch test; when the baseline has both sides too, by
// the difference of the two differences (an instance that was always slower, on a slower node, is not
// a fault). The strongest comparison of a service, corrected for how many were made (Bonferroni), is
// its evidence. Services with one instance give none.
import type { Span } from '../../sources/types.js';
import { median } from '../../util/stats.js';
import { calleeOf, childCount, type TraceGraph } from './trace-graph.js';
import { inRange, logMeanVar, pToZ, tToZ, tUpperTail } from './stats.js';
import { TUNING } from './tuning.js';

/** Fewest samples of an operation on the instance, and on its siblings together, to compare them. */
const MIN_SAMPLES = 5;

export interface PodOutlier {
  service: string;
  instance: string;
  /** What was compared: an operation's own time, or the wait on calls caller → callee. */
  what: { kind: 'own'; op: string } | { kind: 'wait'; caller: string; callee: string };
  /** Median (ms) on the instance and on its siblings in the window; siblings counted. */
  inst: number;
  sib: number;
  siblings: number;
  n: number;
  z: number;
}

/** The instance a span ran on: its pod, else the instance id or host its resource names. */
export function instanceOf(s: Span): string | undefined {
  const r = s.resource;
  const v = r['k8s.pod.name'] ?? r['service.instance.id'] ?? r['host.name'];
  return typeof v === 'string' && v ? v : undefined;
}

interface Side {
  w: number[];
  b: number[];
}

/** One-sided evidence (z) that the instance's log values exceed its siblings' by more than the minimum
 * effect in the window, net of the same difference in the baseline when both sides have one there. */
function contrast(inst: Side, sib: Side, minLog: number): number {
  const iw = logMeanVar(inst.w);
  const sw = logMeanVar(sib.w);
  let d = iw.m - sw.m;
  let varSum = iw.v / iw.n + sw.v / sw.n;
  let df = Math.min(iw.n, sw.n) - 1;
  if (inst.b.length >= MIN_SAMPLES && sib.b.length >= MIN_SAMPLES) {
    const ib = logMeanVar(inst.b);
    const sb = logMeanVar(sib.b);
    d -= ib.m - sb.m;
    varSum += ib.v / ib.n + sb.v / sb.n;
    df = Math.min(df, ib.n - 1, sb.n - 1);
  }
  // The same ±10% floor as the window-against-baseline tests, so identical samples give a finite t.
  const t = (d - minLog) / Math.sqrt(varSum + 0.01 / Math.min(iw.n, sw.n));
  return t > 0 ? Math.max(0, tToZ(t, Math.max(1, df))) : 0;
}

export function podOutliers(g: TraceGraph): Map<string, PodOutlier> {
  const { spans, self, window, baseline } = g;
  // service → comparison key → instance → samples.
  const groups = new Map<string, Map<string, Map<string, Side>>>();
  const add = (svc: string, key: string, inst: string, inW: boolean, x: number) => {
    let byKey = groups.get(svc);
    if (!byKey) groups.set(svc, (byKey = new Map()));
    let byInst = byKey.get(key);
    if (!byInst) byKey.set(key, (byInst = new Map()));
    let side = byInst.get(inst);
    if (!side) byInst.set(inst, (side = { w: [], b: [] }));
    (inW ? side.w : side.b).push(x);
  };
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const inW = inRange(s.startMs, window);
    if (!inW && !inRange(s.startMs, baseline)) continue;
    const inst = instanceOf(s);
    if (!inst) continue;
    const callee = calleeOf(g, i);
    if (!callee) {
      // Own time; a leaf of an operation seen with children elsewhere may have lost them: still compared
      // like for like, since siblings lose children the same way.
      add(s.service, `own\u0000${s.name}`, inst, inW, self[i]!);
      continue;
    }
    // A call: its wait belongs to the calling instance (calls out of it) and to the called one (calls into it).
    const calledInst = childCount(g, i) ? instanceOf(spans[g.kids[g.kidFrom[i]!]!]!) : undefined;
    add(s.service, `out\u0000${s.service}\u0000${callee}`, inst, inW, self[i]!);
    if (calledInst) add(callee, `in\u0000${s.service}\u0000${callee}`, calledInst, inW, self[i]!);
  }
  const out = new Map<string, PodOutlier>();
  for (const [svc, byKey] of groups) {
    let best: PodOutlier | undefined;
    let tests = 0;
    for (const [key, byInst] of byKey) {
      if (byInst.size < 2) continue;
      const [kind, a, b] = key.split('\u0000') as [string, string, string | undefined];
      const minLog = Math.log1p(kind === 'own' ? TUNING.ownMinGrowth : TUNING.edgeMinGrowth);
      for (const [inst, side] of byInst) {
        const sib: Side = { w: [], b: [] };
        let siblings = 0;
        for (const [other, o] of byInst) {
          if (other === inst) continue;
          siblings++;
          sib.w.push(...o.w);
          sib.b.push(...o.b);
        }
        if (side.w.length < MIN_SAMPLES || sib.w.length < MIN_SAMPLES) continue;
        tests++;
        const instMed = median(side.w);
        const sibMed = median(sib.w);
        if (instMed - sibMed < (kind === 'own' ? TUNING.ownMinDeltaMs : TUNING.edgeMinDeltaMs)) continue;
        const z = contrast(side, sib, minLog);
        if (!best || z > best.z)
          best = { service: svc, instance: inst, what: kind === 'own' ? { kind: 'own', op: a } : { kind: 'wait', caller: a, callee: b! }, inst: instMed, sib: sibMed, siblings, n: side.w.length, z };
      }
    }
    if (!best || best.z <= 0) continue;
    // Bonferroni over the comparisons made for the service: the best of many is less surprising.
    const p = Math.min(0.5, tests * normalUpperTail(best.z));
    const z = Math.min(TUNING.zCap, pToZ(p));
    if (z >= TUNING.edgeAnomalousZ) out.set(svc, { ...best, z });
  }
  return out;
}

/** P(Z > z) for a standard normal: Student's t tail with a million degrees of freedom. */
function normalUpperTail(z: number): number {
  return tUpperTail(z, 1e6);
}
