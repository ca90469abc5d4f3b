// PromQL functions as pure arithmetic, written from Prometheus' documented semantics (promql/functions.go,
// promql/quantile.go): compensated sums, linear regression, quantiles, date parts, label rewriting. The
// evaluator (analysis/metrics/eval.ts) decides which samples reach them.
import type { RE2JS } from 're2js';
import { lazyRequire } from '../../util/lazy.js';
import { MAX_PATTERN_CHARS } from '../../util/regex.js';

const re2 = lazyRequire<typeof import('re2js')>('re2js');

/** One step of Neumaier's compensated sum (Prometheus' kahanSumInc); the total is sum + c. */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t)) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** Compensated sum of v[a..b]. */
export function kahanSum(v: ArrayLike<number>, a = 0, b = v.length - 1): number {
  let sum = 0;
  let c = 0;
  for (let i = a; i <= b; i++) [sum, c] = kahanInc(v[i]!, sum, c);
  return Number.isFinite(sum) ? sum + c : sum;
}

/**
 * Mean of v[a..b] as Prometheus computes it: a compensated sum divided once, switching to a compensated
 * incremental mean when the sum would overflow (two values near the float maximum still average).
 */
export function kahanMean(v: ArrayLike<number>, a = 0, b = v.length - 1): number {
  let sum = 0;
  let c = 0;
  let mean = 0;
  let count = 0;
  let incremental = false;
  for (let i = a; i <= b; i++) {
    const x = v[i]!;
    count++;
    if (!incremental) {
      const [ns, nc] = kahanInc(x, sum, c);
      if (count === 1 || Number.isFinite(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanInc(x / count, q * mean, q * c);
  }
  if (incremental) return mean + c;
  return Number.isFinite(sum) ? sum / count + c / count : sum / count;
}

/** Least-squares slope and intercept of (t, v) with x in seconds relative to `interceptMs`. */
export function linearRegression(t: ArrayLike<number>, v: ArrayLike<number>, a: number, b: number, interceptMs: number): [number, number] {
  let n = 0;
  let sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
  const initY = v[a]!;
  let constY = true;
  for (let i = a; i <= b; i++) {
    const y = v[i]!;
    if (constY && i > a && y !== initY) constY = false;
    n++;
    const x = (t[i]! - interceptMs) / 1000;
    [sx, cx] = kahanInc(x, sx, cx);
    [sy, cy] = kahanInc(y, sy, cy);
    [sxy, cxy] = kahanInc(x * y, sxy, cxy);
    [sx2, cx2] = kahanInc(x * x, sx2, cx2);
  }
  // A constant series has slope 0 exactly (the sums would leave float noise).
  if (constY) return Number.isFinite(initY) ? [0, initY] : [NaN, NaN];
  sx += cx;
  sy += cy;
  sxy += cxy;
  sx2 += cx2;
  const cov = sxy - (sx * sy) / n;
  const varX = sx2 - (sx * sx) / n;
  const slope = cov / varX;
  return [slope, sy / n - (slope * sx) / n];
}

/** Go's sort order for floats: NaN first, then ascending. */
export function byValueNaNFirst(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

/** Prometheus' quantile (φ-quantile with linear interpolation between closest ranks; NaN sorts first). */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const s = [...values].sort(byValueNaNFirst);
  const n = s.length;
  const rank = q * (n - 1);
  const lo = Math.max(0, Math.floor(rank));
  const hi = Math.min(n - 1, lo + 1);
  const w = rank - Math.floor(rank);
  return s[lo]! * (1 - w) + s[hi]! * w;
}

/** Median absolute deviation of v[a..b]. */
export function madOverTime(v: ArrayLike<number>, a: number, b: number): number {
  const xs = Array.from({ length: b - a + 1 }, (_, i) => v[a + i]!);
  const med = quantile(0.5, xs);
  return quantile(0.5, xs.map((x) => Math.abs(x - med)));
}

/** Fraction of observations between lower and upper in classic buckets (cumulative counts by upper bound). */
export function bucketFraction(lower: number, upper: number, input: Array<{ ub: number; count: number }>): number {
  const sorted = [...input].sort((a, b) => a.ub - b.ub);
  if (!sorted.length || sorted[sorted.length - 1]!.ub !== Infinity) return NaN;
  const buckets: Array<{ ub: number; count: number }> = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.ub === b.ub) last.count += b.count;
    else buckets.push({ ...b });
  }
  const count = buckets[buckets.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    // The first bucket starts at 0 when its bound is positive, as histogram_quantile assumes.
    const lowerBound = i > 0 ? buckets[i - 1]!.ub : b.ub > 0 ? 0 : -Infinity;
    const upperBound = b.ub;
    const interpolate = (x: number) => (lowerBound === -Infinity || upperBound === Infinity ? rank : rank + ((b.count - rank) * (x - lowerBound)) / (upperBound - lowerBound));
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

/** Date parts of a Unix time in seconds, in UTC (Prometheus' day_of_week, hour, …). */
export const DATE_FUNCS: Record<string, (d: Date) => number> = {
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: (d) => Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

export function datePart(fn: string, seconds: number): number {
  if (!Number.isFinite(seconds)) return NaN;
  return DATE_FUNCS[fn]!(new Date(Math.trunc(seconds) * 1000));
}

/** Element-wise math functions of one float. */
export const MATH_FUNCS: Record<string, (x: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sqrt: Math.sqrt,
  sgn: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (x) => (x * 180) / Math.PI,
  rad: (x) => (x * Math.PI) / 180,
};

/** round(x, to_nearest) as Prometheus computes it (ties round up). */
export function roundTo(x: number, toNearest = 1): number {
  const inv = 1 / toNearest;
  return Math.floor(x * inv + 0.5) / inv;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export class LabelFunctionError extends Error {}

/** A compiled label_replace: returns the new labels, or the same object when the source does not match. */
export function labelReplacer(dst: string, replacement: string, src: string, regex: string): (l: Record<string, string>) => Record<string, string> {
  if (!LABEL_NAME.test(dst)) throw new LabelFunctionError(`invalid destination label name in label_replace(): ${JSON.stringify(dst)}`);
  if (regex.length > MAX_PATTERN_CHARS) throw new LabelFunctionError(`label_replace() regex too long (${regex.length} characters)`);
  let re: RE2JS;
  try {
    // Anchored, `.` matching newlines: Prometheus compiles "^(?s:" + regex + ")$".
    re = re2().RE2JS.compile(`^(?s:${regex})$`);
  } catch (e) {
    throw new LabelFunctionError(`invalid regular expression in label_replace(): ${(e as Error).message}`);
  }
  const named = re.namedGroups() as Record<string, number>;
  return (l) => {
    const m = re.matcher(l[src] ?? '');
    if (!m.matches()) return l;
    const groups = (i: number) => m.group(i) ?? '';
    const value = expandTemplate(replacement, groups, named, re.groupCount());
    const out = { ...l };
    if (value === '') delete out[dst];
    else out[dst] = value;
    return out;
  };
}

/** Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; a name is the longest run of word characters. */
export function expandTemplate(tpl: string, group: (i: number) => string, named: Record<string, number>, groupCount: number): string {
  let out = '';
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i]!;
    if (c !== '$' || i + 1 >= tpl.length) {
      out += c;
      continue;
    }
    if (tpl[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let end = i;
    if (tpl[i + 1] === '{') {
      const close = tpl.indexOf('}', i + 2);
      const inner = close > 0 ? tpl.slice(i + 2, close) : '';
      if (close > 0 && /^\w+$/.test(inner)) {
        name = inner;
        end = close;
      }
    } else {
      const m = /^\w+/.exec(tpl.slice(i + 1));
      if (m) {
        name = m[0];
        end = i + m[0].length;
      }
    }
    if (name === undefined) {
      out += c;
      continue;
    }
    i = end;
    if (/^\d+$/.test(name)) {
      const n = Number(name);
      if (n <= groupCount) out += group(n);
    } else if (named[name] !== undefined) out += group(named[name]!);
  }
  return out;
}

/** label_join: the source labels' values joined by the separator (missing labels count as empty). */
export function labelJoiner(dst: string, sep: string, srcs: string[]): (l: Record<string, string>) => Record<string, string> {
  if (!LABEL_NAME.test(dst)) throw new LabelFunctionError(`invalid destination label name in label_join(): ${JSON.stringify(dst)}`);
  for (const s of srcs) if (!LABEL_NAME.test(s)) throw new LabelFunctionError(`invalid source label name in label_join(): ${JSON.stringify(s)}`);
  return (l) => {
    const value = srcs.map((s) => l[s] ?? '').join(sep);
    const out = { ...l };
    if (value === '') delete out[dst];
    else out[dst] = value;
    return out;
  };
}
