// Slow spans: which spans own the time of slow requests. Time is counted as self time on the critical
// path (see tree.ts), grouped by (service, span name, normalised statement or route).
// Two modes:
//  - slow requests: requests above a threshold (default the window's slowest quartile); groups ranked
//    by their share of those requests' latency, with their per-request self time vs the baseline.
//  - window vs baseline: every group's per-occurrence critical self time in the window vs the baseline,
//    weighted by how often it occurs per request in the window: the latency it added to an average request.
import type { Span, TimeRange } from '../../sources/types.js';
import { quantileSorted } from '../../util/stats.js';
import { buildTree, criticalSelf, groupTraces, type TraceTree } from './tree.js';
import { normaliseRoute, normaliseStatement } from './normalise.js';
import { routeOf, statementOf } from './errors.js';

export interface SlowGroup {
  key: string;
  service: string;
  name: string;
  /** Normalised statement or route, when the spans carry one. */
  detail?: string;
  detailKind?: 'db.statement' | 'http.route';
  dbSystem?: string;
  /** Spans of the group in the measured requests. */
  spans: number;
  /** Measured requests containing the group. */
  traces: number;
  /** Total critical-path self time in the measured requests (ms). */
  criticalMs: number;
  /** Share of the measured requests' total latency. */
  share: number;
  /** Critical self time per measured request (ms). */
  perRequestMs: number;
  /** Critical self time per occurrence (ms), window. */
  perOccurrenceMs: number;
  /** p90 of per-occurrence critical self time (ms), window. */
  p90OccurrenceMs: number;
  baselinePerRequestMs?: number;
  baselinePerOccurrenceMs?: number;
  baselineSpans?: number;
  /** Latency added per window request vs the baseline (ms); the ranking key in baseline mode. */
  addedMsPerRequest?: number;
  examples: string[];
}

export interface SlowAnalysis {
  mode: 'slow' | 'baseline';
  groups: SlowGroup[];
  /** Per-service totals of the ranking measure (share in slow mode, added ms in baseline mode). */
  services: Array<{ service: string; criticalMs: number; addedMsPerRequest?: number; share: number }>;
  thresholdMs?: number;
  windowRequests: number;
  /** Requests measured: the slow ones (slow mode) or all window requests (baseline mode). */
  measuredRequests: number;
  measuredLatencyMs: number;
  baselineRequests: number;
  p50Ms: number;
  p90Ms: number;
  baselineP50Ms?: number;
  baselineP90Ms?: number;
}

export interface SlowOptions {
  window: TimeRange;
  baseline?: TimeRange;
  mode?: 'slow' | 'baseline';
  /** Requests at least this long are slow (overrides the quantile). */
  minDurationMs?: number;
  /** Quantile of the window's request durations above which requests are slow (default 0.75). */
  quantile?: number;
  /** Only requests that pass through this service. */
  service?: string;
  examples?: number;
}

/** Group key parts of a span; cached per span object is not needed: statements are normalised once per group occurrence. */
export function slowKeyOf(s: Span): { key: string; detail?: string; detailKind?: 'db.statement' | 'http.route' } {
  const st = statementOf(s);
  if (st !== undefined) {
    const d = normaliseStatement(st);
    return { key: `${s.service}\u0001${s.name}\u0001${d}`, detail: d, detailKind: 'db.statement' };
  }
  const r = s.attributes['http.route'] ?? s.attributes['url.template'];
  const route = r !== undefined ? String(r) : s.attributes['url.path'] !== undefined ? normaliseRoute(String(s.attributes['url.path'])) : undefined;
  if (route !== undefined && route !== s.name) return { key: `${s.service}\u0001${s.name}\u0001${route}`, detail: route, detailKind: 'http.route' };
  return { key: `${s.service}\u0001${s.name}` };
}

interface Req {
  tree: TraceTree;
  durationMs: number;
}

interface Acc {
  g: SlowGroup;
  occ: number[];
  lastTrace: number;
}

function collectRequests(byTrace: Map<string, Span[]>, range: TimeRange, service?: string): Req[] {
  const out: Req[] = [];
  for (const [id, spans] of byTrace) {
    // Cheap pre-check before building the tree: the earliest span must start in the range.
    let first = Infinity;
    for (let i = 0; i < spans.length; i++) if (spans[i]!.startMs < first) first = spans[i]!.startMs;
    if (first < range.start - 3_600_000 || first >= range.end) continue;
    if (service !== undefined && !spans.some((s) => s.service === service)) continue;
    const tree = buildTree(id, spans);
    const root = spans[tree.root]!;
    if (root.startMs < range.start || root.startMs >= range.end) continue;
    out.push({ tree, durationMs: root.durationMs });
  }
  return out;
}

/** Accumulates critical self time per group over a set of requests. */
function accumulate(reqs: Req[], nEx: number): Map<string, Acc> {
  const groups = new Map<string, Acc>();
  const keyCache = new Map<string, ReturnType<typeof slowKeyOf>>();
  for (let r = 0; r < reqs.length; r++) {
    const t = reqs[r]!.tree;
    const crit = criticalSelf(t);
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i]!;
      // Key by (service, name) first; only spans with statements/routes need the slower path.
      let k: ReturnType<typeof slowKeyOf>;
      const hasDetail = s.attributes['db.statement'] !== undefined || s.attributes['db.query.text'] !== undefined || s.attributes['http.route'] !== undefined || s.attributes['url.template'] !== undefined || s.attributes['url.path'] !== undefined;
      if (hasDetail) k = slowKeyOf(s);
      else {
        const ck = `${s.service}\u0001${s.name}`;
        let c = keyCache.get(ck);
        if (!c) keyCache.set(ck, (c = { key: ck }));
        k = c;
      }
      let acc = groups.get(k.key);
      if (!acc) {
        const sys = s.attributes['db.system.name'] ?? s.attributes['db.system'];
        acc = {
          g: {
            key: k.key,
            service: s.service,
            name: s.name,
            detail: k.detail,
            detailKind: k.detailKind,
            dbSystem: sys === undefined ? undefined : String(sys),
            spans: 0,
            traces: 0,
            criticalMs: 0,
            share: 0,
            perRequestMs: 0,
            perOccurrenceMs: 0,
            p90OccurrenceMs: 0,
            examples: [],
          },
          occ: [],
          lastTrace: -1,
        };
        groups.set(k.key, acc);
      }
      const c = crit[i]!;
      acc.g.spans++;
      acc.g.criticalMs += c;
      acc.occ.push(c);
      if (acc.lastTrace !== r) {
        acc.lastTrace = r;
        acc.g.traces++;
      }
    }
  }
  // Examples: the requests where the group owned the most time.
  if (nEx > 0) {
    for (const acc of groups.values()) acc.g.examples = [];
    const best = new Map<string, Array<[number, string]>>();
    for (let r = 0; r < reqs.length; r++) {
      const t = reqs[r]!.tree;
      if (t.spans.length > 5000) continue; // examples from huge traces are not worth a second pass
      const crit = criticalSelf(t);
      const per = new Map<string, number>();
      for (let i = 0; i < t.spans.length; i++) {
        if (crit[i]! <= 0) continue;
        const s = t.spans[i]!;
        const key = slowKeyOf(s).key;
        per.set(key, (per.get(key) ?? 0) + crit[i]!);
      }
      for (const [key, v] of per) {
        let list = best.get(key);
        if (!list) best.set(key, (list = []));
        list.push([v, t.traceId]);
        if (list.length > 4 * nEx) {
          list.sort((a, b) => b[0] - a[0]);
          list.length = nEx;
        }
      }
    }
    for (const [key, list] of best) {
      const acc = groups.get(key);
      if (acc) acc.g.examples = list.sort((a, b) => b[0] - a[0]).slice(0, nEx).map((x) => x[1]);
    }
  }
  return groups;
}

function mean(a: number[]): number {
  let t = 0;
  for (const x of a) t += x;
  return a.length ? t / a.length : 0;
}

/**
 * Robust per-occurrence level: the mean after trimming the top 5% (a handful of outliers in a small
 * sample should not decide the ranking, yet a shift of the whole distribution must).
 */
function trimmedMean(a: number[]): number {
  if (a.length < 20) return mean(a);
  const s = Float64Array.from(a).sort();
  const keep = Math.ceil(s.length * 0.95);
  let t = 0;
  for (let i = 0; i < keep; i++) t += s[i]!;
  return t / keep;
}

export function findSlowSpans(spans: Span[], opts: SlowOptions): SlowAnalysis {
  const mode = opts.mode ?? 'slow';
  const nEx = opts.examples ?? 3;
  const byTrace = groupTraces(spans);
  const win = collectRequests(byTrace, opts.window, opts.service);
  const base = opts.baseline ? collectRequests(byTrace, opts.baseline, opts.service) : [];
  const durations = Float64Array.from(win.map((r) => r.durationMs)).sort();
  const bdur = Float64Array.from(base.map((r) => r.durationMs)).sort();
  let threshold: number | undefined;
  let measured: Req[];
  if (mode === 'slow') {
    threshold = opts.minDurationMs ?? quantileSorted(durations, opts.quantile ?? 0.75);
    measured = win.filter((r) => r.durationMs >= threshold!);
  } else measured = win;
  const measuredLatency = measured.reduce((t, r) => t + r.durationMs, 0);
  const groups = accumulate(measured, nEx);
  const bgroups = base.length ? accumulate(base, 0) : undefined;
  // Per-occurrence figures over all window requests, for baseline comparison in slow mode too.
  const allWin = mode === 'slow' && bgroups ? accumulate(win, 0) : groups;
  const out: SlowGroup[] = [];
  for (const acc of groups.values()) {
    const g = acc.g;
    g.share = measuredLatency > 0 ? g.criticalMs / measuredLatency : 0;
    g.perRequestMs = measured.length ? g.criticalMs / measured.length : 0;
    g.perOccurrenceMs = mean(acc.occ);
    g.p90OccurrenceMs = quantileSorted(Float64Array.from(acc.occ).sort(), 0.9);
    if (bgroups) {
      const b = bgroups.get(g.key);
      const w = allWin.get(g.key)!;
      g.baselinePerRequestMs = b ? b.g.criticalMs / base.length : 0;
      g.baselinePerOccurrenceMs = b ? mean(b.occ) : undefined;
      g.baselineSpans = b ? b.g.spans : 0;
      const occPerReq = w.g.spans / Math.max(1, win.length);
      if (b && b.occ.length) g.addedMsPerRequest = (trimmedMean(w.occ) - trimmedMean(b.occ)) * occPerReq;
      else g.addedMsPerRequest = trimmedMean(w.occ) * occPerReq; // new group: all its time is added
    }
    out.push(g);
  }
  if (mode === 'baseline') out.sort((a, b) => (b.addedMsPerRequest ?? 0) - (a.addedMsPerRequest ?? 0));
  else out.sort((a, b) => b.criticalMs - a.criticalMs);
  const svc = new Map<string, { service: string; criticalMs: number; addedMsPerRequest?: number; share: number }>();
  for (const g of out) {
    let s = svc.get(g.service);
    if (!s) svc.set(g.service, (s = { service: g.service, criticalMs: 0, share: 0, addedMsPerRequest: g.addedMsPerRequest === undefined ? undefined : 0 }));
    s.criticalMs += g.criticalMs;
    s.share += g.share;
    if (g.addedMsPerRequest !== undefined) s.addedMsPerRequest = (s.addedMsPerRequest ?? 0) + g.addedMsPerRequest;
  }
  const services = [...svc.values()].sort((a, b) => (mode === 'baseline' ? (b.addedMsPerRequest ?? 0) - (a.addedMsPerRequest ?? 0) : b.criticalMs - a.criticalMs));
  return {
    mode,
    groups: out,
    services,
    thresholdMs: threshold,
    windowRequests: win.length,
    measuredRequests: measured.length,
    measuredLatencyMs: measuredLatency,
    baselineRequests: base.length,
    p50Ms: quantileSorted(durations, 0.5),
    p90Ms: quantileSorted(durations, 0.9),
    baselineP50Ms: bdur.length ? quantileSorted(bdur, 0.5) : undefined,
    baselineP90Ms: bdur.length ? quantileSorted(bdur, 0.9) : undefined,
  };
}
