// Prevalent errors: error spans grouped by structure — the path of (service, span name) from the request
// root to the span where the error originates — plus the normalised error message. Groups are ranked by
// impact: how many root requests they affect, not how many spans they produced.
import type { Span, TimeRange } from '../../sources/types.js';
import { buildTree, groupTraces, quickRoot, type TraceTree } from './tree.js';
import { coverage, describeErrorInformation, errorInformation, httpStatus, isEntryGivenParent, isErrorSpan, gaveUpWaiting } from './requests.js';
import { normaliseMessage, normaliseRoute, normaliseStatement } from './normalise.js';

export interface PathStep {
  service: string;
  name: string;
}

export interface ErrorGroup {
  key: string;
  service: string;
  spanName: string;
  /** Service hops (entry spans) from the root, ending with the span where the error originates. */
  path: PathStep[];
  message: string;
  exceptionType?: string;
  spans: number;
  /** Affected root requests (distinct traces) in the window. */
  traces: number;
  /** Share of all failing requests of the window affected by this group. */
  shareOfErrors: number;
  /** Share of all requests of the window affected by this group. */
  shareOfRequests: number;
  /** Requests whose root span itself failed (the error reached the user). */
  rootFailures: number;
  firstSeenMs: number;
  lastSeenMs: number;
  ratePerSec: number;
  baselineTraces?: number;
  baselineRatePerSec?: number;
  /** True when absent from a baseline that had data; undefined when there was no baseline data. */
  isNew?: boolean;
  /** Attributes shared by (almost) all the group's error spans (e.g. db.system=postgresql). */
  common: Record<string, string>;
  /** Characterising details: db statement, exception type, route, span name. */
  details: Record<string, string>;
  examples: string[];
}

export interface ErrorAnalysis {
  groups: ErrorGroup[];
  windowRequests: number;
  failedRequests: number;
  errorSpans: number;
  coveredSeconds: number;
  baselineCoveredSeconds?: number;
  /** Set when the data carries no error information at all. */
  noErrorInfo?: string;
}

const ID_KEY = /(^|[._])(id|uuid|guid)$|trace_?id|span_?id|request_?id|session|timestamp|time$/i;

function exceptionAttr(s: Span, key: string): string | undefined {
  for (const e of s.events) {
    if (e.name !== 'exception') continue;
    const v = e.attributes[key];
    if (v !== undefined) return String(v);
  }
  const v = s.attributes[key];
  return v === undefined ? undefined : String(v);
}

export function rawErrorMessage(s: Span): string {
  const msg = s.statusMessage ?? exceptionAttr(s, 'exception.message') ?? s.attributes['error.message']?.toString() ?? exceptionAttr(s, 'exception.type');
  if (msg) return msg;
  const code = httpStatus(s);
  if (code !== undefined && code >= 500) return `HTTP ${code}`;
  const et = s.attributes['error.type'];
  return et !== undefined ? String(et) : 'error (no message)';
}

export function statementOf(s: Span): string | undefined {
  const v = s.attributes['db.query.text'] ?? s.attributes['db.statement'];
  return v === undefined ? undefined : String(v);
}

export function routeOf(s: Span): string | undefined {
  const v = s.attributes['http.route'] ?? s.attributes['url.template'];
  if (v !== undefined) return String(v);
  const t = s.attributes['url.path'] ?? s.attributes['http.target'];
  return t === undefined ? undefined : normaliseRoute(String(t));
}

interface Acc {
  g: ErrorGroup;
  traceSet: Set<string>;
  attrCounts: Map<string, number>;
}

/**
 * The service an error call span was waiting for when it gave up: its children all live in one other
 * service (none failed: the span is an origin), and that service was still working when the call ended
 * (beyond clock skew) or the error says it timed out. The error is raised in the caller, but the time
 * went in the callee or on the way to it: the report says which.
 */
function timedOutWaitingFor(t: TraceTree, i: number, message: string): string | undefined {
  const s = t.spans[i]!;
  const from = t.childOff[i]!;
  const to = t.childOff[i + 1]!;
  if (from === to) return undefined;
  const callee = t.spans[t.childIdx[from]!]!.service;
  if (callee === s.service) return undefined;
  const kids: Span[] = [];
  for (let k = from; k < to; k++) {
    const c = t.spans[t.childIdx[k]!]!;
    if (c.service !== callee) return undefined;
    kids.push(c);
  }
  return gaveUpWaiting(s, kids, message) ? callee : undefined;
}

/** Marks error spans whose subtree holds no other error span: where the error originates. */
function errorOrigins(t: TraceTree, err: Uint8Array): number[] {
  const n = t.spans.length;
  const hasErrBelow = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!err[i]) continue;
    let p = t.parent[i]!;
    let guard = 0;
    while (p >= 0 && !hasErrBelow[p] && guard++ < n) {
      hasErrBelow[p] = 1;
      p = t.parent[p]!;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (err[i] && !hasErrBelow[i]) out.push(i);
  return out;
}

function pathOf(t: TraceTree, i: number): PathStep[] {
  const steps: PathStep[] = [];
  const origin = t.spans[i]!;
  steps.push({ service: origin.service, name: origin.name });
  let c = i;
  let guard = 0;
  while (guard++ < t.spans.length) {
    const p = t.parent[c]!;
    const s = t.spans[c]!;
    const ps = p >= 0 ? t.spans[p] : undefined;
    if (c !== i && isEntryGivenParent(s, ps)) steps.push({ service: s.service, name: s.name });
    if (p < 0) break;
    c = p;
  }
  return steps.reverse();
}

function commonAttrs(s: Span, counts: Map<string, number>): void {
  const add = (k: string, v: unknown) => {
    if (ID_KEY.test(k)) return;
    const sv = String(v);
    if (sv.length > 200) return;
    const key = `${k}=${sv}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (const [k, v] of Object.entries(s.attributes)) if (k !== 'db.statement' && k !== 'db.query.text') add(k, v);
  for (const [k, v] of Object.entries(s.resource)) if (k !== 'service.name' && !k.startsWith('k8s.pod') && k !== 'host.name' && k !== 'service.instance.id') add(k, v);
}

export interface ErrorOptions {
  window: TimeRange;
  baseline?: TimeRange;
  /** Keep groups whose path goes through this service. */
  service?: string;
  examples?: number;
}

export function findPrevalentErrors(spans: Span[], opts: ErrorOptions): ErrorAnalysis {
  const { window, baseline } = opts;
  const nEx = opts.examples ?? 3;
  const byTrace = groupTraces(spans);
  const groups = new Map<string, Acc>();
  const baseCounts = new Map<string, Set<string>>();
  let windowRequests = 0;
  let failedRequests = 0;
  let errorSpans = 0;
  for (const [traceId, tspans] of byTrace) {
    let anyErr = false;
    const err = new Uint8Array(tspans.length);
    for (let i = 0; i < tspans.length; i++) if (isErrorSpan(tspans[i]!)) (err[i] = 1), (anyErr = true);
    // Cheap root lookup for traces without errors: only the request count matters.
    if (!anyErr) {
      const root = quickRoot(tspans);
      if (root.startMs >= window.start && root.startMs < window.end) windowRequests++;
      continue;
    }
    const t = buildTree(traceId, tspans);
    const root = tspans[t.root]!;
    const inWindow = root.startMs >= window.start && root.startMs < window.end;
    const inBase = baseline !== undefined && root.startMs >= baseline.start && root.startMs < baseline.end;
    if (inWindow) windowRequests++;
    if (!inWindow && !inBase) continue;
    const origins = errorOrigins(t, err);
    if (inWindow) failedRequests++;
    for (const i of origins) {
      const s = tspans[i]!;
      const path = pathOf(t, i);
      if (opts.service && !path.some((p) => p.service === opts.service)) continue;
      const message = normaliseMessage(rawErrorMessage(s));
      const key = `${path.map((p) => `${p.service}\u0001${p.name}`).join('\u0002')}\u0003${message}`;
      if (inBase) {
        let set = baseCounts.get(key);
        if (!set) baseCounts.set(key, (set = new Set()));
        set.add(traceId);
        continue;
      }
      errorSpans++;
      let acc = groups.get(key);
      if (!acc) {
        const details: Record<string, string> = { 'span.name': s.name };
        const st = statementOf(s);
        if (st) details['db.statement'] = normaliseStatement(st, 300);
        const sys = s.attributes['db.system.name'] ?? s.attributes['db.system'];
        if (sys !== undefined) details['db.system'] = String(sys);
        const et = exceptionAttr(s, 'exception.type');
        if (et) details['exception.type'] = et;
        const route = routeOf(s) ?? routeOfEntry(t, i);
        if (route) details['http.route'] = route;
        const code = httpStatus(s);
        if (code !== undefined) details['http.status_code'] = String(code);
        details.message = message;
        const waited = timedOutWaitingFor(t, i, message);
        if (waited) details.timed_out_waiting_for = waited;
        acc = {
          g: {
            key,
            service: s.service,
            spanName: s.name,
            path,
            message,
            exceptionType: et,
            spans: 0,
            traces: 0,
            shareOfErrors: 0,
            shareOfRequests: 0,
            rootFailures: 0,
            firstSeenMs: s.startMs,
            lastSeenMs: s.startMs,
            ratePerSec: 0,
            common: {},
            details,
            examples: [],
          },
          traceSet: new Set(),
          attrCounts: new Map(),
        };
        groups.set(key, acc);
      }
      const g = acc.g;
      g.spans++;
      if (s.startMs < g.firstSeenMs) g.firstSeenMs = s.startMs;
      if (s.startMs > g.lastSeenMs) g.lastSeenMs = s.startMs;
      commonAttrs(s, acc.attrCounts);
      if (!acc.traceSet.has(traceId)) {
        acc.traceSet.add(traceId);
        if (err[t.root]) g.rootFailures++;
        if (g.examples.length < nEx) g.examples.push(traceId);
      }
    }
  }
  const cov = coverage(spans, window);
  const bcov = baseline ? coverage(spans, baseline) : undefined;
  const out: ErrorGroup[] = [];
  for (const acc of groups.values()) {
    const g = acc.g;
    g.traces = acc.traceSet.size;
    g.shareOfErrors = failedRequests ? g.traces / failedRequests : 0;
    g.shareOfRequests = windowRequests ? g.traces / windowRequests : 0;
    g.ratePerSec = g.traces / cov.seconds;
    for (const [kv, n] of acc.attrCounts) {
      if (n < Math.max(1, 0.8 * g.spans)) continue;
      const eq = kv.indexOf('=');
      g.common[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    if (bcov && bcov.seconds > 0 && bcov.start !== undefined) {
      const b = baseCounts.get(g.key)?.size ?? 0;
      g.baselineTraces = b;
      g.baselineRatePerSec = b / bcov.seconds;
      g.isNew = b === 0;
    }
    out.push(g);
  }
  out.sort((a, b) => b.traces - a.traces || b.rootFailures - a.rootFailures || b.spans - a.spans);
  const info = errorInformation(spans);
  return {
    groups: out,
    windowRequests,
    failedRequests,
    errorSpans,
    coveredSeconds: cov.seconds,
    baselineCoveredSeconds: bcov?.start !== undefined ? bcov.seconds : undefined,
    noErrorInfo: describeErrorInformation(info),
  };
}

function routeOfEntry(t: TraceTree, i: number): string | undefined {
  let c = t.parent[i]!;
  let guard = 0;
  while (c >= 0 && guard++ < t.spans.length) {
    const s = t.spans[c]!;
    if (s.service !== t.spans[i]!.service) return undefined;
    const r = routeOf(s);
    if (r) return r;
    c = t.parent[c]!;
  }
  return undefined;
}
