// Semi-synthetic check of the call-wait evidence on real traces: in the fault-free baseline of each
// Nezha bundle, the second half gets a network delay on one service's pod (every call into or out of
// it waits `delay` ms longer each way), and the ranking must put that service first. Real traffic,
// real noise, a fault whose place is known exactly. Printed by `npm run bench -- suspects` after the
// dev figures (a check, not a tuning set: no constant is chosen on it).
import type { Sources, Span, TimeRange } from '../src/sources/types.js';
import { rankSuspects } from '../src/analysis/suspects/index.js';

/** Copies of the spans (the injections edit them in place), grouped by trace with their id and child maps. */
function copiedTraces(spans: Span[]): { out: Span[]; traces: Array<{ list: Span[]; byId: Map<string, Span>; kids: Map<string, Span[]> }> } {
  const out = spans.map((s) => ({ ...s }));
  const byTrace = new Map<string, Span[]>();
  for (const s of out) (byTrace.get(s.traceId) ?? byTrace.set(s.traceId, []).get(s.traceId)!).push(s);
  const traces = [...byTrace.values()].map((list) => {
    const kids = new Map<string, Span[]>();
    for (const s of list) if (s.parentSpanId) (kids.get(s.parentSpanId) ?? kids.set(s.parentSpanId, []).get(s.parentSpanId)!).push(s);
    return { list, byId: new Map(list.map((s) => [s.spanId, s])), kids };
  });
  return { out, traces };
}

function ancestorsOf(span: Span, byId: Map<string, Span>): Set<Span> {
  const out = new Set<Span>();
  for (let p = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) out.add(p);
  return out;
}

/** Copies of the spans with a delay of `delayMs` each way on every call that touches `target`,
 * for calls starting in `window`: the client span grows by 2×delay, the callee's subtree moves by
 * delay, and everything after the call in its trace (and the call's ancestors' ends) by 2×delay. */
export function injectDelay(spans: Span[], target: string, window: TimeRange, delayMs: number, share = 1): { spans: Span[]; calls: number } {
  const { out, traces } = copiedTraces(spans);
  let injected = 0;
  for (const { list, byId, kids } of traces) {
    // Calls touching the target: a span whose children all live in one other service.
    const calls = list
      .filter((p) => {
        const k = kids.get(p.spanId);
        if (!k?.length || p.startMs < window.start || p.startMs >= window.end) return false;
        const callee = k[0]!.service;
        return callee !== p.service && k.every((c) => c.service === callee) && (callee === target || p.service === target) && (share >= 1 || unitHash(p.spanId) < share);
      })
      .sort((a, b) => a.startMs - b.startMs);
    injected += calls.length;
    for (const call of calls) {
      const at = call.startMs;
      const sub = new Set<Span>();
      const walk = (s: Span) => {
        for (const c of kids.get(s.spanId) ?? []) {
          sub.add(c);
          walk(c);
        }
      };
      walk(call);
      const ancestors = ancestorsOf(call, byId);
      for (const s of list) {
        if (s === call) s.endMs += 2 * delayMs;
        else if (sub.has(s)) {
          s.startMs += delayMs;
          s.endMs += delayMs;
        } else if (ancestors.has(s)) s.endMs += 2 * delayMs;
        else if (s.startMs > at) {
          s.startMs += 2 * delayMs;
          s.endMs += 2 * delayMs;
        }
        s.durationMs = s.endMs - s.startMs;
      }
    }
  }
  return { spans: out, calls: injected };
}

/** Copies of the spans with `target`'s own work `factor` times longer in `window` (CPU starvation): each
 * of its spans ends later by (factor − 1) × its self time, its ancestors end later by as much, and
 * everything that started after it in the trace moves by as much. Its children keep their length.
 * `addMs` adds a fixed wait per span instead (CPU throttling: each slice of work waits for a period).
 * Returns the requests (traces) hit as `calls`. */
export function injectSlowdown(spans: Span[], target: string, window: TimeRange, factor: number, addMs = 0): { spans: Span[]; calls: number } {
  const { out, traces } = copiedTraces(spans);
  let slowed = 0;
  for (const { list, byId, kids } of traces) {
    const selfOf = (s: Span) => Math.max(0, s.durationMs - (kids.get(s.spanId) ?? []).reduce((a, c) => a + c.durationMs, 0));
    // Latest first, so an earlier span's shift does not move a later one twice.
    // A call's own span waits on the wire, not on the CPU: left as it is.
    const isCall = (s: Span) => {
      const k = kids.get(s.spanId);
      return !!k?.length && k.every((c) => c.service !== target);
    };
    const hit = list.filter((s) => s.service === target && s.startMs >= window.start && s.startMs < window.end && !isCall(s)).sort((a, b) => b.endMs - a.endMs);
    if (hit.length) slowed++; // requests hit, not spans: one request has many spans of a service
    for (const span of hit) {
      const extra = (factor - 1) * selfOf(span) + addMs;
      if (!(extra > 0)) continue;
      const at = span.endMs;
      const ancestors = ancestorsOf(span, byId);
      for (const s of list) {
        if (s === span || ancestors.has(s)) s.endMs += extra;
        else if (s.startMs >= at) {
          s.startMs += extra;
          s.endMs += extra;
        }
        s.durationMs = s.endMs - s.startMs;
      }
    }
  }
  return { spans: out, calls: slowed };
}

/** A stable number in [0, 1) from a span id (which calls a partial fault hits, the same every run). */
function unitHash(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

/** A real fault-free baseline split in two where its traces actually cover it (recordings often start
 * inside it): the first half is the new baseline, the second the window a fault is injected into.
 * Undefined when either half has too little traffic (under 200 spans). */
async function splitBaseline(c: { sources: Sources; baseline: TimeRange }): Promise<{ spans: Span[]; base: TimeRange; win: TimeRange } | undefined> {
  if (!c.sources.traces) return undefined;
  const set = await c.sources.traces.findTraces({ range: c.baseline });
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of set.spans) if (s.startMs >= c.baseline.start && s.startMs < c.baseline.end) (lo = Math.min(lo, s.startMs), (hi = Math.max(hi, s.startMs)));
  if (!(hi > lo)) return undefined;
  const mid = Math.round((lo + hi) / 2);
  if (set.spans.filter((s) => s.startMs < mid).length < 200 || set.spans.filter((s) => s.startMs >= mid).length < 200) return undefined;
  return { spans: set.spans, base: { start: c.baseline.start, end: mid }, win: { start: mid, end: c.baseline.end } };
}

/** The case's sources with the injected spans (and, unless `allSignals`, nothing but traces). */
function withSpans(sources: Sources, spans: Span[], allSignals: boolean): Sources {
  return { ...sources, traces: { ...sources.traces!, findTraces: async () => ({ spans, partial: false, notes: [] }) }, ...(allSignals ? {} : { logs: undefined, metrics: undefined, profiles: undefined }) };
}

export async function injectedDelayCheck(
  cases: Array<{ id: string; truth: string; sources: Sources; baseline: TimeRange }>,
  delayMs: number,
  /** Keep the bundle's logs and metrics (fault-free in the baseline: the ranking's noise floor). */
  allSignals = false,
): Promise<{ top1: number; n: number; misses: string[] }> {
  let top1 = 0;
  let n = 0;
  const misses: string[] = [];
  for (const c of cases) {
    const split = await splitBaseline(c);
    if (!split) continue;
    const { base, win } = split;
    const { spans, calls } = injectDelay(split.spans, c.truth, win, delayMs);
    if (calls < 5) continue; // the service barely talks in that half: no fault to find
    const sources = withSpans(c.sources, spans, allSignals);
    const r = await rankSuspects(sources, win, base);
    n++;
    const i = r.suspects.findIndex((s) => s.service === c.truth);
    if (i === 0) top1++;
    else misses.push(`${c.id} → ${c.truth} (#${i < 0 ? '-' : i + 1}, top ${r.suspects[0]?.service ?? '-'})`);
  }
  return { top1, n, misses };
}

/** The same check with the delay on every service that talks in the second half (not only the dev
 * truths): a fault's place should not matter. Returns top-1 per target service over the cases. */
/** CPU starvation (own work ×`factor`) on every service with spans in the second half of each baseline. */
export async function injectedSlowdownEveryService(
  cases: Array<{ id: string; sources: Sources; baseline: TimeRange }>,
  factor: number,
  addMs = 0,
): Promise<{ top1: number; n: number; perService: Map<string, [number, number]>; misses: string[] }> {
  return everyService(cases, (spans, target, win) => injectSlowdown(spans, target, win, factor, addMs), false);
}

/** Only the requests that start in the window (a recording that starts at the fault: no trace baseline). */
function fromWindowOn(spans: Span[], win: TimeRange): Span[] {
  const rootStart = new Map<string, number>();
  for (const s of spans) if (!s.parentSpanId) rootStart.set(s.traceId, s.startMs);
  return spans.filter((s) => (rootStart.get(s.traceId) ?? s.startMs) >= win.start);
}

/** A delay (+100 ms each way) or CPU starvation (+20 ms own time per span) on every service, with the
 * trace baseline removed: what the comparisons inside the window find on their own. */
export async function injectedWithoutBaseline(
  cases: Array<{ id: string; sources: Sources; baseline: TimeRange }>,
  fault: 'delay' | 'cpu',
): Promise<{ top1: number; n: number; perService: Map<string, [number, number]>; misses: string[] }> {
  return everyService(
    cases,
    (spans, target, win) => (fault === 'delay' ? injectDelay(fromWindowOn(spans, win), target, win, 100) : injectSlowdown(fromWindowOn(spans, win), target, win, 1, 20)),
    false,
  );
}

export async function injectedDelayEveryService(
  cases: Array<{ id: string; sources: Sources; baseline: TimeRange }>,
  delayMs: number,
  allSignals = false,
  /** Share of the calls hit (1: a delay; less: packet loss, where only retransmitted calls wait). */
  share = 1,
  /** The delay was there already in the baseline (a fault that came back, a baseline chosen too late). */
  inBaselineToo = false,
): Promise<{ top1: number; n: number; perService: Map<string, [number, number]>; misses: string[] }> {
  return everyService(cases, (spans, target, win, base) => injectDelay(spans, target, inBaselineToo ? { start: base.start, end: win.end } : win, delayMs, share), allSignals);
}

/** One injected fault per service that is active in the second half of each real baseline; top-1 per service. */
async function everyService(
  cases: Array<{ id: string; sources: Sources; baseline: TimeRange }>,
  inject: (spans: Span[], target: string, win: TimeRange, base: TimeRange) => { spans: Span[]; calls: number },
  allSignals: boolean,
): Promise<{ top1: number; n: number; perService: Map<string, [number, number]>; misses: string[] }> {
  let top1 = 0;
  let n = 0;
  const perService = new Map<string, [number, number]>();
  const misses: string[] = [];
  for (const c of cases) {
    const split = await splitBaseline(c);
    if (!split) continue;
    const { base, win } = split;
    const targets = [...new Set(split.spans.map((s) => s.service))].sort();
    for (const target of targets) {
      const { spans, calls } = inject(split.spans, target, win, base);
      if (calls < 5) continue;
      const sources = withSpans(c.sources, spans, allSignals);
      const r = await rankSuspects(sources, win, base);
      n++;
      const i = r.suspects.findIndex((s) => s.service === target);
      const ps = perService.get(target) ?? [0, 0];
      ps[1]++;
      if (i === 0) (top1++, ps[0]++);
      else misses.push(`${c.id} → ${target} (#${i < 0 ? '-' : i + 1}, top ${r.suspects[0]?.service ?? '-'})`);
      perService.set(target, ps);
    }
  }
  return { top1, n, perService, misses };
}
