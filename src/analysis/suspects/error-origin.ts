// Errors where they start (failure mode: a code fault that throws, or a failing dependency). An error
// span none of whose children failed is where the error originates; its callers' error spans are the
// propagation. Counted per service in the window and the baseline, with the error kinds seen.
import type { Span } from '../../sources/types.js';
import { calleeOf, childrenOf, type TraceGraph } from './trace-graph.js';
import { inRange } from './stats.js';

export interface ErrorOrigins {
  errW: number;
  errB: number;
  spansW: number;
  spansB: number;
  /** Error kinds (operation, type, message shape) not seen in the baseline. */
  newKinds: Set<string>;
  topKind?: string;
}

export function isErrorSpan(s: Span): boolean {
  if (s.status === 'error') return true;
  const code = Number(s.attributes['http.response.status_code'] ?? s.attributes['http.status_code']);
  if (Number.isFinite(code) && code >= 500 && (s.kind === 2 || s.kind === 5)) return true;
  return s.events.some((e) => e.name === 'exception');
}

export function errorKind(s: Span): string {
  const ev = s.events.find((e) => e.name === 'exception');
  const type = ev?.attributes['exception.type'] ?? s.attributes['exception.type'] ?? s.attributes['error.type'];
  const msg = String(ev?.attributes['exception.message'] ?? s.statusMessage ?? '')
    .replace(/[0-9a-f]{8,}/gi, '<id>')
    .replace(/\d+/g, '<n>')
    .slice(0, 120);
  return `${s.name} | ${type ?? ''} | ${msg}`;
}

/** The words every stack uses for a call that waited too long (Java's SocketTimeoutException, Go's
 * "context deadline exceeded", gRPC's DEADLINE_EXCEEDED, Node's ETIMEDOUT). */
const TIMEOUT_TEXT = /time[ds]?[ _-]?out|deadline/i;

/**
 * A call the caller gave up on: an error on a call span (all children in one other service) none of
 * whose children failed, where the callee was still working when the call ended or the error says the
 * call timed out. The error did not start in the caller's code: it is the wait on that edge (a slow or
 * delayed callee, or the network), so it counts as a wait (edges.ts), not as the caller's own error.
 */
export function timedOutCall(g: TraceGraph, i: number): boolean {
  const s = g.spans[i]!;
  if (!isErrorSpan(s) || calleeOf(g, i) === undefined) return false;
  const kids = childrenOf(g, i);
  if (kids.some(isErrorSpan)) return false;
  // Outlived by its callee by more than clock skew between two hosts plausibly explains.
  const lastEnd = Math.max(...kids.map((c) => c.endMs));
  if (lastEnd - s.endMs > Math.max(1, 0.05 * s.durationMs)) return true;
  return TIMEOUT_TEXT.test(errorKind(s).split(' | ').slice(1).join(' '));
}

export function errorOrigins(g: TraceGraph): Map<string, ErrorOrigins> {
  const { spans, window, baseline } = g;
  // Own errors: an error span none of whose children failed (the error starts here).
  const own = new Map<string, ErrorOrigins>();
  const kindsB = new Map<string, Set<string>>();
  const kindCountW = new Map<string, Map<string, number>>();
  const getOwn = (svc: string) => {
    let o = own.get(svc);
    if (!o) own.set(svc, (o = { errW: 0, errB: 0, spansW: 0, spansB: 0, newKinds: new Set() }));
    return o;
  };
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const inW = inRange(s.startMs, window);
    const inB = !inW && inRange(s.startMs, baseline);
    if (!inW && !inB) continue;
    const o = getOwn(s.service);
    if (inW) o.spansW++;
    else o.spansB++;
    if (!isErrorSpan(s)) continue;
    if (childrenOf(g, i).some(isErrorSpan) || timedOutCall(g, i)) continue;
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

  return own;
}
