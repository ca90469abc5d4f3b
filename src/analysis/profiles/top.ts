// Hot functions of a merged profile: flat (self) and cum (total) per function, the way
// `go tool pprof -top` counts them (functions merged by name, cum counted once per sample even under
// recursion), plus what pprof does not give: runtime/library self time attributed to the user-code
// caller that caused it, the cause families under each user function, and the top call paths.
import type { Frame, StackProfile } from '../../sources/types.js';
import { causesOf, frameKind, type FrameKind } from './classify.js';
import { functionId, functionName, internedCount } from './intern.js';
import { emptyTable, stackTable, type StackTable } from './stack-table.js';

export interface FunctionStat {
  name: string;
  kind: FrameKind;
  /** First file seen for the function, and the smallest line seen (near its definition). */
  file?: string;
  line?: number;
  flat: number;
  cum: number;
}

export interface UserFunctionStat extends FunctionStat {
  /** Own self time plus the self time of runtime/library frames it called (nearest user caller wins). */
  attributed: number;
  /** Cost under this function by cause family (lock, gc, regexp, json, syscall…), from attributed stacks. */
  causes: Record<string, number>;
  /** The non-user frames directly under it that received the most attributed cost. */
  via: Array<{ name: string; value: number }>;
  /** Most common chain of user-code callers (outermost first). */
  callers: string[];
}

export interface CallPath {
  /** Compressed path root→leaf: user frames plus the last non-user frames at the leaf. */
  frames: string[];
  value: number;
}

export interface TopResult {
  total: number;
  functions: FunctionStat[];
  /** Index by name for lookups. */
  byName: Map<string, FunctionStat>;
  /** Kind of each function of this result by interned id (the per-frame lookups of the passes below
   * index it instead of hashing every frame's name). */
  kinds?: Array<FrameKind | undefined>;
  /** The stacks this result was computed from, as integers (read by userFunctions and topPaths). */
  table?: StackTable;
}

/** The kind `top` gives a frame's function, or undefined when the function is not in `top`. */
function kindIn(top: TopResult, f: Frame): FrameKind | undefined {
  if (top.kinds) return top.kinds[f.fid ?? (f.fid = functionId(f.function))];
  return top.byName.get(f.function)?.kind;
}

// Kinds are a pure function of the name and file; cached per interned id across calls, with the file
// they were computed for (the same name can come with another file in the next profile or bundle, and
// the kind must not depend on what was analysed before).
const kindCache: Array<{ file: string | undefined; kind: FrameKind } | undefined> = [];

/** Flat and cum per function name; sorted by flat desc then name (pprof's FlatNameOrder). */
export function topFunctions(p: Pick<StackProfile, 'stacks'>): TopResult {
  // Per-function accumulators in typed arrays indexed by the interned function id.
  let size = Math.max(1024, internedCount() + 64);
  let flat = new Float64Array(size);
  let cum = new Float64Array(size);
  let stamp = new Int32Array(size);
  let first: Array<Frame | undefined> = new Array(size);
  let minLine = new Int32Array(size);
  const seen: number[] = [];
  let total = 0;
  let st = 0;
  const table = emptyTable(p.stacks);
  let at = 0;
  const grow = (need: number) => {
    const n = Math.max(need + 1, size * 2);
    const f2 = new Float64Array(n);
    f2.set(flat);
    flat = f2;
    const c2 = new Float64Array(n);
    c2.set(cum);
    cum = c2;
    const s2 = new Int32Array(n);
    s2.set(stamp);
    stamp = s2;
    const m2 = new Int32Array(n);
    m2.set(minLine);
    minLine = m2;
    first.length = n;
    size = n;
  };
  for (const s of p.stacks) {
    st++;
    const v = s.value;
    if (v === 0) continue;
    total += Math.abs(v);
    const frames = s.frames;
    const leaf = frames.length - 1;
    const fids = table.fids;
    for (let i = leaf; i >= 0; i--) {
      const f = frames[i]!;
      let id = f.fid;
      if (id === undefined) id = f.fid = functionId(f.function);
      fids[at + i] = id;
      if (id >= size) grow(id);
      const fr = first[id];
      if (fr === undefined) {
        first[id] = f;
        minLine[id] = f.line ?? 0;
        seen.push(id);
      } else if (f.line !== undefined && (minLine[id] === 0 || f.line < minLine[id]!) && (fr.file === undefined || fr.file === f.file)) {
        minLine[id] = f.line;
      }
      if (i === leaf) flat[id] += v;
      if (stamp[id] !== st) {
        stamp[id] = st;
        cum[id] += v;
      }
    }
    if (leaf >= 0) {
      at += frames.length;
      table.values[table.count] = v;
      table.from[++table.count] = at;
    }
  }
  table.firstFrame = first;
  const functions: FunctionStat[] = new Array(seen.length);
  const kinds: Array<FrameKind | undefined> = [];
  for (let k = 0; k < seen.length; k++) {
    const id = seen[k]!;
    const f = first[id]!;
    let cached = kindCache[id];
    if (cached === undefined || cached.file !== f.file) cached = kindCache[id] = { file: f.file, kind: frameKind(f) };
    const kind = cached.kind;
    kinds[id] = kind;
    const row: FunctionStat = { name: f.function, kind, flat: flat[id]!, cum: cum[id]! };
    if (f.file !== undefined) row.file = f.file;
    if (minLine[id]) row.line = minLine[id];
    functions[k] = row;
  }
  functions.sort(flatOrder);
  return { total, functions, byName: new Map(functions.map((f) => [f.name, f])), kinds, table };
}

export const flatOrder = (a: FunctionStat, b: FunctionStat) => Math.abs(b.flat) - Math.abs(a.flat) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || Math.abs(b.cum) - Math.abs(a.cum);
export const cumOrder = (a: FunctionStat, b: FunctionStat) => Math.abs(b.cum) - Math.abs(a.cum) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || Math.abs(b.flat) - Math.abs(a.flat);

/**
 * User-code view: each sample's value goes to the nearest user frame at or above the leaf, so a
 * function that spends its time in `sync.(*Mutex).Lock` or `runtime.mallocgc` carries that cost.
 * Samples with no user frame at all stay with their leaf (GC workers, idle runtime).
 */
export function userFunctions(p: Pick<StackProfile, 'stacks'>, top: TopResult, limit = 20): UserFunctionStat[] {
  type Acc = { attributed: number; causes: Map<string, number>; via: Map<number, number>; callers: Map<string, number> };
  // Keyed by function id (one id is one name), callers by their ids joined: names only for the result.
  const acc = new Map<number, Acc>();
  const { t, inTop } = intStacks(p, top);
  const { from, fids, values } = t;
  const own: Array<FrameKind | undefined> = [];
  const kindOf = (id: number): FrameKind => inTop[id] ?? own[id] ?? (own[id] = frameKind(t.firstFrame[id]!));
  const causeCache: Array<string[] | undefined> = [];
  const seen = new Set<string>();
  const callers: number[] = [];
  for (let k = 0; k < t.count; k++) {
    const start = from[k]!;
    const end = from[k + 1]!;
    const v = values[k]!;
    let u = end - 1;
    while (u >= start && kindOf(fids[u]!) !== 'user') u--;
    const owner = u >= start ? u : end - 1;
    const ownerId = fids[owner]!;
    let a = acc.get(ownerId);
    if (!a) acc.set(ownerId, (a = { attributed: 0, causes: new Map(), via: new Map(), callers: new Map() }));
    a.attributed += v;
    // Cause families present between the owner and the leaf (inclusive of the leaf).
    seen.clear();
    for (let i = owner + (u >= start ? 1 : 0); i < end; i++) {
      const id = fids[i]!;
      let cs = causeCache[id];
      if (!cs) cs = causeCache[id] = causesOf(functionName(id));
      for (const c of cs) seen.add(c);
    }
    for (const c of seen) a.causes.set(c, (a.causes.get(c) ?? 0) + v);
    if (u >= start && owner < end - 1) {
      const via = fids[owner + 1]!;
      a.via.set(via, (a.via.get(via) ?? 0) + v);
    }
    // The last four of the user callers (a repeat in a row counted once), outermost first: read from the
    // owner upwards they are the first four, so the frames above them are not looked at.
    callers.length = 0;
    for (let i = owner - 1; i >= start && callers.length < 4; i--) {
      const id = fids[i]!;
      if (kindOf(id) === 'user' && id !== callers[callers.length - 1]) callers.push(id);
    }
    const key = callers.reverse().join(',');
    a.callers.set(key, (a.callers.get(key) ?? 0) + v);
  }
  const out: UserFunctionStat[] = [];
  for (const [id, a] of acc) {
    const f = top.byName.get(functionName(id));
    if (!f) continue;
    const best = [...a.callers.entries()].sort((x, y) => y[1] - x[1])[0];
    out.push({
      ...f,
      attributed: a.attributed,
      causes: Object.fromEntries([...a.causes.entries()].sort((x, y) => y[1] - x[1])),
      via: [...a.via.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([v, value]) => ({ name: functionName(v), value })),
      callers: best && best[0] ? best[0].split(',').map((c) => functionName(Number(c))) : [],
    });
  }
  out.sort((x, y) => y.attributed - x.attributed || (x.name < y.name ? -1 : 1));
  return out.slice(0, limit);
}

/**
 * The stacks of `p` as integers, and per function id the kind `top` gives it (undefined for a function
 * `top` does not have). The table topFunctions made when `top` was computed from these very stacks.
 */
function intStacks(p: Pick<StackProfile, 'stacks'>, top: TopResult): { t: StackTable; inTop: Array<FrameKind | undefined> } {
  if (top.table && top.table.source === p.stacks && top.kinds) return { t: top.table, inTop: top.kinds };
  const t = stackTable(p.stacks);
  const inTop: Array<FrameKind | undefined> = [];
  for (let id = 0; id < t.firstFrame.length; id++) {
    const f = t.firstFrame[id];
    if (f) inTop[id] = kindIn(top, f);
  }
  return { t, inTop };
}

/** Top call paths, compressed to what a reader needs: user frames and the hot non-user tail. */
export function topPaths(p: Pick<StackProfile, 'stacks'>, top: TopResult, limit = 5, tail = 2): CallPath[] {
  // Paths in order of first appearance (the sort keeps that order between equal values), found by a
  // hash of their function ids and compared id by id: one id is one name (ids are interned names),
  // so no key string or name array is made for a stack whose path was seen before.
  // Names are looked up only for the paths returned (a profile can have as many paths as samples).
  // Each path's ids are a slice [at, at + n) of one pool, not an array of its own: large.cpu has 20k
  // paths, and 20k small typed arrays cost more in allocation and GC than the rest of this function.
  const paths: Array<{ value: number; at: number; n: number }> = [];
  const byHash = new Map<number, number[]>();
  let kept = new Int32Array(64);
  const { t, inTop } = intStacks(p, top);
  const { from, fids, values } = t;
  let pool = new Int32Array(Math.max(64, fids.length));
  let used = 0;
  for (let k = 0; k < t.count; k++) {
    const start = from[k]!;
    const len = from[k + 1]! - start;
    if (len > kept.length) kept = new Int32Array(2 * len);
    let lastUser = -1;
    for (let i = len - 1; i >= 0; i--) {
      if ((inTop[fids[start + i]!] ?? 'user') === 'user') {
        lastUser = i;
        break;
      }
    }
    let n = 0;
    let h = 0;
    for (let i = 0; i < len; i++) {
      const id = fids[start + i]!;
      const isUser = (inTop[id] ?? 'user') === 'user';
      const inTail = i > lastUser && i >= Math.max(lastUser + 1, len - tail);
      const nearUser = i === lastUser + 1 && lastUser >= 0;
      if ((isUser || inTail || nearUser || lastUser < 0 && i >= len - tail - 1) && (n === 0 || kept[n - 1] !== id)) {
        kept[n++] = id;
        h = (Math.imul(h, 31) + id) | 0;
      }
    }
    let bucket = byHash.get(h);
    if (!bucket) byHash.set(h, (bucket = []));
    let cur: { value: number } | undefined;
    for (const b of bucket) {
      const q = paths[b]!;
      if (q.n !== n) continue;
      let same = true;
      for (let i = 0; i < n; i++) if (pool[q.at + i] !== kept[i]) { same = false; break; }
      if (same) { cur = q; break; }
    }
    if (cur) cur.value += values[k]!;
    else {
      if (used + n > pool.length) {
        const bigger = new Int32Array(2 * (used + n));
        bigger.set(pool.subarray(0, used));
        pool = bigger;
      }
      for (let i = 0; i < n; i++) pool[used + i] = kept[i]!;
      bucket.push(paths.length);
      paths.push({ value: values[k]!, at: used, n });
      used += n;
    }
  }
  return paths
    .sort((a, b) => b.value - a.value)
    .slice(0, limit)
    .map(({ at, n, value }) => ({ frames: Array.from(pool.subarray(at, at + n), functionName), value }));
}

/** A short display name: drop the import path, keep package.Receiver.Method. */
export function shortName(fn: string): string {
  const slash = fn.lastIndexOf('/', fn.indexOf('(') >= 0 ? fn.indexOf('(') : fn.length);
  return slash >= 0 ? fn.slice(slash + 1) : fn;
}
