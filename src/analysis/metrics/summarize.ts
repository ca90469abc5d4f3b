// Per-series summaries (window stats, change vs baseline, step shift, sparkline) and breakdown ranking
// (robust z-scores across groups plus each group's change against its own baseline noise).
import { maxOf, minOf } from '../../util/stats.js';
import type { SeriesPoints, TimeRange } from '../../sources/types.js';
import { median } from '../../util/stats.js';

export interface SeriesSummary {
  labels: Record<string, string>;
  points: number;
  min: number;
  avg: number;
  max: number;
  last: number;
  baselineAvg?: number;
  /** Relative change of the window average vs the baseline average (0.5 = +50%). */
  change?: number;
  /** The strongest level shift over the whole range: when, from what, to what. */
  shift?: { atMs: number; before: number; after: number };
  sparkline: string;
}

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: number[], width = 16): string {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return '';
  // Bucket to `width` columns by averaging.
  const cols: number[] = [];
  const n = values.length;
  const w = Math.min(width, n);
  for (let c = 0; c < w; c++) {
    const a = Math.floor((c * n) / w);
    const b = Math.max(a + 1, Math.floor(((c + 1) * n) / w));
    let s = 0;
    let k = 0;
    for (let i = a; i < b; i++) if (Number.isFinite(values[i]!)) (s += values[i]!), k++;
    cols.push(k ? s / k : NaN);
  }
  const lo = minOf(v);
  const hi = maxOf(v);
  return cols.map((x) => (Number.isFinite(x) ? BARS[hi === lo ? 3 : Math.min(7, Math.floor(((x - lo) / (hi - lo)) * 7.999))] : ' ')).join('');
}

function stats(xs: number[]): { min: number; avg: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { min, avg: xs.length ? sum / xs.length : NaN, max };
}

/** Split point maximising the mean difference scaled by pooled spread (a one-change-point t statistic). */
export function bestShift(points: Array<[number, number]>, minSide = 3): { atMs: number; before: number; after: number; t: number } | undefined {
  const p = points.filter(([, v]) => Number.isFinite(v));
  const n = p.length;
  if (n < 2 * minSide) return undefined;
  const pre = new Float64Array(n + 1);
  const pre2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    pre[i + 1] = pre[i]! + p[i]![1];
    pre2[i + 1] = pre2[i]! + p[i]![1] * p[i]![1];
  }
  let best: { atMs: number; before: number; after: number; t: number } | undefined;
  for (let k = minSide; k <= n - minSide; k++) {
    const m1 = pre[k]! / k;
    const m2 = (pre[n]! - pre[k]!) / (n - k);
    const v1 = Math.max(0, pre2[k]! / k - m1 * m1);
    const v2 = Math.max(0, (pre2[n]! - pre2[k]!) / (n - k) - m2 * m2);
    const se = Math.sqrt(v1 / k + v2 / (n - k)) || 1e-12;
    const t = Math.abs(m2 - m1) / Math.max(se, 1e-9 * (Math.abs(m1) + Math.abs(m2)));
    if (!best || t > best.t) best = { atMs: p[k]![0], before: m1, after: m2, t };
  }
  return best;
}

export function summarizeSeries(s: SeriesPoints, window: TimeRange, baseline?: TimeRange): SeriesSummary {
  const inW = s.points.filter(([t, v]) => t >= window.start && t <= window.end && Number.isFinite(v));
  const vals = inW.map(([, v]) => v);
  const st = stats(vals);
  const out: SeriesSummary = {
    labels: s.labels,
    points: vals.length,
    min: st.min,
    avg: st.avg,
    max: st.max,
    last: vals.length ? vals[vals.length - 1]! : NaN,
    sparkline: sparkline(s.points.filter(([t]) => t >= (baseline?.start ?? window.start) && t <= window.end).map(([, v]) => v)),
  };
  if (baseline) {
    const b = s.points.filter(([t, v]) => t >= baseline.start && t < baseline.end && Number.isFinite(v)).map(([, v]) => v);
    if (b.length && vals.length) {
      out.baselineAvg = stats(b).avg;
      out.change = out.baselineAvg === 0 ? (st.avg === 0 ? 0 : Infinity) : (st.avg - out.baselineAvg) / Math.abs(out.baselineAvg);
    }
    const sh = bestShift(s.points.filter(([t]) => t >= baseline.start && t <= window.end));
    if (sh && sh.t >= 3) out.shift = { atMs: sh.atMs, before: sh.before, after: sh.after };
  }
  return out;
}

// ---------------------------------------------------------------- breakdown ranking

export interface GroupScore {
  group: Record<string, string>;
  window: number;
  baseline?: number;
  change?: number;
  /** Change vs the group's own baseline noise (robust sigma). */
  zSelf: number;
  /** How far the group's change sits from the other groups' changes (robust z). */
  zCross: number;
  /** How far the group's window level sits from the other groups' levels (robust z). */
  zLevel: number;
  score: number;
  explain: string;
  sparkline: string;
}

function robustZ(values: number[]): number[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 3) return values.map(() => 0);
  const med = median(finite);
  const mad = median(finite.map((v) => Math.abs(v - med)));
  // MAD can be 0 when most groups are identical: fall back to the mean absolute deviation.
  let scale = 1.4826 * mad;
  if (!(scale > 0)) scale = 1.2533 * (finite.reduce((a, v) => a + Math.abs(v - med), 0) / finite.length);
  if (!(scale > 0)) return values.map(() => 0);
  return values.map((v) => (Number.isFinite(v) ? (v - med) / scale : 0));
}

const cap = (x: number, c = 20) => Math.max(-c, Math.min(c, x));

/**
 * Ranks the groups of a breakdown. Score = weighted mean of three capped |z|: change vs own baseline
 * noise (1), change as a log ratio compared with the other groups (1), window level vs the others (½).
 */
export function rankGroups(series: SeriesPoints[], window: TimeRange, baseline: TimeRange | undefined, fmt: (v: number) => string, groupNoun = 'groups'): GroupScore[] {
  const rows = series.map((s) => {
    const w = s.points.filter(([t, v]) => t >= window.start && t <= window.end && Number.isFinite(v)).map(([, v]) => v);
    const b = baseline ? s.points.filter(([t, v]) => t >= baseline.start && t < baseline.end && Number.isFinite(v)).map(([, v]) => v) : [];
    const wAvg = w.length ? w.reduce((a, v) => a + v, 0) / w.length : NaN;
    const bAvg = b.length ? b.reduce((a, v) => a + v, 0) / b.length : undefined;
    let zSelf = 0;
    if (bAvg !== undefined && Number.isFinite(wAvg)) {
      const bMed = median(b);
      const noise = Math.max(1.4826 * median(b.map((v) => Math.abs(v - bMed))), 0.05 * Math.abs(bAvg), 1e-12);
      zSelf = (wAvg - bAvg) / noise;
    } else if (bAvg === undefined && Number.isFinite(wAvg) && wAvg !== 0 && baseline) zSelf = 20; // new in the window
    const change = bAvg !== undefined && Number.isFinite(wAvg) ? (bAvg === 0 ? (wAvg === 0 ? 0 : Infinity) : (wAvg - bAvg) / Math.abs(bAvg)) : undefined;
    const spark = sparkline(s.points.filter(([t]) => t >= (baseline?.start ?? window.start) && t <= window.end).map(([, v]) => v), 12);
    return { group: s.labels, window: wAvg, baseline: bAvg, change, zSelf, spark };
  });
  // Changes are compared across groups as log ratios, so a busy group's large absolute delta does not
  // outrank a small group that doubled; eps (5% of the typical level) keeps tiny baselines from exploding.
  const finiteLevels = rows.flatMap((r) => [r.window, r.baseline ?? NaN]).filter((v) => Number.isFinite(v)).map(Math.abs);
  const eps = 0.05 * (finiteLevels.length ? median(finiteLevels) : 0) + 1e-12;
  const logRatios = rows.map((r) => (Number.isFinite(r.window) ? Math.log((Math.abs(r.window) + eps) / (Math.abs(r.baseline ?? 0) + eps)) : NaN));
  const deltas = baseline ? robustZ(logRatios) : rows.map(() => 0);
  const levels = robustZ(rows.map((r) => r.window));
  const out: GroupScore[] = rows.map((r, i) => {
    const zCross = deltas[i]!;
    const zLevel = levels[i]!;
    // Level differences are a property of the system (a busy route), not of the incident: half weight.
    const score = (Math.abs(cap(r.zSelf)) + Math.abs(cap(zCross)) + 0.5 * Math.abs(cap(zLevel))) / 2.5;
    const parts: string[] = [];
    if (!Number.isFinite(r.window)) parts.push(`no finite value in the window (only not-a-number or infinite samples, or none)${r.baseline !== undefined ? `; ${fmt(r.baseline)} in the baseline` : ''}`);
    else if (r.baseline !== undefined) {
      const ch = r.change === Infinity ? 'new' : `${r.change! >= 0 ? '+' : ''}${(r.change! * 100).toFixed(0)}%`;
      parts.push(`${fmt(r.window)} vs ${fmt(r.baseline)} baseline (${ch}, ${r.zSelf >= 0 ? '+' : ''}${cap(r.zSelf).toFixed(1)}σ of its own noise)`);
    } else parts.push(`${fmt(r.window)}${baseline ? ' (absent in the baseline)' : ''}`);
    if (Math.abs(zCross) >= 1) parts.push(`change ${Math.abs(cap(zCross)).toFixed(1)} robust-z ${zCross > 0 ? 'above' : 'below'} the other ${groupNoun}`);
    if (Math.abs(zLevel) >= 1) parts.push(`level ${Math.abs(cap(zLevel)).toFixed(1)} robust-z ${zLevel > 0 ? 'above' : 'below'} the others`);
    return { group: r.group, window: r.window, baseline: r.baseline, change: r.change, zSelf: r.zSelf, zCross, zLevel, score, explain: parts.join('; '), sparkline: r.spark };
  });
  return out.sort((a, b) => b.score - a.score);
}

export function fmtValue(v: number, unit?: string): string {
  if (v === undefined || !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : String(v);
  const a = Math.abs(v);
  if (unit === 'seconds') {
    if (a >= 1) return `${v.toFixed(2)}s`;
    if (a >= 0.001) return `${(v * 1000).toFixed(a >= 0.01 ? 0 : 1)}ms`;
    return `${(v * 1e6).toFixed(0)}µs`;
  }
  if (unit === 'bytes') {
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let x = v;
    let i = 0;
    while (Math.abs(x) >= 1024 && i < u.length - 1) (x /= 1024), i++;
    return `${x.toFixed(x >= 100 ? 0 : 1)}${u[i]}`;
  }
  if (unit === 'ratio') return `${(v * 100).toFixed(1)}%`;
  const suffix = unit === 'per-second' ? '/s' : '';
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}G${suffix}`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M${suffix}`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k${suffix}`;
  if (a >= 100) return `${v.toFixed(0)}${suffix}`;
  if (a >= 1) return `${v.toFixed(2)}${suffix}`;
  if (a === 0) return `0${suffix}`;
  return `${v.toPrecision(3)}${suffix}`;
}

/** A label set as `{a="x", b="y"}` without __name__. */
export function fmtLabels(l: Record<string, string>): string {
  const parts = Object.entries(l)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(', ')}}` : '{}';
}

/** A step that yields ~`target` points over the range, at least `min`, rounded to whole seconds. */
export function chooseStep(range: TimeRange, target = 240, minMs = 15_000): number {
  const raw = (range.end - range.start) / target;
  return Math.max(minMs, Math.ceil(raw / 1000) * 1000);
}
