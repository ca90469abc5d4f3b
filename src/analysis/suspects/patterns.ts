// Entry-conditional pattern frequencies per service (after Nezha's event patterns and the binomial rate
// tests of log-anomaly work).
//
// Every request a service serves starts at an *entry* span (a span whose parent is in another service,
// or a root). Under each entry the service emits events: its log lines (as templates, through the log
// record's span id), its internal operations (child spans in the same service) and its calls to other
// services. For a fault-free service the number of times an event happens *per invocation of the same
// entry operation* is stable whatever the workload mix; a fault changes it: an exception stops the
// code after some point (later logs, queries and calls disappear, an error path appears), a wrong return
// value takes another branch (a "success" line vanishes, an error line appears).
//
// Test: for each (service, entry operation, event), given the event's total count c over baseline and
// window, the window share is Binomial(c, nW / (nB + nW)) when the per-invocation rate did not change
// (nB, nW: invocations of the entry operation). The z of that test, both directions, is the evidence.
//
// Spans are numbered by their place in `spans` and what is kept per span (parent, entry, invocation) is
// a typed array indexed by that number: on 500k spans, maps keyed by span objects or span ids cost a
// hundred MB of heap.
import type { LogRecord, Span, TimeRange } from '../../sources/types.js';
import { parentIndex } from './trace-graph.js';

export interface PatternChange {
  service: string;
  entry: string;
  event: string;
  /** Per-invocation rate in the baseline and the window. */
  before: number;
  after: number;
  invocations: number; // window invocations of the entry operation
  z: number; // signed: < 0 the event became rarer
}

export interface PatternFeatures {
  /** Service → z-like score (largest |z| plus half of the second largest, from different events). */
  score: Map<string, number>;
  /** Strongest changes per service, largest |z| first. */
  detail: Map<string, PatternChange[]>;
}

function inRange(t: number, r: TimeRange): boolean {
  return t >= r.start && t < r.end;
}

/** Suffix of an error event whose invocation also saw an error below it (or naming another service). */
export const PROPAGATED = ' (after an error below)';
/** The event's text without the PROPAGATED mark (the log line or operation itself). */
export function withoutPropagated(text: string): string {
  return text.endsWith(PROPAGATED) ? text.slice(0, -PROPAGATED.length) : text;
}
/** Minimum entry invocations on each side for a rate to be compared. */
const MIN_INVOCATIONS = 3;
/** Minimum total occurrences of an event for its test to be meaningful. */
const MIN_EVENTS = 4;
/** Smallest weighted |z| kept as a change. */
const MIN_Z = 2.5;
/** Operation names of error handling (framework error controllers, exception handlers, fallbacks). */
const ERROR_OP = /error|exception|fail|fallback|panic|abort/i;

export function patternFeatures(
  spans: Span[],
  logs: LogRecord[],
  window: TimeRange,
  baseline: TimeRange,
  template: (r: LogRecord) => string,
  isErrorLine: (r: LogRecord) => boolean,
  /** True when a line names another known service: an error that names its cause started there. */
  namesOther: (r: LogRecord) => boolean = () => false,
): PatternFeatures {
  const n = spans.length;
  /** Parent of spans[i] in its trace (an index, -1 for none). */
  const parent = parentIndex(spans);
  // Entry span of each span: the top-most ancestor in the same service (-1 until found).
  const entry = new Int32Array(n).fill(-1);
  const path: number[] = [];
  const entryOf = (i: number): number => {
    const c = entry[i]!;
    if (c >= 0) return c;
    path.length = 0;
    let cur = i;
    let e = -1;
    for (let guard = 0; guard < 256; guard++) {
      const hit = entry[cur]!;
      if (hit >= 0) {
        e = hit;
        break;
      }
      path.push(cur);
      const p = parent[cur]!;
      if (p < 0 || spans[p]!.service !== spans[cur]!.service) {
        e = cur;
        break;
      }
      cur = p;
    }
    if (e < 0) e = cur;
    for (const x of path) entry[x] = e;
    return e;
  };

  // Per entry invocation: event → count. Per (service, entry op): the invocations on each side.
  interface Group {
    svc: string;
    entry: string;
    /** Entry spans (indices) in the baseline and in the window. */
    b: number[];
    w: number[];
    events: Set<string>;
  }
  /** Invocation number of each entry span (-1 for none); per invocation, in order of first event: its entry span and event → count. */
  const invOf = new Int32Array(n).fill(-1);
  const invEntry: number[] = [];
  const invCounts: Array<Map<string, number>> = [];
  const countsOf = (e: number): Map<string, number> | undefined => (invOf[e]! >= 0 ? invCounts[invOf[e]!] : undefined);
  /** Invocations with an error line naming another service (its errors are that service's symptoms). */
  const namedError = new Uint8Array(n);
  /** Events that are error paths: error/warn log templates, error-handling operations. */
  const errorish = new Set<string>();
  const groups = new Map<string, Group>();
  const side = (e: number): 0 | 1 | -1 => (inRange(spans[e]!.startMs, window) ? 1 : inRange(spans[e]!.startMs, baseline) ? 0 : -1);
  // Group of each entry span, found once per entry (the key string is built once per entry, not per event).
  const groupIdx = new Int32Array(n).fill(-1);
  const groupList: Group[] = [];
  const groupNo = new Map<string, number>();
  const groupOf = (e: number): Group => {
    if (groupIdx[e]! >= 0) return groupList[groupIdx[e]!]!;
    const s = spans[e]!;
    const k = `${s.service}\u0000${s.name}`;
    let gi = groupNo.get(k);
    if (gi === undefined) {
      const g: Group = { svc: s.service, entry: s.name, b: [], w: [], events: new Set() };
      groups.set(k, g);
      groupNo.set(k, (gi = groupList.push(g) - 1));
    }
    groupIdx[e] = gi;
    return groupList[gi]!;
  };
  const count = (e: number, key: string) => {
    let m = countsOf(e);
    if (!m) {
      if (side(e) < 0) return;
      invOf[e] = invEntry.push(e) - 1;
      invCounts.push((m = new Map()));
      groupOf(e).events.add(key);
    } else if (!m.has(key)) groupOf(e).events.add(key);
    m.set(key, (m.get(key) ?? 0) + 1);
  };
  // Event keys made once per operation, not per span.
  const opKeys = new Map<string, string>();
  const callKeys = new Map<string, Map<string, string>>();
  const opKey = (name: string): string => {
    let k = opKeys.get(name);
    if (k === undefined) opKeys.set(name, (k = `op ${name}`));
    return k;
  };
  const callKey = (service: string, name: string): string => {
    let byName = callKeys.get(service);
    if (!byName) callKeys.set(service, (byName = new Map()));
    let k = byName.get(name);
    if (k === undefined) byName.set(name, (k = `call ${service} ${name}`));
    return k;
  };
  for (let i = 0; i < n; i++) {
    const s = spans[i]!;
    const e = entryOf(i);
    if (e === i) {
      const sd = side(i);
      if (sd === 0) groupOf(i).b.push(i);
      else if (sd === 1) groupOf(i).w.push(i);
      // A call into another service is an event of the caller's request.
      const p = parent[i]!;
      if (p >= 0) count(entryOf(p), callKey(s.service, s.name));
    } else {
      const key = opKey(s.name);
      if (ERROR_OP.test(s.name) || s.status === 'error') errorish.add(key);
      count(e, key);
    }
  }
  // The span a log line names: only the ids the lines carry are indexed (a repeated id: its last span).
  const logSpan = new Map<string, number>();
  for (const r of logs) if (r.spanId) logSpan.set(r.spanId, -1);
  if (logSpan.size > 0) for (let j = 0; j < n; j++) if (logSpan.has(spans[j]!.spanId)) logSpan.set(spans[j]!.spanId, j);
  for (const r of logs) {
    const j = r.spanId ? logSpan.get(r.spanId)! : -1;
    if (j < 0 || spans[j]!.service !== r.service) continue;
    const key = `log ${template(r)}`;
    const e = entryOf(j);
    if (isErrorLine(r)) {
      errorish.add(key);
      if (namesOther(r)) namedError[e] = 1;
    }
    count(e, key);
  }

  // Errors propagate up the call tree: an invocation whose error events come with errors in an
  // invocation below it (in its own subtree) is not where they started. Its error events are dropped,
  // so only the deepest erroring service counts them (where an exception starts).
  if (errorish.size > 0) {
    // Children of each span (kids[kidFrom[i], kidFrom[i + 1]), in the order of `spans`): a counting sort.
    const kidFrom = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) if (parent[i]! >= 0) kidFrom[parent[i]! + 1]++;
    for (let i = 0; i < n; i++) kidFrom[i + 1] += kidFrom[i]!;
    const kids = new Int32Array(kidFrom[n]!);
    const fill = kidFrom.slice(0, n);
    for (let i = 0; i < n; i++) if (parent[i]! >= 0) kids[fill[parent[i]!]!++] = i;
    const hasError = (e: number) => {
      const m = countsOf(e);
      if (!m) return false;
      for (const k of m.keys()) if (errorish.has(k)) return true;
      return false;
    };
    const errorBelow = (e: number): boolean => {
      const stack: number[] = [];
      for (let k = kidFrom[e]!; k < kidFrom[e + 1]!; k++) stack.push(kids[k]!);
      for (let guard = 0; stack.length > 0 && guard < 100_000; guard++) {
        const s = stack.pop()!;
        if (entryOf(s) === s && spans[s]!.service !== spans[e]!.service && hasError(s)) return true;
        for (let k = kidFrom[s]!; k < kidFrom[s + 1]!; k++) stack.push(kids[k]!);
      }
      return false;
    };
    const explained: number[] = [];
    for (const e of invEntry) {
      if (!hasError(e)) continue;
      if (namedError[e] || errorBelow(e)) explained.push(e);
    }
    // The rest of an explained invocation (work it skipped after the failure below) is the other
    // service's effect too: such invocations leave this service's rate comparisons.
    const drop = new Uint8Array(n);
    for (const e of explained) drop[e] = 1;
    for (const g of groups.values()) {
      g.b = g.b.filter((e) => !drop[e]);
      g.w = g.w.filter((e) => !drop[e]);
    }
    for (const e of explained) {
      const m = countsOf(e)!;
      for (const k of [...m.keys()]) {
        if (!errorish.has(k)) continue;
        const key = `${k}${PROPAGATED}`;
        m.set(key, (m.get(key) ?? 0) + m.get(k)!);
        m.delete(k);
        errorish.add(key); // still an error path: its vanishing is a recovery, not a fault
        groupOf(e).events.add(key);
      }
    }
  }

  const detail = new Map<string, PatternChange[]>();
  interface Moments {
    m: number;
    v: number;
    sum: number;
  }
  /** Sum and sum of squares of each event's per-invocation count over a set of invocations, in one
   * pass over what the invocations emitted (absent events count 0 and add nothing). */
  const sums = (inv: number[]): Map<string, [number, number]> => {
    const out = new Map<string, [number, number]>();
    for (const e of inv) {
      for (const [k, c] of countsOf(e) ?? []) {
        const a = out.get(k);
        if (a) {
          a[0] += c;
          a[1] += c * c;
        } else out.set(k, [c, c * c]);
      }
    }
    return out;
  };
  const moments = (acc: Map<string, [number, number]>, n: number, event: string): Moments => {
    const [sum, sq] = acc.get(event) ?? [0, 0];
    const m = sum / n;
    return { m, v: n > 1 ? Math.max(0, (sq - n * m * m) / (n - 1)) : m, sum };
  };
  /** Welch-type z on per-invocation counts of an event between two sets of invocations. */
  const zOf = (b: Moments, nB: number, w: Moments, nW: number): number | undefined => {
    if (b.sum + w.sum < MIN_EVENTS) return undefined;
    // The variance of each side is at least half a Poisson's (so a deterministic 1 → 0 still needs
    // several requests to be significant), and at least the observed spread (events in loops over
    // data vary a lot per request: not a fault).
    const pooled = (b.sum + w.sum) / (nB + nW);
    const vb = Math.max(b.v, 0.5 * Math.max(b.m, pooled));
    const vw = Math.max(w.v, 0.5 * Math.max(w.m, pooled));
    return (w.m - b.m) / Math.sqrt(vb / nB + vw / nW);
  };
  // Null calibration: the same test between the two halves of the baseline says how much a service's
  // patterns move with no fault (input-dependent branches, bursts of one kind of request).
  const noise = new Map<string, number[]>();
  for (const g of groups.values()) {
    const nB = g.b.length;
    const nW = g.w.length;
    if (nB < MIN_INVOCATIONS || nW < MIN_INVOCATIONS) continue;
    const sorted = g.b.slice().sort((a, b) => spans[a]!.startMs - spans[b]!.startMs);
    const half = Math.floor(sorted.length / 2);
    const h1 = sorted.slice(0, half);
    const h2 = sorted.slice(half);
    const sB = sums(g.b);
    const sW = sums(g.w);
    // Strata by caller: what a service does per request depends on its input, and different callers
    // send different inputs. When a caller fails or slows, the caller mix shifts and the pooled rates
    // move although nothing changed in this service (an upstream input shift). The test below compares
    // rates within each caller and combines the strata (inverse-variance weighted), which equals the
    // pooled test when there is one caller and removes the mix effect when there are several.
    const strata = new Map<string, { b: number[]; w: number[] }>();
    for (const [list, key] of [
      [g.b, 'b'],
      [g.w, 'w'],
    ] as const) {
      for (const e of list) {
        const c = parent[e]! >= 0 ? spans[parent[e]!]!.service : '';
        let st = strata.get(c);
        if (!st) strata.set(c, (st = { b: [], w: [] }));
        st[key].push(e);
      }
    }
    const strataSums = strata.size > 1 ? [...strata.values()].filter((x) => x.b.length > 0 && x.w.length > 0).map((x) => ({ nB: x.b.length, nW: x.w.length, sB: sums(x.b), sW: sums(x.w) })) : [];
    const halves = h1.length >= MIN_INVOCATIONS && h2.length >= MIN_INVOCATIONS;
    const s1 = halves ? sums(h1) : undefined;
    const s2 = halves ? sums(h2) : undefined;
    for (const event of g.events) {
      const b = moments(sB, nB, event);
      const w = moments(sW, nW, event);
      let z = zOf(b, nB, w, nW);
      if (z !== undefined && strataSums.length > 0) {
        let num = 0;
        let den = 0;
        for (const st of strataSums) {
          const sb = moments(st.sB, st.nB, event);
          const sw = moments(st.sW, st.nW, event);
          if (sb.sum + sw.sum === 0) continue;
          const pooled = (sb.sum + sw.sum) / (st.nB + st.nW);
          const vb = Math.max(sb.v, 0.5 * Math.max(sb.m, pooled));
          const vw = Math.max(sw.v, 0.5 * Math.max(sw.m, pooled));
          const wt = 1 / (vb / st.nB + vw / st.nW);
          num += wt * (sw.m - sb.m);
          den += wt;
        }
        z = den > 0 ? num / Math.sqrt(den) : 0;
      }
      if (s1 && s2) {
        const h = zOf(moments(s1, h1.length, event), h1.length, moments(s2, h2.length, event), h2.length);
        if (h !== undefined) {
          // The halves have half the requests each: scale their z to the full comparison's size.
          const scale = Math.sqrt((nB * nW) / (nB + nW) / ((h1.length * h2.length) / sorted.length));
          let l = noise.get(g.svc);
          if (!l) noise.set(g.svc, (l = []));
          l.push(Math.abs(h) * scale);
        }
      }
      if (z === undefined) continue;
      // A fault removes normal behaviour (code after an exception, a success branch) or adds an error
      // path. Normal behaviour that appears is more often a recovery from an earlier fault or a change
      // of inputs (half weight); an error path that disappears is a recovery (quarter weight).
      // An error path that appears only with an error below (or one naming another service) started
      // there: a quarter weight here.
      const err = errorish.has(event);
      const propagated = event.endsWith(PROPAGATED);
      const weight = z < 0 ? (err ? 0.25 : 1) : err ? (propagated ? 0.25 : 1) : 0.5;
      if (!(Math.abs(z) * weight > MIN_Z)) continue;
      let l = detail.get(g.svc);
      if (!l) detail.set(g.svc, (l = []));
      l.push({ service: g.svc, entry: g.entry, event, before: b.m, after: w.m, invocations: nW, z: z * weight });
    }
  }
  const score = new Map<string, number>();
  for (const [svc, l] of detail) {
    l.sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
    // Events of one code path move together (every line after an early return vanishes): count distinct
    // magnitudes once by taking the largest and half of the next.
    // Divide by the service's own null spread (second largest |z| between baseline halves, ≥ 2).
    const n = (noise.get(svc) ?? []).sort((a, b) => b - a);
    const spread = Math.max(2, n[1] ?? n[0] ?? 0);
    score.set(svc, (Math.abs(l[0]!.z) + 0.5 * Math.abs(l[1]?.z ?? 0)) / Math.sqrt(spread / 2));
    detail.set(svc, l.slice(0, 5));
  }
  return { score, detail };
}
