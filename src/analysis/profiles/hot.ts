// One analysis shared by the hot_functions tool and the playbook step: top functions (pprof-style),
// the user-code view with runtime costs attributed to callers, top call paths, and the diff vs the
// baseline per second.
import type { StackProfile } from '../../sources/types.js';
import { coveredSeconds, diffProfiles, type ProfileDiff } from './diff.js';
import { topFunctions, topPaths, userFunctions, type CallPath, type FunctionStat, type TopResult, type UserFunctionStat } from './top.js';

export interface HotAnalysis {
  total: number;
  seconds: number;
  top: TopResult;
  flat: FunctionStat[];
  cum: FunctionStat[];
  user: UserFunctionStat[];
  paths: CallPath[];
  diff?: ProfileDiff;
  /** The baseline's top functions, when there is a baseline (its total is the baseline's). */
  baselineTop?: TopResult;
  baselineSeconds?: number;
}

export function analyzeHot(window: StackProfile, baseline: StackProfile | undefined, limit = 10): HotAnalysis {
  const top = topFunctions(window);
  const cum = firstBy(top.functions, byCum, limit);
  const out: HotAnalysis = {
    total: top.total,
    seconds: coveredSeconds(window),
    top,
    flat: top.functions.slice(0, limit),
    cum,
    user: userFunctions(window, top, limit),
    paths: topPaths(window, top, Math.min(limit, 8)),
  };
  if (baseline && baseline.stacks.length) {
    const bt = topFunctions(baseline);
    out.diff = diffProfiles(window, baseline, { limit, windowTop: top, baseTop: bt });
    out.baselineTop = bt;
    out.baselineSeconds = coveredSeconds(baseline);
  }
  return out;
}

const byCum = (a: FunctionStat, b: FunctionStat) => Math.abs(b.cum) - Math.abs(a.cum) || (a.name < b.name ? -1 : 1);

/**
 * The first `n` of `xs` in `order`, as sorting all of them and slicing would give (names are unique in
 * a TopResult, so `order` has no ties): one pass keeping the n best, instead of sorting 23k functions
 * (large.cpu) to show ten.
 */
function firstBy<T>(xs: readonly T[], order: (a: T, b: T) => number, n: number): T[] {
  const best: T[] = [];
  if (n <= 0) return best;
  for (const x of xs) {
    if (best.length === n && order(x, best[n - 1]!) >= 0) continue;
    let i = best.length === n ? n - 1 : best.length;
    while (i > 0 && order(x, best[i - 1]!) < 0) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = x;
  }
  return best;
}
