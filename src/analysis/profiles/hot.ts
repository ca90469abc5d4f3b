// One analysis shared by the hot_functions tool and the playbook step: top functions (pprof-style),
// the user-code view with runtime costs attributed to callers, top call paths, and the diff vs the
// baseline per second.
import type { StackProfile } from '../../sources/types.js';
import { stackCount } from './compact-stacks.js';
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
  const out: HotAnalysis = {
    total: top.total,
    seconds: coveredSeconds(window),
    top,
    flat: top.first(limit, 'flat'),
    cum: top.first(limit, 'cum'),
    user: userFunctions(window, top, limit),
    paths: topPaths(window, top, Math.min(limit, 8)),
  };
  if (baseline && stackCount(baseline)) {
    const bt = topFunctions(baseline);
    out.diff = diffProfiles(window, baseline, { limit, windowTop: top, baseTop: bt });
    out.baselineTop = bt;
    out.baselineSeconds = coveredSeconds(baseline);
  }
  return out;
}
