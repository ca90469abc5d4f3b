// Pattern shift: mine the window and the baseline together (one miner per service, so a pattern means
// the same thing on both sides), then compare each pattern's rate per second of covered time.
// Ranking puts rare new error patterns ("the needle") above steady noise: novelty/surge (how unlikely
// the window count is under the baseline rate, Poisson), weighted by level.
import type { LogRecord, TimeRange } from '../../sources/types.js';
import { PatternMiner, type MinedCluster } from './miner.js';
import { detectLevel, isErrorish, levelWeight } from './level.js';
import { lokiPatternMatches } from './lokipattern.js';

export type PatternStatus = 'new' | 'surging' | 'steady' | 'dropping' | 'gone' | 'no-baseline';

export interface PatternStat {
  service: string;
  /** Loki pattern syntax, `<_>` for variables (usable with `|>`). */
  pattern: string;
  template: string;
  level: string;
  /** Levels seen on the pattern's lines in the window, with counts. */
  levels: Record<string, number>;
  count: number;
  baselineCount: number;
  ratePerSec: number;
  baselineRatePerSec: number;
  /** Window rate / baseline rate (Infinity for new patterns). */
  change: number;
  /** Share of the service's window lines. */
  share: number;
  status: PatternStatus;
  firstSeenMs?: number;
  lastSeenMs?: number;
  /** Counts per bucket over the window. */
  series: number[];
  samples: string[];
  traceIds: string[];
  /** -log10 of the Poisson probability of seeing at least `count` lines at the baseline rate. */
  surprise: number;
  score: number;
}

export interface ShiftOptions {
  buckets?: number;
  samples?: number;
  /** Seconds of the baseline that actually hold data for the service (defaults to its whole length). */
  minerOptions?: ConstructorParameters<typeof PatternMiner>[0];
  /** The baseline is known to hold log data (other services' lines were read separately), so a service
   * silent in it is really new rather than unrecorded. */
  baselineHasData?: boolean;
}

/** -log10 P(X ≥ k) for X ~ Poisson(lambda), computed in log space. */
export function poissonSurprise(k: number, lambda: number): number {
  if (k <= 0) return 0;
  if (lambda <= 0) return 50;
  // P(X ≥ k) = 1 - sum_{i<k} p(i); for k well above lambda use the upper sum directly.
  let logP = -lambda + k * Math.log(lambda) - logFactorial(k);
  let term = logP;
  for (let i = k + 1; i < k + 2000; i++) {
    term += Math.log(lambda) - Math.log(i);
    logP = logAdd(logP, term);
    if (term < logP - 30) break;
  }
  const p = Math.min(1, Math.exp(logP));
  return Math.min(50, -Math.log10(Math.max(p, 1e-50)));
}

function logAdd(a: number, b: number): number {
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

const LF: number[] = [0];
function logFactorial(n: number): number {
  if (n < 1000) {
    for (let i = LF.length; i <= n; i++) LF[i] = LF[i - 1]! + Math.log(i);
    return LF[n]!;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n);
}

/**
 * Seconds of a range that hold data: from the first to the last record, each end snapped to the range
 * edge when the gap there is no longer than a few typical gaps between records (a quiet edge is still
 * covered; a hole at the start of a recording is not).
 */
export function coveredSeconds(records: Array<{ timeMs: number }>, r: TimeRange): number {
  let first = Infinity;
  let last = -Infinity;
  let n = 0;
  for (const x of records) {
    if (x.timeMs < r.start || x.timeMs >= r.end) continue;
    n++;
    if (x.timeMs < first) first = x.timeMs;
    if (x.timeMs > last) last = x.timeMs;
  }
  const full = Math.max(1e-3, (r.end - r.start) / 1000);
  if (n < 2) return full;
  const gap = (last - first) / (n - 1);
  const start = first - r.start <= 5 * gap ? r.start : first;
  const end = r.end - last <= 5 * gap ? r.end : last;
  return Math.max(1, (end - start) / 1000);
}

interface Acc {
  cluster: number;
  w: number;
  b: number;
  levels: Map<string, number>;
  baseLevels: Map<string, number>;
  first?: number;
  last?: number;
  series: number[];
  samples: string[];
  errorSamples: string[];
  traceIds: string[];
}

/** Mines patterns per service and compares the window with the baseline. Result sorted by score. */
export function patternShift(records: LogRecord[], window: TimeRange, baseline: TimeRange | undefined, opts: ShiftOptions = {}): PatternStat[] {
  const buckets = opts.buckets ?? 12;
  const nSamples = opts.samples ?? 3;
  const byService = new Map<string, LogRecord[]>();
  for (const r of records) {
    const inW = r.timeMs >= window.start && r.timeMs < window.end;
    const inB = !!baseline && r.timeMs >= baseline.start && r.timeMs < baseline.end;
    if (!inW && !inB) continue;
    let l = byService.get(r.service);
    if (!l) byService.set(r.service, (l = []));
    l.push(r);
  }
  const out: PatternStat[] = [];
  // Rates are per second of *covered* time: a range whose data starts late (recording gaps, a capped
  // fetch that returned only the newest lines) would otherwise look quieter than it was.
  const wSec = coveredSeconds(records, window);
  const bSec = baseline ? coveredSeconds(records, baseline) : 0;
  const bucketMs = (window.end - window.start) / buckets;
  const anyBaseline = !!baseline && (opts.baselineHasData === true || records.some((r) => r.timeMs >= baseline.start && r.timeMs < baseline.end));
  for (const [service, recs] of byService) {
    const miner = new PatternMiner(opts.minerOptions);
    const leaves = recs.map((r) => miner.add(r.body));
    miner.finish();
    const clusters = new Map<number, MinedCluster>(miner.clusters().map((c) => [c.id, c]));
    const accs = new Map<number, Acc>();
    let wTotal = 0;
    let bTotal = 0;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      const cid = miner.clusterOf(leaves[i]!);
      let a = accs.get(cid);
      if (!a) accs.set(cid, (a = { cluster: cid, w: 0, b: 0, levels: new Map(), baseLevels: new Map(), series: new Array<number>(buckets).fill(0), samples: [], errorSamples: [], traceIds: [] }));
      const inW = r.timeMs >= window.start && r.timeMs < window.end;
      if (!inW) {
        a.b++;
        bTotal++;
        // Levels of baseline lines only matter for patterns absent from the window (gone).
        if (a.w === 0 && a.b <= 20) {
          const lvl = detectLevel(r);
          a.baseLevels.set(lvl, (a.baseLevels.get(lvl) ?? 0) + 1);
        }
        continue;
      }
      wTotal++;
      a.w++;
      const lvl = detectLevel(r);
      a.levels.set(lvl, (a.levels.get(lvl) ?? 0) + 1);
      if (a.first === undefined || r.timeMs < a.first) a.first = r.timeMs;
      if (a.last === undefined || r.timeMs > a.last) a.last = r.timeMs;
      a.series[Math.min(buckets - 1, Math.floor((r.timeMs - window.start) / bucketMs))]!++;
      const body = r.body.length > 600 ? r.body.slice(0, 600) + '…' : r.body;
      if (a.samples.length < nSamples && !a.samples.includes(body)) a.samples.push(body);
      if (isErrorish(lvl) && a.errorSamples.length < nSamples && !a.errorSamples.includes(body)) a.errorSamples.push(body);
      if (r.traceId && a.traceIds.length < 5 && !a.traceIds.includes(r.traceId)) a.traceIds.push(r.traceId);
    }
    // The baseline counts when it holds data at all: this service's lines, or (when several services
    // are analysed together) other services' lines — then a service silent before is really new.
    const hasBaseline = !!baseline && (bTotal > 0 || anyBaseline);
    for (const a of accs.values()) {
      const c = clusters.get(a.cluster);
      if (!c) continue;
      let level = 'unknown';
      let best = 0;
      if (a.w === 0) for (const [l, n] of a.baseLevels) if (n > best) [level, best] = [l, n];
      for (const [l, n] of a.levels) if (n > best || (n === best && levelWeight(l) > levelWeight(level))) [level, best] = [l, n];
      // A pattern with some error lines is at least as severe as its errors when they are a real share.
      for (const [l, n] of a.levels) if (isErrorish(l) && n >= 0.2 * a.w && levelWeight(l) > levelWeight(level)) level = l;
      const rate = a.w / wSec;
      const bRate = hasBaseline ? a.b / bSec : 0;
      // Expected window count at the baseline rate, with half a line of prior so "new" stays finite.
      const expected = hasBaseline ? ((a.b + 0.5) / bSec) * wSec : 0;
      const surprise = hasBaseline ? poissonSurprise(a.w, expected) : 0;
      let status: PatternStatus;
      if (!hasBaseline) status = 'no-baseline';
      else if (a.w > 0 && a.b === 0) status = 'new';
      else if (a.w === 0) status = 'gone';
      else if (rate >= 2 * bRate && surprise >= 2) status = 'surging';
      else if (rate <= 0.5 * bRate && poissonSurprise(a.b, ((a.w + 0.5) / wSec) * bSec) >= 2) status = 'dropping';
      else status = 'steady';
      const change = bRate > 0 ? rate / bRate : a.w > 0 ? Infinity : 0;
      // Score: how surprising the window is (capped), times the level weight; without a baseline, level and volume.
      const novelty = status === 'new' || status === 'surging' ? 1 + Math.min(surprise, 12) : status === 'gone' || status === 'dropping' ? 0.5 : 0.3;
      const volume = Math.log10(1 + a.w);
      const score = hasBaseline ? levelWeight(level) * novelty * (0.5 + 0.5 * Math.min(1, volume)) : levelWeight(level) * (0.5 + volume);
      out.push({
        service,
        pattern: c.pattern,
        template: c.template,
        level,
        levels: Object.fromEntries(a.levels),
        count: a.w,
        baselineCount: a.b,
        ratePerSec: rate,
        baselineRatePerSec: bRate,
        change,
        share: wTotal ? a.w / wTotal : 0,
        status,
        firstSeenMs: a.first,
        lastSeenMs: a.last,
        series: a.series,
        samples: a.errorSamples.length ? a.errorSamples : a.samples.length ? a.samples : c.samples.slice(0, nSamples),
        traceIds: a.traceIds,
        surprise,
        score: Math.round(score * 1000) / 1000,
      });
    }
  }
  return out.sort((x, y) => y.score - x.score || y.count - x.count);
}

/** Whether Loki's `|> "pattern"` keeps this line (its exact semantics: see lokipattern.ts). */
export function matchesLokiPattern(line: string, pattern: string): boolean {
  return lokiPatternMatches(line, pattern);
}
