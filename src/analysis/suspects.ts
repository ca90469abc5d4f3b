// Cross-signal ranking of services for a time window vs its baseline ("who moved, and who moved first").
//
// Each signal that exists contributes raw per-service measurements (traces: own errors, self time,
// call-structure changes; logs: error/warn counts, new error templates; metrics: per-service gauges and
// counters; profiles: total growth). Every measurement is turned into a robust score by comparing the
// services with each other (median/MAD across services), so one noisy family cannot dominate and no
// threshold depends on a dataset's units. Parts are shown so the ranking can be argued with.
//
// Per-request event patterns (suspects/patterns.ts) and "what happens next" sequences
// (suspects/transitions.ts) join traces and logs: how often each log template, internal operation and
// outgoing call happens per invocation of the same entry operation, baseline vs window. They find code
// faults that raise no error status (an exception that cuts a request short, a wrong return value that
// takes another branch) and do not move with the workload mix, which dominates raw counts.
//
// Causality: errors and latency propagate from callees to callers. Trace features are computed on what
// a service does *itself* (self time, errors whose children did not fail, calls that stop right after a
// callee answered), and the final score discounts a caller by what its callees already explain.
import type { LogRecord, MetricSource, Sources, Span, TimeRange } from '../sources/types.js';
import { median } from '../util/stats.js';
import { CAP, coveredRatio, dispersionOf, inRange, poissonZ, robustScores } from './suspects/stats.js';
import { edgeFeatures, traceBaselineMissing, type EdgeFeatures } from './suspects/edges.js';

export { coveredRatio, robustScores };
import { transitionFeatures } from './suspects/transitions.js';
import { patternFeatures, type PatternChange } from './suspects/patterns.js';
import { mineTemplates } from './suspects/templates.js';
import { detectLevel } from './logs/level.js';
import { namedInErrors, serviceMentions } from './suspects/named.js';

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

/** Feature weights. Direct evidence counts most: errors that start in the service (error spans, and
 * new error log statements not explained by another service), its own self time, and its per-request
 * event patterns (logs, operations and calls per invocation of the same entry
 * operation, which do not move with the workload mix). Broad counts (error-line surges, the first error
 * line of a trace, template mix, call shapes, metrics) also move with load, retries and earlier faults
 * still recovering, so they only break ties. The error burden (own error lines × the share of requests
 * they hit) is the one level-based feature: it does not need a clean baseline, so it finds faults that
 * began before it. Measured on the Nezha dev incidents: each broad feature alone finds the faulty
 * service first in at most 8 of 28, event patterns alone in 11-13. */
const WEIGHTS: Record<string, number> = {
  own_errors: 1.2,
  new_error_kinds: 0.8,
  self_time: 1.0,
  patterns: 1.5,
  transitions: 0.5,
  structure: 0.1,
  log_errors: 0.2,
  first_log_errors: 0.1,
  named_in_errors: 0.35,
  error_burden: 1.0,
  new_log_errors: 1.0,
  log_shift: 0.05,
  metrics: 0.3,
  profile_growth: 0.6,
};

/** Causality discount: how much less a callee one hop farther explains of its caller's movement. */
const HOP_DECAY = 0.6;

/** Share of its score a recovering service keeps. */
const RECOVERING_FACTOR = 0.35;

// ------------------------------------------------------------------------------------------ traces

function isErrorSpan(s: Span): boolean {
  if (s.status === 'error') return true;
  const code = Number(s.attributes['http.response.status_code'] ?? s.attributes['http.status_code']);
  if (Number.isFinite(code) && code >= 500 && (s.kind === 2 || s.kind === 5)) return true;
  return s.events.some((e) => e.name === 'exception');
}

function errorKind(s: Span): string {
  const ev = s.events.find((e) => e.name === 'exception');
  const type = ev?.attributes['exception.type'] ?? s.attributes['exception.type'] ?? s.attributes['error.type'];
  const msg = String(ev?.attributes['exception.message'] ?? s.statusMessage ?? '')
    .replace(/[0-9a-f]{8,}/gi, '<id>')
    .replace(/\d+/g, '<n>')
    .slice(0, 120);
  return `${s.name} | ${type ?? ''} | ${msg}`;
}

interface TraceFeatures {
  own: Map<string, { errW: number; errB: number; spansW: number; spansB: number; newKinds: Set<string>; topKind?: string }>;
  selfShift: Map<string, number>;
  selfDetail: Map<string, { op: string; before: number; after: number; n: number }>;
  structure: Map<string, number>;
  structureDetail: Map<string, { op: string; share: number; blamedBy: string }>;
  edges: Map<string, number>;
  /** Waits on calls between services, attributed to the endpoint that explains them. */
  waits: EdgeFeatures;
  /** Requests each service served in the window (entry spans: root or parent in another service). */
  entriesW: Map<string, number>;
}

/** Self time of each span: its duration minus the union of its children's intervals (clipped to it). */
function selfTimes(spans: Span[], children: Map<Span, Span[]>): Map<Span, number> {
  const out = new Map<Span, number>();
  for (const s of spans) {
    const kids = children.get(s);
    if (!kids || kids.length === 0) {
      out.set(s, Math.max(0, s.durationMs));
      continue;
    }
    const iv: Array<[number, number]> = [];
    for (const c of kids) {
      const a = Math.max(s.startMs, c.startMs);
      const b = Math.min(s.endMs, c.endMs);
      if (b > a) iv.push([a, b]);
    }
    iv.sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let curS = -Infinity;
    let curE = -Infinity;
    for (const [a, b] of iv) {
      if (a > curE) {
        if (curE > curS) covered += curE - curS;
        curS = a;
        curE = b;
      } else if (b > curE) curE = b;
    }
    if (curE > curS) covered += curE - curS;
    out.set(s, Math.max(0, s.durationMs - covered));
  }
  return out;
}

/** Weight of a database call's self-time shift relative to the service's own operations. */
const DB_CALL_FACTOR = 0.35;
const SQL_VERB = /^(SELECT|INSERT|UPDATE|DELETE|UPSERT|MERGE|REPLACE|CALL|EXEC|EXECUTE)\b/;

/** A call to a database: OpenTelemetry's db.system(.name) attribute, else a span named after an SQL verb. */
function isDbCall(s: Span): boolean {
  return s.attributes['db.system'] !== undefined || s.attributes['db.system.name'] !== undefined || SQL_VERB.test(s.name);
}

export function traceFeatures(allSpans: Span[], window: TimeRange, baseline: TimeRange): TraceFeatures {
  // Only spans starting in the window or the baseline count (their parents may lie outside: kept for the tree).
  const spans = allSpans.filter((s) => inRange(s.startMs, window) || inRange(s.startMs, baseline));
  // Index by span id (64-bit random ids: the trace id is checked on lookup instead of building keys).
  const bySpanId = new Map<string, Span>();
  for (const s of allSpans) bySpanId.set(s.spanId, s);
  const children = new Map<Span, Span[]>();
  const edges = new Map<string, number>();
  for (const s of spans) {
    if (!s.parentSpanId) continue;
    const p = bySpanId.get(s.parentSpanId);
    if (!p || p.traceId !== s.traceId) continue;
    let l = children.get(p);
    if (!l) children.set(p, (l = []));
    l.push(s);
    if (p.service !== s.service) {
      const e = `${p.service}\u0000${s.service}`;
      edges.set(e, (edges.get(e) ?? 0) + 1);
    }
  }
  const self = selfTimes(spans, children);
  // Operation keys, built once per span (they are used by several passes).
  const opName = new Map<Span, string>();
  const opOf = (s: Span) => {
    let k = opName.get(s);
    if (k === undefined) opName.set(s, (k = `${s.service}\u0000${s.name}`));
    return k;
  };

  // Own errors: an error span none of whose children failed (the error starts here).
  const own: TraceFeatures['own'] = new Map();
  const kindsB = new Map<string, Set<string>>();
  const kindCountW = new Map<string, Map<string, number>>();
  const getOwn = (svc: string) => {
    let o = own.get(svc);
    if (!o) own.set(svc, (o = { errW: 0, errB: 0, spansW: 0, spansB: 0, newKinds: new Set() }));
    return o;
  };
  for (const s of spans) {
    const inW = inRange(s.startMs, window);
    const inB = !inW && inRange(s.startMs, baseline);
    if (!inW && !inB) continue;
    const o = getOwn(s.service);
    if (inW) o.spansW++;
    else o.spansB++;
    if (!isErrorSpan(s)) continue;
    const kids = children.get(s) ?? [];
    if (kids.some(isErrorSpan)) continue;
    const kind = errorKind(s);
    if (inW) {
      o.errW++;
      let m = kindCountW.get(s.service);
      if (!m) kindCountW.set(s.service, (m = new Map()));
      m.set(kind, (m.get(kind) ?? 0) + 1);
    } else {
      o.errB++;
      let k = kindsB.get(s.service);
      if (!k) kindsB.set(s.service, (k = new Set()));
      k.add(kind);
    }
  }
  for (const [svc, m] of kindCountW) {
    const o = own.get(svc)!;
    const before = kindsB.get(svc) ?? new Set();
    let best = 0;
    for (const [k, n] of m) {
      if (!before.has(k)) o.newKinds.add(k);
      if (n > best) {
        best = n;
        o.topKind = k;
      }
    }
  }

  // Operations that usually have children: a leaf instance of one lost its children (an incomplete
  // trace, or callee spans that were not recorded), so its duration is not its own time.
  const parentOps = new Set<string>();
  for (const s of spans) if (children.get(s)?.length) parentOps.add(opOf(s));
  // Self-time per operation. Pure calls into one other service (all children there) are left to the
  // edge waits below: their self time is network and queueing, not the caller's code.
  const opStats = new Map<string, { svc: string; op: string; b: number[]; w: number[]; db: boolean }>();
  for (const s of spans) {
    const inW = inRange(s.startMs, window);
    const inB = !inW && inRange(s.startMs, baseline);
    if (!inW && !inB) continue;
    const kids = children.get(s);
    if (kids && kids.length > 0 && kids.every((c) => c.service === kids[0]!.service && c.service !== s.service)) continue;
    const key = opOf(s);
    if (!kids?.length && parentOps.has(key)) continue;
    let st = opStats.get(key);
    if (!st) opStats.set(key, (st = { svc: s.service, op: s.name, b: [], w: [], db: !kids?.length && isDbCall(s) }));
    (inW ? st.w : st.b).push(self.get(s) ?? 0);
  }
  // Edges judged against their own baseline when most of them have one, else against each other.
  const waitEdges = edgeFeatures(spans, children, self, window, baseline, traceBaselineMissing(spans, children, window, baseline));
  const selfAcc = new Map<string, { num: number; den: number }>();
  const selfDetail: TraceFeatures['selfDetail'] = new Map();
  const logStats = (xs: number[]) => {
    const l = xs.map((v) => Math.log1p(v));
    const m = l.reduce((a, v) => a + v, 0) / l.length;
    const v = l.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, l.length - 1);
    return { m, v };
  };
  for (const st of opStats.values()) {
    if (st.b.length < 3 || st.w.length < 3) continue;
    const mb = median(st.b);
    const mw = median(st.w);
    const meanB = st.b.reduce((a, v) => a + v, 0) / st.b.length;
    const meanW = st.w.reduce((a, v) => a + v, 0) / st.w.length;
    // Typical self time: the larger of median and half the mean (a slow tail counts, one outlier does not).
    const before = Math.max(mb, meanB * 0.5);
    const after = Math.max(mw, meanW * 0.5);
    // Statistical significance: Welch's t on log(1 + self ms). Practical significance: at least +20%
    // and +2 ms, so large operations with a tiny shift do not rank, nor sub-millisecond operations
    // (a database call going from 0.8 to 2 ms under more load) that cannot explain a user-visible slowdown.
    const lb = logStats(st.b);
    const lw = logStats(st.w);
    const t = (lw.m - lb.m) / Math.sqrt(lb.v / st.b.length + lw.v / st.w.length + 1e-6);
    const effect = Math.log((after + 1) / (before + 1));
    if (!(effect > Math.log(1.2) && after - before > 2 && t > 0)) continue;
    // Cap t by the effect size so thousands of spans with a modest shift do not outweigh a big one.
    // A database call that slowed says more about the database (or its load) than about the code of
    // the service that made it: a third of the weight, so slower own operations outrank it.
    const z = Math.min(t, 2 + 8 * effect) * (st.db ? DB_CALL_FACTOR : 1);
    const acc = selfAcc.get(st.svc) ?? { num: 0, den: 0 };
    acc.num = Math.max(acc.num, z);
    selfAcc.set(st.svc, acc);
    const d = selfDetail.get(st.svc) as ({ w?: number } & { op: string }) | undefined;
    if (!d || z > d.w!) selfDetail.set(st.svc, Object.assign({ op: st.op, before, after, n: st.w.length }, { w: z }));
  }
  const selfShift = new Map<string, number>();
  for (const [svc, a] of selfAcc) selfShift.set(svc, a.num);

  // Call structure: the set of child operations under each span of an operation. A window span whose
  // child set is a strict subset of the baseline's usual set stopped early: blame the last child that
  // answered before the stop (its answer made the caller give up), else the span's own service.
  const sigCache = new Map<Span, string>();
  const sig = (s: Span) => {
    let k = sigCache.get(s);
    if (k !== undefined) return k;
    const kids = children.get(s);
    k = kids ? [...new Set(kids.map(opOf))].sort().join('|') : '';
    sigCache.set(s, k);
    return k;
  };
  const baseSigs = new Map<string, Map<string, number>>();
  for (const s of spans) {
    if (!inRange(s.startMs, baseline) || inRange(s.startMs, window)) continue;
    const op = opOf(s);
    let m = baseSigs.get(op);
    if (!m) baseSigs.set(op, (m = new Map()));
    const k = sig(s);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  const shapeCache = new Map<string, Set<string>>();
  const blameDetail = new Map<string, { op: string; n: number; by: string }>();
  /** Blame unusual shapes of spans in a range; in the baseline a span's own shape is left out of the counts. */
  const blameIn = (range: TimeRange, leaveOneOut: boolean, detail: boolean): Map<string, number> => {
    const blame = new Map<string, number>();
    for (const s of spans) {
      if (!inRange(s.startMs, range) || (leaveOneOut && inRange(s.startMs, window))) continue;
      const op = opOf(s);
      const m = baseSigs.get(op);
      if (!m) continue;
      let total = 0;
      for (const n of m.values()) total += n;
      const k = sig(s);
      const own = leaveOneOut ? 1 : 0;
      if (total - own < 3) continue;
      if (((m.get(k) ?? 0) - own) / (total - own) >= 0.02) continue; // a known shape
      // Unusual shape. Fewer children than a usual shape → truncated after the last child.
      const mine = k ? k.split('|') : [];
      let truncated = false;
      for (const [bk, n] of m) {
        if (n / total < 0.1) continue;
        let theirs = shapeCache.get(bk);
        if (!theirs) shapeCache.set(bk, (theirs = new Set(bk ? bk.split('|') : [])));
        if (theirs.size > mine.length && mine.every((c) => theirs!.has(c))) {
          truncated = true;
          break;
        }
      }
      const kids = (children.get(s) ?? []).slice().sort((a, b) => a.endMs - b.endMs);
      const last = kids[kids.length - 1];
      const target = truncated && last && last.service !== s.service ? last.service : s.service;
      blame.set(target, (blame.get(target) ?? 0) + 1);
      if (detail) {
        const d = blameDetail.get(target) ?? { op: truncated && last ? last.name : s.name, n: 0, by: `${s.service} ${s.name}` };
        d.n++;
        blameDetail.set(target, d);
      }
    }
    return blame;
  };
  const blameW = blameIn(window, false, true);
  const blameB = blameIn(baseline, true, false);
  const ratio = coveredRatio(spans.map((x) => x.startMs), window, baseline);
  const structure = new Map<string, number>();
  const structureDetail: TraceFeatures['structureDetail'] = new Map();
  for (const [svc, n] of blameW) {
    // Poisson surprise vs the rate of unusual shapes the baseline itself has.
    structure.set(svc, Math.max(0, poissonZ(n, blameB.get(svc) ?? 0, ratio)));
    const d = blameDetail.get(svc)!;
    structureDetail.set(svc, { op: d.op, share: d.n, blamedBy: d.by });
  }
  const entriesW = new Map<string, number>();
  for (const s of spans) {
    if (!inRange(s.startMs, window)) continue;
    const p = s.parentSpanId ? bySpanId.get(s.parentSpanId) : undefined;
    if (p && p.traceId === s.traceId && p.service === s.service) continue;
    entriesW.set(s.service, (entriesW.get(s.service) ?? 0) + 1);
  }
  return { own, selfShift, selfDetail, structure, structureDetail, edges, entriesW, waits: waitEdges };
}

// ------------------------------------------------------------------------------------------ logs


/** Error / warning / other, from the same detection as Loki's detected_level (severity fields, level
 * attributes, JSON/logfmt level keys including pino's numbers, glog prefixes, stack traces, level words). */
export function logLevel(r: LogRecord): 'error' | 'warn' | 'other' {
  if (r.severityNumber !== undefined && r.severityNumber > 0) {
    if (r.severityNumber >= 17) return 'error';
    if (r.severityNumber >= 13) return 'warn';
    return 'other';
  }
  const l = detectLevel(r);
  return l === 'error' || l === 'fatal' || l === 'critical' ? 'error' : l === 'warn' ? 'warn' : 'other';
}

/** Variable tokens: uuids, long hex ids, numbers (one alternation, one pass). */
const VARIABLE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{12,}\b|\d+(?:\.\d+)?/gi;

/** A cheap template: the line's head with variable tokens (ids, numbers) masked. */
export function logTemplate(body: string): string {
  return body
    .slice(0, 240)
    .replace(/^\s*\S*\d{2}:\d{2}:\d{2}\S*\s+/, '') // leading timestamp
    .replace(VARIABLE, '<*>')
    .slice(0, 200);
}

interface LogFeatures {
  errZ: Map<string, number>;
  /** Per trace, the service whose error/warn line came first: where a failure starts (z vs baseline). */
  firstErr: Map<string, number>;
  /** Shift of the service's template mix vs baseline (chi-square as a z). */
  shift: Map<string, number>;
  newErr: Map<string, number>;
  /** Error lines starting in the service in the window, baseline or not. */
  burden: Map<string, number>;
  /** Services whose share of error lines fell significantly: recovering from an earlier problem. */
  recovering: Map<string, { before: number; after: number }>;
  detail: Map<string, { errW: number; errB: number; warnW: number; topNew?: string; topNewCount?: number }>;
}

export function logFeatures(
  records: LogRecord[],
  window: TimeRange,
  baseline: TimeRange,
  template: (r: LogRecord) => string = (r) => logTemplate(r.body),
  /** True when a line names another known service (its trouble is then that service's symptom). */
  namesOther: (r: LogRecord) => boolean = () => false,
): LogFeatures {
  const ratio = coveredRatio(records.map((r) => r.timeMs), window, baseline);
  const per = new Map<string, { errW: number; errB: number; ownErrW: number; ownErrB: number; warnW: number; warnB: number; tplB: Set<string>; newW: Map<string, number>; example: Map<string, string>; countB: Map<string, number>; countW: Map<string, number>; timesB: number[] }>();
  // Earliest error/warn line per trace, per range.
  const firstW = new Map<string, LogRecord>();
  const firstB = new Map<string, LogRecord>();
  const get = (svc: string) => {
    let v = per.get(svc);
    if (!v) per.set(svc, (v = { errW: 0, errB: 0, ownErrW: 0, ownErrB: 0, warnW: 0, warnB: 0, tplB: new Set(), newW: new Map(), example: new Map(), countB: new Map(), countW: new Map(), timesB: [] }));
    return v;
  };
  // Baseline templates first, so window lines can be judged new.
  for (const r of records) {
    if (!inRange(r.timeMs, baseline) || inRange(r.timeMs, window)) continue;
    const v = get(r.service);
    const lvl = logLevel(r);
    if (lvl === 'error') {
      v.errB++;
      if (!namesOther(r)) v.ownErrB++;
    }
    else if (lvl === 'warn') v.warnB++;
    if (lvl !== 'other') v.timesB.push(r.timeMs);
    const t = template(r);
    v.tplB.add(t);
    v.countB.set(t, (v.countB.get(t) ?? 0) + 1);
    if (lvl !== 'other' && r.traceId) {
      const prev = firstB.get(r.traceId);
      if (!prev || r.timeMs < prev.timeMs) firstB.set(r.traceId, r);
    }
  }
  const newLines: Array<{ r: LogRecord; t: string; error: boolean }> = [];
  const windowErrors: LogRecord[] = [];
  for (const r of records) {
    if (!inRange(r.timeMs, window)) continue;
    const v = get(r.service);
    const lvl = logLevel(r);
    const t = template(r);
    v.countW.set(t, (v.countW.get(t) ?? 0) + 1);
    if (lvl === 'other') continue;
    if (lvl === 'error') {
      v.errW++;
      if (!namesOther(r)) v.ownErrW++;
      windowErrors.push(r);
    } else v.warnW++;
    if (r.traceId) {
      const prev = firstW.get(r.traceId);
      if (!prev || r.timeMs < prev.timeMs) firstW.set(r.traceId, r);
    }
    if (!v.tplB.has(t)) newLines.push({ r, t, error: lvl === 'error' });
  }
  // Error burden: error lines in the window that start in the service (no earlier error of another
  // service in their trace), whatever the baseline held. A fault that began before the baseline (or a
  // baseline that only holds the fault) moves nothing, yet its service keeps logging errors.
  const burden = new Map<string, number>();
  for (const r of windowErrors) {
    const first = r.traceId ? firstW.get(r.traceId) : undefined;
    if (first !== undefined && first.service !== r.service && first.timeMs < r.timeMs) continue;
    if (namesOther(r)) continue;
    burden.set(r.service, (burden.get(r.service) ?? 0) + 1);
  }
  // New error/warn templates. A line that follows, in its trace, an earlier error line of another
  // service, or that names another service, is most likely that service's failure propagating: it
  // counts a quarter. New warning templates count a quarter of new error templates (as in the error
  // surprise). The evidence shows raw line counts.
  const newRaw = new Map<string, Map<string, number>>();
  for (const { r, t, error } of newLines) {
    let raw = newRaw.get(r.service);
    if (!raw) newRaw.set(r.service, (raw = new Map()));
    raw.set(t, (raw.get(t) ?? 0) + 1);
    const v = get(r.service);
    const first = r.traceId ? firstW.get(r.traceId) : undefined;
    const propagated = (first !== undefined && first.service !== r.service && first.timeMs < r.timeMs) || namesOther(r);
    v.newW.set(t, (v.newW.get(t) ?? 0) + (error ? 1 : 0.25) * (propagated ? 0.25 : 1));
    if (!v.example.has(t)) v.example.set(t, r.body.replace(/\s+/g, ' ').slice(0, 240));
  }
  const errZ = new Map<string, number>();
  const newErr = new Map<string, number>();
  const firstErr = new Map<string, number>();
  const shift = new Map<string, number>();
  const firstCount = (m: Map<string, LogRecord>) => {
    const c = new Map<string, number>();
    for (const r of m.values()) c.set(r.service, (c.get(r.service) ?? 0) + 1);
    return c;
  };
  const fw = firstCount(firstW);
  const fb = firstCount(firstB);
  for (const [svc, n] of fw) firstErr.set(svc, Math.max(0, poissonZ(n, fb.get(svc) ?? 0, ratio)));
  const detail: LogFeatures['detail'] = new Map();
  const recovering: LogFeatures['recovering'] = new Map();
  for (const [svc, v] of per) {
    // Errors weigh fully, warnings a quarter.
    errZ.set(svc, Math.max(0, poissonZ(v.errW + v.warnW / 4, v.errB + v.warnB / 4, ratio, dispersionOf(v.timesB, baseline))));
    let n = 0;
    let top: string | undefined;
    let topN = 0;
    for (const [t, c] of v.newW) {
      n += c;
      if (c > topN) {
        topN = c;
        top = t;
      }
    }
    newErr.set(svc, Math.sqrt(n));
    // Template mix: expected window counts from the baseline mix scaled to the window's volume.
    let nb = 0;
    let nw = 0;
    for (const c of v.countB.values()) nb += c;
    for (const c of v.countW.values()) nw += c;
    if (nb >= 20 && nw >= 20) {
      let chi = 0;
      let k = 0;
      for (const t of new Set([...v.countB.keys(), ...v.countW.keys()])) {
        const exp = ((v.countB.get(t) ?? 0) * nw) / nb;
        const obs = v.countW.get(t) ?? 0;
        chi += (obs - exp) ** 2 / (exp + 1);
        k++;
      }
      shift.set(svc, (chi - k) / Math.sqrt(2 * k));
    }
    // Recovery: the error share of the service's lines fell (binomial z on the window's error count
    // given the baseline share). Its other changes are then most likely the recovery itself (work
    // resuming, calls it skipped while failing), not a new fault.
    // Only the service's own errors count: errors naming another service are that service's, and so
    // is their recovery.
    if (v.ownErrB >= 5 && nb > 0 && nw > 0) {
      const p = v.ownErrB / nb;
      const zRec = (v.ownErrW - nw * p) / Math.sqrt(nw * p * (1 - p) + 1);
      if (zRec < -3 && v.ownErrW / nw < 0.5 * p) recovering.set(svc, { before: p, after: v.ownErrW / nw });
    }
    detail.set(svc, { errW: v.errW, errB: v.errB, warnW: v.warnW, topNew: top ? v.example.get(top) : undefined, topNewCount: top ? newRaw.get(svc)?.get(top) : undefined });
  }
  return { errZ, firstErr, shift, newErr, burden, recovering, detail };
}

// ------------------------------------------------------------------------------------------ metrics

const SERVICE_LABELS = ['service', 'service_name', 'job', 'app', 'container'];

/** Families most telling about a service's health come first when the family count is capped. */
const FAMILY_PRIORITY = /cpu|latency|duration|error|fail|memory|mem_|gc|pool|thread|saturation|queue|restart/i;

export async function metricFeatures(
  metrics: MetricSource,
  window: TimeRange,
  baseline: TimeRange,
  opts: { signal?: AbortSignal; maxFamilies: number },
): Promise<{ score: Map<string, number>; detail: Map<string, { family: string; before: number; after: number; z: number }>; query: Map<string, string>; notes: string[] }> {
  const notes: string[] = [];
  const meta = await metrics.metadata(opts.signal);
  const fams = meta
    .filter((m) => m.type === 'gauge' || m.type === 'counter' || m.type === 'unknown')
    .sort((a, b) => Number(FAMILY_PRIORITY.test(b.name)) - Number(FAMILY_PRIORITY.test(a.name)) || a.name.localeCompare(b.name));
  if (fams.length > opts.maxFamilies) notes.push(`metrics: compared ${opts.maxFamilies} of ${fams.length} families`);
  const whole: TimeRange = { start: Math.min(window.start, baseline.start), end: Math.max(window.end, baseline.end) };
  const span = whole.end - whole.start;
  const step = Math.max(15_000, Math.round(span / 120 / 15_000) * 15_000);
  const score = new Map<string, number>();
  const detail = new Map<string, { family: string; before: number; after: number; z: number }>();
  const query = new Map<string, string>();
  const perService = new Map<string, Array<{ family: string; before: number; after: number; z: number; q: string }>>();
  await Promise.all(
    fams.slice(0, opts.maxFamilies).map(async (fam) => {
      const rangeWin = `${Math.max(1, Math.round((step * 4) / 60_000))}m`;
      const q = fam.type === 'counter' ? `rate(${fam.name}[${rangeWin}])` : fam.name;
      let series;
      try {
        series = await metrics.range(q, whole, step, opts.signal);
      } catch (e) {
        notes.push(`metrics: ${q} failed (${(e as Error).message})`);
        return;
      }
      // Per service: the largest standardised shift among its series (pods, routes…). The noise floor
      // includes a share of the family's typical level, so near-zero series do not explode.
      const levels = series
        .flatMap((s) => s.points.filter(([t]) => inRange(t, baseline)).map(([, v]) => Math.abs(v)))
        .filter((v) => Number.isFinite(v) && v > 0);
      const familyLevel = levels.length ? median(levels) : 0;
      const shift = new Map<string, { d: number; before: number; after: number }>();
      for (const s of series) {
        const label = SERVICE_LABELS.find((l) => s.labels[l]);
        if (!label) continue;
        const svc = s.labels[label]!;
        const b: number[] = [];
        const w: number[] = [];
        for (const [t, v] of s.points) {
          if (!Number.isFinite(v)) continue;
          if (inRange(t, window)) w.push(v);
          else if (inRange(t, baseline)) b.push(v);
        }
        if (b.length === 0 || w.length === 0) continue;
        const mb = b.reduce((a, v) => a + v, 0) / b.length;
        const mw = w.reduce((a, v) => a + v, 0) / w.length;
        const sd = Math.sqrt(b.reduce((a, v) => a + (v - mb) ** 2, 0) / b.length);
        // Relative shift, damped by the baseline's own noise.
        const d = Math.min(100, Math.abs(mw - mb) / (sd + 0.1 * Math.abs(mb) + 0.05 * familyLevel + 1e-9));
        const cur = shift.get(svc);
        if (!cur || d > cur.d) shift.set(svc, { d, before: mb, after: mw });
      }
      if (shift.size < 2) return;
      // Normalise across services: a family where everything moved (load change) says little.
      const z = robustScores(new Map([...shift].map(([k, v]) => [k, Math.log1p(v.d)])), 0.25);
      for (const [svc, zv] of z) {
        let l = perService.get(svc);
        if (!l) perService.set(svc, (l = []));
        const v = shift.get(svc)!;
        l.push({ family: fam.name, before: v.before, after: v.after, z: zv, q });
      }
    }),
  );
  // A service is suspect when several of its families move together (CPU, latency, traffic…), not when
  // one of two dozen families happens to be noisy: score = mean of its three largest family scores.
  for (const [svc, l] of perService) {
    l.sort((a, b) => b.z - a.z);
    const top = l.slice(0, 3);
    score.set(svc, top.reduce((a, x) => a + x.z, 0) / 3);
    detail.set(svc, { family: top[0]!.family, before: top[0]!.before, after: top[0]!.after, z: top[0]!.z });
    query.set(svc, top[0]!.q);
  }
  return { score, detail, query, notes };
}

// ------------------------------------------------------------------------------------------ profiles

async function profileFeatures(sources: Sources, window: TimeRange, baseline: TimeRange, signal?: AbortSignal) {
  const growth = new Map<string, number>();
  const detail = new Map<string, { type: string; before: number; after: number }>();
  const p = sources.profiles!;
  const whole: TimeRange = { start: Math.min(window.start, baseline.start), end: Math.max(window.end, baseline.end) };
  const types = await p.profileTypes(undefined, whole, signal);
  // CPU-like types first: they say where time goes.
  const pick = types.find((t) => /cpu|samples|wall/i.test(t.id)) ?? types[0];
  if (!pick) return { growth, detail };
  const total = (sp: { stacks: Array<{ value: number }>; durationMs: number } | undefined) =>
    sp ? sp.stacks.reduce((a, s) => a + s.value, 0) / Math.max(1, sp.durationMs / 1000) : 0;
  await Promise.all(
    pick.services.map(async (svc) => {
      const [w, b] = await Promise.all([p.mergedProfile(svc, pick.id, window, signal), p.mergedProfile(svc, pick.id, baseline, signal)]);
      if (!w || !b) return;
      const tw = total(w);
      const tb = total(b);
      growth.set(svc, Math.max(0, Math.log((tw + 1e-9) / (tb + 1e-9))));
      detail.set(svc, { type: pick.id, before: tb, after: tw });
    }),
  );
  return { growth, detail };
}

// ------------------------------------------------------------------------------------------ ranking

const round1 = (v: number) => Math.round(v * 10) / 10;

function fmt(n: number, d = 1): string {
  return Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(d)) : '–';
}

export async function rankSuspects(sources: Sources, window: TimeRange, baseline: TimeRange, opts: SuspectOptions = {}): Promise<SuspectsResult> {
  const partial: string[] = [];
  const signals = { traces: false, logs: false, metrics: false, profiles: false };
  // feature → service → raw z-like value; normalised across *all* services once every signal is in.
  const rawParts = new Map<string, { values: Map<string, number>; minScale: number }>();
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
    if (f.waits.mode === 'within-window') partial.push('traces: no baseline for most calls; call waits compared with each other inside the window');
    for (const [svc, l] of f.waits.detail) {
      const e = l[0]!;
      addRaw(svc, 'slow_call_edges', l.length);
      const before = Number.isFinite(e.before) ? `${fmt(e.before)} ms → ` : '';
      addEvidence(svc, Math.min(CAP, e.z) / 2, `wait on calls ${e.caller} → ${e.callee}: ${before}${fmt(e.after)} ms (median, ${e.n} calls)${l.length > 1 ? `; ${l.length - 1} more slow edge(s) touching ${svc}` : ''}`, [
        Number.isFinite(e.before)
          ? { key: 'ev_edge_wait', args: { caller: e.caller, callee: e.callee, before: round1(e.before), after: round1(e.after), n: e.n } }
          : { key: 'ev_edge_wait_window', args: { caller: e.caller, callee: e.callee, after: round1(e.after), n: e.n } },
        ...(l.length > 1 ? [{ key: 'ev_edge_more', args: { n: l.length - 1, service: svc } }] : []),
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
      addEvidence(
        svc,
        Math.abs(d.z) / 2,
        `per "${d.entry.slice(0, 80)}" request, "${d.event.slice(0, 140)}" ${d.before.toFixed(2)} → ${d.after.toFixed(2)} times (${d.invocations} requests in the window, z ${d.z.toFixed(1)})`,
        [{ key: 'ev_pattern', args: { entry: d.entry.slice(0, 80), event: d.event.slice(0, 140), before: Math.round(d.before * 100) / 100, after: Math.round(d.after * 100) / 100, n: d.invocations, z: Math.round(d.z * 10) / 10 } }],
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
      addEvidence(svc, d.z / 3, `${who} changed what follows "${d.from.slice(0, 120)}": "${d.to.slice(0, 120)}" ${(d.before * 100).toFixed(0)}% → ${(d.after * 100).toFixed(0)}% (${d.n} times in the window)`, [
        { key: d.emitter === svc ? 'ev_transition_own' : 'ev_transition_after', args },
      ]);
    }
  }

  // Normalise each feature across every service seen in any signal (a service without a value did not move: 0).
  const parts = new Map<string, Map<string, number>>();
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
  const base = new Map<string, { total: number; parts: Record<string, number> }>();
  for (const svc of services) {
    const p: Record<string, number> = {};
    let total = 0;
    // Fixed feature order: signals finish in any order, the answer must not depend on it.
    for (const [feat, m] of [...parts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const v = m.get(svc);
      if (v === undefined || v <= 0) continue;
      const wv = v * (WEIGHTS[feat] ?? 1);
      if (wv < 0.005) continue; // shows as 0.00: not a part worth listing
      p[feat] = Math.round(wv * 100) / 100;
      total += wv;
    }
    base.set(svc, { total, parts: p });
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
  const explaining = (d: string) => (base.get(d)?.total ?? 0) * (recovering.has(d) ? RECOVERING_FACTOR : 1);
  const suspects: Suspect[] = [];
  for (const [svc, b] of base) {
    if (b.total <= 0) continue;
    let explained = 0;
    const by: string[] = [];
    for (const [d, h] of descendants(svc)) {
      const t = explaining(d);
      if (t <= 0) continue;
      // Farther callees explain less: each hop is another place where the effect could have started.
      const share = Math.min(1, t / b.total) * HOP_DECAY ** (h - 1);
      if (share >= 0.5) by.push(d);
      explained = Math.max(explained, share);
    }
    // Keep at least 40% of a caller's own score: callers can be guilty too. A recovering service
    // keeps a third (its movement is mostly the recovery).
    const score = b.total * (1 - 0.6 * explained) * (recovering.has(svc) ? RECOVERING_FACTOR : 1);
    const ev = (evidence.get(svc) ?? []).sort((a, c) => c[0] - a[0]).slice(0, 6);
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
  return { window, baseline, suspects, signals, partial, callGraph };
}
