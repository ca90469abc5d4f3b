// One faulty pod among healthy replicas (failure mode: a starved or delayed pod, a bad node). A service
// that runs several instances gives a reference that needs no baseline: the same operation on its
// sibling instances, in the same window, under the same load and inputs. For each instance and each of
// its operations' own time, and each wait on the calls into or out of it, the instance is compared with
// its siblings on log(1 + ms), by a minimum-effect Welch test; when the baseline has both sides too, by
// the difference of the two differences (an instance that was always slower, on a slower node, is not
// a fault). The strongest comparison of a service, corrected for how many were made (Bonferroni), is
// its evidence. Services with one instance give none.
import type { Span } from '../../sources/types.js';
import { median, pushAll } from '../../util/stats.js';
import { calleeOf, childCount, type TraceGraph } from './trace-graph.js';
import { inRange, pToZ, tToZ, tUpperTail } from './stats.js';
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

/** Sums of log(1 + ms) of one instance's samples of one comparison, window and baseline, and the
 * window's values (for the medians the report shows). */
interface Acc {
  w: number[];
  sw: number;
  qw: number;
  nb: number;
  sb: number;
  qb: number;
}

interface Moments {
  m: number;
  v: number;
  n: number;
}

const moments = (n: number, sum: number, sq: number): Moments => {
  const m = sum / n;
  return { m, v: n > 1 ? Math.max(0, (sq - n * m * m) / (n - 1)) : 0, n };
};

/** One-sided evidence (z) that the instance's log values exceed its siblings' by more than the minimum
 * effect in the window, net of the same difference in the baseline when both sides have one there. */
function contrast(iw: Moments, sw: Moments, ib: Moments | undefined, sb: Moments | undefined, minLog: number): number {
  let d = iw.m - sw.m;
  let varSum = iw.v / iw.n + sw.v / sw.n;
  let df = Math.min(iw.n, sw.n) - 1;
  if (ib && sb) {
    d -= ib.m - sb.m;
    varSum += ib.v / ib.n + sb.v / sb.n;
    df = Math.min(df, ib.n - 1, sb.n - 1);
  }
  // The same ±10% floor as the window-against-baseline tests, so identical samples give a finite t.
  const t = (d - minLog) / Math.sqrt(varSum + 0.01 / Math.min(iw.n, sw.n));
  return t > 0 ? Math.max(0, tToZ(t, Math.max(1, df))) : 0;
}

/** Comparison kinds, folded into a numeric key with the operation: own time, calls out, calls in. */
const OWN = 0;
const OUT = 1;
const IN = 2;

export function podOutliers(g: TraceGraph): Map<string, PodOutlier> {
  const { spans, self, window, baseline, op, ops } = g;
  const instance = new WeakMap<object, string | undefined>();
  const instOf = (sp: Span) => {
    if (instance.has(sp.resource)) return instance.get(sp.resource);
    const v = instanceOf(sp);
    instance.set(sp.resource, v);
    return v;
  };
  // Only services seen on two instances or more are compared: a first pass keeps the others free.
  const instances = new Map<string, Set<string>>();
  for (const sp of spans) {
    const inst = instOf(sp);
    if (!inst) continue;
    let set = instances.get(sp.service);
    if (!set) instances.set(sp.service, (set = new Set()));
    if (set.size < 2) set.add(inst);
  }
  const replicated = (svc: string) => (instances.get(svc)?.size ?? 0) >= 2;
  if (![...instances.keys()].some(replicated)) return new Map();
  // service → comparison key (operation × 3 + kind) → instance → sums.
  const groups = new Map<string, Map<number, Map<string, Acc>>>();
  const add = (svc: string, key: number, inst: string, inW: boolean, ms: number) => {
    let byKey = groups.get(svc);
    if (!byKey) groups.set(svc, (byKey = new Map()));
    let byInst = byKey.get(key);
    if (!byInst) byKey.set(key, (byInst = new Map()));
    let acc = byInst.get(inst);
    if (!acc) byInst.set(inst, (acc = { w: [], sw: 0, qw: 0, nb: 0, sb: 0, qb: 0 }));
    const x = Math.log1p(ms);
    if (inW) {
      acc.w.push(ms);
      acc.sw += x;
      acc.qw += x * x;
    } else {
      acc.nb++;
      acc.sb += x;
      acc.qb += x * x;
    }
  };
  const callee = new Map<number, string>();
  for (let i = 0; i < spans.length; i++) {
    const sp = spans[i]!;
    const inW = inRange(sp.startMs, window);
    if (!inW && !inRange(sp.startMs, baseline)) continue;
    const inst = instOf(sp);
    if (!inst) continue;
    const to = calleeOf(g, i);
    if (!to) {
      // Own time; a leaf of an operation seen with children elsewhere may have lost them: still compared
      // like for like, since siblings lose children the same way.
      if (replicated(sp.service)) add(sp.service, op[i]! * 3 + OWN, inst, inW, self[i]!);
      continue;
    }
    // A call: its wait belongs to the calling instance (calls out of it) and to the called one (calls into it).
    callee.set(op[i]!, to);
    if (replicated(sp.service)) add(sp.service, op[i]! * 3 + OUT, inst, inW, self[i]!);
    const calledInst = replicated(to) && childCount(g, i) ? instOf(spans[g.kids[g.kidFrom[i]!]!]!) : undefined;
    if (calledInst) add(to, op[i]! * 3 + IN, calledInst, inW, self[i]!);
  }
  const out = new Map<string, PodOutlier>();
  for (const [svc, byKey] of groups) {
    let best: { key: number; inst: string; byInst: Map<string, Acc>; z: number } | undefined;
    let tests = 0;
    for (const [key, byInst] of byKey) {
      if (byInst.size < 2) continue;
      const own = key % 3 === OWN;
      const minLog = Math.log1p(own ? TUNING.ownMinGrowth : TUNING.edgeMinGrowth);
      const minDelta = own ? TUNING.ownMinDeltaMs : TUNING.edgeMinDeltaMs;
      const all = { nw: 0, sw: 0, qw: 0, nb: 0, sb: 0, qb: 0 };
      for (const a of byInst.values()) {
        all.nw += a.w.length;
        for (const k of ['sw', 'qw', 'nb', 'sb', 'qb'] as const) all[k] += a[k];
      }
      for (const [inst, a] of byInst) {
        // Siblings together: the totals less this instance.
        const nw = a.w.length;
        if (nw < MIN_SAMPLES || all.nw - nw < MIN_SAMPLES) continue;
        tests++;
        const iw = moments(nw, a.sw, a.qw);
        const sw = moments(all.nw - nw, all.sw - a.sw, all.qw - a.qw);
        // Geometric means, on the test's scale: below the minimum absolute growth it is no fault.
        if (Math.expm1(iw.m) - Math.expm1(sw.m) < minDelta) continue;
        const both = a.nb >= MIN_SAMPLES && all.nb - a.nb >= MIN_SAMPLES;
        const z = contrast(iw, sw, both ? moments(a.nb, a.sb, a.qb) : undefined, both ? moments(all.nb - a.nb, all.sb - a.sb, all.qb - a.qb) : undefined, minLog);
        if (z > 0 && (!best || z > best.z)) best = { key, inst, byInst, z };
      }
    }
    if (!best) continue;
    // Bonferroni over the comparisons made for the service: the best of many is less surprising.
    const z = Math.min(TUNING.zCap, pToZ(Math.min(0.5, tests * normalUpperTail(best.z))));
    if (z < TUNING.edgeAnomalousZ) continue;
    const kind = best.key % 3;
    const opKey = ops[Math.floor(best.key / 3)]!;
    const [caller, name] = opKey.split('\u0000') as [string, string];
    const sibValues: number[] = [];
    let siblings = 0;
    for (const [inst, a] of best.byInst) if (inst !== best.inst) (siblings++, pushAll(sibValues, a.w));
    const mine = best.byInst.get(best.inst)!.w;
    out.set(svc, {
      service: svc,
      instance: best.inst,
      what: kind === OWN ? { kind: 'own', op: name } : { kind: 'wait', caller, callee: callee.get(Math.floor(best.key / 3))! },
      inst: median(mine),
      sib: median(sibValues),
      siblings,
      n: mine.length,
      z,
    });
  }
  return out;
}

/** P(Z > z) for a standard normal: Student's t tail with a million degrees of freedom. */
function normalUpperTail(z: number): number {
  return tUpperTail(z, 1e6);
}
