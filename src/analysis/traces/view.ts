// One trace as a compact text tree: service, name, duration, self time, status, key attributes,
// critical path marked (*), errors marked (✖). Runs of similar siblings are collapsed; when the tree
// does not fit the line budget, only the critical path, the errors and their ancestors are kept.
import type { Span } from '../../sources/types.js';
import { buildTree, criticalSelf, selfTimes, type TraceTree } from './tree.js';
import { isErrorSpan } from './requests.js';
import { rawErrorMessage, statementOf } from './errors.js';
import { normaliseStatement } from './normalise.js';

export interface TraceViewNode {
  spanId: string;
  parentSpanId?: string;
  depth: number;
  service: string;
  name: string;
  startOffsetMs: number;
  durationMs: number;
  selfMs: number;
  criticalMs: number;
  critical: boolean;
  error: boolean;
  error_message?: string;
  attributes: Record<string, string>;
  /** When this line stands for a run of similar siblings. */
  collapsed?: number;
}

export interface TraceView {
  traceId: string;
  spans: number;
  services: string[];
  rootService: string;
  rootName: string;
  durationMs: number;
  errors: number;
  orphans: number;
  nodes: TraceViewNode[];
  /** Spans not shown (collapsed or pruned). */
  hidden: number;
  lines: string[];
}

const KEY_ATTRS = ['http.request.method', 'http.method', 'http.route', 'url.path', 'http.target', 'http.response.status_code', 'http.status_code', 'rpc.method', 'db.system', 'db.operation', 'messaging.destination.name', 'peer.service', 'server.address'];

function keyAttributes(s: Span): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEY_ATTRS) {
    const v = s.attributes[k];
    if (v !== undefined) out[k] = String(v);
  }
  const st = statementOf(s);
  if (st) out['db.statement'] = normaliseStatement(st, 100);
  const ver = s.resource['service.version'];
  if (ver !== undefined) out['service.version'] = String(ver);
  // Linked traces (a batch consumer's producers, a fan-in): ids to open next with get_trace.
  if (s.links?.length) out.links = s.links.slice(0, 3).map((l) => l.traceId).join(',') + (s.links.length > 3 ? ` (+${s.links.length - 3})` : '');
  return out;
}

function fmt(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 10) return `${ms.toFixed(0)}ms`;
  return `${ms.toFixed(1)}ms`;
}

export function traceView(traceId: string, spans: Span[], maxLines = 60): TraceView {
  const t: TraceTree = buildTree(traceId, spans);
  const crit = criticalSelf(t);
  const self = selfTimes(t);
  const n = spans.length;
  const root = spans[t.root]!;
  const rootDur = Math.max(root.durationMs, 1e-9);
  const onPath = new Uint8Array(n);
  // A span is on the critical path when it or a descendant holds critical self time.
  for (let i = 0; i < n; i++) {
    if (crit[i]! <= 0) continue;
    let c = i;
    let guard = 0;
    while (c >= 0 && !onPath[c] && guard++ < n) {
      onPath[c] = 1;
      c = t.parent[c]!;
    }
  }
  const err = new Uint8Array(n);
  let errors = 0;
  for (let i = 0; i < n; i++) if (isErrorSpan(spans[i]!)) (err[i] = 1), errors++;
  // Important spans: significant critical path (≥1% of the request), errors, and their ancestors.
  const important = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!(err[i] || (onPath[i] && crit[i]! >= 0.01 * rootDur) || t.parent[i]! < 0)) continue;
    let c = i;
    let guard = 0;
    while (c >= 0 && !important[c] && guard++ < n) {
      important[c] = 1;
      c = t.parent[c]!;
    }
  }
  const node = (i: number, depth: number, collapsed?: number): TraceViewNode => {
    const s = spans[i]!;
    return {
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      depth,
      service: s.service,
      name: s.name,
      startOffsetMs: s.startMs - root.startMs,
      durationMs: s.durationMs,
      selfMs: self[i]!,
      criticalMs: crit[i]!,
      critical: onPath[i] === 1,
      error: err[i] === 1,
      error_message: err[i] ? rawErrorMessage(s).slice(0, 200) : undefined,
      attributes: keyAttributes(s),
      collapsed,
    };
  };

  // Displayed list via an explicit stack of frames (iterative: deep traces cannot overflow).
  // Stops one line past the budget: the caller only needs to know that it did not fit.
  const render = (pruned: boolean): { nodes: TraceViewNode[]; hidden: number } => {
    const nodes: TraceViewNode[] = [];
    type Frame = { i: number; d: number } | { more: number; d: number; like: number };
    const stack: Frame[] = [];
    const rootsSorted = [...t.roots].sort((a, b) => spans[b]!.startMs - spans[a]!.startMs);
    for (const r of rootsSorted) stack.push({ i: r, d: 0 });
    while (stack.length && nodes.length <= maxLines) {
      const f = stack.pop()!;
      if ('more' in f) {
        const s = spans[f.like]!;
        nodes.push({ ...node(f.like, f.d, f.more), spanId: '', name: `… ${f.more} more "${s.name}" (${s.service})`, critical: false, error: false, error_message: undefined, attributes: {} });
        continue;
      }
      const { i, d } = f;
      nodes.push(node(i, d));
      let kids = Array.from(t.childIdx.slice(t.childOff[i]!, t.childOff[i + 1]!)).sort((a, b) => spans[a]!.startMs - spans[b]!.startMs);
      if (pruned) kids = kids.filter((c) => important[c]);
      const frames: Frame[] = [];
      for (let k = 0; k < kids.length; ) {
        const c = kids[k]!;
        const sig = `${spans[c]!.service}\u0001${spans[c]!.name}`;
        let e = k + 1;
        while (e < kids.length && `${spans[kids[e]!]!.service}\u0001${spans[kids[e]!]!.name}` === sig) e++;
        if (e - k >= 4) {
          const run = kids.slice(k, e);
          const special = run.filter((x) => err[x] || (onPath[x] && crit[x]! >= 0.01 * rootDur)).slice(0, 2);
          const shownRun = special.length ? special : [run[0]!];
          for (const x of shownRun) frames.push({ i: x, d: d + 1 });
          frames.push({ more: run.length - shownRun.length, d: d + 1, like: run[0]! });
        } else for (let x = k; x < e; x++) frames.push({ i: kids[x]!, d: d + 1 });
        k = e;
      }
      for (let k = frames.length - 1; k >= 0; k--) stack.push(frames[k]!);
    }
    let shown = 0;
    for (const x of nodes) if (x.spanId) shown++;
    return { nodes, hidden: n - shown };
  };

  let r = render(false);
  if (r.nodes.length > maxLines) r = render(true);
  if (r.nodes.length > maxLines) {
    const nodes = r.nodes.slice(0, maxLines);
    let shown = 0;
    for (const x of nodes) if (x.spanId) shown++;
    r = { nodes, hidden: n - shown };
  }
  const lines = r.nodes.map((x) => {
    const mark = `${x.critical ? '*' : ' '}${x.error ? '✖' : ' '}`;
    const attrs = Object.entries(x.attributes)
      .map(([k, v]) => `${k}=${v.length > 80 ? `${v.slice(0, 79)}…` : v}`)
      .join(' ');
    if (!x.spanId) return `${mark} ${'  '.repeat(x.depth)}${x.name}`;
    const timing = `${fmt(x.durationMs)} self ${fmt(x.selfMs)}${x.criticalMs > 0 ? ` crit ${fmt(x.criticalMs)}` : ''} @+${fmt(x.startOffsetMs)}`;
    return `${mark} ${'  '.repeat(x.depth)}${x.service}: ${x.name}  ${timing}${attrs ? `  ${attrs}` : ''}${x.error_message ? `  error: ${x.error_message}` : ''}`;
  });
  const serviceSet = new Set<string>();
  for (let i = 0; i < n; i++) serviceSet.add(spans[i]!.service);
  return {
    traceId,
    spans: n,
    services: [...serviceSet].sort(),
    rootService: root.service,
    rootName: root.name,
    durationMs: root.durationMs,
    errors,
    orphans: t.roots.filter((i) => spans[i]!.parentSpanId !== undefined).length,
    nodes: r.nodes,
    hidden: r.hidden,
    lines,
  };
}

