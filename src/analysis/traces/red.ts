// RED per service (and per operation): rate, errors, duration quantiles of entry spans.
import type { Span, TimeRange } from '../../sources/types.js';
import { quantileSorted } from '../../util/stats.js';
import { indexById, isEntrySpan, isFailed } from './requests.js';

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

/** Groups entry spans starting in the range by a key and computes RED for each group. */
export function redBy(spans: Span[], range: TimeRange, key: (s: Span) => string | undefined): Map<string, RedStats> {
  const byId = indexById(spans);
  const groups = new Map<string, { d: number[]; e: number }>();
  for (const s of spans) {
    if (s.startMs < range.start || s.startMs >= range.end) continue;
    if (!isEntrySpan(s, byId)) continue;
    const k = key(s);
    if (k === undefined) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { d: [], e: 0 }));
    g.d.push(s.durationMs);
    if (isFailed(s)) g.e++;
  }
  const seconds = (range.end - range.start) / 1000;
  const out = new Map<string, RedStats>();
  for (const [k, g] of groups) out.set(k, redStats(g.d, g.e, seconds));
  return out;
}
