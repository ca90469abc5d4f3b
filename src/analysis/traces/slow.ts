// Slow spans: which spans own the time of slow requests. Time is counted as self time on the critical
// path (see tree.ts), grouped by (service, span name, normalised statement or route).
// Two modes:
//  - slow requests: requests above a threshold (default the window's slowest quartile); groups ranked
//    by their share of those requests' latency, with their per-request self time vs the baseline.
//  - window vs baseline: every group's per-occurrence critical self time in the window vs the baseline,
//    weighted by how often it occurs per request in the window: the latency it added to an average request.
import type { Span, TimeRange } from '../../sources/types.js';
import { quantileSorted } from '../../util/stats.js';
import { buildTree, criticalSelf, groupTraces, selfTimes, type TraceTree } from './tree.js';
import { isEntryGivenParent } from './requests.js';
import { normaliseRoute, normaliseStatement } from './normalise.js';
import { routeOf, statementOf } from './errors.js';

export interface SlowGroup {
  key: string;
  service: string;
  name: string;
  /** Normalised statement or route, when the spans carry one. */
  detail?: string;
  detailKind?: 'db.statement' | 'http.route' | 'wait';
  /** The span attribute holding the statement (db.query.text or db.statement). */
  detailAttr?: string;
  /** For 'wait' groups: the calling service whose client span waited outside the callee's server span. */
  caller?: string;
  callerSpan?: string;
  calleeSpan?: string;
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
  /** Per-service figures; in baseline mode ranked by the slowdown of the service's own work per call. */
  services: ServiceSlowdown[];
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

export interface ServiceSlowdown {
  service: string;
  criticalMs: number;
  share: number;
  addedMsPerRequest?: number;
  /** Own work per call (self time of the service's spans per entry, plus waits attributed to it), window. */
  ownMsPerCall?: number;
  baselineOwnMsPerCall?: number;
  /** Weighted mean over the service's operations of log2((window+1ms)/(baseline+1ms)) of own work per call. */
  slowdown?: number;
  calls: number;
  baselineCalls: number;
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
export function slowKeyOf(s: Span): { key: string; detail?: string; detailKind?: 'db.statement' | 'http.route'; detailAttr?: string } {
  const st = statementOf(s);
  if (st !== undefined) {
    const d = normaliseStatement(st);
    const attr = s.attributes['db.query.text'] !== undefined ? 'db.query.text' : 'db.statement';
    return { key: `${s.service}\u0001${s.name}\u0001${d}`, detail: d, detailKind: 'db.statement', detailAttr: attr };
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
  /** occ sorted ascending, computed once and shared by the p90 and the trimmed mean. */
  sorted?: Float64Array;
}

function sortedOcc(acc: Acc): Float64Array {
  return (acc.sorted ??= Float64Array.from(acc.occ).sort());
}

function collectRequests(byTrace: Map<string, Span[]>, range: TimeRange, service?: string): Req[] {
  const out: Req[] = [];
  for (const [id, spans] of byTrace) {
    // Cheap pre-check before building the tree: the earliest span must start near the range.
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

/**
 * The child in another service that a span waits on (its latest-finishing remote child), or -1.
 * Self time of such a span (a client call) is the time the request spent outside the callee's server
 * span: network and the callee's accept/queueing time. A starved callee shows up there, so that time
 * is attributed to the callee rather than to the caller.
 */
function remoteCallee(t: TraceTree, i: number): number {
  const svc = t.spans[i]!.service;
  for (let k = t.childOff[i]!; k < t.childOff[i + 1]!; k++) {
    const c = t.childIdx[k]!;
    if (t.spans[c]!.service !== svc) return c;
  }
  return -1;
}

interface KeyInfo {
  key: string;
  service: string;
  name: string;
  detail?: string;
  detailKind?: SlowGroup['detailKind'];
  detailAttr?: string;
  caller?: string;
  callerSpan?: string;
  calleeSpan?: string;
}

/** Per (service, span name): the plain group, and the detail / wait groups found under it. */
interface NameNode {
  plain: number;
  /** Normalised statement or route → group id. */
  details?: Map<string, number>;
  /** Callee service → callee span name → wait group id. */
  waits?: Map<string, Map<string, number>>;
}

/**
 * Group keys interned to small integers. Lookups go through nested maps keyed by the span's own
 * strings (service, name, normalised detail), so no key string is built per span; the full key string
 * is only built when a group is first seen (and still dedupes there, exactly as a flat map would).
 */
class KeyTable {
  infos: KeyInfo[] = [];
  private ids = new Map<string, number>();
  private nodes = new Map<string, Map<string, NameNode>>();
  id(info: KeyInfo): number {
    let id = this.ids.get(info.key);
    if (id === undefined) {
      id = this.infos.length;
      this.infos.push(info);
      this.ids.set(info.key, id);
    }
    return id;
  }
  private node(service: string, name: string): NameNode {
    let byName = this.nodes.get(service);
    if (!byName) this.nodes.set(service, (byName = new Map()));
    let n = byName.get(name);
    if (!n) byName.set(name, (n = { plain: -1 }));
    return n;
  }
  private plainId(node: NameNode, service: string, name: string): number {
    if (node.plain < 0) node.plain = this.id({ key: `${service}\u0001${name}`, service, name });
    return node.plain;
  }
  keyOf(t: TraceTree, i: number): number {
    const s = t.spans[i]!;
    const node = this.node(s.service, s.name);
    const callee = remoteCallee(t, i);
    if (callee >= 0) {
      const c = t.spans[callee]!;
      if (!node.waits) node.waits = new Map();
      let byName = node.waits.get(c.service);
      if (!byName) node.waits.set(c.service, (byName = new Map()));
      let id = byName.get(c.name);
      if (id === undefined) {
        const ck = `${c.service}\u0001wait\u0001${s.service}\u0001${s.name}\u0001${c.name}`;
        id = this.id({ key: ck, service: c.service, name: `${s.name} → ${c.name}`, detailKind: 'wait', caller: s.service, callerSpan: s.name, calleeSpan: c.name, detail: `time in ${s.service}'s client span outside ${c.service}'s span (network, queueing before the callee starts)` });
        byName.set(c.name, id);
      }
      return id;
    }
    const a = s.attributes;
    const q = a['db.query.text'];
    const st = q ?? a['db.statement'];
    let detail: string | undefined;
    let detailKind: 'db.statement' | 'http.route' | undefined;
    if (st !== undefined) {
      detail = normaliseStatement(String(st));
      detailKind = 'db.statement';
    } else {
      const r = a['http.route'] ?? a['url.template'];
      const route = r !== undefined ? String(r) : a['url.path'] !== undefined ? normaliseRoute(String(a['url.path'])) : undefined;
      if (route !== undefined && route !== s.name) {
        detail = route;
        detailKind = 'http.route';
      }
    }
    if (detail === undefined) return this.plainId(node, s.service, s.name);
    if (!node.details) node.details = new Map();
    let id = node.details.get(detail);
    if (id === undefined) {
      const detailAttr = detailKind === 'db.statement' ? (q !== undefined ? 'db.query.text' : 'db.statement') : undefined;
      id = this.id({ key: `${s.service}\u0001${s.name}\u0001${detail}`, service: s.service, name: s.name, detail, detailKind, detailAttr });
      node.details.set(detail, id);
    }
    return id;
  }
}

/** A request with its critical self times and group ids computed once, reused by every accumulation. */
interface Prepared extends Req {
  crit: number[];
  keys: number[];
}

function prepare(reqs: Req[], table: KeyTable): Prepared[] {
  const out: Prepared[] = new Array<Prepared>(reqs.length);
  for (let r = 0; r < reqs.length; r++) {
    const { tree: t, durationMs } = reqs[r]!;
    const keys: number[] = new Array<number>(t.spans.length);
    for (let i = 0; i < keys.length; i++) keys[i] = table.keyOf(t, i);
    out[r] = { tree: t, durationMs, crit: criticalSelf(t), keys };
  }
  return out;
}

/** Accumulates critical self time per group over a set of prepared requests. */
function accumulate(reqs: Prepared[], table: KeyTable, nEx: number): Map<string, Acc> {
  const byId: Array<Acc | undefined> = [];
  const best = new Map<number, Array<[number, string]>>();
  // Per-request time per group for the examples: a dense array indexed by group id plus the ids touched
  // (reset after each request) instead of a Map per request.
  const perVal = nEx > 0 ? new Float64Array(table.infos.length) : undefined;
  const touched: number[] = [];
  for (let r = 0; r < reqs.length; r++) {
    const { tree: t, crit, keys } = reqs[r]!;
    for (let i = 0; i < keys.length; i++) {
      const id = keys[i]!;
      let acc = byId[id];
      if (!acc) {
        const k = table.infos[id]!;
        const s = t.spans[i]!;
        const sys = s.attributes['db.system.name'] ?? s.attributes['db.system'];
        acc = byId[id] = {
          g: {
            key: k.key,
            service: k.service,
            name: k.name,
            detail: k.detail,
            detailKind: k.detailKind,
            detailAttr: k.detailAttr,
            caller: k.caller,
            callerSpan: k.callerSpan,
            calleeSpan: k.calleeSpan,
            dbSystem: sys === undefined || k.detailKind === 'wait' ? undefined : String(sys),
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
      }
      const c = crit[i]!;
      acc.g.spans++;
      acc.g.criticalMs += c;
      acc.occ.push(c);
      if (acc.lastTrace !== r) {
        acc.lastTrace = r;
        acc.g.traces++;
      }
      if (perVal && c > 0) {
        if (perVal[id] === 0) touched.push(id);
        perVal[id] += c;
      }
    }
    // Examples: the requests where the group owned the most time (bounded list per group).
    if (perVal) {
      for (let k = 0; k < touched.length; k++) {
        const id = touched[k]!;
        const v = perVal[id]!;
        perVal[id] = 0;
        let list = best.get(id);
        if (!list) best.set(id, (list = []));
        list.push([v, t.traceId]);
        if (list.length > 4 * nEx) {
          list.sort((a, b) => b[0] - a[0]);
          list.length = nEx;
        }
      }
      touched.length = 0;
    }
  }
  for (const [id, list] of best) {
    const acc = byId[id];
    if (acc) acc.g.examples = list.sort((a, b) => b[0] - a[0]).slice(0, nEx).map((x) => x[1]);
  }
  const out = new Map<string, Acc>();
  for (const acc of byId) if (acc) out.set(acc.g.key, acc);
  return out;
}

/**
 * Own work per call of each (service, entry operation): the self time of the service's spans under
 * one entry span, plus the client waits attributed to it as callee. Lists of per-call values.
 */
function ownWorkPerCall(reqs: Req[]): Map<string, { service: string; values: number[] }> {
  const out = new Map<string, { service: string; values: number[] }>();
  const byService = new Map<string, Map<string, { service: string; values: number[] }>>();
  const stack: number[] = [];
  const order: number[] = [];
  for (const { tree: t } of reqs) {
    const n = t.spans.length;
    const self = selfTimes(t);
    const entryOf: number[] = new Array<number>(n).fill(-1);
    const own: number[] = new Array<number>(n).fill(0);
    stack.length = 0;
    order.length = 0;
    for (const r of t.roots) stack.push(r);
    while (stack.length) {
      const i = stack.pop()!;
      order.push(i);
      const p = t.parent[i]!;
      const s = t.spans[i]!;
      const entry = p < 0 || isEntryGivenParent(s, t.spans[p]) || t.spans[p]!.service !== s.service;
      entryOf[i] = entry ? i : entryOf[p]!;
      for (let k = t.childOff[i]!; k < t.childOff[i + 1]!; k++) stack.push(t.childIdx[k]!);
    }
    for (const i of order) {
      const callee = remoteCallee(t, i);
      own[callee >= 0 ? callee : entryOf[i]!] += self[i]!;
    }
    for (const i of order) {
      if (entryOf[i] !== i) continue;
      const s = t.spans[i]!;
      let byName = byService.get(s.service);
      if (!byName) byService.set(s.service, (byName = new Map()));
      let e = byName.get(s.name);
      if (!e) {
        byName.set(s.name, (e = { service: s.service, values: [] }));
        out.set(`${s.service}\u0001${s.name}`, e);
      }
      e.values.push(own[i]!);
    }
  }
  return out;
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
function trimmedMean(a: number[], sorted?: Float64Array): number {
  if (a.length < 20) return mean(a);
  const s = sorted ?? Float64Array.from(a).sort();
  const keep = Math.ceil(s.length * 0.95);
  let t = 0;
  for (let i = 0; i < keep; i++) t += s[i]!;
  return t / keep;
}

/**
 * Per-service slowdown of own work: for each entry operation seen at least twice on both sides,
 * log2((window + 1 ms) / (baseline + 1 ms)) of the trimmed mean own work per call; averaged over the
 * service's operations weighted by √(window calls). Ratios make a rarely-called but starved service
 * (CPU contention multiplies all its own time) stand out against busy services whose absolute time
 * moved with the traffic mix; the 1 ms floor keeps sub-millisecond jitter from looking like a slowdown.
 */
function serviceSlowdowns(win: Req[], base: Req[]): Map<string, { slowdown?: number; own: number; baseOwn: number; calls: number; baseCalls: number }> {
  const w = ownWorkPerCall(win);
  const b = ownWorkPerCall(base);
  const acc = new Map<string, { num: number; den: number; ownSum: number; baseSum: number; calls: number; baseCalls: number }>();
  for (const [key, wl] of w) {
    let a = acc.get(wl.service);
    if (!a) acc.set(wl.service, (a = { num: 0, den: 0, ownSum: 0, baseSum: 0, calls: 0, baseCalls: 0 }));
    a.calls += wl.values.length;
    a.ownSum += wl.values.reduce((x, y) => x + y, 0);
    const bl = b.get(key);
    if (bl) {
      a.baseCalls += bl.values.length;
      a.baseSum += bl.values.reduce((x, y) => x + y, 0);
    }
    if (!bl || bl.values.length < 2 || wl.values.length < 2) continue;
    const lr = Math.log2((trimmedMean(wl.values) + 1) / (trimmedMean(bl.values) + 1));
    const weight = Math.sqrt(wl.values.length);
    a.num += lr * weight;
    a.den += weight;
  }
  const out = new Map<string, { slowdown?: number; own: number; baseOwn: number; calls: number; baseCalls: number }>();
  for (const [svc, a] of acc) out.set(svc, { slowdown: a.den > 0 ? a.num / a.den : undefined, own: a.calls ? a.ownSum / a.calls : 0, baseOwn: a.baseCalls ? a.baseSum / a.baseCalls : 0, calls: a.calls, baseCalls: a.baseCalls });
  return out;
}

/** The requests of a window and baseline, their trees, critical self times and group ids. */
interface PreparedRequests {
  win: Req[];
  base: Req[];
  table: KeyTable;
  pwin: Prepared[];
  pbase: Prepared[];
}

/**
 * The last requests prepared per spans array (and its length, window, baseline and service): the
 * playbook's traces step asks for the slow-request view and the baseline view of the same spans, and
 * building every trace's tree and critical path twice cost as much as the two views themselves. Only
 * read after preparation (accumulations make their own groups), so sharing it changes no answer.
 */
const preparedMemo = new WeakMap<Span[], { key: string; prepared: PreparedRequests }>();

function preparedRequests(spans: Span[], opts: SlowOptions): PreparedRequests {
  const b = opts.baseline;
  const key = `${spans.length}|${opts.window.start}|${opts.window.end}|${b ? `${b.start}|${b.end}` : '-'}|${opts.service ?? ''}`;
  const hit = preparedMemo.get(spans);
  if (hit && hit.key === key) return hit.prepared;
  const byTrace = groupTraces(spans);
  const win = collectRequests(byTrace, opts.window, opts.service);
  const base = b ? collectRequests(byTrace, b, opts.service) : [];
  const table = new KeyTable();
  const prepared = { win, base, table, pwin: prepare(win, table), pbase: prepare(base, table) };
  preparedMemo.set(spans, { key, prepared });
  return prepared;
}

export function findSlowSpans(spans: Span[], opts: SlowOptions): SlowAnalysis {
  const mode = opts.mode ?? 'slow';
  const nEx = opts.examples ?? 3;
  const { win, base, table, pwin, pbase } = preparedRequests(spans, opts);
  const durations = Float64Array.from(win.map((r) => r.durationMs)).sort();
  const bdur = Float64Array.from(base.map((r) => r.durationMs)).sort();
  let threshold: number | undefined;
  let measured: Req[];
  if (mode === 'slow') {
    threshold = opts.minDurationMs ?? quantileSorted(durations, opts.quantile ?? 0.75);
    measured = win.filter((r) => r.durationMs >= threshold!);
  } else measured = win;
  const measuredLatency = measured.reduce((t, r) => t + r.durationMs, 0);
  const pmeasured = mode === 'slow' ? pwin.filter((r) => r.durationMs >= threshold!) : pwin;
  const groups = accumulate(pmeasured, table, nEx);
  const bgroups = base.length ? accumulate(pbase, table, 0) : undefined;
  // Per-occurrence figures over all window requests, for the baseline comparison in slow mode too.
  const allWin = mode === 'slow' && bgroups ? accumulate(pwin, table, 0) : groups;
  const out: SlowGroup[] = [];
  for (const acc of groups.values()) {
    const g = acc.g;
    g.share = measuredLatency > 0 ? g.criticalMs / measuredLatency : 0;
    g.perRequestMs = measured.length ? g.criticalMs / measured.length : 0;
    g.perOccurrenceMs = mean(acc.occ);
    g.p90OccurrenceMs = quantileSorted(sortedOcc(acc), 0.9);
    if (bgroups) {
      const b = bgroups.get(g.key);
      const w = allWin.get(g.key)!;
      g.baselinePerRequestMs = b ? b.g.criticalMs / base.length : 0;
      g.baselinePerOccurrenceMs = b ? mean(b.occ) : undefined;
      g.baselineSpans = b ? b.g.spans : 0;
      const occPerReq = w.g.spans / Math.max(1, win.length);
      if (b && b.occ.length) g.addedMsPerRequest = (trimmedMean(w.occ, sortedOcc(w)) - trimmedMean(b.occ, sortedOcc(b))) * occPerReq;
      else g.addedMsPerRequest = trimmedMean(w.occ, sortedOcc(w)) * occPerReq; // new group: all its time is added
    }
    out.push(g);
  }
  if (mode === 'baseline') out.sort((a, b) => (b.addedMsPerRequest ?? 0) - (a.addedMsPerRequest ?? 0));
  else out.sort((a, b) => b.criticalMs - a.criticalMs);
  const svc = new Map<string, ServiceSlowdown>();
  for (const g of out) {
    let s = svc.get(g.service);
    if (!s) svc.set(g.service, (s = { service: g.service, criticalMs: 0, share: 0, calls: 0, baselineCalls: 0, addedMsPerRequest: g.addedMsPerRequest === undefined ? undefined : 0 }));
    s.criticalMs += g.criticalMs;
    s.share += g.share;
    if (g.addedMsPerRequest !== undefined) s.addedMsPerRequest = (s.addedMsPerRequest ?? 0) + g.addedMsPerRequest;
  }
  // Own-work slowdown per service: the root-cause view of baseline mode.
  if (base.length && mode === 'baseline') {
    for (const [service, sd] of serviceSlowdowns(win, base)) {
      let s = svc.get(service);
      if (!s) svc.set(service, (s = { service, criticalMs: 0, share: 0, calls: 0, baselineCalls: 0 }));
      s.slowdown = sd.slowdown;
      s.ownMsPerCall = sd.own;
      s.baselineOwnMsPerCall = sd.baseOwn;
      s.calls = sd.calls;
      s.baselineCalls = sd.baseCalls;
    }
  }
  const services = [...svc.values()].sort((a, b) =>
    mode === 'baseline' ? (b.slowdown ?? -Infinity) - (a.slowdown ?? -Infinity) || (b.addedMsPerRequest ?? 0) - (a.addedMsPerRequest ?? 0) : b.criticalMs - a.criticalMs,
  );
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
