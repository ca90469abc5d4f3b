// Statistics shared by the suspect features. Every feature turns a change into a test statistic in
// z units (how many standard errors the window sits from what the baseline, or the other services,
// predict), so features can be compared without a weight per feature.
import type { TimeRange } from '../../sources/types.js';
import { median } from '../../util/stats.js';

export function inRange(t: number, r: TimeRange): boolean {
  return t >= r.start && t < r.end;
}

export function seconds(r: TimeRange): number {
  return Math.max(1e-3, (r.end - r.start) / 1000);
}

/**
 * Window/baseline length ratio over the part of each range the data actually covers. Recordings often
 * hold only part of the requested baseline (collection started late, retention, sampling windows);
 * scaling baseline counts by the nominal length would then make every service look like it surged.
 */
export function coveredRatio(times: Iterable<number>, window: TimeRange, baseline: TimeRange): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (!(hi >= lo)) return seconds(window) / seconds(baseline);
  const clip = (r: TimeRange): TimeRange => ({ start: Math.max(r.start, lo), end: Math.min(r.end, hi) });
  const w = clip(window);
  const b = clip(baseline);
  if (w.end <= w.start || b.end <= b.start) return seconds(window) / seconds(baseline);
  return seconds(w) / seconds(b);
}

/** Poisson surprise of a count in the window given the baseline count scaled to the window length. */
export function poissonZ(countW: number, countB: number, ratio: number, dispersion = 1): number {
  const expected = countB * ratio;
  // Overdispersed counts (bursty logs) vary more than Poisson: scale the variance by var/mean.
  return (countW - expected) / Math.sqrt(expected * Math.max(1, dispersion) + 1);
}

/** Bucket length for dispersion estimates: ten buckets over the baseline, at least 5 s. */
function bucketMs(baseline: TimeRange): number {
  return Math.max(5000, (baseline.end - baseline.start) / 10);
}

/** var/mean of per-bucket counts over the baseline (1 = Poisson-like; more = bursty). */
export function dispersionOf(times: number[], baseline: TimeRange): number {
  const size = bucketMs(baseline);
  const n = Math.max(1, Math.floor((baseline.end - baseline.start) / size));
  if (n < 3 || times.length === 0) return 1;
  const counts = new Array<number>(n).fill(0);
  for (const t of times) {
    const i = Math.floor((t - baseline.start) / size);
    if (i >= 0 && i < n) counts[i]!++;
  }
  const m = counts.reduce((a, v) => a + v, 0) / n;
  const v = counts.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1);
  return m > 0 ? Math.max(1, v / m) : 1;
}

/** Mean and variance of log(1 + x): durations are roughly log-normal. */
export function logMeanVar(xs: number[]): { m: number; v: number; n: number } {
  let m = 0;
  for (const x of xs) m += Math.log1p(x);
  m /= Math.max(1, xs.length);
  let v = 0;
  for (const x of xs) v += (Math.log1p(x) - m) ** 2;
  return { m, v: v / Math.max(1, xs.length - 1), n: xs.length };
}

/** Robust score cap so one extreme feature cannot swamp the others. */
export const CAP = 8;

/**
 * Robust cross-service normalisation: (x − median) / max(1.4826·MAD, minScale). Features are z-like
 * per service (vs its own baseline); subtracting the median across services removes what moved
 * everywhere (a load change), and the MAD scales by how much services usually disagree.
 * Negative results are clipped (moving "better" is not suspicious).
 */
export function robustScores(values: Map<string, number>, minScale = 1): Map<string, number> {
  const xs = [...values.values()].filter((v) => Number.isFinite(v));
  const out = new Map<string, number>();
  if (xs.length === 0) return out;
  const med = median(xs);
  const mad = median(xs.map((v) => Math.abs(v - med))) * 1.4826;
  // The floor keeps a feature where most services sit at 0 (MAD = 0) in its own units (z-like values),
  // so noise in a quiet feature is not blown up to the cap.
  const scale = Math.max(mad, minScale);
  for (const [k, v] of values) {
    if (!Number.isFinite(v)) continue;
    const z = (v - med) / scale;
    if (z > 0) out.set(k, Math.min(CAP, z));
  }
  return out;
}

// ------------------------------------------------------------------ calibrated tails (t → p → z)

/** Continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 200; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-12) break;
  }
  return h;
}

/** log Γ(x) (Lanczos, g = 7). */
function logGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = g[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized incomplete beta I_x(a, b). */
function incBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const bt = Math.exp(lbt);
  return x < (a + 1) / (a + b + 2) ? (bt * betaCf(a, b, x)) / a : 1 - (bt * betaCf(b, a, 1 - x)) / b;
}

/** P(K ≥ k) for K ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return incBeta(p, k, n - k + 1);
}

/** P(K ≥ k) for K a sum of independent Bernoulli(p_i) (Poisson-binomial), by dynamic programming
 * over the whole distribution (the tail is summed, not taken as 1 − the rest: small tails keep their digits). */
export function poissonBinomialUpperTail(k: number, ps: number[]): number {
  if (k <= 0) return 1;
  if (k > ps.length) return 0;
  const f = new Float64Array(ps.length + 1);
  f[0] = 1;
  ps.forEach((p, i) => {
    for (let j = i + 1; j > 0; j--) f[j] = f[j]! * (1 - p) + f[j - 1]! * p;
    f[0] = f[0]! * (1 - p);
  });
  let tail = 0;
  for (let j = k; j <= ps.length; j++) tail += f[j]!;
  return Math.min(1, tail);
}

/** The z with the same upper-tail probability p under the standard normal (0 for p ≥ 0.5). */
export function pToZ(p: number): number {
  if (p >= 0.5) return 0;
  if (p < 1e-300) return 37;
  return -normalQuantile(p);
}

/**
 * Evidence, in z units, that values of the window exceed every value of the baseline by the minimum
 * effect (growth `minGrowth` and `minDelta` in the values' units). Distribution-free: under no change,
 * a window value beats the largest of nb baseline values with probability at most 1/(nb + 1), so k
 * such values out of n are a binomial tail. Works with short baselines and small samples, where a
 * mean test has no variance to stand on, and sees a change that hits only a share of the values.
 * `minShare` floors the null share: with a long baseline, 1/(nb + 1) is tiny and a busy series whose
 * tail merely drifted (load, a neighbour's CPU) would pass for a fault.
 */
export function exceedance(before: number[], after: number[], minGrowth: number, minDelta: number, minShare = 0): { z: number; k: number; limit: number } {
  let max = 0;
  for (const x of before) if (x > max) max = x;
  const limit = Math.max(max * (1 + minGrowth), max + minDelta);
  let k = 0;
  for (const x of after) if (x > limit) k++;
  return { z: pToZ(binomialUpperTail(k, after.length, Math.max(1 / (before.length + 1), minShare))), k, limit };
}

/** Upper tail P(T > t) of Student's t with df degrees of freedom. */
export function tUpperTail(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 0 : 1;
  if (!(df > 0)) return t > 0 ? 0 : 1;
  const tail = 0.5 * incBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? tail : 1 - tail;
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The z with the same upper-tail probability as t under Student's t with df degrees of freedom. */
export function tToZ(t: number, df: number): number {
  if (df > 200) return t; // the t distribution is normal for practical purposes
  const p = tUpperTail(t, df);
  if (p < 1e-15) return Math.min(t, 8); // beyond double precision of the tail: cap as the normal would
  return -normalQuantile(p);
}

/**
 * Evidence, in z units, that log(1 + x) grew from `before` to `after` by more than `minLog` (a
 * minimum-effect test: a large sample with a negligible shift is not evidence of a fault). Welch's t
 * with Welch–Satterthwaite degrees of freedom, made comparable across sample sizes through its
 * p-value. Zero when the shift does not exceed the minimum effect.
 */
export function shiftEvidence(before: number[], after: number[], minLog: number): number {
  const b = logMeanVar(before);
  const a = logMeanVar(after);
  const vb = b.v / Math.max(1, b.n);
  const va = a.v / Math.max(1, a.n);
  // A variance floor of 0.01 (log units²: ±10%) so identical samples do not give an infinite t.
  const se = Math.sqrt(va + vb + 0.01 / Math.min(a.n, b.n));
  const t = (a.m - b.m - minLog) / se;
  if (!(t > 0)) return 0;
  const num = (va + vb) ** 2;
  const den = va ** 2 / Math.max(1, a.n - 1) + vb ** 2 / Math.max(1, b.n - 1);
  const df = den > 0 ? num / den : a.n + b.n - 2;
  return Math.max(0, tToZ(t, Math.max(1, df)));
}
