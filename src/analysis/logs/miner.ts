// A streaming, memory-bounded log template miner (Drain family, written for Queryless).
//
// 1. Each line is masked (tokenize.ts): numbers, ids, paths… become `<*>`. Lines of one template are
//    then usually identical, so an exact map from masked key to a *leaf* groups most lines in O(1).
// 2. A new key is first matched against existing templates of the same length whose wildcard
//    positions accept it (what Drain's parse tree does), so variables learnt earlier absorb new values.
// 3. A merge pass over templates (not lines) joins templates of the same length that differ in a
//    single position when that position behaves like a variable: it already holds a wildcard in one
//    of them, or it takes many distinct words while everything else stays equal (user names, hosts).
//    Two or three distinct words in one slot (Accepted/Failed) are kept apart: they are usually
//    different events. The pass runs periodically and at the end; it is union-find over leaves, so
//    lines already assigned follow their leaf into the merged cluster.
// 4. Each cluster also keeps evidence for its Loki pattern, line by line: which tokens and which
//    whitespace were the same on every line, and what varying values share at their ends (render.ts
//    writes the pattern from it, so the `|>` filter keeps every line of the cluster).
// Memory is bounded: at most `maxLeaves` distinct keys (further unseen keys go to an overflow
// cluster) and `maxSamples` sample lines per cluster.
import { WILDCARD, maskKey, spanStart, spanEnd, spanCount, MAX_LINE_CHARS } from './tokenize.js';
import { renderPattern } from './render.js';

export interface MinerOptions {
  /** Distinct masked keys kept (default 50,000). */
  maxLeaves?: number;
  /** Sample lines kept per cluster (default 3). */
  maxSamples?: number;
  /** Distinct words at one position that make it a variable when the rest of the template is equal (default 4). */
  variableCardinality?: number;
  /** Run the merge pass after this many new leaves (default 2,000). */
  mergeEvery?: number;
}

interface Leaf {
  tokens: string[];
  /** hashToken of each token (kept in step with `tokens`), so merge passes hash no strings. */
  hashes: Int32Array;
  parent: number;
  count: number;
  samples: string[];
  /**
   * Evidence for the Loki pattern, kept on roots: the raw text of each token while it is the same on
   * every line of the cluster (null once it varied), and likewise the whitespace before each token
   * and after the last (`seps`, one longer than the tokens). Dropped from leaves merged into a root.
   */
  lit: Array<string | null> | null;
  seps: Array<string | null> | null;
  /** Per token, what all its raw values share: common prefix, common suffix, shortest length. */
  pre: string[] | null;
  suf: string[] | null;
  minLen: Int32Array | null;
  /** Fast check (see `buildRuns`); null when it must be rebuilt from the evidence. */
  runs: Runs | null;
}

/**
 * The constant parts of a cluster's lines as runs over the items sep0, tok0, sep1, tok1, …, sepN:
 * a line agrees with the evidence when each run's text is found where the run lies in the line, one
 * comparison per run instead of one per token. Only the varying tokens are then looked at.
 */
interface Runs {
  /** First and last item of each run (item 2k = separator k, 2k+1 = token k). */
  from: Int32Array;
  to: Int32Array;
  text: string[];
  /** Tokens whose raw text varies. */
  varying: Int32Array;
}

export interface MinedCluster {
  /** Stable id within one miner (the root leaf id). */
  id: number;
  tokens: string[];
  /** Template with `<*>` for variables. */
  template: string;
  /** Loki pattern (`<_>` where the lines varied, their exact text elsewhere): `|> "…"` keeps every line of the cluster. */
  pattern: string;
  count: number;
  samples: string[];
}

export const OVERFLOW_ID = -1;
const WILDCARD_HASH = hashToken(WILDCARD);

function isWild(tok: string): boolean {
  return tok.includes(WILDCARD);
}

function isPunct(tok: string): boolean {
  return !/[\p{L}\p{N}]/u.test(tok);
}

export function toLokiPattern(tokens: string[]): string {
  return tokens.map((t) => t.split(WILDCARD).join('<_>')).join(' ');
}

export class PatternMiner {
  private readonly leaves: Leaf[] = [];
  private readonly byKey = new Map<string, number>();
  /** Roots with at least one wildcard, indexed by `${length}` for matching unseen keys. */
  /** Roots with a wildcard, by `length|first token` (first token `*` when it is itself variable). */
  private wildRoots = new Map<string, number[]>();
  private newSinceMerge = 0;
  private overflowCount = 0;
  private overflowSamples: string[] = [];
  readonly maxLeaves: number;
  readonly maxSamples: number;
  readonly variableCardinality: number;
  readonly mergeEvery: number;
  lines = 0;

  constructor(opts: MinerOptions = {}) {
    this.maxLeaves = opts.maxLeaves ?? 50_000;
    this.maxSamples = opts.maxSamples ?? 3;
    this.variableCardinality = opts.variableCardinality ?? 4;
    this.mergeEvery = opts.mergeEvery ?? 2_000;
  }

  /** Adds one line; returns its leaf id (resolve the final cluster with `clusterOf` after `finish`). */
  add(line: string): number {
    this.lines++;
    overrideCount = -1;
    let key = maskKey(line);
    if (key === '' && line.length > 0) {
      // A line of whitespace only: one token for the whole line, so it is not grouped with empty lines
      // (Loki's empty pattern matches only the empty line).
      key = WILDCARD;
      spanStart[0] = 0;
      spanEnd[0] = line.length;
      setSpanCount(1);
    }
    let id = this.byKey.get(key);
    if (id !== undefined) {
      this.bump(id, line);
      return id;
    }
    const tokens = key === '' ? [] : key.split(' ');
    const matched = this.matchWildRoot(tokens);
    if (matched !== undefined) {
      if (this.byKey.size < this.maxLeaves) this.byKey.set(key, matched);
      this.bump(matched, line);
      return matched;
    }
    if (this.leaves.length >= this.maxLeaves) {
      this.mergePass();
      const again = this.matchWildRoot(tokens);
      if (again !== undefined) {
        this.bump(again, line);
        return again;
      }
      this.overflowCount++;
      if (this.overflowSamples.length < this.maxSamples) this.overflowSamples.push(line);
      return OVERFLOW_ID;
    }
    id = this.leaves.length;
    const hashes = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) hashes[i] = hashToken(tokens[i]!);
    this.leaves.push({ tokens, hashes, parent: id, count: 0, samples: [], lit: null, seps: null, pre: null, suf: null, minLen: null, runs: null });
    this.byKey.set(key, id);
    this.bump(id, line);
    if (tokens.some(isWild)) this.indexWild(id);
    if (++this.newSinceMerge >= this.mergeEvery) this.mergePass();
    return id;
  }

  private bump(id: number, line: string): void {
    const root = this.leaves[this.find(id)]!;
    root.count++;
    observe(root, line);
    if (root.samples.length < this.maxSamples) root.samples.push(line.length > 1000 ? line.slice(0, 1000) + '…' : line);
  }

  find(id: number): number {
    if (id < 0) return id;
    let r = id;
    while (this.leaves[r]!.parent !== r) r = this.leaves[r]!.parent;
    // Path compression.
    while (this.leaves[id]!.parent !== r) {
      const next = this.leaves[id]!.parent;
      this.leaves[id]!.parent = r;
      id = next;
    }
    return r;
  }

  /** The cluster id (root) of a leaf id returned by `add`. */
  clusterOf(leafId: number): number {
    return this.find(leafId);
  }

  private indexWild(root: number): void {
    const t = this.leaves[root]!.tokens;
    const key = `${t.length}|${t.length && !isWild(t[0]!) ? t[0] : '*'}`;
    let list = this.wildRoots.get(key);
    if (!list) this.wildRoots.set(key, (list = []));
    list.push(root);
  }

  /** Finds a root template of the same length whose constants equal the tokens and whose wildcards accept them. */
  private matchWildRoot(tokens: string[]): number | undefined {
    const a = this.wildRoots.get(`${tokens.length}|${tokens[0] ?? '*'}`);
    const b = this.wildRoots.get(`${tokens.length}|*`);
    if (!a && !b) return undefined;
    let best: number | undefined;
    let bestConst = -1;
    for (const r of a && b ? [...a, ...b] : (a ?? b)!) {
      const leaf = this.leaves[r]!;
      if (leaf.parent !== r) continue;
      const t = leaf.tokens;
      let ok = true;
      let consts = 0;
      for (let i = 0; i < t.length; i++) {
        const a = t[i]!;
        if (a === tokens[i]) {
          if (!isWild(a)) consts++;
          continue;
        }
        if (a === WILDCARD) continue;
        if (isWild(a) && matchesPartial(a, tokens[i]!)) continue;
        ok = false;
        break;
      }
      // Prefer the most specific template; require at least one shared constant word.
      if (ok && consts > bestConst && consts > 0) {
        best = r;
        bestConst = consts;
      }
    }
    return best;
  }

  private union(into: number, other: number): void {
    const a = this.leaves[into]!;
    const b = this.leaves[other]!;
    b.parent = into;
    a.count += b.count;
    combine(a, b);
    if (a.samples.length < this.maxSamples) a.samples.push(...b.samples.slice(0, this.maxSamples - a.samples.length));
    b.samples = [];
  }

  /** Joins templates that differ in one variable-like position; repeats until stable. */
  mergePass(): void {
    this.newSinceMerge = 0;
    const byLen = new Map<number, number[]>();
    for (let i = 0; i < this.leaves.length; i++) {
      if (this.leaves[i]!.parent !== i) continue;
      const len = this.leaves[i]!.tokens.length;
      let l = byLen.get(len);
      if (!l) byLen.set(len, (l = []));
      l.push(i);
    }
    for (const [len, rootsInit] of byLen) {
      if (len < 2 || rootsInit.length < 2) continue;
      let roots = rootsInit;
      let changed = true;
      // Prefix/suffix hashes of every root so that "all tokens but p" is an O(1) key (refreshed for merged roots).
      const pre = new Map<number, Int32Array>();
      const suf = new Map<number, Int32Array>();
      for (const r of roots) {
        const a = new Int32Array(len + 1);
        const b = new Int32Array(len + 1);
        fillPrefixSuffix(this.leaves[r]!.hashes, a, b);
        pre.set(r, a);
        suf.set(r, b);
      }
      while (changed) {
        changed = false;
        for (let p = 0; p < len; p++) {
          const groups = new Map<number, number[]>();
          for (const r of roots) {
            if (this.leaves[r]!.parent !== r) continue;
            const key = (pre.get(r)![p]! >>> 0) * 2097152 + (suf.get(r)![p + 1]! & 0x1fffff);
            let g = groups.get(key);
            if (!g) groups.set(key, (g = []));
            g.push(r);
          }
          let merged = false;
          const mergedInto: number[] = [];
          for (const gAll of groups.values()) {
            if (gAll.length < 2) continue;
            const first = this.leaves[gAll[0]!]!.tokens;
            // Hash collisions: keep only the members equal to the first outside p.
            const g = gAll.filter((r) => {
              const t = this.leaves[r]!.tokens;
              for (let i = 0; i < len; i++) if (i !== p && t[i] !== first[i]) return false;
              return true;
            });
            if (g.length < 2) continue;
            // The rest of the template must keep at least one real word, else "<*> started" / "<*> stopped" collapse.
            let words = 0;
            for (let i = 0; i < len; i++) if (i !== p && !isWild(first[i]!) && !isPunct(first[i]!)) words++;
            if (words === 0) continue;
            const values = new Set<string>();
            for (const r of g) values.add(this.leaves[r]!.tokens[p]!);
            // A wildcard at p is evidence when it accepts the other values (`<*>`, or `key=<*>` vs `key=x`).
            const wilds = [...values].filter(isWild);
            const wild = wilds.length > 0 && [...values].every((v) => isWild(v) ? true : wilds.some((w) => matchesPartial(w, v)));
            // The first word of a message names the event (Drain's assumption): only wildcard evidence merges it.
            if (!wild && (p === 0 || values.size < this.variableCardinality)) continue;
            if (wild && wilds.length > 1 && !wilds.every((w) => w === WILDCARD || wilds.every((x) => x === w))) continue;
            const into = g[0]!;
            this.leaves[into]!.tokens = [...first];
            this.leaves[into]!.tokens[p] = WILDCARD;
            this.leaves[into]!.hashes[p] = WILDCARD_HASH;
            for (let k = 1; k < g.length; k++) this.union(into, g[k]!);
            mergedInto.push(into);
            merged = true;
          }
          if (merged) {
            changed = true;
            roots = roots.filter((r) => this.leaves[r]!.parent === r);
            // Merged templates changed at p: refresh their hashes (the other roots are unchanged).
            for (const r of mergedInto) fillPrefixSuffix(this.leaves[r]!.hashes, pre.get(r)!, suf.get(r)!);
          }
        }
      }
    }
    // Rebuild the wildcard index over current roots.
    this.wildRoots = new Map();
    for (let i = 0; i < this.leaves.length; i++) {
      const l = this.leaves[i]!;
      if (l.parent === i && l.tokens.some(isWild)) this.indexWild(i);
    }
  }

  /** Runs the final merge pass. Call before reading clusters. */
  finish(): void {
    this.mergePass();
  }

  clusters(): MinedCluster[] {
    const out: MinedCluster[] = [];
    for (let i = 0; i < this.leaves.length; i++) {
      const l = this.leaves[i]!;
      if (l.parent !== i) continue;
      out.push({ id: i, tokens: l.tokens, template: l.tokens.join(' '), pattern: l.lit && l.seps && l.pre && l.suf && l.minLen ? renderPattern(l.tokens, { lit: l.lit, seps: l.seps, pre: l.pre, suf: l.suf, minLen: l.minLen }) : toLokiPattern(l.tokens), count: l.count, samples: l.samples });
    }
    if (this.overflowCount > 0) {
      out.push({ id: OVERFLOW_ID, tokens: [WILDCARD], template: WILDCARD, pattern: '<_>', count: this.overflowCount, samples: this.overflowSamples });
    }
    return out.sort((a, b) => b.count - a.count);
  }

  get clusterCount(): number {
    let n = 0;
    for (let i = 0; i < this.leaves.length; i++) if (this.leaves[i]!.parent === i) n++;
    return n + (this.overflowCount > 0 ? 1 : 0);
  }
}

let overrideCount = -1;
function setSpanCount(n: number): void {
  overrideCount = n;
}

/** Folds one line (its spans from the maskKey call just made) into the root's pattern evidence. */
function observe(root: Leaf, line: string): void {
  const n = overrideCount >= 0 ? overrideCount : spanCount;
  overrideCount = -1;
  const tokens = root.tokens.length;
  // The spans do not line up with the template (cannot happen for keys made by maskKey, but the
  // evidence must stay safe): nothing is known constant, every token and separator varies.
  if (n !== tokens) {
    forget(root);
    return;
  }
  const cut = line.length > MAX_LINE_CHARS;
  if (!cut && root.lit && root.runs === null) root.runs = buildRuns(root);
  if (!cut && root.runs !== null && runsHold(root.runs, line, n)) {
    // Constant parts agree: only the varying tokens can teach anything (shared prefix/suffix, length).
    const v = root.runs.varying;
    for (let x = 0; x < v.length; x++) shrink(root, v[x]!, line);
    return;
  }
  root.runs = null;
  if (!root.lit || !root.seps || !root.pre || !root.suf || !root.minLen) {
    const lit = new Array<string | null>(n);
    const seps = new Array<string | null>(n + 1);
    const pre = new Array<string>(n);
    const minLen = new Int32Array(n);
    let prev = 0;
    for (let k = 0; k < n; k++) {
      seps[k] = line.slice(prev, spanStart[k]);
      lit[k] = pre[k] = line.slice(spanStart[k], spanEnd[k]);
      minLen[k] = spanEnd[k]! - spanStart[k]!;
      prev = spanEnd[k]!;
    }
    // A cut line's tail is not whitespace and was never looked at: it varies by definition.
    seps[n] = cut ? null : line.slice(prev);
    root.lit = lit;
    root.seps = seps;
    root.pre = pre;
    root.suf = pre.slice();
    root.minLen = minLen;
    return;
  }
  const { lit, seps, pre, suf, minLen } = root;
  let prev = 0;
  for (let k = 0; k < n; k++) {
    const s = spanStart[k]!;
    const e = spanEnd[k]!;
    const sep = seps[k];
    // Separators are nearly always one space: compare the character, not a substring.
    if (sep !== null && (s - prev !== sep!.length || (sep!.length === 1 ? line.charCodeAt(prev) !== sep!.charCodeAt(0) : !line.startsWith(sep!, prev)))) seps[k] = null;
    const l = lit[k];
    if (l !== null && e - s === l!.length && line.startsWith(l!, s)) {
      prev = e;
      continue;
    }
    lit[k] = null;
    shrink(root, k, line);
    prev = e;
  }
  const tail = seps[n];
  if (tail !== null && (cut || line.length - prev !== tail!.length || !line.startsWith(tail!, prev))) seps[n] = null;
}

/** A varying token's value: shrink the shared prefix and suffix to what it also has, and the shortest length. */
function shrink(root: Leaf, k: number, line: string): void {
  const s = spanStart[k]!;
  const e = spanEnd[k]!;
  const pre = root.pre!;
  const suf = root.suf!;
  const minLen = root.minLen!;
  if (e - s < minLen[k]!) minLen[k] = e - s;
  const p = pre[k]!;
  let j = 0;
  while (j < p.length && s + j < e && line.charCodeAt(s + j) === p.charCodeAt(j)) j++;
  if (j < p.length) pre[k] = p.slice(0, j);
  const q = suf[k]!;
  j = 0;
  while (j < q.length && e - 1 - j >= s && line.charCodeAt(e - 1 - j) === q.charCodeAt(q.length - 1 - j)) j++;
  if (j < q.length) suf[k] = q.slice(q.length - j);
}

function itemStart(item: number, n: number): number {
  const k = item >> 1;
  if (item & 1) return spanStart[k]!;
  return k === 0 ? 0 : spanEnd[k - 1]!;
}

function itemEnd(item: number, n: number, lineLength: number): number {
  const k = item >> 1;
  if (item & 1) return spanEnd[k]!;
  return k === n ? lineLength : spanStart[k]!;
}

function runsHold(r: Runs, line: string, n: number): boolean {
  for (let x = 0; x < r.text.length; x++) {
    const a = itemStart(r.from[x]!, n);
    const t = r.text[x]!;
    if (itemEnd(r.to[x]!, n, line.length) - a !== t.length) return false;
    if (t.length === 1 ? line.charCodeAt(a) !== t.charCodeAt(0) : !line.startsWith(t, a)) return false;
  }
  return true;
}

function buildRuns(root: Leaf): Runs | null {
  const lit = root.lit!;
  const seps = root.seps!;
  const n = lit.length;
  const from: number[] = [];
  const to: number[] = [];
  const text: string[] = [];
  const varying: number[] = [];
  let open = -1;
  let acc = '';
  for (let item = 0; item <= 2 * n; item++) {
    const k = item >> 1;
    const v = item & 1 ? lit[k] : seps[k];
    if (v === null || v === undefined) {
      if (item & 1) varying.push(k);
      if (open >= 0) {
        from.push(open);
        to.push(item - 1);
        text.push(acc);
        open = -1;
        acc = '';
      }
      continue;
    }
    // Empty separators (start and end of a line) are items too: their length is checked by the run.
    if (open < 0) open = item;
    acc += v;
  }
  if (open >= 0) {
    from.push(open);
    to.push(2 * n);
    text.push(acc);
  }
  return { from: Int32Array.from(from), to: Int32Array.from(to), text, varying: Int32Array.from(varying) };
}

function forget(root: Leaf): void {
  const n = root.tokens.length;
  root.lit = new Array<string | null>(n).fill(null);
  root.seps = new Array<string | null>(n + 1).fill(null);
  root.pre = new Array<string>(n).fill('');
  root.suf = new Array<string>(n).fill('');
  root.minLen = new Int32Array(n);
  root.runs = null;
}

function commonPrefix(a: string, b: string): string {
  let j = 0;
  while (j < a.length && j < b.length && a.charCodeAt(j) === b.charCodeAt(j)) j++;
  return a.slice(0, j);
}

function commonSuffix(a: string, b: string): string {
  let j = 0;
  while (j < a.length && j < b.length && a.charCodeAt(a.length - 1 - j) === b.charCodeAt(b.length - 1 - j)) j++;
  return a.slice(a.length - j);
}

/** Evidence of two merged clusters: what was constant in both and equal stays constant. */
function combine(a: Leaf, b: Leaf): void {
  if (!a.lit || !a.seps || !a.pre || !a.suf || !a.minLen || !b.lit || !b.seps || !b.pre || !b.suf || !b.minLen || a.lit.length !== b.lit.length) {
    if (b.lit || !a.lit) forget(a);
  } else {
    for (let k = 0; k < a.lit.length; k++) {
      if (a.lit[k] !== null && a.lit[k] === b.lit[k]) continue;
      a.lit[k] = null;
      a.pre[k] = commonPrefix(a.pre[k]!, b.pre[k]!);
      a.suf[k] = commonSuffix(a.suf[k]!, b.suf[k]!);
      a.minLen[k] = Math.min(a.minLen[k]!, b.minLen[k]!);
    }
    for (let k = 0; k < a.seps.length; k++) if (a.seps[k] !== b.seps[k]) a.seps[k] = null;
  }
  b.lit = b.seps = b.pre = b.suf = null;
  b.minLen = null;
  a.runs = b.runs = null;
}

/** Prefix (a[i] covers tokens < i) and suffix (b[i] covers tokens ≥ i) hashes of a template. */
function fillPrefixSuffix(h: Int32Array, a: Int32Array, b: Int32Array): void {
  const len = h.length;
  for (let i = 0; i < len; i++) a[i + 1] = Math.imul(a[i]! ^ 0x5bd1e995, 0x01000193) ^ h[i]!;
  for (let i = len - 1; i >= 0; i--) b[i] = Math.imul(b[i + 1]! ^ 0x27d4eb2f, 0x01000193) ^ h[i]!;
}

function hashToken(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** `uid=<*>` accepts `uid=<*>`-shaped tokens: the constant parts must appear in order. */
function matchesPartial(template: string, tok: string): boolean {
  const parts = template.split(WILDCARD);
  if (!tok.startsWith(parts[0]!)) return false;
  let pos = parts[0]!.length;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === parts.length - 1) return tok.endsWith(part) && tok.length - part.length >= pos;
    const at = tok.indexOf(part, pos);
    if (at < 0) return false;
    pos = at + part.length;
  }
  return true;
}
