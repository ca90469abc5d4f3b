// Lock contention as a finding of the profiles step: from a service's contention profile (Go mutex or
// block pprof, JFR monitor waits, Pyroscope's Java lock profiles — wait time in nanoseconds), the user
// function under which threads waited most, how long they waited per second, and whether that grew vs
// the baseline. It is a `hot-function` finding (same grouping, picture — a flame graph of the delay
// profile —, source lookup and hints as CPU hot spots) whose message says "waited", not "uses".
import type { Finding, StepContext, StepResult } from '../findings.js';
import { analyzeHot } from '../../analysis/profiles/hot.js';
import { parseProfileTypeId, resolveProfileType } from '../../analysis/profiles/types.js';
import { shortName } from '../../analysis/profiles/top.js';
import { stackCount } from '../../analysis/profiles/compact-stacks.js';
import { renderProfileQuery } from '../../query/pyroscope.js';
import { profilesDrilldownLink } from '../../links.js';
import { round } from '../../util/stats.js';
import { rateGrowthTest } from '../../analysis/profiles/share-test.js';
import { GROWTH_ALPHA, growthTests, locate, nameAnonymous, type GrowthTest } from './profiles.js';

/**
 * Without a baseline, a lock is a finding when threads waited on it at least this long per second of
 * profile: 0.1 s/s is a tenth of a thread parked on that lock at every moment. At the few to tens of
 * concurrent requests a service serves, that is a visible part of request time spent queueing; below
 * it, the ordinary locking every service does (pools, loggers, allocators) is expected. It is a rate of
 * threads, so it does not depend on a profile's length or sampling.
 */
const MIN_WAIT_PER_SECOND = 0.1;

/** The contention type to read: lock waits (mutex, monitors) first; Go's block profile (locks and
 * channel waits alike) only when there is no lock profile. Only wait time counts (not counts). */
function contentionType(available: string[]): { id: string; family: 'mutex' | 'block' } | undefined {
  for (const family of ['mutex', 'block'] as const) {
    const id = resolveProfileType(family, available);
    if (id && parseProfileTypeId(id)?.sampleUnit === 'nanoseconds') return { id, family };
  }
  return undefined;
}

/**
 * The contention finding of one service, or undefined when it has no contention profile in the window,
 * no user function under its waits, or waits that are neither large (no baseline) nor significantly
 * grown (with a baseline: the share growth test on contention counts, as for CPU, or a growth of its
 * contentions per second, and more wait per second).
 */
export async function contentionFinding(
  profiles: NonNullable<StepContext['sources']['profiles']>,
  service: string,
  available: string[],
  ctx: StepContext,
  out: StepResult,
): Promise<Finding | undefined> {
  const type = contentionType(available);
  if (!type) return undefined;
  const [cur, base] = await Promise.all([
    profiles.mergedProfile(service, type.id, ctx.window, ctx.signal),
    ctx.baseline ? profiles.mergedProfile(service, type.id, ctx.baseline, ctx.signal) : Promise.resolve(undefined),
  ]);
  out.toolCalls++;
  if (!cur || !stackCount(cur)) return undefined;
  // The user view attributes the runtime's waiting frames (sync.Mutex.Lock, futex, park) to the user
  // function that called them: the first user row is where threads waited.
  const a = analyzeHot(cur, base, 20);
  const u = a.user.find((x) => x.kind === 'user');
  if (!u || !(a.total > 0)) return undefined;
  const waitPerSec = u.attributed / 1e9 / a.seconds;
  const d = a.diff?.byName.get(u.name);
  const basePerSec = a.diff ? (d ? d.basePerSecAttributed / 1e9 : 0) : undefined;
  const tests = ctx.baseline ? await growthTests(profiles, service, type.id, available, a, cur, base, ctx) : new Map<string, GrowthTest>();
  const test = tests.get(u.name);
  let rateTest: { z: number; p: number } | undefined;
  if (basePerSec === undefined || !test) {
    // No baseline, or no contention counts to test growth on: only a large wait is a finding.
    if (waitPerSec < MIN_WAIT_PER_SECOND) return undefined;
    if (basePerSec !== undefined && waitPerSec <= basePerSec) return undefined;
  } else {
    // Grown: its share of contention events (the CPU step's test, Holm over the service's functions)
    // or its contentions per second (one function tested: no adjustment) — and its wait per second.
    const rate = rateGrowthTest(test.samples, a.seconds, test.baseSamples, a.baselineSeconds ?? 0);
    const shareGrew = test.pAdjusted < GROWTH_ALPHA && test.diff > 0;
    const rateGrew = rate !== undefined && rate.p < GROWTH_ALPHA;
    if (!((shareGrew || rateGrew) && waitPerSec > basePerSec)) return undefined;
    rateTest = rate;
  }
  const f = toFinding(service, type, a.total, u, waitPerSec, basePerSec, test, rateTest, ctx, !!a.diff);
  if (ctx.sources.code) {
    try {
      const found = await locate(ctx.sources.code, service, u, cur, type.id, ctx.signal);
      out.toolCalls++;
      f.source = found?.location;
      if (found) nameAnonymous(f, u, found.text);
    } catch (e) {
      out.partial.push(`source of ${shortName(u.name)}: ${(e as Error).message}`);
    }
  }
  return f;
}

function toFinding(
  service: string,
  type: { id: string; family: 'mutex' | 'block' },
  total: number,
  u: ReturnType<typeof analyzeHot>['user'][number],
  waitPerSec: number,
  basePerSec: number | undefined,
  test: GrowthTest | undefined,
  rate: { z: number; p: number } | undefined,
  ctx: StepContext,
  compared: boolean,
): Finding {
  const share = u.attributed / total;
  const change = basePerSec === undefined ? undefined : basePerSec === 0 ? Infinity : (waitPerSec - basePerSec) / basePerSec;
  const waitKey = type.family === 'mutex' ? 'lock_wait_per_second' : 'block_wait_per_second';
  const numbers: Finding['numbers'] = {
    [waitKey]: round(waitPerSec, 4),
    share: round(share, 4),
    value: u.attributed,
  };
  if (basePerSec !== undefined) {
    numbers.baseline_wait_per_second = round(basePerSec, 4);
    numbers.change = change === Infinity ? 'new' : round(change ?? 0, 4);
  }
  if (test) {
    numbers.samples = test.samples;
    numbers.samples_total = test.total;
    numbers.baseline_samples = test.baseSamples;
    numbers.baseline_samples_total = test.baseTotal;
    numbers.growth_z = round(test.z, 2);
    numbers.growth_p_adjusted = Number(test.pAdjusted.toPrecision(2));
    numbers.functions_tested = test.tested;
    numbers.growth_verdict = test.pAdjusted < GROWTH_ALPHA || (rate !== undefined && rate.p < GROWTH_ALPHA) ? 'grew' : 'within-noise';
  }
  if (rate) {
    numbers.rate_growth_z = round(rate.z, 2);
    numbers.rate_growth_p = Number(rate.p.toPrecision(2));
  }
  const details: Record<string, string> = { function: u.name, profile_type: type.id };
  if (u.file) details.file = u.line ? `${u.file}:${u.line}` : u.file;
  if (u.callers.length) details.callers = [...u.callers, u.name].map(shortName).join(' → ');
  if (u.via.length) details.calls = u.via.map((v) => v.name).join(', ');
  const where = type.family === 'mutex' ? 'on locks' : 'blocked';
  const changeText = change === undefined ? '' : change === Infinity ? ', new since the baseline' : `, ${change > 0 ? '+' : ''}${(change * 100).toFixed(0)}% per second vs baseline`;
  // Same scale as CPU hot spots: the function's share of all waiting, weighed by how clearly it grew.
  const growthScore = change === undefined ? 0.5 : change === Infinity ? 1 : Math.max(0, Math.min(1, change / 3 + 0.25));
  return {
    kind: 'hot-function',
    service,
    title: `threads waited ${waitPerSec.toFixed(2)} s per second ${where} in ${shortName(u.name)} (${service})${changeText}`,
    message: [
      { key: type.family === 'mutex' ? 'msg_lock_wait' : 'msg_block_wait', args: { fn: shortName(u.name), wait: round(waitPerSec, 4), service }, units: { wait: 'seconds' } },
      ...(change === undefined ? [] : change === Infinity ? [{ key: 'msg_hot_new' }] : [{ key: 'msg_hot_change', args: { sign: change > 0 ? '+' : '−', pct: Math.round(Math.abs(change) * 100) } }]),
    ],
    numbers,
    units: { [waitKey]: 'seconds', baseline_wait_per_second: 'seconds', value: 'nanoseconds' },
    evidence: { query: { language: 'pyroscope', text: renderProfileQuery(type.id, { service }) }, link: profilesDrilldownLink(ctx.sources.grafana, ctx.window, service, type.id, compared) },
    score: round(Math.min(1, share) * growthScore, 4),
    details,
  };
}
