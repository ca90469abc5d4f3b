// Playbook step for profiles: for the implicated services, the hottest user-code functions and what
// grew vs the baseline, each as a `hot-function` finding with its numbers, what sits under it (locks,
// GC, regexp, JSON, syscalls…), its caller chain, the Pyroscope query and link, and — when a code
// source is available — the file, line range and an annotated snippet.
import type { Finding, FindingStep, SourceLocation, StepContext, StepResult } from '../findings.js';
import type { CodeSource, SourceFile, StackProfile, TimeRange } from '../../sources/types.js';
import { analyzeHot, type HotAnalysis } from '../../analysis/profiles/hot.js';
import { defaultProfileType, formatRate, formatValue, parseProfileTypeId } from '../../analysis/profiles/types.js';
import { causeLabel } from '../../analysis/profiles/classify.js';
import { round as roundTo } from '../../util/stats.js';

const round = (v: number, digits = 4) => roundTo(v, digits);
import { shortName, type UserFunctionStat } from '../../analysis/profiles/top.js';
import { lineCosts } from '../../analysis/profiles/lines.js';
import { functionExtent, renderSnippet, snippetLines } from '../../analysis/profiles/snippet.js';
import { commonSuffixSegments } from '../../sources/bundle/source.js';
import { renderProfileQuery } from '../../query/pyroscope.js';
import { profilesDrilldownLink } from '../../links.js';

const MAX_SERVICES = 3;
const PER_SERVICE = 3;
/** Functions below this share of the service's profile are not worth a finding. */
const MIN_SHARE = 0.05;

export const profilesStep: FindingStep = async (ctx: StepContext): Promise<StepResult> => {
  const out: StepResult = { findings: [], partial: [], toolCalls: 0 };
  const profiles = ctx.sources.profiles;
  if (!profiles) {
    out.partial.push('profiles: no profile source (set PYROSCOPE_URL or open a bundle with profiles/)');
    return out;
  }
  let services = ctx.services;
  try {
    const withProfiles = await profiles.services(ctx.window, ctx.signal);
    out.toolCalls++;
    services = services.length ? services.filter((s) => withProfiles.includes(s)) : withProfiles;
  } catch (e) {
    out.partial.push(`profiles: listing services failed: ${(e as Error).message}`);
    return out;
  }
  const analysed: Array<{ service: string; typeId: string; a: HotAnalysis; cur: StackProfile }> = [];
  for (const service of services) {
    if (ctx.signal.aborted) break;
    try {
      const types = await profiles.profileTypes(service, ctx.window, ctx.signal);
      const typeId = defaultProfileType(types.map((t) => t.id));
      if (!typeId) continue;
      const [cur, base] = await Promise.all([
        profiles.mergedProfile(service, typeId, ctx.window, ctx.signal),
        ctx.baseline ? profiles.mergedProfile(service, typeId, ctx.baseline, ctx.signal) : Promise.resolve(undefined),
      ]);
      out.toolCalls++;
      if (!cur?.stacks.length) continue;
      analysed.push({ service, typeId, a: analyzeHot(cur, base, 20), cur });
    } catch (e) {
      out.partial.push(`profiles of ${service}: ${(e as Error).message}`);
    }
  }
  // With no suspects given, look at the services whose profile grew most.
  const picked = ctx.services.length ? analysed.slice(0, MAX_SERVICES) : [...analysed].sort((x, y) => growth(y.a) - growth(x.a)).slice(0, MAX_SERVICES);
  for (const { service, typeId, a, cur } of picked) {
    for (const u of pickFunctions(a)) {
      const f = toFinding(service, typeId, a, u, ctx.window, ctx);
      if (ctx.sources.code) {
        try {
          f.source = await locate(ctx.sources.code, service, u, cur, typeId, ctx.signal);
          out.toolCalls++;
        } catch (e) {
          out.partial.push(`source of ${shortName(u.name)}: ${(e as Error).message}`);
        }
      }
      out.findings.push(f);
    }
  }
  return out;
};

function growth(a: HotAnalysis): number {
  if (!a.diff || !a.diff.basePerSec) return 0;
  return (a.diff.windowPerSec - a.diff.basePerSec) / a.diff.basePerSec;
}

/** The hottest user functions plus the biggest user-code grower, each at least MIN_SHARE of the profile. */
function pickFunctions(a: HotAnalysis): UserFunctionStat[] {
  const user = a.user.filter((u) => u.kind === 'user' && a.total > 0 && u.attributed / a.total >= MIN_SHARE);
  const chosen = user.slice(0, PER_SERVICE);
  const grower = a.diff?.grew.find((d) => d.kind === 'user');
  if (grower && !chosen.some((c) => c.name === grower.name)) {
    const g = a.user.find((u) => u.name === grower.name);
    if (g && a.total > 0 && g.attributed / a.total >= MIN_SHARE / 2) chosen.push(g);
  }
  return chosen;
}

function toFinding(service: string, typeId: string, a: HotAnalysis, u: UserFunctionStat, window: TimeRange, ctx: StepContext): Finding {
  const unit = parseProfileTypeId(typeId)?.sampleUnit ?? '';
  const share = a.total ? u.attributed / a.total : 0;
  const d = a.diff?.byName.get(u.name);
  const nowPerSec = u.attributed / a.seconds;
  const basePerSec = d ? d.basePerSecAttributed : a.diff ? nowPerSec : undefined;
  const change = basePerSec === undefined ? undefined : basePerSec === 0 ? (nowPerSec > 0 ? Infinity : 0) : (nowPerSec - basePerSec) / basePerSec;
  const causes = Object.entries(u.causes).filter(([, v]) => u.attributed > 0 && v / u.attributed >= 0.1);
  const what = parseProfileTypeId(typeId)?.name === 'process_cpu' ? 'CPU' : typeId;
  const changeText = change === undefined ? '' : change === Infinity ? ', new since the baseline' : Math.abs(change) >= 0.1 ? `, ${change > 0 ? '+' : ''}${(change * 100).toFixed(0)}% per second vs baseline` : ', unchanged vs baseline';
  const numbers: Finding['numbers'] = {
    share: round(share),
    self_share: round(a.total ? u.flat / a.total : 0),
    total_share: round(a.total ? u.cum / a.total : 0),
    per_second: round(nowPerSec),
    per_second_text: formatRate(nowPerSec, unit),
    value: u.attributed,
    value_text: formatValue(u.attributed, unit),
  };
  if (basePerSec !== undefined) {
    numbers.baseline_per_second = round(basePerSec);
    numbers.change = change === Infinity ? 'new' : round(change ?? 0);
  }
  for (const [k, v] of causes) numbers[`under_${k}_share`] = round(v / u.attributed);
  const details: Record<string, string> = {
    function: u.name,
    profile_type: typeId,
  };
  if (u.file) details.file = u.line ? `${u.file}:${u.line}` : u.file;
  if (u.callers.length) details.callers = [...u.callers, u.name].map(shortName).join(' → ');
  if (causes.length) details.under = causes.map(([k, v]) => `${causeLabel(k)} ${(100 * (v / u.attributed)).toFixed(0)}%`).join(', ');
  if (u.via.length) details.calls = u.via.map((v) => v.name).join(', ');
  const query = renderProfileQuery(typeId, { service });
  const growthScore = change === undefined ? 0.5 : change === Infinity ? 1 : Math.max(0, Math.min(1, change / 3 + 0.25));
  return {
    kind: 'hot-function',
    service,
    title: `${shortName(u.name)} uses ${(share * 100).toFixed(1)}% of ${service} ${what}${changeText}${causes.length ? ` (under it: ${causes.slice(0, 2).map(([k]) => causeLabel(k)).join(', ')})` : ''}`,
    message: [
      { key: 'msg_hot_function', args: { fn: shortName(u.name), pct: round(share * 100, 1), service, what } },
      ...(change === undefined
        ? []
        : change === Infinity
          ? [{ key: 'msg_hot_new' }]
          : Math.abs(change) >= 0.1
            ? [{ key: 'msg_hot_change', args: { sign: change > 0 ? '+' : '−', pct: Math.round(Math.abs(change) * 100) } }]
            : [{ key: 'msg_hot_same' }]),
      // Cause labels are words (catalogue keys cause_<id>), joined the way the report language lists things.
      ...(causes.length ? [{ key: 'msg_hot_under', lists: { causes: causes.slice(0, 2).map(([k]) => `cause_${k}`) } }] : []),
    ],
    numbers,
    units: valueUnits(unit),
    evidence: { query: { language: 'pyroscope', text: query }, link: profilesDrilldownLink(ctx.sources.grafana, window, service, typeId, !!a.diff) },
    score: round(Math.min(1, share) * growthScore),
    details,
  };
}

/** Units of the per-second and total values, so the report writes them in the reader's locale (CPU
 * nanoseconds per second are cores). The `_text` numbers keep an English rendering for JSON readers. */
function valueUnits(sampleUnit: string): Record<string, string> | undefined {
  const rate = sampleUnit === 'nanoseconds' ? 'cpu-ns-per-second' : sampleUnit === 'bytes' ? 'bytes-per-second' : 'per-second';
  const value = sampleUnit === 'nanoseconds' ? 'nanoseconds' : sampleUnit === 'bytes' ? 'bytes' : undefined;
  return { per_second: rate, baseline_per_second: rate, ...(value ? { value } : {}) };
}

/** Source location of a function: the profile's file when known, else a definition search. */
async function locate(code: CodeSource, service: string, u: UserFunctionStat, profile: StackProfile, typeId: string, signal: AbortSignal): Promise<SourceLocation | undefined> {
  let file: SourceFile | undefined;
  let def: number | undefined;
  const found = await code.findFunction(service, u.name, signal);
  if (u.file) {
    const viaPath = await code.readFile(service, u.file, signal);
    const same = found.find((f) => viaPath && f.file.path === viaPath.path);
    if (same) [file, def] = [same.file, same.line];
    else if (viaPath) file = viaPath;
  }
  if (!file && found.length) [file, def] = [found[0]!.file, found[0]!.line];
  if (!file) return undefined;
  const unit = parseProfileTypeId(typeId)?.sampleUnit ?? '';
  const costs = lineCosts(profile, { fn: u.name }).filter((c) => commonSuffixSegments(c.file, file!.path) > 0);
  const start = def ?? (costs.length ? Math.max(1, Math.min(...costs.map((c) => c.line)) - 3) : u.line ?? 1);
  let end = def ? functionExtent(file.text, def, file.path, 40) : start + 20;
  if (costs.length) end = Math.min(start + 60, Math.max(end, ...costs.map((c) => c.line)));
  const rows = snippetLines(file.text, start, end, new Map(costs.map((c) => [c.line, c])));
  return {
    repo: file.repo,
    path: file.path,
    startLine: start,
    endLine: end,
    snippet: renderSnippet(rows, costs.length ? (v) => formatValue(v, unit) : undefined),
    url: file.url ? `${file.url}#L${start}-L${end}` : undefined,
    function: u.name,
  };
}


