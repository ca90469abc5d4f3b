// Did a function's share of profile samples grow between the baseline and the window, beyond what
// sampling noise explains? A sampling profiler draws samples at a fixed rate, so the number that
// have a function on the stack is binomial given its true share: the two-proportion z test compares
// the window's share with the baseline's (pooled variance under "no change"), and the Wald interval
// of the difference says how large the growth can be. Many functions are tested per service, so a
// caller adjusts the p-values (Holm) before calling a growth significant.

export interface ShareTest {
  /** Samples with the function on the stack, and all samples, in the window and the baseline. */
  samples: number;
  total: number;
  baseSamples: number;
  baseTotal: number;
  share: number;
  baseShare: number;
  /** share − baseShare, with its 95% Wald interval. */
  diff: number;
  ci95: [number, number];
  z: number;
  /** One-sided p-value of "the share grew". */
  p: number;
}

/** Upper tail of the standard normal: erfc(z/√2)/2 (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
export function normalUpperTail(z: number): number {
  if (!Number.isFinite(z)) return z > 0 ? 0 : 1;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** Two-proportion test of x1/n1 (window) against x0/n0 (baseline); undefined without samples on a side. */
export function shareGrowthTest(x1: number, n1: number, x0: number, n0: number): ShareTest | undefined {
  if (!(n1 > 0 && n0 > 0)) return undefined;
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const pooled = (x1 + x0) / (n1 + n0);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  const z = se0 > 0 ? (p1 - p0) / se0 : 0;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  const diff = p1 - p0;
  return { samples: x1, total: n1, baseSamples: x0, baseTotal: n0, share: p1, baseShare: p0, diff, ci95: [diff - 1.96 * se, diff + 1.96 * se], z, p: normalUpperTail(z) };
}

/** Holm's step-down adjustment: adjusted p-values in the input order (family-wise error control). */
export function holmAdjust(ps: number[]): number[] {
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(ps.length);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (ps.length - k) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Did a count per second grow (events in the window over `t1` seconds vs the baseline's over `t0`),
 * beyond Poisson noise? Given both counts' sum n, the window's count is binomial with probability
 * t1/(t1+t0) when the rate did not change; the normal approximation gives a one-sided p. A share test
 * cannot see a rate that grew for every function alike (one global lock: 100% of contentions before
 * and after); this one can. Undefined without time or events on a side.
 */
export function rateGrowthTest(c1: number, t1: number, c0: number, t0: number): { z: number; p: number } | undefined {
  const n = c1 + c0;
  if (!(t1 > 0 && t0 > 0 && n > 0)) return undefined;
  const q = t1 / (t1 + t0);
  const z = (c1 - n * q) / Math.sqrt(n * q * (1 - q));
  return { z, p: normalUpperTail(z) };
}
