// Entry spans (where a request enters a service), error signals, and the time actually covered by data.
import type { Span, TimeRange } from '../../sources/types.js';

export function indexById(spans: Span[]): Map<string, Span> {
  const m = new Map<string, Span>();
  for (const s of spans) m.set(`${s.traceId}:${s.spanId}`, s);
  return m;
}

export function parentOf(s: Span, byId: Map<string, Span>): Span | undefined {
  return s.parentSpanId ? byId.get(`${s.traceId}:${s.parentSpanId}`) : undefined;
}

/** Entry span given its parent (undefined for roots and orphans). */
export function isEntryGivenParent(s: Span, p: Span | undefined): boolean {
  if (s.kind === 2 || s.kind === 5) return true;
  if (!p) return true; // root, or orphan whose parent is missing
  return p.service !== s.service && s.kind !== 3 && s.kind !== 4;
}

export function isEntrySpan(s: Span, byId: Map<string, Span>): boolean {
  return isEntryGivenParent(s, parentOf(s, byId));
}

export function httpStatus(s: Span): number | undefined {
  const v = s.attributes['http.response.status_code'] ?? s.attributes['http.status_code'];
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function hasExceptionEvent(s: Span): boolean {
  for (const e of s.events) if (e.name === 'exception') return true;
  return false;
}

/** The words every stack uses for a call that waited too long (Java's SocketTimeoutException, Go's
 * "context deadline exceeded", gRPC's DEADLINE_EXCEEDED, Node's ETIMEDOUT). */
const TIMEOUT_TEXT = /time[ds]?[ _-]?out|deadline/i;

/**
 * A failed call its caller gave up on, given the callee's spans under it (`kids`, all in one other
 * service) and the error's text: the callee was still working when the call ended, by more than clock
 * skew between two hosts plausibly explains, or the error says the call timed out. The error is raised
 * in the caller, but the time went in the callee or on the way to it.
 */
export function gaveUpWaiting(call: Span, kids: readonly Span[], errorText: string): boolean {
  const lastEnd = kids.reduce((m, c) => Math.max(m, c.endMs), -Infinity);
  return lastEnd - call.endMs > Math.max(1, 0.05 * call.durationMs) || TIMEOUT_TEXT.test(errorText);
}

/**
 * A span carries an error signal when its status is error, it answered an HTTP 5xx, or it recorded an
 * exception without an explicit OK status (sources such as Nezha record no status at all).
 */
export function isErrorSpan(s: Span): boolean {
  if (s.status === 'error') return true;
  if (s.status === 'ok') return false;
  const code = httpStatus(s);
  if (code !== undefined && code >= 500) return true;
  return s.events.length > 0 && hasExceptionEvent(s);
}

/** An entry span counts as failed when it carries an error signal. */
export function isFailed(s: Span): boolean {
  return isErrorSpan(s);
}

/** Whether a set of spans carries any error information at all (status, HTTP codes, exception events). */
export function errorInformation(spans: Span[]): { status: boolean; http: boolean; exceptions: boolean } {
  let status = false;
  let http = false;
  let exceptions = false;
  for (const s of spans) {
    if (s.status !== 'unset') status = true;
    if (!http && httpStatus(s) !== undefined) http = true;
    if (!exceptions && s.events.length && hasExceptionEvent(s)) exceptions = true;
    if (status && http && exceptions) break;
  }
  return { status, http, exceptions };
}

export function describeErrorInformation(info: { status: boolean; http: boolean; exceptions: boolean }): string | undefined {
  if (info.status || info.http || info.exceptions) return undefined;
  return 'this trace source carries no error information (no span status, no HTTP status codes, no exception events): errors cannot be seen in traces; look at logs and latency instead';
}

export interface Coverage {
  /** Seconds of the range actually covered by span data (first span start → last span end, clipped). */
  seconds: number;
  start?: number;
  end?: number;
  rangeSeconds: number;
}

/**
 * The part of a range covered by data. Recorded bundles often hold spans for only part of their
 * window; dividing counts by the nominal range would understate rates there.
 */
export function coverage(spans: Span[], range: TimeRange): Coverage {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of spans) {
    if (s.startMs >= range.end || s.endMs < range.start) continue;
    if (s.startMs < lo) lo = s.startMs;
    if (s.endMs > hi) hi = s.endMs;
  }
  const rangeSeconds = (range.end - range.start) / 1000;
  if (lo === Infinity) return { seconds: 0, rangeSeconds };
  const start = Math.max(lo, range.start);
  const end = Math.min(hi, range.end);
  // At least one second, so a burst of spans in one instant does not give an infinite rate.
  return { seconds: Math.max(1, (end - start) / 1000), start, end, rangeSeconds };
}
