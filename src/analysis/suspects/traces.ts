// Trace evidence per service: where errors start, own time, waits on calls, requests that stop early,
// and the requests each service served. Each is its own module (one failure mode each); this file
// builds the call tree once and runs them over it.
import type { Span, TimeRange } from '../../sources/types.js';
import { buildTraceGraph } from './trace-graph.js';
import { errorOrigins, type ErrorOrigins } from './error-origin.js';
import { podOutliers, type PodOutlier } from './siblings.js';
import { ownTimeFeatures, type OwnTime } from './own-time.js';
import { edgeFeatures, type EdgeFeatures } from './edges.js';
import { callShapes, type CallShapes } from './call-shapes.js';
import { inRange } from './stats.js';
import { findSlowSpans } from '../traces/slow.js';

export interface TraceFeatures {
  own: Map<string, ErrorOrigins>;
  selfShift: OwnTime['score'];
  selfDetail: OwnTime['detail'];
  structure: CallShapes['score'];
  structureDetail: CallShapes['detail'];
  /** `caller\u0000callee` → calls seen. */
  edges: Map<string, number>;
  /** Waits on calls between services, attributed to the endpoint that explains them. */
  waits: EdgeFeatures;
  /** Requests each service served in the window (entry spans: root or parent in another service). */
  entriesW: Map<string, number>;
  /** True when the traces hold too little baseline for per-edge and per-operation comparisons. */
  noBaseline: boolean;
  /** Without a baseline: each service's share of the slow requests' critical path spent in its own
   * work (not waiting on calls), from the slow-span analysis. Empty when there is a baseline. */
  criticalShare: Map<string, number>;
  /** Services with one instance far slower than its siblings (the strongest comparison, z units). */
  pods: Map<string, PodOutlier>;
}

/**
 * Where the slow requests' time goes when there is nothing to compare with (failure mode: a slow code
 * path or query in a recording that starts at the fault): the share of the critical path of the
 * window's slowest requests that each service spends in its own work.
 */
function criticalShares(spans: Span[], window: TimeRange): Map<string, number> {
  const out = new Map<string, number>();
  const slow = findSlowSpans(spans, { window, mode: 'slow' });
  for (const g of slow.groups) {
    if (g.detailKind === 'wait') continue; // waits are the call edges' evidence
    out.set(g.service, (out.get(g.service) ?? 0) + g.share);
  }
  return out;
}

export function traceFeatures(allSpans: Span[], window: TimeRange, baseline: TimeRange): TraceFeatures {
  const g = buildTraceGraph(allSpans, window, baseline);
  const own = errorOrigins(g);
  const ownTime = ownTimeFeatures(g);
  // Edges are judged against their own baseline when most calls have one, else against each other.
  const waits = edgeFeatures(g);
  const noBaseline = waits.noBaseline;
  const shapes = callShapes(g);
  const entriesW = new Map<string, number>();
  for (let i = 0; i < g.spans.length; i++) {
    const s = g.spans[i]!;
    if (!inRange(s.startMs, window)) continue;
    const p = g.parent[i]! >= 0 ? g.all[g.parent[i]!] : undefined;
    if (p && p.service === s.service) continue;
    entriesW.set(s.service, (entriesW.get(s.service) ?? 0) + 1);
  }
  const criticalShare = noBaseline ? criticalShares(g.spans, window) : new Map<string, number>();
  return { own, selfShift: ownTime.score, selfDetail: ownTime.detail, structure: shapes.score, structureDetail: shapes.detail, edges: g.calls, waits, entriesW, noBaseline, criticalShare, pods: podOutliers(g) };
}
