// Errors where they start (failure mode: a code fault that throws, or a failing dependency). An error
// span none of whose children failed is where the error originates; its callers' error spans are the
// propagation. Counted per service in the window and the baseline, with the error kinds seen.
import type { Span } from '../../sources/types.js';
import { calleeOf, childrenOf, type TraceGraph } from './trace-graph.js';
import { inRange } from './stats.js';
import { gaveUpWaiting } from '../traces/requests.js';

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
  return !kids.some(isErrorSpan) && gaveUpWaiting(s, kids, errorKind(s).split(' | ').slice(1).join(' '));
}

/** Client-side errors of the request itself (HTTP 4xx; gRPC INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
 * PERMISSION_DENIED, FAILED_PRECONDITION, OUT_OF_RANGE, UNAUTHENTICATED): the caller asked wrongly. */
function callerAskedWrongly(s: Span): boolean {
  const http = Number(s.attributes['http.response.status_code'] ?? s.attributes['http.status_code']);
  if (http >= 400 && http < 500) return true;
  const grpc = Number(s.attributes['rpc.grpc.status_code']);
  return [3, 5, 6, 7, 9, 11, 16].includes(grpc);
}

/** The traced service a span's peer attributes name: `peer.service`, else the host of `server.address`,
 * `net.peer.name` or the URL, matched whole or by its first DNS label (a Kubernetes service name). */
function peerService(s: Span, known: Map<string, string>): string | undefined {
  const url = s.attributes['url.full'] ?? s.attributes['http.url'];
  let urlHost: string | undefined;
  if (typeof url === 'string') {
    try {
      urlHost = new URL(url).hostname;
    } catch {
      urlHost = undefined;
    }
  }
  for (const v of [s.attributes['peer.service'], s.attributes['server.address'], s.attributes['net.peer.name'], urlHost]) {
    if (typeof v !== 'string' || !v) continue;
    const host = v.toLowerCase().replace(/:\d+$/, '');
    const label = host.split('.')[0]!;
    const svc = known.get(host) ?? (/^\d+$/.test(label) ? undefined : known.get(label));
    if (svc) return svc;
  }
  return undefined;
}

/**
 * The service a failed call never reached: an error on a call span with no recorded callee span, whose
 * peer attributes name a traced service, and that is not the caller's own bad request. A refused or
 * dropped connection and a timeout before the callee started say the callee (or the way to it) failed;
 * the callee records nothing then (a crashed or unreachable pod), so without this it would not be
 * blamed at all, and every caller would.
 */
function unreachedCallee(g: TraceGraph, i: number, known: Map<string, string>): string | undefined {
  const s = g.spans[i]!;
  if (g.kidFrom[i] !== g.kidFrom[i + 1] || !isErrorSpan(s) || callerAskedWrongly(s)) return undefined;
  const callee = peerService(s, known);
  return callee !== s.service ? callee : undefined;
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
  // Traced services by lower-case name (host names are case-insensitive).
  const known = new Map<string, string>();
  for (const s of spans) known.set(s.service.toLowerCase(), s.service);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const inW = inRange(s.startMs, window);
    const inB = !inW && inRange(s.startMs, baseline);
    if (!inW && !inB) continue;
    const mine = getOwn(s.service);
    if (inW) mine.spansW++;
    else mine.spansB++;
    if (!isErrorSpan(s)) continue;
    if (childrenOf(g, i).some(isErrorSpan) || timedOutCall(g, i)) continue;
    // A call that never reached its callee is the callee's error (its kind says from where).
    const unreached = unreachedCallee(g, i, known);
    const svc = unreached ?? s.service;
    const o = unreached ? getOwn(unreached) : mine;
    const kind = unreached ? `${s.service} → ${unreached}: ${errorKind(s)}` : errorKind(s);
    if (inW) {
      o.errW++;
      let m = kindCountW.get(svc);
      if (!m) kindCountW.set(svc, (m = new Map()));
      m.set(kind, (m.get(kind) ?? 0) + 1);
    } else {
      o.errB++;
      let k = kindsB.get(svc);
      if (!k) kindsB.set(svc, (k = new Set()));
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
