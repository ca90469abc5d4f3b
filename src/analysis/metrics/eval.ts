// PromQL evaluator over bundle samples, with Prometheus' real semantics: lookback for instant selectors,
// range windows, rate/increase/delta extrapolation and counter resets (promql/functions.go
// extrapolatedRate), irate/idelta, *_over_time, histogram_quantile over classic buckets (promql/quantile.go),
// aggregations by/without, topk/bottomk/quantile, and binary operators with vector matching.
// Differences between Prometheus majors are explicit `Semantics` so parity tests can match the server.
import { pushAll } from '../../util/stats.js';
import type { Aggregation, Binary, Call, Expr, Matcher, MatrixSelector, NumberLit, Subquery, VectorSelector } from '../../query/promql.js';
import type { MetricStore, StoredSeries } from '../../sources/bundle/openmetrics.js';
import type { SeriesPoints } from '../../sources/types.js';
import { arithmetic, compileLabelMatcher } from '../../query/operators.js';
import { bucketFraction, datePart, DATE_FUNCS, kahanInc, kahanMean, kahanSum, LabelFunctionError, labelJoiner, labelReplacer, linearRegression, madOverTime, MATH_FUNCS, quantile, roundTo } from '../../query/promql/functions.js';

export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}
export type Value = { kind: 'vector'; samples: Sample[] } | { kind: 'scalar'; value: number } | { kind: 'string'; value: string };

export interface Semantics {
  /** Prometheus ≥3: range windows and lookback are left-open (t-range, t]; 2.x: closed [t-range, t]. */
  leftOpen: boolean;
  /** Prometheus <2.51: counter zero-point clamp applied before the extrapolation threshold test. */
  legacyExtrapolation: boolean;
  /** Prometheus ≥2.46: histogram_quantile ignores bucket deltas below 1e-12 relative (float noise). */
  smallDeltaFix: boolean;
  lookbackMs: number;
}

export const MODERN_SEMANTICS: Semantics = { leftOpen: true, legacyExtrapolation: false, smallDeltaFix: true, lookbackMs: 300_000 };

/** Semantics of a given Prometheus version string (e.g. "2.42.0+ds", "3.5.0"). */
export function semanticsForVersion(version: string): Semantics {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return MODERN_SEMANTICS;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const atLeast = (a: number, b: number) => major > a || (major === a && minor >= b);
  return { leftOpen: major >= 3, legacyExtrapolation: !atLeast(2, 51), smallDeltaFix: atLeast(2, 46), lookbackMs: 300_000 };
}

export class EvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalError';
  }
}

interface Column {
  labels: Labels;
  v: Float64Array;
  /** 1 where the series has a value at that step (a NaN value is still a value). */
  has: Uint8Array;
}

/** Group key and stable group labels of an aggregation for one input label set. */
const groupMemo = new WeakMap<Aggregation, WeakMap<Labels, { key: string; labels: Labels }>>();
const groupLabelsByKey = new WeakMap<Aggregation, Map<string, Labels>>();
function groupOf(e: Aggregation, l: Labels): { key: string; labels: Labels } {
  let memo = groupMemo.get(e);
  if (!memo) groupMemo.set(e, (memo = new WeakMap()));
  let gi = memo.get(l);
  if (gi) return gi;
  let key = '';
  let labels: Labels = {};
  if (e.by) {
    for (const n of e.by) {
      const val = l[n];
      key += `${val ?? ''}\xff`;
      if (val !== undefined && val !== '') labels[n] = val;
    }
  } else if (e.without) {
    const drop = new Set([...e.without, '__name__']);
    for (const [k, val] of Object.entries(l)) if (!drop.has(k)) labels[k] = val;
    key = labelsKey(labels);
  }
  let byKey = groupLabelsByKey.get(e);
  if (!byKey) groupLabelsByKey.set(e, (byKey = new Map()));
  const stable = byKey.get(key);
  if (stable) labels = stable;
  else byKey.set(key, labels);
  gi = { key, labels };
  memo.set(l, gi);
  return gi;
}

type WinFn = (s: StoredSeries, a: number, b: number, rangeStart: number, rangeEnd: number) => number | undefined;
const RANGE_FUNCS = new Set(['rate', 'increase', 'delta', 'irate', 'idelta', 'avg_over_time', 'sum_over_time', 'max_over_time', 'min_over_time', 'count_over_time', 'last_over_time', 'present_over_time', 'stddev_over_time', 'stdvar_over_time', 'changes', 'resets', 'deriv', 'mad_over_time']);
/** Range-vector functions with a scalar parameter: (param, range) or (range, param). */
const PARAM_RANGE_FUNCS: Record<string, { range: number; param: number }> = { quantile_over_time: { range: 1, param: 0 }, predict_linear: { range: 0, param: 1 } };
const ARITH = new Set(['+', '-', '*', '/', '%', '^', 'atan2']);
const COMPARE = new Set(['==', '!=', '>', '<', '>=', '<=']);

/** Evaluation state for one query: selector match caches and per-series cursors for ascending steps. */
interface Ctx {
  matches: Map<VectorSelector, StoredSeries[]>;
  cursors: Map<object, Int32Array>;
  /** The query's start and end (epoch ms), for `@ start()` / `@ end()`. */
  start: number;
  end: number;
}

/** Where an `@` modifier pins evaluation, or t when there is none. */
function pinned(x: { atMs?: number; atRef?: 'start' | 'end' }, t: number, ctx: Ctx): number {
  if (x.atRef) return x.atRef === 'start' ? ctx.start : ctx.end;
  return x.atMs ?? t;
}

/** Unwraps parentheses around a range vector: `rate((foo[5m]))` is valid PromQL. */
function unparen(e: Expr): Expr {
  while (e.type === 'paren') e = e.expr;
  return e;
}

/** Prometheus refuses a result with two series of the same labels (e.g. after dropping __name__). */
function assertUniqueLabels(samples: Sample[]): Sample[] {
  if (samples.length < 2) return samples;
  const seen = new Set<string>();
  for (const s of samples) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) throw new EvalError(`vector cannot contain metrics with the same labelset ${fmtLabelSet(s.labels)}; aggregate them or keep a distinguishing label (e.g. label_replace the metric name into a label)`);
    seen.add(k);
  }
  return samples;
}

function fmtLabelSet(l: Labels): string {
  return `{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

/** Default subquery resolution when `[range:]` gives none: Prometheus' default evaluation interval. */
export const DEFAULT_SUBQUERY_STEP_MS = 60_000;

const noNameCache = new WeakMap<Labels, Labels>();
function dropName(l: Labels): Labels {
  if (!('__name__' in l)) return l;
  let c = noNameCache.get(l);
  if (!c) {
    c = { ...l };
    delete c.__name__;
    noNameCache.set(l, c);
  }
  return c;
}

const keyCache = new WeakMap<Labels, string>();
export function labelsKey(l: Labels): string {
  let k = keyCache.get(l);
  if (k === undefined) {
    k = '';
    for (const n of Object.keys(l).sort()) k += `${n}\xff${l[n]}\xfe`;
    keyCache.set(l, k);
  }
  return k;
}

function compileMatcher(m: Matcher): (v: string) => boolean {
  // PromQL regex matchers are fully anchored RE2 where `.` matches newlines; RE2 also keeps them linear.
  try {
    return compileLabelMatcher(m);
  } catch (e) {
    throw new EvalError((e as Error).message);
  }
}

/** First index i ≥ 0 with t[i] > x (strict) or t[i] ≥ x, searching from a hint (steps ascend). */
function seek(t: Float64Array, x: number, strict: boolean, hint: number): number {
  const n = t.length;
  const before = (i: number) => (strict ? t[i]! <= x : t[i]! < x);
  let lo = 0;
  let hi = n;
  if (hint > 0 && hint <= n && before(hint - 1)) {
    // Gallop forward from the hint: usually the answer is within a few samples.
    lo = hint;
    let step = 1;
    while (lo + step < n && before(lo + step)) {
      lo += step;
      step *= 2;
    }
    hi = Math.min(n, lo + step + 1);
    if (lo < n && !before(lo)) return lo;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Evaluator {
  constructor(
    readonly store: MetricStore,
    readonly sem: Semantics = MODERN_SEMANTICS,
  ) {}

  instant(expr: Expr, tMs: number): Value {
    const v = this.eval(expr, tMs, this.newCtx(tMs, tMs));
    if (v.kind === 'vector') assertUniqueLabels(v.samples);
    return v;
  }

  /** Range query: evaluates at start + k*step ≤ end, like Prometheus' query_range. */
  range(expr: Expr, startMs: number, endMs: number, stepMs: number): SeriesPoints[] {
    if (!(stepMs > 0)) throw new EvalError('step must be positive');
    const ctx = this.newCtx(startMs, endMs);
    const out = new Map<string, SeriesPoints>();
    const steps: number[] = [];
    for (let t = startMs; t <= endMs; t += stepMs) steps.push(t);
    // Series-major evaluation for the shapes our builders render (selectors, range functions, simple
    // aggregations, histogram_quantile, scalar arithmetic): one pass per series instead of per step.
    const cols = this.columns(expr, steps, ctx);
    if (cols) {
      for (const c of cols) {
        const k = labelsKey(c.labels);
        let sp = out.get(k);
        if (!sp) out.set(k, (sp = { labels: c.labels, points: [] }));
        else if (sp.points.length) throw new EvalError(`vector cannot contain metrics with the same labelset ${fmtLabelSet(c.labels)}; aggregate them or keep a distinguishing label`);
        for (let i = 0; i < steps.length; i++) if (c.has[i]) sp.points.push([steps[i]!, c.v[i]!]);
      }
      for (const sp of out.values()) sp.points.sort((a, b) => a[0] - b[0]);
      return [...out.values()].filter((sp) => sp.points.length > 0);
    }
    for (let t = startMs; t <= endMs; t += stepMs) {
      const v = this.eval(expr, t, ctx);
      if (v.kind === 'scalar') {
        let s = out.get('');
        if (!s) out.set('', (s = { labels: {}, points: [] }));
        s.points.push([t, v.value]);
      } else if (v.kind === 'vector') {
        assertUniqueLabels(v.samples);
        for (const smp of v.samples) {
          const k = labelsKey(smp.labels);
          let s = out.get(k);
          if (!s) out.set(k, (s = { labels: smp.labels, points: [] }));
          s.points.push([t, smp.value]);
        }
      } else throw new EvalError('range queries cannot return strings');
    }
    return [...out.values()];
  }

  private columns(e: Expr, steps: number[], ctx: Ctx): Column[] | undefined {
    switch (e.type) {
      case 'paren':
        return this.columns(e.expr, steps, ctx);
      case 'selector':
      case 'call': {
        if (e.type === 'call' && e.func === 'histogram_quantile') return this.quantileColumns(e, steps, ctx);
        const out: Column[] = [];
        const ok = this.streamColumns(e, steps, ctx, (labels, v, has) => out.push({ labels, v: v.slice(), has: has.slice() }));
        return ok ? out : undefined;
      }
      default:
        return this.columnsOther(e, steps, ctx);
    }
  }

  /**
   * Streams one column per series for selectors and range functions through shared scratch buffers (no
   * per-series allocation). Returns false for other shapes.
   */
  private streamColumns(e: Expr, steps: number[], ctx: Ctx, cb: (labels: Labels, v: Float64Array, has: Uint8Array) => void): boolean {
    const n = steps.length;
    if (e.type === 'paren') return this.streamColumns(e.expr, steps, ctx, cb);
    const v = new Float64Array(n);
    const has = new Uint8Array(n);
    if (e.type === 'selector') {
      if (e.atMs !== undefined || e.atRef) return false;
      const off = e.offsetMs ?? 0;
      const lb = this.sem.lookbackMs;
      const leftOpen = this.sem.leftOpen;
      for (const s of this.match(e, ctx)) {
        has.fill(0);
        const t = s.t;
        let j = 0;
        let any = false;
        for (let k = 0; k < n; k++) {
          const ref = steps[k]! - off;
          while (j < t.length && t[j]! <= ref) j++;
          const i = j - 1;
          if (i < 0) continue;
          const floor = ref - lb;
          if (leftOpen ? t[i]! <= floor : t[i]! < floor) continue;
          v[k] = s.v[i]!;
          has[k] = 1;
          any = true;
        }
        if (any) cb(s.labels, v, has);
      }
      return true;
    }
    if (e.type !== 'call' || !RANGE_FUNCS.has(e.func)) return false;
    const m = e.args[0];
    if (!m || m.type !== 'matrix' || m.selector.atMs !== undefined || m.selector.atRef || e.args.length !== 1) return false;
    const fn = this.winFn(e.func, m)!;
    const off = m.selector.offsetMs ?? 0;
    const strict = this.sem.leftOpen;
    for (const s of this.match(m.selector, ctx)) {
      has.fill(0);
      const t = s.t;
      const len = t.length;
      let a = 0;
      let b = 0;
      let any = false;
      for (let k = 0; k < n; k++) {
        const hi = steps[k]! - off;
        const lo = hi - m.rangeMs;
        while (a < len && (strict ? t[a]! <= lo : t[a]! < lo)) a++;
        if (b < a) b = a;
        while (b < len && t[b]! <= hi) b++;
        if (b - 1 < a) continue;
        const r = fn(s, a, b - 1, lo, hi);
        if (r === undefined) continue;
        v[k] = r;
        has[k] = 1;
        any = true;
      }
      if (any) cb(dropName(s.labels), v, has);
    }
    return true;
  }

  private quantileColumns(e: Call, steps: number[], ctx: Ctx): Column[] | undefined {
    const n = steps.length;
    const qa = e.args[0];
    if (!qa || qa.type !== 'number' || !e.args[1]) return undefined;
    const inner = this.columns(e.args[1], steps, ctx);
    if (!inner) return undefined;
    const groups = new Map<string, { labels: Labels; cols: Array<{ ub: number; c: Column }> }>();
    for (const c of inner) {
      const info = bucketInfo(c.labels);
      if (!info) continue;
      let g = groups.get(info.key);
      if (!g) groups.set(info.key, (g = { labels: info.labels, cols: [] }));
      g.cols.push({ ub: info.ub, c });
    }
    const out: Column[] = [];
    for (const g of groups.values()) {
      const v = new Float64Array(n);
      const has = new Uint8Array(n);
      for (let k = 0; k < n; k++) {
        const buckets: Array<{ ub: number; count: number }> = [];
        for (const { ub, c } of g.cols) if (c.has[k]) buckets.push({ ub, count: c.v[k]! });
        if (!buckets.length) continue;
        v[k] = bucketQuantile(qa.value, buckets, this.sem.smallDeltaFix);
        has[k] = 1;
      }
      out.push({ labels: g.labels, v, has });
    }
    return out;
  }

  private columnsOther(e: Expr, steps: number[], ctx: Ctx): Column[] | undefined {
    const n = steps.length;
    switch (e.type) {
      case 'agg': {
        if (e.param || !['sum', 'avg', 'min', 'max', 'count', 'group'].includes(e.op)) return undefined;
        // Accumulate per group and step, adding series in series order: the same arithmetic, in the
        // same order, as the per-step path (so results are bit-identical).
        const groups = new Map<string, { labels: Labels; acc: Float64Array; comp: Float64Array; cnt: Float64Array }>();
        const op = e.op;
        const add = (labels: Labels, v: Float64Array, has: Uint8Array) => {
          const gi = groupOf(e, labels);
          let g = groups.get(gi.key);
          if (!g) groups.set(gi.key, (g = { labels: gi.labels, acc: new Float64Array(n), comp: new Float64Array(n), cnt: new Float64Array(n) }));
          const acc = g.acc;
          const comp = g.comp;
          const cnt = g.cnt;
          for (let k = 0; k < n; k++) {
            if (!has[k]) continue;
            const x = v[k]!;
            if (op === 'sum' || op === 'avg') {
              // Neumaier-compensated, as Prometheus sums (same arithmetic as the per-step path).
              const t = acc[k]! + x;
              if (!Number.isFinite(t)) comp[k] = 0;
              else if (Math.abs(acc[k]!) >= Math.abs(x)) comp[k] = comp[k]! + (acc[k]! - t + x);
              else comp[k] = comp[k]! + (x - t + acc[k]!);
              acc[k] = t;
            } else if (cnt[k] === 0) acc[k] = x;
            else if (op === 'max') {
              if (x > acc[k]! || Number.isNaN(acc[k]!)) acc[k] = x;
            } else if (op === 'min') {
              if (x < acc[k]! || Number.isNaN(acc[k]!)) acc[k] = x;
            }
            cnt[k]!++;
          }
        };
        if (!this.streamColumns(e.expr, steps, ctx, add)) {
          const inner = this.columns(e.expr, steps, ctx);
          if (!inner) return undefined;
          for (const c of inner) add(c.labels, c.v, c.has);
        }
        const out: Column[] = [];
        for (const g of groups.values()) {
          const has = new Uint8Array(n);
          const v = g.acc;
          for (let k = 0; k < n; k++) {
            const c = g.cnt[k]!;
            if (!c) continue;
            has[k] = 1;
            // sum + c, and sum/n + c/n for the mean: the per-step path's arithmetic (kahanMean).
            if (op === 'sum' && Number.isFinite(v[k]!)) v[k] = v[k]! + g.comp[k]!;
            else if (op === 'avg') v[k] = Number.isFinite(v[k]!) ? v[k]! / c + g.comp[k]! / c : v[k]! / c;
            else if (op === 'count') v[k] = c;
            else if (op === 'group') v[k] = 1;
          }
          out.push({ labels: g.labels, v, has });
        }
        return out;
      }
      case 'binary': {
        const lNum = e.lhs.type === 'number';
        const rNum = e.rhs.type === 'number';
        if (lNum === rNum || ['and', 'or', 'unless'].includes(e.op)) return undefined;
        const scalar = (lNum ? e.lhs : e.rhs) as NumberLit;
        const inner = this.columns(lNum ? e.rhs : e.lhs, steps, ctx);
        if (!inner) return undefined;
        const isCmp = COMPARE.has(e.op);
        return inner.map((c) => {
          const v = new Float64Array(n);
          const has = new Uint8Array(n);
          for (let k = 0; k < n; k++) {
            if (!c.has[k]) continue;
            const r = lNum ? applyOp(e.op, scalar.value, c.v[k]!, isCmp) : applyOp(e.op, c.v[k]!, scalar.value, isCmp);
            if (isCmp && !e.bool) {
              if (r !== 1) continue;
              v[k] = c.v[k]!;
            } else v[k] = r;
            has[k] = 1;
          }
          return { labels: isCmp && !e.bool ? c.labels : dropName(c.labels), v, has };
        });
      }
      default:
        return undefined;
    }
  }

  private newCtx(start: number, end: number): Ctx {
    return { matches: new Map(), cursors: new Map(), start, end };
  }

  private match(sel: VectorSelector, ctx: Ctx): StoredSeries[] {
    let m = ctx.matches.get(sel);
    if (m) return m;
    const preds = sel.matchers.map((x) => ({ label: x.label, test: compileMatcher(x) }));
    let candidates: StoredSeries[];
    if (sel.name !== undefined) candidates = this.store.byName.get(sel.name) ?? [];
    else candidates = this.store.series;
    m = candidates.filter((s) => preds.every((p) => p.test(s.labels[p.label] ?? '')));
    ctx.matches.set(sel, m);
    return m;
  }

  private cursor(node: object, n: number, ctx: Ctx): Int32Array {
    let c = ctx.cursors.get(node);
    if (!c || c.length !== n) ctx.cursors.set(node, (c = new Int32Array(n)));
    return c;
  }

  private eval(e: Expr, t: number, ctx: Ctx): Value {
    switch (e.type) {
      case 'number':
        return { kind: 'scalar', value: e.value };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr, t, ctx);
      case 'selector':
        return { kind: 'vector', samples: this.selectInstant(e, t, ctx) };
      case 'matrix':
        throw new EvalError(`a range vector (${e.selector.name ?? 'selector'}[…]) cannot be the result of a query here; wrap it in a function such as rate() or avg_over_time()`);
      case 'subquery':
        throw new EvalError('a subquery (expr[range:step]) is a range vector: it cannot be the result of a query here; wrap it in a function such as max_over_time()');
      case 'unary': {
        const v = this.eval(e.expr, t, ctx);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', value: -v.value };
        if (v.kind === 'vector') return { kind: 'vector', samples: v.samples.map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
        throw new EvalError('unary minus on a string');
      }
      case 'call':
        return this.call(e, t, ctx);
      case 'agg':
        return this.aggregate(e, t, ctx);
      case 'binary':
        return this.binary(e, t, ctx);
    }
  }

  private selectInstant(sel: VectorSelector, t: number, ctx: Ctx, stamps?: number[]): Sample[] {
    t = pinned(sel, t, ctx);
    const ref = t - (sel.offsetMs ?? 0);
    const series = this.match(sel, ctx);
    const cur = this.cursor(sel, series.length, ctx);
    const out: Sample[] = [];
    const floor = ref - this.sem.lookbackMs;
    for (let i = 0; i < series.length; i++) {
      const s = series[i]!;
      const j = seek(s.t, ref, true, cur[i]!) - 1; // last sample with t ≤ ref
      cur[i] = j + 1;
      if (j < 0) continue;
      const ts = s.t[j]!;
      if (this.sem.leftOpen ? ts <= floor : ts < floor) continue;
      out.push({ labels: s.labels, value: s.v[j]! });
      stamps?.push(ts);
    }
    return out;
  }

  /** Calls fn(series, firstIndex, lastIndex) for every matching series with samples in the window. */
  private windows(m: MatrixSelector | Subquery, t: number, ctx: Ctx, fn: WinFn): Sample[] {
    if (m.type === 'subquery') {
      const at = pinned(m, t, ctx) - (m.offsetMs ?? 0);
      return this.windowsOver(this.subquerySeries(m, at, ctx), at - m.rangeMs, at, new Int32Array(0), fn);
    }
    const sel = m.selector;
    const hi = pinned(sel, t, ctx) - (sel.offsetMs ?? 0);
    return this.windowsOver(this.match(sel, ctx), hi - m.rangeMs, hi, this.cursor(m, this.match(sel, ctx).length, ctx), fn);
  }

  private windowsOver(series: StoredSeries[], lo: number, hi: number, cur: Int32Array, fn: WinFn): Sample[] {
    const out: Sample[] = [];
    const strictLo = this.sem.leftOpen;
    for (let i = 0; i < series.length; i++) {
      const s = series[i]!;
      const a = seek(s.t, lo, strictLo, cur[i] ?? 0);
      if (i < cur.length) cur[i] = a;
      const b = seek(s.t, hi, true, a) - 1;
      if (b < a) continue;
      const v = fn(s, a, b, lo, hi);
      if (v !== undefined) out.push({ labels: dropName(s.labels), value: v });
    }
    return out;
  }

  private extrapolatedRate(m: { rangeMs: number }, isCounter: boolean, isRate: boolean): WinFn {
    const sem = this.sem;
    const rangeSec = m.rangeMs / 1000;
    return (s, a, b, rangeStart, rangeEnd) => {
      if (b - a < 1) return undefined;
      const v = s.v;
      const firstT = s.t[a]!;
      const lastT = s.t[b]!;
      let result = v[b]! - v[a]!;
      if (isCounter) {
        // Counter resets: add back the value before each drop, in order (as Prometheus does).
        const r = s.resets;
        let k = seekInt(r, a + 1);
        for (; k < r.length && r[k]! <= b; k++) result += v[r[k]! - 1]!;
      }
      const numMinusOne = b - a;
      let durationToStart = (firstT - rangeStart) / 1000;
      let durationToEnd = (rangeEnd - lastT) / 1000;
      const sampledInterval = (lastT - firstT) / 1000;
      const avgBetween = sampledInterval / numMinusOne;
      const threshold = avgBetween * 1.1;
      let extrapolateTo = sampledInterval;
      if (sem.legacyExtrapolation) {
        if (isCounter && result > 0 && v[a]! >= 0) {
          const durationToZero = sampledInterval * (v[a]! / result);
          if (durationToZero < durationToStart) durationToStart = durationToZero;
        }
        extrapolateTo += durationToStart < threshold ? durationToStart : avgBetween / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
        result = result * (extrapolateTo / sampledInterval);
        if (isRate) result = result / rangeSec;
        return result;
      }
      if (durationToStart >= threshold) durationToStart = avgBetween / 2;
      if (isCounter && result > 0 && v[a]! >= 0) {
        const durationToZero = sampledInterval * (v[a]! / result);
        if (durationToZero < durationToStart) durationToStart = durationToZero;
      }
      extrapolateTo += durationToStart;
      if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
      extrapolateTo += durationToEnd;
      let factor = extrapolateTo / sampledInterval;
      if (isRate) factor /= rangeSec;
      return result * factor;
    };
  }

  private instantValue(isRate: boolean): WinFn {
    return (s, a, b) => {
      if (b - a < 1) return undefined;
      const last = s.v[b]!;
      const prev = s.v[b - 1]!;
      let r = isRate && last < prev ? last : last - prev;
      const dt = s.t[b]! - s.t[b - 1]!;
      if (dt === 0) return undefined;
      if (isRate) r /= dt / 1000;
      return r;
    };
  }

  private overTime(fn: string): WinFn {
    return (s, a, b) => {
      const v = s.v;
      switch (fn) {
        case 'avg_over_time':
          return kahanMean(v, a, b);
        case 'sum_over_time':
          return kahanSum(v, a, b);
        case 'changes': {
          let n = 0;
          for (let i = a + 1; i <= b; i++) if (v[i] !== v[i - 1] && !(Number.isNaN(v[i]!) && Number.isNaN(v[i - 1]!))) n++;
          return n;
        }
        case 'resets': {
          let n = 0;
          for (let i = a + 1; i <= b; i++) if (v[i]! < v[i - 1]!) n++;
          return n;
        }
        case 'deriv':
          return b > a ? linearRegression(s.t, v, a, b, s.t[a]!)[0] : undefined;
        case 'mad_over_time':
          return madOverTime(v, a, b);
        case 'max_over_time': {
          let mx = v[a]!;
          for (let i = a; i <= b; i++) if (v[i]! > mx || Number.isNaN(mx)) mx = v[i]!;
          return mx;
        }
        case 'min_over_time': {
          let mn = v[a]!;
          for (let i = a; i <= b; i++) if (v[i]! < mn || Number.isNaN(mn)) mn = v[i]!;
          return mn;
        }
        case 'count_over_time':
          return b - a + 1;
        case 'last_over_time':
          return v[b]!;
        case 'present_over_time':
          return 1;
        case 'stddev_over_time':
        case 'stdvar_over_time': {
          let mean = 0;
          let m2 = 0;
          let n = 0;
          for (let i = a; i <= b; i++) {
            n++;
            const d = v[i]! - mean;
            mean += d / n;
            m2 += d * (v[i]! - mean);
          }
          const variance = m2 / n;
          return fn === 'stdvar_over_time' ? variance : Math.sqrt(variance);
        }
      }
      return undefined;
    };
  }

  /** The per-window function of a range-vector function, or undefined when `f` is not one. */
  private winFn(f: string, m: { rangeMs: number }): WinFn | undefined {
    switch (f) {
      case 'rate':
        return this.extrapolatedRate(m, true, true);
      case 'increase':
        return this.extrapolatedRate(m, true, false);
      case 'delta':
        return this.extrapolatedRate(m, false, false);
      case 'irate':
        return this.instantValue(true);
      case 'idelta':
        return this.instantValue(false);
      case 'avg_over_time':
      case 'sum_over_time':
      case 'max_over_time':
      case 'min_over_time':
      case 'count_over_time':
      case 'last_over_time':
      case 'present_over_time':
      case 'stddev_over_time':
      case 'stdvar_over_time':
      case 'changes':
      case 'resets':
      case 'deriv':
      case 'mad_over_time':
        return this.overTime(f);
    }
    return undefined;
  }

  /** A subquery's inner expression evaluated at its own steps, as series (for the range functions). */
  private subquerySeries(sq: Subquery, end: number, ctx: Ctx): StoredSeries[] {
    const step = sq.stepMs ?? DEFAULT_SUBQUERY_STEP_MS;
    const start = end - sq.rangeMs;
    // Steps are aligned to multiples of the step (absolute time), as Prometheus aligns them.
    let first = Math.floor(start / step) * step;
    while (this.sem.leftOpen ? first <= start : first < start) first += step;
    const acc = new Map<string, { labels: Labels; t: number[]; v: number[] }>();
    for (let ts = first; ts <= end; ts += step) {
      const v = this.eval(sq.expr, ts, ctx);
      const samples = v.kind === 'scalar' ? [{ labels: {}, value: v.value }] : v.kind === 'vector' ? v.samples : [];
      if (v.kind === 'string') throw new EvalError('a subquery needs a number or an instant vector inside, not a string');
      for (const smp of samples) {
        const k = labelsKey(smp.labels);
        let a = acc.get(k);
        if (!a) acc.set(k, (a = { labels: smp.labels, t: [], v: [] }));
        a.t.push(ts);
        a.v.push(smp.value);
      }
    }
    return [...acc.values()].map(({ labels, t, v }) => {
      const resets: number[] = [];
      for (let i = 1; i < v.length; i++) if (v[i]! < v[i - 1]!) resets.push(i);
      return { key: labelsKey(labels), name: labels.__name__ ?? '', labels, t: Float64Array.from(t), v: Float64Array.from(v), resets: Int32Array.from(resets) };
    });
  }

  private call(e: Call, t: number, ctx: Ctx): Value {
    const f = e.func;
    const rangeArg = (i = 0): MatrixSelector | Subquery => {
      const a = e.args[i] && unparen(e.args[i]!);
      if (!a || (a.type !== 'matrix' && a.type !== 'subquery')) throw new EvalError(`${f}() expects a range vector such as ${f}(metric[5m]) or a subquery such as ${f}(rate(metric[5m])[30m:1m])`);
      return a;
    };
    const vec = (samples: Sample[]): Value => ({ kind: 'vector', samples });
    const each = (fn: (x: number) => number, i = 0): Value => vec(assertUniqueLabels(this.vectorArg(e, i, t, ctx).map((s) => ({ labels: dropName(s.labels), value: fn(s.value) }))));
    if (RANGE_FUNCS.has(f)) {
      const m = rangeArg();
      return vec(assertUniqueLabels(this.windows(m, t, ctx, this.winFn(f, m)!)));
    }
    const pr = PARAM_RANGE_FUNCS[f];
    if (pr) {
      const m = rangeArg(pr.range);
      const p = this.scalarArg(e, pr.param, t, ctx);
      const fn: WinFn =
        f === 'quantile_over_time'
          ? (s, a, b) => quantile(p, Array.from(s.v.subarray(a, b + 1)))
          : (s, a, b) => {
              if (b <= a) return undefined;
              const [slope, intercept] = linearRegression(s.t, s.v, a, b, t);
              return slope * p + intercept;
            };
      return vec(assertUniqueLabels(this.windows(m, t, ctx, fn)));
    }
    if (f in MATH_FUNCS) return each(MATH_FUNCS[f]!);
    if (f in DATE_FUNCS) {
      if (!e.args.length) return vec([{ labels: {}, value: datePart(f, t / 1000) }]);
      return each((x) => datePart(f, x));
    }
    switch (f) {
      case 'histogram_quantile': {
        const q = this.scalarArg(e, 0, t, ctx);
        const v = this.vectorArg(e, 1, t, ctx);
        return vec(histogramQuantile(q, v, this.sem.smallDeltaFix));
      }
      case 'histogram_fraction': {
        const lower = this.scalarArg(e, 0, t, ctx);
        const upper = this.scalarArg(e, 1, t, ctx);
        const groups = new Map<string, { labels: Labels; buckets: Array<{ ub: number; count: number }> }>();
        for (const s of this.vectorArg(e, 2, t, ctx)) {
          const info = bucketInfo(s.labels);
          if (!info) continue;
          let g = groups.get(info.key);
          if (!g) groups.set(info.key, (g = { labels: info.labels, buckets: [] }));
          g.buckets.push({ ub: info.ub, count: s.value });
        }
        return vec([...groups.values()].map((g) => ({ labels: g.labels, value: bucketFraction(lower, upper, g.buckets) })));
      }
      case 'time':
        return { kind: 'scalar', value: t / 1000 };
      case 'pi':
        return { kind: 'scalar', value: Math.PI };
      case 'vector':
        return vec([{ labels: {}, value: this.scalarArg(e, 0, t, ctx) }]);
      case 'scalar': {
        const v = this.vectorArg(e, 0, t, ctx);
        return { kind: 'scalar', value: v.length === 1 ? v[0]!.value : NaN };
      }
      case 'round': {
        const to = e.args.length > 1 ? this.scalarArg(e, 1, t, ctx) : 1;
        return each((x) => roundTo(x, to));
      }
      case 'clamp': {
        const lo = this.scalarArg(e, 1, t, ctx);
        const hi = this.scalarArg(e, 2, t, ctx);
        // An empty range (max < min) gives an empty vector, as in Prometheus.
        if (hi < lo) return vec([]);
        return each((x) => Math.max(lo, Math.min(hi, x)));
      }
      case 'clamp_min':
      case 'clamp_max': {
        const lim = this.scalarArg(e, 1, t, ctx);
        return each(f === 'clamp_min' ? (x: number) => Math.max(x, lim) : (x: number) => Math.min(x, lim));
      }
      case 'timestamp': {
        const a = e.args[0] && unparen(e.args[0]);
        if (a?.type === 'selector') {
          // A selector's samples keep their own timestamps (not the evaluation time).
          const stamps: number[] = [];
          const xs = this.selectInstant(a, t, ctx, stamps);
          return vec(assertUniqueLabels(xs.map((s, i) => ({ labels: dropName(s.labels), value: stamps[i]! / 1000 }))));
        }
        return each(() => t / 1000);
      }
      case 'absent': {
        if (this.vectorArg(e, 0, t, ctx).length) return vec([]);
        return vec([{ labels: absentLabels(e.args[0]!), value: 1 }]);
      }
      case 'absent_over_time': {
        const m = rangeArg();
        if (this.windows(m, t, ctx, () => 1).length) return vec([]);
        return vec([{ labels: absentLabels(m), value: 1 }]);
      }
      case 'sort':
      case 'sort_desc': {
        // NaN last in both orders (Prometheus' vectorByValueHeap / vectorByReverseValueHeap).
        const dir = f === 'sort' ? 1 : -1;
        const xs = [...this.vectorArg(e, 0, t, ctx)].sort((a, b) => (Number.isNaN(a.value) ? (Number.isNaN(b.value) ? 0 : 1) : Number.isNaN(b.value) ? -1 : dir * (a.value - b.value)));
        return vec(xs);
      }
      case 'label_replace':
      case 'label_join': {
        const strs = e.args.slice(1).map((a, i) => {
          const v = this.eval(a, t, ctx);
          if (v.kind !== 'string') throw new EvalError(`${f}() expects a string as argument ${i + 2}`);
          return v.value;
        });
        let fn: (l: Labels) => Labels;
        try {
          if (f === 'label_replace') {
            if (strs.length !== 4) throw new EvalError('label_replace(v, dst, replacement, src, regex) takes 5 arguments');
            fn = labelReplacer(strs[0]!, strs[1]!, strs[2]!, strs[3]!);
          } else {
            if (strs.length < 2) throw new EvalError('label_join(v, dst, separator, src…) takes at least 3 arguments');
            fn = labelJoiner(strs[0]!, strs[1]!, strs.slice(2));
          }
        } catch (err) {
          if (err instanceof LabelFunctionError) throw new EvalError(err.message);
          throw err;
        }
        return vec(assertUniqueLabels(this.vectorArg(e, 0, t, ctx).map((s) => ({ labels: fn(s.labels), value: s.value }))));
      }
      default:
        throw new EvalError(
          `function ${f}() is not supported on bundles (supported: rate, increase, irate, delta, idelta, *_over_time, quantile_over_time, changes, resets, deriv, predict_linear, histogram_quantile, histogram_fraction, label_replace, label_join, absent, absent_over_time, timestamp, sort, sort_desc, date and math functions, clamp, round, time, vector, scalar); native histograms are not supported; run it against a live Prometheus`,
        );
    }
  }

  private scalarArg(e: Call, i: number, t: number, ctx: Ctx): number {
    const a = e.args[i];
    if (!a) throw new EvalError(`${e.func}() is missing argument ${i + 1}`);
    const v = this.eval(a, t, ctx);
    if (v.kind !== 'scalar') throw new EvalError(`${e.func}() expects a number as argument ${i + 1}`);
    return v.value;
  }

  private vectorArg(e: Call, i: number, t: number, ctx: Ctx): Sample[] {
    const a = e.args[i];
    if (!a) throw new EvalError(`${e.func}() is missing argument ${i + 1}`);
    const v = this.eval(a, t, ctx);
    if (v.kind !== 'vector') throw new EvalError(`${e.func}() expects an instant vector as argument ${i + 1}`);
    return v.samples;
  }

  private aggregate(e: Aggregation, t: number, ctx: Ctx): Value {
    const v = this.eval(e.expr, t, ctx);
    if (v.kind !== 'vector') throw new EvalError(`${e.op}() expects an instant vector`);
    let param: number | undefined;
    let countValuesLabel: string | undefined;
    if (e.param) {
      const p = this.eval(e.param, t, ctx);
      if (e.op === 'count_values') {
        if (p.kind !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(p.value)) throw new EvalError('count_values() expects a label name as a string, e.g. count_values("version", build_info)');
        countValuesLabel = p.value;
      } else if (p.kind !== 'scalar') throw new EvalError(`${e.op}() expects a number as its first argument`);
      else param = p.value;
    }
    if (e.op === 'count_values') return { kind: 'vector', samples: countValues(e, v.samples, countValuesLabel!) };
    const groups = new Map<string, { labels: Labels; samples: Sample[] }>();
    for (const s of v.samples) {
      // Input label objects are stable across steps, so each one's group is computed once (memoised).
      const { key, labels } = groupOf(e, s.labels);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { labels, samples: [] }));
      g.samples.push(s);
    }
    const out: Sample[] = [];
    for (const g of groups.values()) {
      const xs = g.samples;
      switch (e.op) {
        case 'sum': {
          let sum = 0;
          let c = 0;
          for (const s of xs) [sum, c] = kahanInc(s.value, sum, c);
          out.push({ labels: g.labels, value: Number.isFinite(sum) ? sum + c : sum });
          break;
        }
        case 'avg':
          out.push({ labels: g.labels, value: kahanMean(xs.map((s) => s.value)) });
          break;
        case 'min':
        case 'max': {
          let m = xs[0]!.value;
          for (const s of xs) if ((e.op === 'max' ? s.value > m : s.value < m) || Number.isNaN(m)) m = s.value;
          out.push({ labels: g.labels, value: m });
          break;
        }
        case 'count':
          out.push({ labels: g.labels, value: xs.length });
          break;
        case 'group':
          out.push({ labels: g.labels, value: 1 });
          break;
        case 'stddev':
        case 'stdvar': {
          let mean = 0;
          let m2 = 0;
          let n = 0;
          for (const s of xs) {
            n++;
            const d = s.value - mean;
            mean += d / n;
            m2 += d * (s.value - mean);
          }
          out.push({ labels: g.labels, value: e.op === 'stdvar' ? m2 / n : Math.sqrt(m2 / n) });
          break;
        }
        case 'quantile':
          out.push({ labels: g.labels, value: quantile(param ?? NaN, xs.map((s) => s.value)) });
          break;
        case 'topk':
        case 'bottomk': {
          const k = Math.floor(param ?? 0);
          if (k < 1) break;
          // NaN ranks last in both directions, as in Prometheus.
          const sorted = [...xs].sort((a, b) => {
            if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
            if (Number.isNaN(b.value)) return -1;
            return e.op === 'topk' ? b.value - a.value : a.value - b.value;
          });
          pushAll(out, sorted.slice(0, k));
          break;
        }
        default:
          throw new EvalError(`aggregation ${e.op} is not supported on bundles`);
      }
    }
    return { kind: 'vector', samples: out };
  }

  private binary(e: Binary, t: number, ctx: Ctx): Value {
    const l = this.eval(e.lhs, t, ctx);
    const r = this.eval(e.rhs, t, ctx);
    const op = e.op;
    if (l.kind === 'string' || r.kind === 'string') throw new EvalError(`operator ${op} is not defined on strings`);
    const isCmp = COMPARE.has(op);
    if (l.kind === 'scalar' && r.kind === 'scalar') {
      if (isCmp && !e.bool) throw new EvalError('comparisons between scalars must use the bool modifier');
      return { kind: 'scalar', value: applyOp(op, l.value, r.value, isCmp) };
    }
    if (op === 'and' || op === 'or' || op === 'unless') {
      if (l.kind !== 'vector' || r.kind !== 'vector') throw new EvalError(`set operator ${op} needs instant vectors on both sides`);
      return { kind: 'vector', samples: setOp(op, l.samples, r.samples, e) };
    }
    if (l.kind === 'vector' && r.kind === 'scalar') return { kind: 'vector', samples: vectorScalar(op, l.samples, r.value, false, !!e.bool) };
    if (l.kind === 'scalar' && r.kind === 'vector') return { kind: 'vector', samples: vectorScalar(op, r.samples, l.value, true, !!e.bool) };
    if (l.kind === 'vector' && r.kind === 'vector') return { kind: 'vector', samples: vectorVector(op, l.samples, r.samples, e) };
    throw new EvalError(`unsupported operands for ${op}`);
  }
}

function seekInt(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function applyOp(op: string, a: number, b: number, isCmp: boolean): number {
  void isCmp;
  return arithmetic(op, a, b);
}

function vectorScalar(op: string, xs: Sample[], s: number, scalarLeft: boolean, bool: boolean): Sample[] {
  const out: Sample[] = [];
  const isCmp = COMPARE.has(op);
  for (const x of xs) {
    const [a, b] = scalarLeft ? [s, x.value] : [x.value, s];
    const v = applyOp(op, a, b, isCmp);
    if (isCmp) {
      if (bool) out.push({ labels: dropName(x.labels), value: v });
      else if (v === 1) out.push({ labels: x.labels, value: x.value });
    } else out.push({ labels: dropName(x.labels), value: v });
  }
  return out;
}

function signature(l: Labels, e: Binary): string {
  const m = e.matching;
  let k = '';
  if (m?.on) {
    for (const n of [...m.labels].sort()) k += `${n}\xff${l[n] ?? ''}\xfe`;
    return k;
  }
  const ignore = new Set(['__name__', ...(m?.labels ?? [])]);
  for (const n of Object.keys(l).sort()) if (!ignore.has(n)) k += `${n}\xff${l[n]}\xfe`;
  return k;
}

function vectorVector(op: string, ls: Sample[], rs: Sample[], e: Binary): Sample[] {
  const card = e.matching?.card;
  const isCmp = COMPARE.has(op);
  // With group_right the right side is the "many" side: swap roles and remember it.
  const many = card === 'group_right' ? rs : ls;
  const one = card === 'group_right' ? ls : rs;
  const oneBySig = new Map<string, Sample>();
  for (const s of one) {
    const k = signature(s.labels, e);
    if (oneBySig.has(k)) throw new EvalError(`found duplicate series for the match group on the ${card === 'group_right' ? 'left' : 'right'} side of ${op}; use on()/ignoring() or aggregate first`);
    oneBySig.set(k, s);
  }
  const seen = new Set<string>();
  const out: Sample[] = [];
  for (const s of many) {
    const k = signature(s.labels, e);
    const o = oneBySig.get(k);
    if (!o) continue;
    if (!card) {
      if (seen.has(k)) throw new EvalError(`multiple matches for labels on the left side of ${op}: many-to-one matching must be explicit (group_left/group_right)`);
      seen.add(k);
    }
    const [a, b] = card === 'group_right' ? [o.value, s.value] : [s.value, o.value];
    const v = applyOp(op, a, b, isCmp);
    if (isCmp && !e.bool && v !== 1) continue;
    let labels: Labels = { ...s.labels };
    if (ARITH.has(op) || e.bool) delete labels.__name__;
    if (!card) {
      if (e.matching?.on) {
        const keep: Labels = {};
        for (const n of e.matching.labels) if (labels[n] !== undefined) keep[n] = labels[n]!;
        labels = keep;
      } else for (const n of e.matching?.labels ?? []) delete labels[n];
    } else for (const n of e.matching?.include ?? []) {
      const val = o.labels[n];
      if (val !== undefined && val !== '') labels[n] = val;
      else delete labels[n];
    }
    out.push({ labels, value: isCmp && !e.bool ? (card === 'group_right' ? o.value : s.value) : v });
  }
  return out;
}

function setOp(op: 'and' | 'or' | 'unless', ls: Sample[], rs: Sample[], e: Binary): Sample[] {
  const rsigs = new Set(rs.map((s) => signature(s.labels, e)));
  if (op === 'and') return ls.filter((s) => rsigs.has(signature(s.labels, e)));
  if (op === 'unless') return ls.filter((s) => !rsigs.has(signature(s.labels, e)));
  const lsigs = new Set(ls.map((s) => signature(s.labels, e)));
  return [...ls, ...rs.filter((s) => !lsigs.has(signature(s.labels, e)))];
}

/**
 * count_values: the value becomes a label of each series first, then the series are grouped (so the
 * value label may replace a grouping label, and the counts merge, as in Prometheus).
 */
function countValues(e: Aggregation, xs: Sample[], label: string): Sample[] {
  const counts = new Map<string, { labels: Labels; n: number }>();
  for (const s of xs) {
    const withValue = { ...s.labels, [label]: fmtGoFloat(s.value) };
    let labels: Labels;
    if (e.by) labels = Object.fromEntries([...e.by, label].filter((n) => withValue[n] !== undefined && withValue[n] !== '').map((n) => [n, withValue[n]!]));
    else {
      labels = { ...withValue };
      for (const n of [...(e.without ?? []), '__name__']) if (n !== label) delete labels[n];
      if (!e.without) labels = { [label]: withValue[label]! };
    }
    const k = labelsKey(labels);
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { labels, n: 1 });
  }
  return [...counts.values()].map((c) => ({ labels: c.labels, value: c.n }));
}

/** A float as Go's strconv.FormatFloat(f, 'f', -1, 64) writes it (count_values label values). */
function fmtGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Math.abs(v) >= 1e21 || (v !== 0 && Math.abs(v) < 1e-6) ? v.toFixed(20).replace(/\.?0+$/, '') : String(v);
}

/** Labels absent() gives its answer: the selector's equality matchers. */
function absentLabels(arg: Expr): Labels {
  const a = unparen(arg);
  const sel = a.type === 'selector' ? a : a.type === 'matrix' ? a.selector : undefined;
  const out: Labels = {};
  if (!sel) return out;
  const seen = new Set<string>();
  for (const m of sel.matchers) {
    if (m.label === '__name__') continue;
    // A label with more than one matcher (of any kind) is left out, however many there are.
    if (seen.has(m.label)) delete out[m.label];
    else if (m.op === '=') out[m.label] = m.value;
    seen.add(m.label);
  }
  return out;
}

/** histogram_quantile over classic buckets (series carrying `le`), grouped by the other labels. */
export function histogramQuantile(q: number, samples: Sample[], smallDeltaFix: boolean): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: Array<{ ub: number; count: number }> }>();
  for (const s of samples) {
    const info = bucketInfo(s.labels);
    if (!info) continue;
    const { ub, labels, key } = info;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, buckets: [] }));
    g.buckets.push({ ub, count: s.value });
  }
  const out: Sample[] = [];
  for (const g of groups.values()) out.push({ labels: g.labels, value: bucketQuantile(q, g.buckets, smallDeltaFix) });
  return out;
}

// Per label-set cache of (upper bound, labels without le, group key): range queries reuse label objects.
const bucketCache = new WeakMap<Labels, { ub: number; labels: Labels; key: string } | null>();
function bucketInfo(l: Labels): { ub: number; labels: Labels; key: string } | undefined {
  let c = bucketCache.get(l);
  if (c === undefined) {
    const ub = l.le === undefined ? undefined : parseLe(l.le);
    if (ub === undefined) c = null;
    else {
      const labels: Labels = {};
      for (const [k, v] of Object.entries(l)) if (k !== 'le' && k !== '__name__') labels[k] = v;
      c = { ub, labels, key: labelsKey(labels) };
    }
    bucketCache.set(l, c);
  }
  return c ?? undefined;
}

function parseLe(le: string): number | undefined {
  const t = le.trim();
  if (t === '+Inf' || t === 'Inf' || t === '+inf' || t === 'inf') return Infinity;
  if (t === '-Inf' || t === '-inf') return -Infinity;
  if (t === 'NaN') return NaN;
  const v = Number(t);
  return t === '' || Number.isNaN(v) ? undefined : v;
}

/** Prometheus' bucketQuantile (promql/quantile.go), including coalescing and the monotonicity fix. */
export function bucketQuantile(q: number, input: Array<{ ub: number; count: number }>, smallDeltaFix = true): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.ub - b.ub);
  if (sorted.length === 0 || sorted[sorted.length - 1]!.ub !== Infinity) return NaN;
  // Coalesce buckets with the same upper bound.
  const buckets: Array<{ ub: number; count: number }> = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.ub === b.ub) last.count += b.count;
    else buckets.push({ ub: b.ub, count: b.count });
  }
  // Ensure monotonic cumulative counts (rate() of buckets scraped at slightly different times can dip).
  let prev = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const curr = buckets[i]!.count;
    if (curr === prev) continue;
    if (smallDeltaFix && almostEqual(prev, curr, 1e-12)) {
      buckets[i]!.count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i]!.count = prev;
      continue;
    }
    prev = curr;
  }
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // sort.Search over all but the +Inf bucket.
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets[mid]!.count >= rank) hi = mid;
    else lo = mid + 1;
  }
  const b = lo;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.ub;
  if (b === 0 && buckets[0]!.ub <= 0) return buckets[0]!.ub;
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.ub;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.ub;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

const MIN_NORMAL = 2.2250738585072014e-308;
function almostEqual(a: number, b: number, eps: number): boolean {
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < eps * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < eps;
}

/** Instant result as SeriesPoints (one point per series; scalars as one unlabeled series). */
export function valueToSeries(v: Value, t: number): SeriesPoints[] {
  if (v.kind === 'scalar') return [{ labels: {}, points: [[t, v.value]] }];
  if (v.kind === 'string') throw new EvalError('string results are not supported');
  return v.samples.map((s) => ({ labels: s.labels, points: [[t, s.value]] }));
}
