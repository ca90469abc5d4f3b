// RED per service (and per operation): rate, errors, duration quantiles of entry spans.
// Rates divide by the seconds actually covered by span data in the range, not the nominal range.
import type { Span, TimeRange } from '../../sources/types.js';
import { quantileSorted } from '../../util/stats.js';
import { coverage, isEntryGivenParent, isFailed } from './requests.js';
import { groupTraces, parentIndex } from './tree.js';

export interface RedStats {
  requests: number;
  errors: number;
  ratePerSec: number;
  errorRate: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export function redStats(durations: number[], errors: number, seconds: number): RedStats {
  const s = Float64Array.from(durations).sort();
  return {
    requests: durations.length,
    errors,
    ratePerSec: seconds > 0 ? durations.length / seconds : 0,
    errorRate: durations.length ? errors / durations.length : 0,
    p50Ms: quantileSorted(s, 0.5),
    p90Ms: quantileSorted(s, 0.9),
    p95Ms: quantileSorted(s, 0.95),
    p99Ms: quantileSorted(s, 0.99),
  };
}

export interface RedResult {
  groups: Map<string, RedStats>;
  /** Seconds covered by data in the range (the rate denominator). */
  coveredSeconds: number;
  rangeSeconds: number;
}

/** Groups entry spans starting in the range by a key and computes RED for each group. */
export function redGroups(spans: Span[], range: TimeRange, key: (s: Span) => string | undefined): RedResult {
  const groups = new Map<string, { d: number[]; e: number }>();
  for (const list of groupTraces(spans).values()) {
    let parent: number[] | undefined;
    for (let k = 0; k < list.length; k++) {
      const s = list[k]!;
      if (s.startMs < range.start || s.startMs >= range.end) continue;
      // Parent links only when needed (server/consumer spans are entries whatever their parent).
      if (s.kind !== 2 && s.kind !== 5) {
        parent ??= parentIndex(list);
        const p = parent[k]!;
        if (!isEntryGivenParent(s, p >= 0 ? list[p] : undefined)) continue;
      }
      const kk = key(s);
      if (kk === undefined) continue;
      let g = groups.get(kk);
      if (!g) groups.set(kk, (g = { d: [], e: 0 }));
      g.d.push(s.durationMs);
      if (isFailed(s)) g.e++;
    }
  }
  const cov = coverage(spans, range);
  const out = new Map<string, RedStats>();
  for (const [k, g] of groups) out.set(k, redStats(g.d, g.e, cov.seconds));
  return { groups: out, coveredSeconds: cov.seconds, rangeSeconds: cov.rangeSeconds };
}

/** Backwards-compatible form used by list_services. */
export function redBy(spans: Span[], range: TimeRange, key: (s: Span) => string | undefined): Map<string, RedStats> {
  return redGroups(spans, range, key).groups;
}

export interface RedRow {
  key: string;
  window?: RedStats;
  baseline?: RedStats;
  /** Ranking score: how much this group moved (errors, latency, rate), 0 when unchanged. */
  change: number;
}

/** Window vs baseline per key, ranked by change: new errors first, then latency growth, then rate change. */
export function compareRed(win: Map<string, RedStats>, base: Map<string, RedStats> | undefined): RedRow[] {
  const keys = new Set([...win.keys(), ...(base?.keys() ?? [])]);
  const rows: RedRow[] = [];
  for (const key of keys) {
    const w = win.get(key);
    const b = base?.get(key);
    let change = 0;
    if (w && b) {
      const dErr = Math.max(0, w.errorRate - b.errorRate);
      const lat = b.p90Ms > 0 ? Math.log2(Math.max(w.p90Ms, 1e-3) / Math.max(b.p90Ms, 1e-3)) : 0;
      const rate = b.ratePerSec > 0 ? Math.abs(Math.log2(Math.max(w.ratePerSec, 1e-6) / b.ratePerSec)) : 0;
      change = dErr * 10 + Math.max(0, lat) + 0.25 * rate;
    } else if (w) change = w.errorRate * 10 + 0.5;
    else if (b) change = 0.5;
    rows.push({ key, window: w, baseline: b, change });
  }
  rows.sort((a, b) => b.change - a.change || (b.window?.requests ?? 0) - (a.window?.requests ?? 0));
  return rows;
}
