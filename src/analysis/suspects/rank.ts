// Cross-signal ranking of services for a time window vs its baseline ("who moved, and who moved first").
//
// 1. Evidence as statistics. Each feature module measures one symptom per service and turns it into a
//    test statistic in z units: how unusual the window is given the baseline's own variance and the
//    sample sizes (Welch's t with calibrated tails and a minimum effect for durations, Poisson and
//    binomial tests for counts and per-request rates). Features that count broad symptoms (which move
//    with load in every service) are then compared across services (median/MAD), so what moved
//    everywhere says little.
// 2. Attribution on the call graph. Each symptom is explained once, at the deepest place that explains
//    it: an operation's own time goes to its service; the wait on a call goes to the endpoint whose
//    edges are consistently slow (a delayed pod slows every edge it touches, both ways; the calls of a
//    service that talks little are pooled), and so does a call its caller gave up on (a timeout); errors
//    go where they start (an error span none of whose children failed, a line that names another
//    service, the callee a failed call never reached); what changed right after a callee answered goes
//    to the callee.
// 3. Causality for what propagates. Symptoms that travel up the call graph (errors, error lines,
//    unusual call shapes, latency metrics) are discounted in a caller when a callee moved at least as
//    much; local evidence (own time, attributed waits, per-request behaviour, profiles) is not.
// 4. No baseline, short baseline, incomplete data. Without a trace baseline the call waits are compared
//    with each other inside the window and own time is judged by its share of the slow requests'
//    critical path; the metrics keep their own baseline; a replicated service's instances are compared
//    with each other in the window. Leaf instances of operations that usually
//    have children are not credited with self time (their children were not recorded). What was
//    missing and what the ranking fell back on is reported in `partial`.
//
// The features live next to this file, one failure mode each: error-origin.ts (errors where they
// start), own-time.ts (an operation's own time), edges.ts (the wait on a call: network and queueing),
// call-shapes.ts (requests that stop early), patterns.ts and transitions.ts (per-request events and
// what follows them), siblings.ts (one instance against its replicas), logs.ts, named.ts (errors naming
// another service), metrics.ts, profiles.ts.
// Every constant is in tuning.ts; `npm run bench -- suspects` measures its sensitivity.
import type { LogRecord, Sources, Span, TimeRange } from '../../sources/types.js';
import { CAP, coveredRatio, poissonZ, robustScores } from './stats.js';
import { TUNING } from './tuning.js';
import { traceFeatures } from './traces.js';
import { logFeatures, logLevel, logTemplate } from './logs.js';
import { metricFeatures } from './metrics.js';
import { profileFeatures } from './profiles.js';
import { transitionFeatures } from './transitions.js';
import { eventLabel } from './event-label.js';
import { patternFeatures, type PatternChange } from './patterns.js';
import { mineTemplates } from './templates.js';
import { namedInErrors, serviceMentions } from './named.js';
import { leadOf, type Lead } from './lead.js';
import type { ScorePart } from './score-parts.js';

export interface Suspect {
  service: string;
  /** Combined score (sum of parts after the causality discount). */
  score: number;
  /** Score parts by signal feature (robust z-like values, ≥ 0), before the discount. */
  parts: Record<string, number>;
  /** Human-readable evidence lines (English), strongest first. */
  evidence: string[];
  /** The same lines as translatable messages (prompts/i18n keys and values), index for index. */
  evidenceMessages: EvidenceMessage[][];
  /** Raw measurements behind the parts. */
  raw: Record<string, number>;
  /** Callee services that explain part of this service's movement (causality discount). */
  explainedBy?: string[];
  /** Strongest per-request event changes of the service (log statements, operations, calls). */
  patterns?: PatternChange[];
}

/** A translatable piece of an evidence line (same shape as a finding's message part). */
export interface EvidenceMessage {
  key: string;
  args?: Record<string, string | number>;
  /** Args that are phrases of their own (an event with its kind), rendered in the report language. */
  parts?: Record<string, EvidenceMessage>;
}

export interface SuspectsResult {
  window: TimeRange;
  baseline: TimeRange;
  suspects: Suspect[];
  /** Signals that contributed. */
  signals: { traces: boolean; logs: boolean; metrics: boolean; profiles: boolean };
  /** What could not be used, one line each. */
  partial: string[];
  /** Caller → callee service edges seen in traces (count of calls). */
  callGraph: Array<{ caller: string; callee: string; calls: number }>;
  /** How far the first suspect leads the second (absent with fewer than two suspects). */
  lead?: Lead;
}

export interface SuspectOptions {
  signal?: AbortSignal;
  /** Cap on log records read per range from a remote source. */
  logLimit?: number;
  /** Cap on traces read from a remote source. */
  traceLimit?: number;
  /** Max metric families compared (remote sources make one range query per family and range). */
  maxMetricFamilies?: number;
}

/** Features measured where the symptom is (already attributed to the deepest place that explains it):
 * a callee's movement does not explain them away. */
const LOCAL_FEATURES = new Set<ScorePart>(['patterns', 'self_time', 'edge_wait', 'profile_growth', 'critical_share', 'pod_outlier']);

/**
 * How much each statistic says about a fault *in this service*, in three classes. Direct (≈1): the
 * symptom is measured where it starts and does not move with the workload mix. Corroborating (≈0.3–0.6):
 * the symptom points at the service but also follows other causes. Broad (≤0.2): counts that move
 * with load, retries and earlier faults still recovering in every service, so they only break ties.
 * A feature absent from this table (edge_wait, critical_share, pod_outlier) weighs 1: it is already attributed
 * evidence in z units. `npm run bench -- suspects` reports what ±50% on each does.
 */
export const WEIGHTS: Record<string, number> = {
  /** Code fault that throws: error spans none of whose children failed (direct). */
  own_errors: 1.2,
  /** Code fault: error kinds never seen in the baseline (corroborating: a new kind may be a new symptom). */
  new_error_kinds: 0.8,
  /** Slow code path, CPU starvation, slow query: an operation's own time (direct). */
  self_time: 1.0,
  /** Exception or wrong return value that changes what a request does: per-request event rates (direct;
   * the strongest test, since it conditions on the entry operation and so on the workload mix). */
  patterns: 1.5,
  /** Wrong answer from a callee: what its caller does right after it answered (corroborating). */
  transitions: 0.5,
  /** Requests that stop early (broad: retries and timeouts change shapes too). */
  structure: 0.1,
  /** Error/warn line surprise (broad: propagated errors count in every caller). */
  log_errors: 0.2,
  /** First error line of each trace (broad). */
  first_log_errors: 0.1,
  /** A dependency failing: other services' errors name it (corroborating: names can be of a victim). */
  named_in_errors: 0.35,
  /** Code fault older than the baseline: own error lines × share of requests they hit (direct; needs no
   * clean baseline). */
  error_burden: 1.0,
  /** Code fault: error statements never logged in the baseline, the service's own (direct). */
  new_log_errors: 1.0,
  /** Template-mix shift (broad: the workload mix moves it). */
  log_shift: 0.05,
  /** Resource faults (CPU, memory, network) and latency metrics (corroborating: latency propagates). */
  metrics: 0.3,
  /** CPU burnt in the service's own code (corroborating: load raises it too). */
  profile_growth: 0.6,
};



const round1 = (v: number) => Math.round(v * 10) / 10;

function fmt(n: number, d = 1): string {
  return Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(d)) : '–';
}

export async function rankSuspects(sources: Sources, window: TimeRange, baseline: TimeRange, opts: SuspectOptions = {}): Promise<SuspectsResult> {
  const partial: string[] = [];
  const signals = { traces: false, logs: false, metrics: false, profiles: false };
  // feature → service → raw z-like value; normalised across *all* services once every signal is in.
  const rawParts = new Map<ScorePart, { values: Map<string, number>; minScale: number }>();
  const raw = new Map<string, Record<string, number>>();
  const evidence = new Map<string, Array<[number, string, EvidenceMessage[]]>>();
  const services = new Set<string>();
  const addRaw = (svc: string, k: string, v: number) => {
    services.add(svc);
    const r = raw.get(svc) ?? {};
    r[k] = Math.round(v * 1000) / 1000;
    raw.set(svc, r);
  };
  const addEvidence = (svc: string, weight: number, line: string, message: EvidenceMessage[]) => {
    const l = evidence.get(svc) ?? [];
    l.push([weight, line, message]);
    evidence.set(svc, l);
  };
  const whole: TimeRange = { start: Math.min(window.start, baseline.start), end: Math.max(window.end, baseline.end) };
  let edges = new Map<string, number>();
  let traceSpans: Span[] = [];
  let logRecords: LogRecord[] = [];
  /** Log statement of each record (mined once, used by the log features and the event patterns). */
  let templateOf: (r: LogRecord) => string = (r) => logTemplate(r.body);
  let recovering = new Map<string, { before: number; after: number }>();
  let patternDetail = new Map<string, PatternChange[]>();
  let entriesW = new Map<string, number>();
  let burdenCounts = new Map<string, number>();
  /** Whether a log line names another known service (set once the logs are read). */
  let namesOther: (r: LogRecord) => boolean = () => false;
  /** Emitter → named service, from error lines naming a service (used by the causality discount). */
  const namedEdges = new Map<string, number>();

  const tracesTask = async () => {
    if (!sources.traces) return partial.push('traces: no trace source');
    const set = await sources.traces.findTraces({ range: whole, limitTraces: opts.traceLimit }, opts.signal);
    if (set.partial) partial.push(`traces: sampled (${set.notes.join('; ')})`);
    if (set.spans.length === 0) return partial.push('traces: no spans in the window or baseline');
    signals.traces = true;
    traceSpans = set.spans;
    const f = traceFeatures(set.spans, window, baseline);
    edges = f.edges;
    entriesW = f.entriesW;
    const ownErr = new Map<string, number>();
    const newKinds = new Map<string, number>();
    const ratio = coveredRatio(set.spans.map((x) => x.startMs), window, baseline);
    for (const [svc, o] of f.own) {
      services.add(svc);
      // Own error *rate* surprise: error counts scaled by the traffic change.
      const traffic = o.spansB > 0 ? o.spansW / (o.spansB * ratio) : 1;
      const z = Math.max(0, poissonZ(o.errW, o.errB, ratio * traffic));
      ownErr.set(svc, z);
      newKinds.set(svc, o.newKinds.size > 0 ? Math.sqrt(o.errW) : 0);
      addRaw(svc, 'own_error_spans', o.errW);
      addRaw(svc, 'own_error_spans_baseline', o.errB);
      if (o.errW > 0 && z > 1)
        addEvidence(svc, z, `${o.errW} error span(s) starting here (baseline ${o.errB})${o.topKind ? `: ${o.topKind}` : ''}${o.newKinds.size ? ` — ${o.newKinds.size} new error kind(s)` : ''}`, [
          { key: 'ev_own_errors', args: { n: o.errW, baseline: o.errB } },
          ...(o.topKind ? [{ key: 'ev_text', args: { text: o.topKind } }] : []),
          ...(o.newKinds.size ? [{ key: 'ev_new_kinds', args: { n: o.newKinds.size } }] : []),
        ]);
    }
    rawParts.set('own_errors', { values: ownErr, minScale: 1 });
    rawParts.set('new_error_kinds', { values: newKinds, minScale: 1 });
    rawParts.set('self_time', { values: f.selfShift, minScale: 1 });
    for (const [svc, d] of f.selfDetail) {
      addRaw(svc, 'self_ms_before', d.before);
      addRaw(svc, 'self_ms_after', d.after);
      addEvidence(svc, Math.log((d.after + 1) / (d.before + 1)) * 3, `self time of "${d.op}" ${fmt(d.before)} ms → ${fmt(d.after)} ms (median, ${d.n} spans)`, [
        { key: 'ev_self_time', args: { op: d.op, before: round1(d.before), after: round1(d.after), n: d.n } },
      ]);
    }
    // Edge waits are attributed evidence in z units already (one edge, one explanation): not renormalised.
    rawParts.set('edge_wait', { values: new Map([...f.waits.score].map(([k, v]) => [k, Math.min(CAP, v)])), minScale: 0 });
    const alreadySlow = [...f.waits.detail.values()].flat().filter((e) => e.alreadySlow);
    if (alreadySlow.length > 0) {
      const edges = alreadySlow.slice(0, 3).map((e) => `${e.caller} → ${e.callee}`).join(', ');
      partial.push(`traces: ${alreadySlow.length} call edge(s) were already far slower than the window's other calls in the baseline (${edges}): the baseline may hold the fault already; they were judged against the window's other calls`);
    }
    if (f.noBaseline) {
      partial.push('traces: no baseline for most calls; call waits compared with each other inside the window, own time judged by its share of the slow requests\' critical path');
      // Nothing to test a change against: a service owning a share s of the critical path weighs s × the
      // evidence cap (owning all of it weighs as much as the strongest test).
      rawParts.set('critical_share', { values: new Map([...f.criticalShare].map(([k, v]) => [k, Math.min(CAP, v * TUNING.zCap)])), minScale: 0 });
      for (const [svc, share] of f.criticalShare) {
        if (share < 0.05) continue;
        addRaw(svc, 'critical_path_share', share);
        addEvidence(svc, share * 4, `${Math.round(share * 100)}% of the slow requests' critical path is its own work (no baseline to compare with)`, [
          { key: 'ev_critical_share', args: { pct: Math.round(share * 100) } },
        ]);
      }
    }
    for (const [svc, l] of f.waits.detail) {
      const e = l[0]!;
      addRaw(svc, 'slow_call_edges', l.length);
      const judged = e.against === 'baseline';
      // Judged across the window's edges although the edge had a baseline: it was slow there already.
      const already = !!e.alreadySlow;
      const more = l.length > 1 ? `; ${l.length - 1} more slow edge(s) touching ${svc}` : '';
      const wait = `wait on calls ${e.caller} → ${e.callee}:`;
      const medians = `${fmt(e.before)} ms → ${fmt(e.after)} ms (median, ${e.n} calls`;
      const text = e.rare
        ? `${e.rare.k} of ${e.n} calls on ${e.rare.edges} little-used call edge(s) touching ${svc} waited unusually long (median ${fmt(e.after)} ms): past their edge's slowest baseline call, or past 9 in 10 of the window's calls where the edge is new`
        : e.slow
          ? `${e.slow.k} of ${e.n} calls ${e.caller} → ${e.callee} waited over ${fmt(e.slow.limitMs)} ms, longer than any of the baseline's ${e.slow.nb} calls`
          : judged
            ? `${wait} ${medians})`
            : already
              ? `${wait} ${medians}): far longer than the window's other calls, and already long in the baseline`
              : `${wait} ${fmt(e.after)} ms (median, ${e.n} calls; no baseline: longest among the window's calls)`;
      const gaveUp = e.timeouts ? `; ${e.timeouts} of them timed out (counted as waits, not as ${e.caller}'s errors)` : '';
      const edge = { caller: e.caller, callee: e.callee, n: e.n, after: round1(e.after) };
      addEvidence(svc, Math.min(CAP, e.z) / 2, text + gaveUp + more, [
        e.rare
          ? { key: 'ev_edge_rare_calls', args: { k: e.rare.k, n: e.n, edges: e.rare.edges, service: svc, after: round1(e.after) } }
          : e.slow
            ? { key: 'ev_edge_slow_calls', args: { caller: e.caller, callee: e.callee, k: e.slow.k, n: e.n, limit: round1(e.slow.limitMs), nb: e.slow.nb } }
            : judged || already
              ? { key: judged ? 'ev_edge_wait' : 'ev_edge_wait_already', args: { ...edge, before: round1(e.before) } }
              : { key: 'ev_edge_wait_window', args: edge },
        ...(e.timeouts ? [{ key: 'ev_edge_timeouts', args: { n: e.timeouts, caller: e.caller } }] : []),
        ...(l.length > 1 ? [{ key: 'ev_edge_more', args: { n: l.length - 1, service: svc } }] : []),
      ]);
    }
    // One instance far slower than its siblings in the same window: a pod fault, found without a baseline.
    rawParts.set('pod_outlier', { values: new Map([...f.pods].map(([k, v]) => [k, Math.min(CAP, v.z)])), minScale: 0 });
    for (const [svc, o] of f.pods) {
      addRaw(svc, 'pod_outlier_ms', o.inst);
      addRaw(svc, 'pod_siblings_ms', o.sib);
      const against = `${fmt(o.sib)} ms on its ${o.siblings} sibling instance(s) → ${fmt(o.inst)} ms on it (median, ${o.n} ${o.what.kind === 'own' ? 'spans' : 'calls'})`;
      const args = { pod: o.instance, sib: round1(o.sib), inst: round1(o.inst), siblings: o.siblings, n: o.n };
      if (o.what.kind === 'own')
        addEvidence(svc, Math.min(CAP, o.z) / 2, `instance ${o.instance}: own time of "${o.what.op}" ${against}`, [{ key: 'ev_pod_own', args: { ...args, op: o.what.op } }]);
      else
        addEvidence(svc, Math.min(CAP, o.z) / 2, `instance ${o.instance}: wait on calls ${o.what.caller} → ${o.what.callee} ${against}`, [
          { key: 'ev_pod_wait', args: { ...args, caller: o.what.caller, callee: o.what.callee } },
        ]);
    }
    rawParts.set('structure', { values: f.structure, minScale: 1 });
    for (const [svc, d] of f.structureDetail) {
      addRaw(svc, 'unusual_call_shapes', d.share);
      addEvidence(svc, Math.log1p(d.share), `${d.share} request(s) took an unusual path right after "${d.op}" (seen from ${d.blamedBy})`, [
        { key: 'ev_unusual_path', args: { n: d.share, op: d.op, by: d.blamedBy } },
      ]);
    }
  };

  const logsTask = async () => {
    if (!sources.logs) return partial.push('logs: no log source');
    const limit = opts.logLimit ?? 20_000;
    const [w, b] = await Promise.all([
      sources.logs.queryLogs({ range: window, limit, direction: 'forward' }, opts.signal),
      sources.logs.queryLogs({ range: baseline, limit, direction: 'forward' }, opts.signal),
    ]);
    if (w.truncated || b.truncated) partial.push(`logs: read the first ${limit} lines per range only`);
    const records = [...b.records, ...w.records];
    if (records.length === 0) return partial.push('logs: no lines in the window or baseline');
    signals.logs = true;
    logRecords = records;
    templateOf = mineTemplates(records);
    const mentions = serviceMentions(new Set(records.map((r) => r.service)));
    if (mentions) namesOther = (r) => mentions(r.body, r.service).length > 0;
    const f = logFeatures(records, window, baseline, templateOf, namesOther);
    recovering = f.recovering;
    for (const [svc, d] of f.recovering)
      addEvidence(svc, 5, `recovering: error lines ${(d.before * 100).toFixed(0)}% → ${(d.after * 100).toFixed(0)}% of its lines; its other changes are likely the recovery`, [
        { key: 'ev_recovering', args: { before: Math.round(d.before * 100), after: Math.round(d.after * 100) } },
      ]);
    rawParts.set('log_errors', { values: f.errZ, minScale: 1 });
    rawParts.set('first_log_errors', { values: f.firstErr, minScale: 1 });
    rawParts.set('log_shift', { values: f.shift, minScale: 1 });
    rawParts.set('new_log_errors', { values: f.newErr, minScale: 1 });
    rawParts.set('error_burden', { values: new Map([...f.burden].map(([svc, n]) => [svc, Math.sqrt(n)])), minScale: 1 });
    burdenCounts = f.burden;
    for (const [svc, d] of f.detail) {
      addRaw(svc, 'error_lines', d.errW);
      addRaw(svc, 'error_lines_baseline', d.errB);
      addRaw(svc, 'warn_lines', d.warnW);
      if (d.errW > d.errB) addEvidence(svc, Math.log1p(d.errW - d.errB), `${d.errW} error line(s) in the window (baseline ${d.errB})`, [{ key: 'ev_error_lines', args: { n: d.errW, baseline: d.errB } }]);
      if (d.topNew)
        addEvidence(svc, Math.log1p(d.topNewCount ?? 0) + 0.5, `new error/warn pattern ×${d.topNewCount}, e.g. ${d.topNew.slice(0, 200)}`, [
          { key: 'ev_new_pattern', args: { n: d.topNewCount ?? 0, example: d.topNew.slice(0, 200) } },
        ]);
    }
  };

  const metricsTask = async () => {
    if (!sources.metrics) return partial.push('metrics: no metric source');
    const m = await metricFeatures(sources.metrics, window, baseline, { signal: opts.signal, maxFamilies: opts.maxMetricFamilies ?? 40 });
    partial.push(...m.notes);
    if (m.detail.size === 0) return partial.push('metrics: no per-service series moved or none carry a service label');
    signals.metrics = true;
    rawParts.set('metrics', { values: m.score, minScale: 0 }); // already normalised across services per family
    for (const [svc, d] of m.detail) {
      addRaw(svc, `metric:${d.family}`, d.after);
      addEvidence(svc, d.z / 2, `${d.family} ${fmt(d.before, 3)} → ${fmt(d.after, 3)} (query: ${m.query.get(svc)})`, [
        { key: 'ev_metric', args: { family: d.family, before: fmt(d.before, 3), after: fmt(d.after, 3), query: m.query.get(svc) ?? '' } },
      ]);
    }
  };

  const profilesTask = async () => {
    if (!sources.profiles) return partial.push('profiles: no profile source');
    const p = await profileFeatures(sources, window, baseline, opts.signal);
    if (p.growth.size === 0) return partial.push('profiles: no profiles for both the window and the baseline');
    signals.profiles = true;
    rawParts.set('profile_growth', { values: p.growth, minScale: 0.1 });
    for (const [svc, d] of p.detail) {
      addRaw(svc, 'profile_per_s', d.after);
      addRaw(svc, 'profile_per_s_baseline', d.before);
      if (d.after > d.before * 1.1)
        addEvidence(svc, Math.log(d.after / Math.max(d.before, 1e-9)), `profile ${d.type.split(':')[0]} ${fmt(d.before)} → ${fmt(d.after)} per second`, [
          { key: 'ev_profile', args: { type: d.type.split(':')[0] ?? d.type, before: fmt(d.before), after: fmt(d.after) } },
        ]);
    }
  };

  const guard = (name: string, t: () => Promise<unknown>) =>
    t().catch((e: unknown) => {
      if (opts.signal?.aborted) throw e;
      partial.push(`${name}: ${(e as Error).message}`);
    });
  await Promise.all([guard('traces', tracesTask), guard('logs', logsTask), guard('metrics', metricsTask), guard('profiles', profilesTask)]);

  // Error burden, scaled by how consistently the service's requests fail: √(own error lines) × the
  // share of its window requests they amount to (capped at 1). A service failing most of its requests
  // is a prime suspect even when it already did so in the baseline (a fault older than the baseline);
  // a few stray errors over heavy traffic are not. Without traces (no request counts) the plain √ stays.
  if (entriesW.size > 0 && burdenCounts.size > 0) {
    const scaled = new Map<string, number>();
    for (const [svc, lines] of burdenCounts) {
      const requests = entriesW.get(svc) ?? 0;
      const perRequest = requests > 0 ? lines / requests : 0;
      scaled.set(svc, Math.sqrt(lines) * Math.min(1, perRequest));
      addRaw(svc, 'own_error_lines_per_request', perRequest);
    }
    rawParts.set('error_burden', { values: scaled, minScale: 1 });
  }
  if (traceSpans.length > 0) {
    const pf = patternFeatures(traceSpans, logRecords, window, baseline, templateOf, (r) => logLevel(r) !== 'other', namesOther);
    rawParts.set('patterns', { values: pf.score, minScale: 1 });
    patternDetail = pf.detail;
    for (const [svc, l] of pf.detail) {
      addRaw(svc, 'pattern_z', pf.score.get(svc) ?? 0);
      const d = l[0]!;
      const ev = eventLabel(d.event, 140);
      addEvidence(
        svc,
        Math.abs(d.z) / 2,
        `per "${d.entry.slice(0, 80)}" request, "${ev.english}" ${d.before.toFixed(2)} → ${d.after.toFixed(2)} times (${d.invocations} requests in the window, z ${d.z.toFixed(1)})`,
        [
          {
            key: 'ev_pattern',
            args: { entry: d.entry.slice(0, 80), event: d.event.slice(0, 140), before: Math.round(d.before * 100) / 100, after: Math.round(d.after * 100) / 100, n: d.invocations, z: Math.round(d.z * 10) / 10 },
            parts: { event: ev.message },
          },
        ],
      );
    }
  }

  if (logRecords.length > 0) {
    const ratio = coveredRatio(logRecords.map((r) => r.timeMs), window, baseline);
    const named = namedInErrors(logRecords, services, window, baseline, (r) => logLevel(r) !== 'other', ratio);
    rawParts.set('named_in_errors', { values: named.score, minScale: 1 });
    for (const [svc, d] of named.detail) {
      // Each emitter's trouble is explained by the service it names, as by a callee.
      for (const [by, n] of d.emitters) {
        const e = `${by}\u0000${svc}`;
        if (!edges.has(e)) namedEdges.set(e, n);
      }
      addRaw(svc, 'named_in_error_lines', d.window);
      addEvidence(svc, Math.log1p(d.window) + 0.5, `named in ${d.window} error/warn line(s) of other services (baseline ${d.baseline}), e.g. ${d.by}: ${d.example.slice(0, 200)}`, [
        { key: 'ev_named', args: { n: d.window, baseline: d.baseline, by: d.by, example: d.example.slice(0, 200) } },
      ]);
    }
  }

  // Sequence patterns need the traces (and use the logs that carry trace ids when there are some).
  if (traceSpans.length > 0) {
    const t = transitionFeatures(traceSpans, logRecords, window, baseline, templateOf);
    rawParts.set('transitions', { values: t.score, minScale: 1 });
    for (const [svc, d] of t.detail) {
      addRaw(svc, 'transition_z', d.z);
      const who = d.emitter === svc ? 'its own sequence' : `${d.emitter}, after ${svc} answered,`;
      const args = { emitter: d.emitter, service: svc, from: d.from.slice(0, 120), to: d.to.slice(0, 120), before: Math.round(d.before * 100), after: Math.round(d.after * 100), n: d.n };
      const from = eventLabel(d.from, 120);
      const to = eventLabel(d.to, 120);
      addEvidence(svc, d.z / 3, `${who} changed what follows "${from.english}": "${to.english}" ${(d.before * 100).toFixed(0)}% → ${(d.after * 100).toFixed(0)}% (${d.n} times in the window)`, [
        { key: d.emitter === svc ? 'ev_transition_own' : 'ev_transition_after', args, parts: { from: from.message, to: to.message } },
      ]);
    }
  }

  // Normalise each feature across every service seen in any signal (a service without a value did not move: 0).
  const parts = new Map<ScorePart, Map<string, number>>();
  for (const [feat, { values, minScale }] of rawParts) {
    if (minScale === 0) {
      parts.set(feat, values);
      continue;
    }
    const all = new Map<string, number>();
    for (const svc of services) all.set(svc, Math.max(0, values.get(svc) ?? 0));
    for (const [svc, v] of values) all.set(svc, Math.max(0, v));
    parts.set(feat, robustScores(all, minScale));
  }

  // Combine.
  // `local`: the part of the total from local features (see LOCAL_FEATURES), which causality leaves whole.
  const base = new Map<string, { total: number; local: number; parts: Record<string, number> }>();
  for (const svc of services) {
    const p: Record<string, number> = {};
    let total = 0;
    let local = 0;
    // Fixed feature order: signals finish in any order, the answer must not depend on it.
    for (const [feat, m] of [...parts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const v = m.get(svc);
      if (v === undefined || v <= 0) continue;
      const wv = v * (WEIGHTS[feat] ?? 1);
      if (wv < 0.005) continue; // shows as 0.00: not a part worth listing
      p[feat] = Math.round(wv * 100) / 100;
      total += wv;
      if (LOCAL_FEATURES.has(feat)) local += wv;
    }
    base.set(svc, { total, local, parts: p });
  }

  // Causality discount: a caller's movement is partly explained by a callee that moved at least as much.
  const callees = new Map<string, Map<string, number>>();
  for (const [k, n] of [...edges, ...namedEdges]) {
    const [caller, callee] = k.split('\u0000') as [string, string];
    let m = callees.get(caller);
    if (!m) callees.set(caller, (m = new Map()));
    m.set(callee, n);
  }
  /** Services below `svc` in the call graph with their hop distance (breadth first). */
  const descendants = (svc: string): Map<string, number> => {
    const hops = new Map<string, number>();
    let frontier = [svc];
    for (let h = 1; frontier.length > 0; h++) {
      const next: string[] = [];
      for (const cur of frontier) {
        for (const c of callees.get(cur)?.keys() ?? []) {
          if (c === svc || hops.has(c)) continue;
          hops.set(c, h);
          next.push(c);
        }
      }
      frontier = next;
    }
    return hops;
  };
  // What a callee can explain: its own score, unless it is recovering (then its movement is the
  // recovery, which does not explain a caller's new trouble).
  const explaining = (d: string) => (base.get(d)?.total ?? 0) * (recovering.has(d) ? TUNING.recoveringFactor : 1);
  const suspects: Suspect[] = [];
  for (const [svc, b] of base) {
    if (b.total <= 0) continue;
    let explained = 0;
    const by: string[] = [];
    for (const [d, h] of descendants(svc)) {
      const t = explaining(d);
      if (t <= 0) continue;
      // Farther callees explain less: each hop is another place where the effect could have started.
      const share = Math.min(1, t / b.total) * TUNING.hopDecay ** (h - 1);
      if (share >= 0.5) by.push(d);
      explained = Math.max(explained, share);
    }
    // Keep at least 40% of a caller's own score: callers can be guilty too. A recovering service
    // keeps a third (its movement is mostly the recovery).
    // Only symptoms that propagate up the call graph (errors, error lines, unusual call shapes, what
    // follows a callee's answer, latency metrics) are discounted; local evidence (the service's own per-
    // request behaviour, own time, the call waits already attributed to it, its profile) stays whole.
    const score = (b.local + (b.total - b.local) * (1 - TUNING.maxExplained * explained)) * (recovering.has(svc) ? TUNING.recoveringFactor : 1);
    // Ties broken by text: the features run concurrently, so arrival order is not stable between runs.
    const ev = (evidence.get(svc) ?? []).sort((a, c) => c[0] - a[0] || (a[1] < c[1] ? -1 : a[1] > c[1] ? 1 : 0)).slice(0, 6);
    suspects.push({
      service: svc,
      score: Math.round(score * 100) / 100,
      parts: b.parts,
      evidence: ev.map(([, l]) => l),
      evidenceMessages: ev.map(([, , m]) => m),
      raw: raw.get(svc) ?? {},
      explainedBy: by.length ? by : undefined,
      patterns: patternDetail.get(svc)?.slice(0, 3),
    });
  }
  suspects.sort((a, b) => b.score - a.score || a.service.localeCompare(b.service));
  const callGraph = [...edges].map(([k, calls]) => {
    const [caller, callee] = k.split('\u0000') as [string, string];
    return { caller, callee, calls };
  });
  return { window, baseline, suspects, signals, partial, callGraph, lead: leadOf(suspects) };
}
