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
import { shortName, topFunctions, type UserFunctionStat } from '../../analysis/profiles/top.js';
import { holmAdjust, shareGrowthTest, type ShareTest } from '../../analysis/profiles/share-test.js';
import { enclosingFunction, isAnonymousName } from '../../analysis/profiles/enclosing.js';
import { lineCosts } from '../../analysis/profiles/lines.js';
import { stackCount } from '../../analysis/profiles/compact-stacks.js';
import { functionExtent, renderSnippet, snippetLines } from '../../analysis/profiles/snippet.js';
import { commonSuffixSegments } from '../../sources/bundle/source.js';
import { renderProfileQuery } from '../../query/pyroscope.js';
import { profilesDrilldownLink } from '../../links.js';
import { contentionFinding } from './contention.js';

const MAX_SERVICES = 3;
const PER_SERVICE = 3;
/** Functions below this share of the service's profile are not worth a finding. */
const MIN_SHARE = 0.05;
/** Family-wise level (Holm over the service's user functions) at which a function's growing share
 * of samples is a finding even below MIN_SHARE: small but real growth is often the cause (a retry
 * loop, a callback that now runs), while a large share may be the service's normal work. */
export const GROWTH_ALPHA = 0.01;
/** At most this many functions per service are added for a significant growth alone. */
const GROWERS_PER_SERVICE = 2;

/** A user function's growth test on sample counts, with its Holm-adjusted p-value and how many
 * functions it was tested among. */
export type GrowthTest = ShareTest & { pAdjusted: number; tested: number };

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
  const contention: Array<{ service: string; types: string[] }> = [];
  const analysed: Array<{ service: string; typeId: string; a: HotAnalysis; cur: StackProfile; tests: Map<string, GrowthTest> }> = [];
  for (const service of services) {
    if (ctx.signal.aborted) break;
    try {
      const types = await profiles.profileTypes(service, ctx.window, ctx.signal);
      contention.push({ service, types: types.map((t) => t.id) });
      const typeId = defaultProfileType(types.map((t) => t.id));
      if (!typeId) continue;
      const [cur, base] = await Promise.all([
        profiles.mergedProfile(service, typeId, ctx.window, ctx.signal),
        ctx.baseline ? profiles.mergedProfile(service, typeId, ctx.baseline, ctx.signal) : Promise.resolve(undefined),
      ]);
      out.toolCalls++;
      if (!cur || !stackCount(cur)) continue;
      const a = analyzeHot(cur, base, 20);
      const tests = ctx.baseline ? await growthTests(profiles, service, typeId, types.map((t) => t.id), a, cur, base, ctx) : new Map<string, GrowthTest>();
      analysed.push({ service, typeId, a, cur, tests });
    } catch (e) {
      out.partial.push(`profiles of ${service}: ${(e as Error).message}`);
    }
  }
  // With no suspects given, look at the services whose profile grew most.
  const picked = ctx.services.length ? analysed.slice(0, MAX_SERVICES) : [...analysed].sort((x, y) => growth(y.a) - growth(x.a)).slice(0, MAX_SERVICES);
  for (const { service, typeId, a, cur, tests } of picked) {
    for (const { u, grower } of pickFunctions(a, tests)) {
      const f = toFinding(service, typeId, a, u, ctx.window, ctx, tests.get(u.name), grower);
      if (ctx.sources.code) {
        try {
          const found = await locate(ctx.sources.code, service, u, cur, typeId, ctx.signal);
          f.source = found?.location;
          out.toolCalls++;
          if (found) nameAnonymous(f, u, found.text);
        } catch (e) {
          out.partial.push(`source of ${shortName(u.name)}: ${(e as Error).message}`);
        }
      }
      out.findings.push(f);
    }
  }
  // Where threads waited on locks, for every service looked at that has a contention profile.
  for (const { service, types } of contention) {
    if (ctx.signal.aborted) break;
    try {
      const f = await contentionFinding(profiles, service, types, ctx, out);
      if (f) out.findings.push(f);
    } catch (e) {
      out.partial.push(`lock contention of ${service}: ${(e as Error).message}`);
    }
  }
  return out;
};

function growth(a: HotAnalysis): number {
  if (!a.diff || !a.diff.basePerSec) return 0;
  return (a.diff.windowPerSec - a.diff.basePerSec) / a.diff.basePerSec;
}

/**
 * The hottest user functions, the biggest user-code grower, and the user functions whose share of
 * samples grew significantly (GROWTH_ALPHA after Holm), most significant first. A significant grower
 * need not be hot: its finding then reports its share of samples on the stack (inclusive).
 */
function pickFunctions(a: HotAnalysis, tests: Map<string, GrowthTest>): Array<{ u: UserFunctionStat; grower: boolean }> {
  const user = a.user.filter((u) => u.kind === 'user' && a.total > 0 && u.attributed / a.total >= MIN_SHARE);
  const chosen = user.slice(0, PER_SERVICE).map((u) => ({ u, grower: false }));
  const has = (name: string) => chosen.some((c) => c.u.name === name);
  const grower = a.diff?.grew.find((d) => d.kind === 'user');
  if (grower && !has(grower.name)) {
    const g = a.user.find((u) => u.name === grower.name);
    if (g && a.total > 0 && g.attributed / a.total >= MIN_SHARE / 2) chosen.push({ u: g, grower: false });
  }
  const significant = [...tests.entries()].filter(([, t]) => t.pAdjusted < GROWTH_ALPHA && t.diff > 0).sort((x, y) => y[1].z - x[1].z || (x[0] < y[0] ? -1 : 1));
  let added = 0;
  for (const [name] of significant) {
    if (added >= GROWERS_PER_SERVICE) break;
    if (has(name)) continue;
    const stat = a.user.find((u) => u.name === name) ?? asUserStat(a, name);
    // Only code with a location: frames without a file are the runtime's own (V8 builtins and native
    // bindings such as runMicrotasks or writev carry none), whose inclusive share grows with any load.
    if (!stat?.file) continue;
    chosen.push({ u: stat, grower: true });
    added++;
  }
  return chosen;
}

/** A function outside the user view's top list (its time attributed to user callees): its own row. */
function asUserStat(a: HotAnalysis, name: string): UserFunctionStat | undefined {
  const f = a.top.byName.get(name);
  if (!f || f.kind !== 'user') return undefined;
  return { ...f, attributed: f.flat, causes: {}, via: [], callers: [] };
}

/**
 * Growth tests of every user function's share of samples (on the stack, so a caller counts the
 * samples of what it calls), window vs baseline, on sample counts: the profile itself when its unit
 * is a count, else its sibling `samples:count` type (CPU profiles carry both); none without counts.
 */
export async function growthTests(
  profiles: NonNullable<StepContext['sources']['profiles']>,
  service: string,
  typeId: string,
  available: string[],
  a: HotAnalysis,
  cur: StackProfile,
  base: StackProfile | undefined,
  ctx: StepContext,
): Promise<Map<string, GrowthTest>> {
  const out = new Map<string, GrowthTest>();
  const t = parseProfileTypeId(typeId);
  if (!t || !ctx.baseline) return out;
  let w: StackProfile | undefined = cur;
  let b: StackProfile | undefined = base;
  if (t.sampleUnit !== 'count') {
    const sibling = available.find((id) => {
      const p = parseProfileTypeId(id);
      return p && p.name === t.name && p.sampleUnit === 'count';
    });
    if (!sibling) return out;
    [w, b] = await Promise.all([profiles.mergedProfile(service, sibling, ctx.window, ctx.signal), profiles.mergedProfile(service, sibling, ctx.baseline, ctx.signal)]);
  }
  if (!w || !stackCount(w) || !b || !stackCount(b)) return out;
  // On count profiles these are the profiles analyzeHot read: its tables serve.
  const wt = t.sampleUnit === 'count' ? a.top : topFunctions(w);
  const bt = t.sampleUnit === 'count' && a.baselineTop ? a.baselineTop : topFunctions(b);
  const rows: Array<[string, ShareTest]> = [];
  for (const f of wt.functions) {
    if (a.top.byName.get(f.name)?.kind !== 'user' || f.cum <= 0) continue;
    const r = shareGrowthTest(f.cum, wt.total, bt.byName.get(f.name)?.cum ?? 0, bt.total);
    if (r) rows.push([f.name, r]);
  }
  const adjusted = holmAdjust(rows.map(([, r]) => r.p));
  rows.forEach(([name, r], i) => out.set(name, { ...r, pAdjusted: adjusted[i]!, tested: rows.length }));
  return out;
}

/** An anonymous frame's finding names the function that defines it (read from the located source). */
export function nameAnonymous(f: Finding, u: UserFunctionStat, text: string): void {
  if (!f.source || !u.line || !isAnonymousName(u.name)) return;
  const outer = enclosingFunction(text, u.line, f.source.path);
  if (!outer) return;
  f.details = { ...(f.details ?? {}), enclosing_function: outer.name };
  f.title = f.title.replace(shortName(u.name), `${shortName(u.name)} in ${outer.name}`);
}

function toFinding(service: string, typeId: string, a: HotAnalysis, u: UserFunctionStat, window: TimeRange, ctx: StepContext, test?: GrowthTest, grower = false): Finding {
  const unit = parseProfileTypeId(typeId)?.sampleUnit ?? '';
  // A function picked for its growth alone is measured inclusively (its callees' samples count):
  // that is the share the test found growing; the others keep the user view (attributed cost).
  const value = grower ? u.cum : u.attributed;
  const share = a.total ? value / a.total : 0;
  const d = a.diff?.byName.get(u.name);
  const nowPerSec = value / a.seconds;
  const basePerSec = d ? (grower ? d.basePerSecCum : d.basePerSecAttributed) : a.diff ? (grower ? 0 : nowPerSec) : undefined;
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
    value,
    value_text: formatValue(value, unit),
  };
  if (basePerSec !== undefined) {
    numbers.baseline_per_second = round(basePerSec);
    numbers.change = change === Infinity ? 'new' : round(change ?? 0);
  }
  if (test) {
    numbers.samples = test.samples;
    numbers.samples_total = test.total;
    numbers.baseline_samples = test.baseSamples;
    numbers.baseline_samples_total = test.baseTotal;
    numbers.stack_share = round(test.share);
    numbers.baseline_stack_share = round(test.baseShare);
    numbers.stack_share_change_ci_low = round(test.ci95[0]);
    numbers.stack_share_change_ci_high = round(test.ci95[1]);
    numbers.growth_z = round(test.z, 2);
    numbers.growth_p_adjusted = Number(test.pAdjusted.toPrecision(2));
    numbers.functions_tested = test.tested;
    // The test's verdict as a value the report translates (the numbers above are its evidence).
    numbers.growth_verdict = test.pAdjusted < GROWTH_ALPHA ? 'grew' : 'within-noise';
  }
  for (const [k, v] of causes) numbers[`under_${k}_share`] = round(v / u.attributed);
  const details: Record<string, string> = {
    function: u.name,
    profile_type: typeId,
  };
  if (u.file) details.file = u.line ? `${u.file}:${u.line}` : u.file;
  if (u.callers.length) details.callers = [...u.callers, u.name].map(shortName).join(' → ');
  if (u.via.length) details.calls = u.via.map((v) => v.name).join(', ');
  const query = renderProfileQuery(typeId, { service });
  // A change the sample counts cannot tell from noise scores as no change.
  const noise = test !== undefined && !(test.pAdjusted < GROWTH_ALPHA);
  const growthScore = change === undefined ? 0.5 : noise ? 0.25 : change === Infinity ? 1 : Math.max(0, Math.min(1, change / 3 + 0.25));
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

/** The growth test in one line, e.g. "on the stack in 48 of 283 samples (17.0%) vs 4 of 204 (2.0%):
 * +15.0 points (95% CI +10.2 to +19.8), z 5.29, Holm-adjusted p 6e-6 over 52 functions". */
/** Units of the per-second and total values, so the report writes them in the reader's locale (CPU
 * nanoseconds per second are cores). The `_text` numbers keep an English rendering for JSON readers. */
function valueUnits(sampleUnit: string): Record<string, string> | undefined {
  const rate = sampleUnit === 'nanoseconds' ? 'cpu-ns-per-second' : sampleUnit === 'bytes' ? 'bytes-per-second' : 'per-second';
  const value = sampleUnit === 'nanoseconds' ? 'nanoseconds' : sampleUnit === 'bytes' ? 'bytes' : undefined;
  return { per_second: rate, baseline_per_second: rate, ...(value ? { value } : {}) };
}

/** Source location of a function: the profile's file when known, else a definition search. */
export async function locate(code: CodeSource, service: string, u: UserFunctionStat, profile: StackProfile, typeId: string, signal: AbortSignal): Promise<{ location: SourceLocation; text: string } | undefined> {
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
  const location: SourceLocation = {
    repo: file.repo,
    path: file.path,
    startLine: start,
    endLine: end,
    snippet: renderSnippet(rows, costs.length ? (v) => formatValue(v, unit) : undefined),
    url: file.url ? `${file.url}#L${start}-L${end}` : undefined,
    function: u.name,
  };
  return { location, text: file.text };
}


