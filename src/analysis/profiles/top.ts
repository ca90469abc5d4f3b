// Hot functions of a merged profile: flat (self) and cum (total) per function, the way
// `go tool pprof -top` counts them (functions merged by name, cum counted once per sample even under
// recursion), plus what pprof does not give: runtime/library self time attributed to the user-code
// caller that caused it, the cause families under each user function, and the top call paths.
import type { Frame, StackProfile } from '../../sources/types.js';
import { causesOf, frameKind, type FrameKind } from './classify.js';
import { functionId, functionName, internedCount } from './intern.js';
import { emptyTable, stackTable, type StackTable } from './stack-table.js';
import { compactStacks, stacksKey } from './compact-stacks.js';
import { doubles } from './growable.js';
import { SequenceTable } from './sequences.js';

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
  /** Every function, in flatOrder (made when first read: hot_functions reads only `first`). */
  functions: FunctionStat[];
  /** Index by name for lookups (made when first read). */
  byName: Map<string, FunctionStat>;
  /** The first n functions in flatOrder or cumOrder, as sorting `functions` would give them. */
  first: (n: number, order: 'flat' | 'cum') => FunctionStat[];
  /** The row of a function by interned id (the object `functions` holds), undefined when absent. */
  rowOf: (id: number) => FunctionStat | undefined;
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
  const c = compactStacks(p);
  const { frames, from, ids, values } = c;
  // Per frame of the table: its function id and line (NaN: none), read from the frame objects once.
  const frameFid = new Int32Array(frames.length);
  const frameLine = new Float64Array(frames.length);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    frameFid[i] = f.fid ?? (f.fid = functionId(f.function));
    frameLine[i] = f.line ?? NaN;
  }
  // Per-function accumulators in typed arrays indexed by the interned function id.
  let size = Math.max(1024, internedCount() + 64);
  let flat = new Float64Array(size);
  let cum = new Float64Array(size);
  let stamp = new Int32Array(size);
  const first: Array<Frame | undefined> = new Array(size);
  let minLine = new Int32Array(size);
  const seen: number[] = [];
  let total = 0;
  const table = emptyTable(c, stacksKey(p));
  const fids = table.fids;
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
  for (let k = 0; k < c.count; k++) {
    const st = k + 1;
    const v = values[k]!;
    if (v === 0) continue;
    total += Math.abs(v);
    const start = from[k]!;
    const leaf = from[k + 1]! - 1;
    for (let i = leaf; i >= start; i--) {
      const fr = ids[i]!;
      const id = frameFid[fr]!;
      fids[at + i - start] = id;
      if (id >= size) grow(id);
      const line = frameLine[fr]!;
      const f1 = first[id];
      if (f1 === undefined) {
        first[id] = frames[fr]!;
        minLine[id] = line === line ? line : 0;
        seen.push(id);
      } else if (line === line && (minLine[id] === 0 || line < minLine[id]!) && (f1.file === undefined || f1.file === frames[fr]!.file)) {
        minLine[id] = line;
      }
      if (i === leaf) flat[id] += v;
      if (stamp[id] !== st) {
        stamp[id] = st;
        cum[id] += v;
      }
    }
    if (leaf >= start) {
      at += leaf - start + 1;
      table.values[table.count] = v;
      table.from[++table.count] = at;
    }
  }
  table.firstFrame = first;
  const kinds: Array<FrameKind | undefined> = [];
  for (let k = 0; k < seen.length; k++) {
    const id = seen[k]!;
    const f = first[id]!;
    let cached = kindCache[id];
    if (cached === undefined || cached.file !== f.file) cached = kindCache[id] = { file: f.file, kind: frameKind(f) };
    kinds[id] = cached.kind;
  }
  // Rows are made for the functions asked for: 10 of large.cpu's 23k for hot_functions.
  const rows: Array<FunctionStat | undefined> = [];
  const rowOf = (id: number): FunctionStat | undefined => {
    let row = rows[id];
    if (row === undefined) {
      const f = first[id];
      if (f === undefined || kinds[id] === undefined) return undefined;
      row = rows[id] = { name: f.function, kind: kinds[id]!, flat: flat[id]!, cum: cum[id]! };
      if (f.file !== undefined) row.file = f.file;
      if (minLine[id]) row.line = minLine[id];
    }
    return row;
  };
  // flatOrder and cumOrder on ids (names are unique per id, so neither order has ties).
  const byFlat = (a: number, b: number) => Math.abs(flat[b]!) - Math.abs(flat[a]!) || byName(a, b) || Math.abs(cum[b]!) - Math.abs(cum[a]!);
  const byCum = (a: number, b: number) => Math.abs(cum[b]!) - Math.abs(cum[a]!) || byName(a, b) || Math.abs(flat[b]!) - Math.abs(flat[a]!);
  let functions: FunctionStat[] | undefined;
  let byNameMap: Map<string, FunctionStat> | undefined;
  return {
    total,
    get functions() {
      return (functions ??= [...seen].sort(byFlat).map((id) => rowOf(id)!));
    },
    get byName() {
      return (byNameMap ??= new Map(this.functions.map((f) => [f.name, f])));
    },
    first: (n, order) => firstBy(seen, order === 'flat' ? byFlat : byCum, n).map((id) => rowOf(id)!),
    rowOf,
    kinds,
    table,
  };
}

const byName = (a: number, b: number) => {
  const x = functionName(a);
  const y = functionName(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The first `n` of `xs` in `order`, as sorting all of them and slicing would give (when `order` has no
 * ties): one pass keeping the n best.
 */
export function firstBy<T>(xs: readonly T[], order: (a: T, b: T) => number, n: number): T[] {
  const best: T[] = [];
  if (n <= 0) return best;
  for (const x of xs) {
    if (best.length === n && order(x, best[n - 1]!) >= 0) continue;
    let i = best.length === n ? n - 1 : best.length;
    while (i > 0 && order(x, best[i - 1]!) < 0) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = x;
  }
  return best;
}

export const flatOrder = (a: FunctionStat, b: FunctionStat) => Math.abs(b.flat) - Math.abs(a.flat) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || Math.abs(b.cum) - Math.abs(a.cum);
export const cumOrder = (a: FunctionStat, b: FunctionStat) => Math.abs(b.cum) - Math.abs(a.cum) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || Math.abs(b.flat) - Math.abs(a.flat);

/**
 * User-code view: each sample's value goes to the nearest user frame at or above the leaf, so a
 * function that spends its time in `sync.(*Mutex).Lock` or `runtime.mallocgc` carries that cost.
 * Samples with no user frame at all stay with their leaf (GC workers, idle runtime).
 */
export function userFunctions(p: Pick<StackProfile, 'stacks'>, top: TopResult, limit = 20): UserFunctionStat[] {
  const { t, inTop } = intStacks(p, top);
  const { from, fids, values } = t;
  // Per function id: 0 not looked at yet, 1 user code, 2 not (a function `top` lacks is classified
  // by its first frame).
  const user = new Uint8Array(internedCount());
  const isUser = (id: number): boolean => {
    let u = user[id]!;
    if (u === 0) u = user[id] = (inTop[id] ?? frameKind(t.firstFrame[id]!)) === 'user' ? 1 : 2;
    return u === 1;
  };
  // First pass: each stack's owner (the nearest user frame at or above the leaf, else the leaf) and
  // the value attributed to each owner. The causes, the frames under it and the callers are then
  // gathered for the owners returned only (10 of large.cpu's thousands).
  const ownerAt = new Int32Array(t.count);
  const attributed = new Map<number, number>();
  for (let k = 0; k < t.count; k++) {
    const start = from[k]!;
    const end = from[k + 1]!;
    let u = end - 1;
    while (u >= start && !isUser(fids[u]!)) u--;
    // -1 - the leaf's index when no frame is user code.
    ownerAt[k] = u >= start ? u : -1 - (end - 1);
    const ownerId = fids[u >= start ? u : end - 1]!;
    attributed.set(ownerId, (attributed.get(ownerId) ?? 0) + values[k]!);
  }
  const rank = (a: number, b: number) => attributed.get(b)! - attributed.get(a)! || byName(a, b);
  const inResult = [...attributed.keys()].filter((id) => top.rowOf(id) !== undefined);
  const chosen = limit >= inResult.length ? inResult.sort(rank) : firstBy(inResult, rank, limit);
  type Acc = { causes: Map<string, number>; via: Map<number, number>; callers: Map<string, number> };
  const acc = new Map<number, Acc>();
  for (const id of chosen) acc.set(id, { causes: new Map(), via: new Map(), callers: new Map() });
  const causeCache: Array<string[] | undefined> = [];
  const seen = new Set<string>();
  const callers: number[] = [];
  for (let k = 0; k < t.count; k++) {
    const start = from[k]!;
    const end = from[k + 1]!;
    const userOwner = ownerAt[k]! >= 0;
    const owner = userOwner ? ownerAt[k]! : -1 - ownerAt[k]!;
    const a = acc.get(fids[owner]!);
    if (!a) continue;
    const v = values[k]!;
    // Cause families present between the owner and the leaf (inclusive of the leaf).
    seen.clear();
    for (let i = owner + (userOwner ? 1 : 0); i < end; i++) {
      const id = fids[i]!;
      let cs = causeCache[id];
      if (!cs) cs = causeCache[id] = causesOf(functionName(id));
      for (const c of cs) seen.add(c);
    }
    for (const c of seen) a.causes.set(c, (a.causes.get(c) ?? 0) + v);
    if (userOwner && owner < end - 1) {
      const via = fids[owner + 1]!;
      a.via.set(via, (a.via.get(via) ?? 0) + v);
    }
    // The last four of the user callers (a repeat in a row counted once), outermost first: read from the
    // owner upwards they are the first four, so the frames above them are not looked at.
    callers.length = 0;
    for (let i = owner - 1; i >= start && callers.length < 4; i--) {
      const id = fids[i]!;
      if (isUser(id) && id !== callers[callers.length - 1]) callers.push(id);
    }
    const key = callers.reverse().join(',');
    a.callers.set(key, (a.callers.get(key) ?? 0) + v);
  }
  return chosen.map((id) => {
    const a = acc.get(id)!;
    const best = [...a.callers.entries()].sort((x, y) => y[1] - x[1])[0];
    return {
      ...top.rowOf(id)!,
      attributed: attributed.get(id)!,
      causes: Object.fromEntries([...a.causes.entries()].sort((x, y) => y[1] - x[1])),
      via: [...a.via.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([v, value]) => ({ name: functionName(v), value })),
      callers: best && best[0] ? best[0].split(',').map((c) => functionName(Number(c))) : [],
    };
  });
}

/**
 * The stacks of `p` as integers, and per function id the kind `top` gives it (undefined for a function
 * `top` does not have). The table topFunctions made when `top` was computed from these very stacks.
 */
function intStacks(p: Pick<StackProfile, 'stacks'>, top: TopResult): { t: StackTable; inTop: Array<FrameKind | undefined> } {
  const key = stacksKey(p);
  if (top.table && top.table.source === key && top.kinds) return { t: top.table, inTop: top.kinds };
  const t = stackTable(compactStacks(p), key);
  const inTop: Array<FrameKind | undefined> = [];
  for (let id = 0; id < t.firstFrame.length; id++) {
    const f = t.firstFrame[id];
    if (f) inTop[id] = kindIn(top, f);
  }
  return { t, inTop };
}

/** Top call paths, compressed to what a reader needs: user frames and the hot non-user tail. */
export function topPaths(p: Pick<StackProfile, 'stacks'>, top: TopResult, limit = 5, tail = 2): CallPath[] {
  // Paths in order of first appearance (ties in value keep that order), found by a hash of their
  // function ids and compared id by id: one id is one name (ids are interned names), so no key string
  // or name array is made for a stack whose path was seen before. Names are looked up only for the
  // paths returned (a profile can have as many paths as samples). Paths are sequences of one table
  // (sequences.ts) with their values in a typed column: large.cpu has 20k paths, and an object, array
  // or map entry each cost more in allocation and GC than the rest.
  const { t, inTop } = intStacks(p, top);
  const { from, fids, values } = t;
  // Per function id: 0 not looked at yet, 1 user code (or not in `top`), 2 not.
  const user = new Uint8Array(internedCount());
  const isUser = (id: number): boolean => {
    let u = user[id]!;
    if (u === 0) u = user[id] = (inTop[id] ?? 'user') === 'user' ? 1 : 2;
    return u === 1;
  };
  const paths = new SequenceTable();
  const pathValue = doubles(1024);
  for (let k = 0; k < t.count; k++) {
    const start = from[k]!;
    const len = from[k + 1]! - start;
    let lastUser = -1;
    for (let i = len - 1; i >= 0; i--) {
      if (isUser(fids[start + i]!)) {
        lastUser = i;
        break;
      }
    }
    // The path's ids are written past the end of the table's pool, and kept there only when new.
    const kept = paths.room(len);
    const at = paths.items.n;
    let n = 0;
    let h = 0;
    for (let i = 0; i < len; i++) {
      const id = fids[start + i]!;
      const inTail = i > lastUser && i >= Math.max(lastUser + 1, len - tail);
      const nearUser = i === lastUser + 1 && lastUser >= 0;
      if ((isUser(id) || inTail || nearUser || lastUser < 0 && i >= len - tail - 1) && (n === 0 || kept[at + n - 1] !== id)) {
        kept[at + n++] = id;
        h = (Math.imul(h, 31) + id) | 0;
      }
    }
    const q = paths.intern(n, h);
    if (q === pathValue.n) pathValue.push(0);
    pathValue.a[q] += values[k]!;
  }
  const order = Array.from({ length: paths.count }, (_, q) => q);
  const byValue = (a: number, b: number) => pathValue.a[b]! - pathValue.a[a]! || a - b;
  return firstBy(order, byValue, limit).map((q) => ({ frames: Array.from(paths.get(q), functionName), value: pathValue.a[q]! }));
}

/** A short display name: drop the import path, keep package.Receiver.Method. */
export function shortName(fn: string): string {
  const slash = fn.lastIndexOf('/', fn.indexOf('(') >= 0 ? fn.indexOf('(') : fn.length);
  return slash >= 0 ? fn.slice(slash + 1) : fn;
}
