// When did it start? For a recorded bundle that says only "this is the window" (no baseline, no
// incident start) and a question without a time, the incident start is estimated from the data: the
// split of the recording where the error share or the request latency changes most (a two-sample t on
// per-bucket values, best split over the middle 70% of the range). Before the split is the baseline.
// A recording too small to split (one downloaded trace) is read whole, without a baseline.
import type { Sources, TimeRange } from '../sources/types.js';
import { logLevel } from '../analysis/suspects/index.js';

export interface ChangePoint {
  /** Epoch ms of the estimated start. */
  start: number;
  /** Which series moved: 'errors' (share of error lines/spans) or 'latency' (request duration). */
  signal: 'errors' | 'latency';
  /** Two-sample t of the best split. */
  t: number;
}

const BUCKETS = 60;
/** Minimum t for a split to count as the incident start. */
const MIN_T = 4;
/** Each side keeps at least this share of the range. */
const EDGE = 0.15;

function bestSplit(values: Array<number | undefined>, minIndex: number, maxIndex: number): { k: number; t: number } | undefined {
  let best: { k: number; t: number } | undefined;
  for (let k = minIndex; k <= maxIndex; k++) {
    const l = values.slice(0, k).filter((v): v is number => v !== undefined);
    const r = values.slice(k).filter((v): v is number => v !== undefined);
    if (l.length < 3 || r.length < 3) continue;
    const m = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
    const v = (xs: number[], mu: number) => xs.reduce((a, x) => a + (x - mu) ** 2, 0) / Math.max(1, xs.length - 1);
    const ml = m(l);
    const mr = m(r);
    const t = Math.abs(mr - ml) / Math.sqrt(v(l, ml) / l.length + v(r, mr) / r.length + 1e-9);
    if (!best || t > best.t) best = { k, t };
  }
  return best;
}

/** Fewer requests (traces) and log lines than this before the default split: nothing to compare with. */
const MIN_BEFORE = 5;

export interface StartEstimate {
  change?: ChangePoint;
  /** The recording holds traces or logs, but too few in its first third to serve as a baseline (one
   * downloaded trace, a handful of lines): it cannot be split, and is better read whole. */
  sparse: boolean;
}

export async function locateIncident(sources: Sources, range: TimeRange, signal?: AbortSignal): Promise<StartEstimate> {
  const size = (range.end - range.start) / BUCKETS;
  if (!(size > 0)) return { sparse: false };
  const third = range.start + (range.end - range.start) / 3;
  let seen = 0;
  let before = 0;
  const bucket = (t: number) => Math.min(BUCKETS - 1, Math.max(0, Math.floor((t - range.start) / size)));
  const events = new Array<number>(BUCKETS).fill(0);
  const errors = new Array<number>(BUCKETS).fill(0);
  const lat: number[][] = Array.from({ length: BUCKETS }, () => []);
  if (sources.logs) {
    const set = await sources.logs.queryLogs({ range, limit: 200_000, direction: 'forward' }, signal);
    for (const r of set.records) {
      seen++;
      if (r.timeMs < third) before++;
      const b = bucket(r.timeMs);
      events[b]!++;
      if (logLevel(r) === 'error') errors[b]!++;
    }
  }
  if (sources.traces) {
    const set = await sources.traces.findTraces({ range }, signal);
    for (const s of set.spans) {
      const b = bucket(s.startMs);
      events[b]!++;
      if (s.status === 'error') errors[b]!++;
      if (s.parentSpanId) continue;
      lat[b]!.push(Math.log1p(s.durationMs));
      seen++;
      if (s.startMs < third) before++;
    }
  }
  const errShare = events.map((n, i) => (n > 0 ? errors[i]! / n : undefined));
  const latency = lat.map((xs) => (xs.length ? xs.reduce((a, v) => a + v, 0) / xs.length : undefined));
  const lo = Math.ceil(BUCKETS * EDGE);
  const hi = Math.floor(BUCKETS * (1 - EDGE));
  const e = bestSplit(errShare, lo, hi);
  const l = bestSplit(latency, lo, hi);
  const pick = !l || (e && e.t >= l.t) ? (e ? { ...e, signal: 'errors' as const } : undefined) : { ...l, signal: 'latency' as const };
  const sparse = seen > 0 && before < MIN_BEFORE;
  if (!pick || pick.t < MIN_T) return { sparse };
  return { change: { start: range.start + pick.k * size, signal: pick.signal, t: pick.t }, sparse };
}
