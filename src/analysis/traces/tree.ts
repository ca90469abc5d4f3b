// Trace trees: parent/child links per trace, self time and critical-path self time.
// All walks are iterative (explicit stacks) so huge or deep traces cannot overflow the call stack.
// Child intervals are clamped to their parent's interval: clock skew between hosts and async children
// that outlive their parent must not produce negative self time or a critical path longer than the request.
import type { Span, TimeRange } from '../../sources/types.js';

export interface TraceTree {
  traceId: string;
  spans: Span[];
  /** Index of the parent span in `spans`, -1 for roots and orphans. */
  parent: Int32Array | number[];
  /** Children of i: childIdx[childOff[i] .. childOff[i+1]), sorted by end time, latest first. */
  childOff: Int32Array | number[];
  childIdx: Int32Array | number[];
  /** Roots and orphans; `root` is the request root (earliest start, then longest). */
  roots: number[];
  root: number;
}

/** Groups spans by trace id, keeping input order inside each trace. */
export function groupTraces(spans: Span[]): Map<string, Span[]> {
  const m = new Map<string, Span[]>();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const list = m.get(s.traceId);
    if (list) list.push(s);
    else m.set(s.traceId, [s]);
  }
  return m;
}

/**
 * Index of each span's parent within the trace (-1 for roots and orphans). Small traces use a linear
 * scan: cheaper than building a hash map for a dozen ids.
 */
export function parentIndex(spans: Span[]): number[] {
  const n = spans.length;
  // Plain arrays: per-trace typed arrays would each need an off-heap backing store (slow to allocate, GC pressure).
  const parent: number[] = new Array<number>(n).fill(-1);
  if (n <= 24) {
    for (let i = 0; i < n; i++) {
      const p = spans[i]!.parentSpanId;
      if (p === undefined) continue;
      for (let j = 0; j < n; j++) {
        if (j !== i && spans[j]!.spanId === p) {
          parent[i] = j;
          break;
        }
      }
    }
    return parent;
  }
  if (n > 1024) return parentIndexLarge(spans, parent);
  const pos = new Map<string, number>();
  for (let i = 0; i < n; i++) pos.set(spans[i]!.spanId, i);
  for (let i = 0; i < n; i++) {
    const p = spans[i]!.parentSpanId;
    const j = p === undefined ? undefined : pos.get(p);
    if (j !== undefined && j !== i) parent[i] = j;
  }
  return parent;
}

/**
 * Huge traces: an open-addressing table over span ids (FNV-1a of the characters, linear probing, the
 * hash kept per slot so most probes never touch the span object). Sized once, unlike a Map that rehashes
 * as it grows; about twice as fast at 100k spans. A repeated span id keeps its last index, as Map.set does.
 */
function parentIndexLarge(spans: Span[], parent: number[]): number[] {
  const n = spans.length;
  let cap = 16;
  while (cap < n * 2) cap <<= 1;
  const mask = cap - 1;
  const table = new Int32Array(cap).fill(-1);
  const hashes = new Int32Array(cap);
  for (let i = 0; i < n; i++) {
    const id = spans[i]!.spanId;
    const h = hashId(id);
    let slot = h & mask;
    for (;;) {
      const j = table[slot]!;
      if (j < 0) {
        table[slot] = i;
        hashes[slot] = h;
        break;
      }
      if (hashes[slot] === h && spans[j]!.spanId === id) {
        table[slot] = i;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  for (let i = 0; i < n; i++) {
    const p = spans[i]!.parentSpanId;
    if (p === undefined) continue;
    const h = hashId(p);
    let slot = h & mask;
    for (;;) {
      const j = table[slot]!;
      if (j < 0) break;
      if (hashes[slot] === h && spans[j]!.spanId === p) {
        if (j !== i) parent[i] = j;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return parent;
}

function hashId(id: string): number {
  let h = 0x811c9dc5 | 0;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  return h;
}

export function buildTree(traceId: string, spans: Span[]): TraceTree {
  const n = spans.length;
  const parent = parentIndex(spans);
  const counts: number[] = new Array<number>(n + 1).fill(0);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = parent[i]!;
    if (j < 0) roots.push(i);
    else counts[j]++;
  }
  // A cycle (corrupt data) would leave spans unreachable from any root; they are simply not walked.
  const childOff: number[] = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < n; i++) childOff[i + 1] = childOff[i]! + counts[i]!;
  const fill = childOff.slice(0, n);
  const childIdx: number[] = new Array<number>(Math.max(0, childOff[n]!)).fill(0);
  for (let i = 0; i < n; i++) {
    const p = parent[i]!;
    if (p >= 0) childIdx[fill[p]!++] = i;
  }
  // Sort each child list by end desc (insertion sort: lists are short; long ones fall back to sort()).
  for (let p = 0; p < n; p++) {
    const a = childOff[p]!;
    const b = childOff[p + 1]!;
    if (b - a < 2) continue;
    if (b - a > 32) {
      const seg = childIdx.slice(a, b).sort((x, y) => spans[y]!.endMs - spans[x]!.endMs);
      for (let k = 0; k < seg.length; k++) childIdx[a + k] = seg[k]!;
      continue;
    }
    for (let i = a + 1; i < b; i++) {
      const v = childIdx[i]!;
      const e = spans[v]!.endMs;
      let j = i - 1;
      while (j >= a && spans[childIdx[j]!]!.endMs < e) {
        childIdx[j + 1] = childIdx[j]!;
        j--;
      }
      childIdx[j + 1] = v;
    }
  }
  let root = roots[0] ?? 0;
  for (const r of roots) {
    const s = spans[r]!;
    const best = spans[root]!;
    const realRoot = s.parentSpanId === undefined;
    const bestReal = best.parentSpanId === undefined;
    if (realRoot !== bestReal ? realRoot : s.startMs < best.startMs || (s.startMs === best.startMs && s.durationMs > best.durationMs)) root = r;
  }
  return { traceId, spans, parent, childOff, childIdx, roots, root };
}

/**
 * Critical-path self time of every span of the request root (ms), in the manner of Jaeger's
 * critical path: walking back from the end of a span, the last-finishing child that ends before
 * the cursor is on the path; the gaps between such children are the span's own time. Parallel
 * children that overlap an already-critical one are off the path. The values sum to the root's duration.
 */
export function criticalSelf(t: TraceTree): number[] {
  const { spans, childOff, childIdx } = t;
  const out: number[] = new Array<number>(spans.length).fill(0);
  if (spans.length === 0) return out;
  // Stack frames: span index, clamped start, clamped end.
  const stackI: number[] = [t.root];
  const stackS: number[] = [spans[t.root]!.startMs];
  const stackE: number[] = [spans[t.root]!.endMs];
  while (stackI.length) {
    const i = stackI.pop()!;
    const s = stackS.pop()!;
    const e = stackE.pop()!;
    let cursor = e;
    let own = 0;
    for (let k = childOff[i]!; k < childOff[i + 1]!; k++) {
      const c = childIdx[k]!;
      const cs0 = spans[c]!.startMs;
      const ce0 = spans[c]!.endMs;
      const ce = ce0 > e ? e : ce0; // clamp children that outlive the parent (async, skew)
      const cs = cs0 < s ? s : cs0; // clamp children that start before the parent (skew)
      if (ce <= cs) continue; // entirely outside the parent interval
      if (ce > cursor) continue; // parallel to a child already on the path
      own += cursor - ce;
      stackI.push(c);
      stackS.push(cs);
      stackE.push(ce);
      cursor = cs;
      if (cursor <= s) break;
    }
    if (cursor > s) own += cursor - s;
    out[i] = own;
  }
  return out;
}

/** Self time of every span (ms): its duration minus the union of its children's clamped intervals. */
export function selfTimes(t: TraceTree): number[] {
  const { spans, childOff, childIdx } = t;
  const out: number[] = new Array<number>(spans.length).fill(0);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!.startMs;
    const e = spans[i]!.endMs;
    let covered = 0;
    // Children are sorted by end desc: sweep blocks of overlapping intervals from the end.
    let bs = Infinity;
    let be = -Infinity;
    for (let k = childOff[i]!; k < childOff[i + 1]!; k++) {
      const c = spans[childIdx[k]!]!;
      const ce = c.endMs > e ? e : c.endMs;
      const cs = c.startMs < s ? s : c.startMs;
      if (ce <= cs) continue;
      if (ce >= bs) {
        if (cs < bs) bs = cs;
      } else {
        if (be > bs) covered += be - bs;
        bs = cs;
        be = ce;
      }
    }
    if (be > bs) covered += be - bs;
    out[i] = Math.max(0, e - s - covered);
  }
  return out;
}

/** Depth-first order from the given roots (iterative), children in start order. */
export function dfsOrder(t: TraceTree, from: number[] = t.roots): Array<{ i: number; depth: number }> {
  const out: Array<{ i: number; depth: number }> = [];
  const stack: Array<[number, number]> = [];
  for (let r = from.length - 1; r >= 0; r--) stack.push([from[r]!, 0]);
  const seen = new Uint8Array(t.spans.length);
  while (stack.length) {
    const [i, d] = stack.pop()!;
    if (seen[i]) continue;
    seen[i] = 1;
    out.push({ i, depth: d });
    // childIdx is end-desc; push in an order that pops children by start asc.
    const kids = Array.from(t.childIdx.slice(t.childOff[i]!, t.childOff[i + 1]!)).sort((a, b) => t.spans[b]!.startMs - t.spans[a]!.startMs);
    for (const c of kids) stack.push([c, d + 1]);
  }
  return out;
}

/** One request per trace: the tree and its root, for traces whose root starts inside the range. */
export interface RequestTree {
  tree: TraceTree;
  rootSpan: Span;
}

export function requestsIn(byTrace: Map<string, Span[]>, range: TimeRange): RequestTree[] {
  const out: RequestTree[] = [];
  for (const [id, spans] of byTrace) {
    const tree = buildTree(id, spans);
    const rootSpan = spans[tree.root]!;
    if (rootSpan.startMs >= range.start && rootSpan.startMs < range.end) out.push({ tree, rootSpan });
  }
  return out;
}

/** The request root without building the tree: the earliest span without a parent id, else the earliest span. */
export function quickRoot(spans: Span[]): Span {
  let root = spans[0]!;
  for (let i = 1; i < spans.length; i++) {
    const s = spans[i]!;
    const sReal = s.parentSpanId === undefined;
    const rReal = root.parentSpanId === undefined;
    if (sReal !== rReal ? sReal : s.startMs < root.startMs || (s.startMs === root.startMs && s.durationMs > root.durationMs)) root = s;
  }
  return root;
}
