// Small statistics helpers used by every analysis.

/** Quantile with linear interpolation over a sorted copy (q in [0,1]). */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  return quantileSorted(s, q);
}

export function quantileSorted(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function mean(values: number[]): number {
  if (values.length === 0) return NaN;
  let t = 0;
  for (const v of values) t += v;
  return t / values.length;
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Median absolute deviation (unscaled). */
export function mad(values: number[]): number {
  if (values.length === 0) return NaN;
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** Relative change b→a, with a floor on the denominator so tiny baselines do not explode. */
export function relChange(now: number, before: number, floor = 1e-9): number {
  if (!Number.isFinite(now) || !Number.isFinite(before)) return NaN;
  return (now - before) / Math.max(Math.abs(before), floor);
}

/** Round for display without trailing noise. */
export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Largest / smallest value, by a loop: `Math.max(...values)` passes every value as an argument and
 * overflows the stack past ~100k values (a backend answer can hold many more). -Infinity / Infinity when empty.
 */
export function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > m) m = values[i]!;
  return m;
}

export function minOf(values: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! < m) m = values[i]!;
  return m;
}

/** Appends `items` to `out` one by one (no spread: safe for arrays of any length). */
export function pushAll<T>(out: T[], items: Iterable<T>): T[] {
  for (const x of items) out.push(x);
  return out;
}
