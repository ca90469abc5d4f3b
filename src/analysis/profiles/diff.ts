// What got hotter: per-function self and total cost per second in the window vs the baseline.
// Normalising by each side's covered duration makes windows of different lengths comparable
// (for CPU in nanoseconds, a value per second is a number of cores).
import type { StackProfile } from '../../sources/types.js';
import type { FrameKind } from './classify.js';
import { topFunctions, userFunctions, type TopResult } from './top.js';

export interface FunctionDiff {
  name: string;
  kind: FrameKind;
  file?: string;
  line?: number;
  /** Per-second rates. */
  flatPerSec: number;
  basePerSecFlat: number;
  cumPerSec: number;
  basePerSecCum: number;
  /** User view: attributed self (own + runtime/library callees). */
  attributedPerSec: number;
  basePerSecAttributed: number;
  /** Increase per second of the attributed (user) or flat (others) cost. */
  delta: number;
  /** Relative change of that cost; Infinity when new. */
  change: number;
  /** Share of the window total now vs the baseline total. */
  share: number;
  baseShare: number;
}

export interface ProfileDiff {
  windowPerSec: number;
  basePerSec: number;
  /** Functions sorted by delta desc (what grew most first). */
  grew: FunctionDiff[];
  shrank: FunctionDiff[];
  /** Every function's row, for lookups beyond the top lists. */
  byName: Map<string, FunctionDiff>;
}

/** Seconds a merged profile covers: the profiles' own durations, else the query range. */
export function coveredSeconds(p: StackProfile): number {
  const ms = p.durationMs > 0 ? p.durationMs : p.range.end - p.range.start;
  return Math.max(ms / 1000, 1e-9);
}

export function diffProfiles(window: StackProfile, baseline: StackProfile, opts: { limit?: number; windowTop?: TopResult; baseTop?: TopResult } = {}): ProfileDiff {
  const limit = opts.limit ?? 10;
  const wt = opts.windowTop ?? topFunctions(window);
  const bt = opts.baseTop ?? topFunctions(baseline);
  const ws = coveredSeconds(window);
  const bs = coveredSeconds(baseline);
  const wu = new Map(userFunctions(window, wt, Number.MAX_SAFE_INTEGER).map((u) => [u.name, u.attributed]));
  const bu = new Map(userFunctions(baseline, bt, Number.MAX_SAFE_INTEGER).map((u) => [u.name, u.attributed]));
  const names = new Set<string>([...wt.byName.keys(), ...bt.byName.keys()]);
  const rows: FunctionDiff[] = [];
  for (const name of names) {
    const w = wt.byName.get(name);
    const b = bt.byName.get(name);
    const kind = (w ?? b)!.kind;
    const r: FunctionDiff = {
      name,
      kind,
      file: (w ?? b)!.file,
      line: (w ?? b)!.line,
      flatPerSec: (w?.flat ?? 0) / ws,
      basePerSecFlat: (b?.flat ?? 0) / bs,
      cumPerSec: (w?.cum ?? 0) / ws,
      basePerSecCum: (b?.cum ?? 0) / bs,
      attributedPerSec: (wu.get(name) ?? 0) / ws,
      basePerSecAttributed: (bu.get(name) ?? 0) / bs,
      delta: 0,
      change: 0,
      share: wt.total ? (kind === 'user' ? wu.get(name) ?? 0 : w?.flat ?? 0) / wt.total : 0,
      baseShare: bt.total ? (kind === 'user' ? bu.get(name) ?? 0 : b?.flat ?? 0) / bt.total : 0,
    };
    const now = kind === 'user' ? r.attributedPerSec : r.flatPerSec;
    const before = kind === 'user' ? r.basePerSecAttributed : r.basePerSecFlat;
    r.delta = now - before;
    r.change = before === 0 ? (now === 0 ? 0 : Infinity) : (now - before) / before;
    if (now !== 0 || before !== 0) rows.push(r);
  }
  const grew = rows.filter((r) => r.delta > 0).sort((a, b) => b.delta - a.delta || (a.name < b.name ? -1 : 1));
  const shrank = rows.filter((r) => r.delta < 0).sort((a, b) => a.delta - b.delta || (a.name < b.name ? -1 : 1));
  return { windowPerSec: wt.total / ws, basePerSec: bt.total / bs, grew: grew.slice(0, limit), shrank: shrank.slice(0, limit), byName: new Map(rows.map((r) => [r.name, r])) };
}
