// Per-service "what happens next" patterns, baseline vs window (after Nezha's event-graph patterns).
//
// Inside each trace, every service emits a sequence of events: its log lines (as templates) and the
// answers of the calls it makes (a child span of another service, at the time the answer came back).
// For each event A of a service we count which event B follows it in the same trace and service (or
// END). A fault changes these transitions: an exception stops the flow after some point (B becomes END
// or an error line), a wrong return value makes the caller do something else next. Conditioning on A
// makes the statistic insensitive to workload-mix changes (which flows run), which dominate raw counts.
//
// Blame: a changed transition whose "from" event is the answer of a call to service X is X's doing (the
// answer made the caller act differently); any other changed transition is the emitting service's own.
import type { LogRecord, Span, TimeRange } from '../../sources/types.js';

export interface TransitionChange {
  /** Service the change is blamed on. */
  service: string;
  /** Service whose sequence changed (the emitter). */
  emitter: string;
  from: string;
  /** The next event whose share moved most. */
  to: string;
  before: number; // share of `to` after `from` in the baseline
  after: number; // share in the window
  n: number; // window occurrences of `from`
  z: number;
}

export interface TransitionFeatures {
  /** Service → z-like score (sum of the two largest blamed changes). */
  score: Map<string, number>;
  detail: Map<string, TransitionChange>;
}

interface Ev {
  t: number;
  seq: number;
  key: string;
}

const END = '⟂end';

function inRange(t: number, r: TimeRange): boolean {
  return t >= r.start && t < r.end;
}

/**
 * @param template maps a log line to its template (variables masked).
 * A trace belongs to the baseline or the window by the start of its earliest span (or log line).
 */
export function transitionFeatures(
  spans: Span[],
  logs: LogRecord[],
  window: TimeRange,
  baseline: TimeRange,
  template: (r: LogRecord) => string,
  opts: { internal?: boolean } = {},
): TransitionFeatures {
  // trace → service → events
  const traces = new Map<string, { start: number; per: Map<string, Ev[]> }>();
  let seq = 0;
  const add = (traceId: string, svc: string, t: number, key: string) => {
    let tr = traces.get(traceId);
    if (!tr) traces.set(traceId, (tr = { start: t, per: new Map() }));
    if (t < tr.start) tr.start = t;
    let l = tr.per.get(svc);
    if (!l) tr.per.set(svc, (l = []));
    l.push({ t, seq: seq++, key });
  };
  const byId = new Map<string, Span>();
  for (const s of spans) byId.set(s.spanId, s);
  for (const s of spans) {
    // Entry of a service (its server span): the start of its sequence.
    const p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    const parent = p && p.traceId === s.traceId ? p : undefined;
    if (!parent || parent.service !== s.service) add(s.traceId, s.service, s.startMs, `in:${s.name}`);
    // Internal operation of the service (a method, a query…): part of its own sequence.
    else if (opts.internal) add(s.traceId, s.service, s.startMs, `op:${s.name}`);
    // Answer of a call to another service, seen by the caller.
    if (parent && parent.service !== s.service) add(s.traceId, parent.service, s.endMs, `ret:${s.service}:${s.name}`);
  }
  for (const r of logs) {
    if (!r.traceId) continue;
    add(r.traceId, r.service, r.timeMs, `log:${template(r)}`);
  }

  // (service, from) → { b: next→count, w: next→count }
  const trans = new Map<string, { svc: string; from: string; b: Map<string, number>; w: Map<string, number>; nb: number; nw: number }>();
  for (const tr of traces.values()) {
    const inW = inRange(tr.start, window);
    const inB = !inW && inRange(tr.start, baseline);
    if (!inW && !inB) continue;
    for (const [svc, evs] of tr.per) {
      evs.sort((a, b) => a.t - b.t || a.seq - b.seq);
      for (let i = 0; i < evs.length; i++) {
        const from = evs[i]!.key;
        const to = i + 1 < evs.length ? evs[i + 1]!.key : END;
        const k = `${svc}\u0000${from}`;
        let e = trans.get(k);
        if (!e) trans.set(k, (e = { svc, from, b: new Map(), w: new Map(), nb: 0, nw: 0 }));
        const m = inW ? e.w : e.b;
        m.set(to, (m.get(to) ?? 0) + 1);
        if (inW) e.nw++;
        else e.nb++;
      }
    }
  }

  // Per (service, from): chi-square of the window's next-event counts against the baseline's shares
  // (add-one smoothed, with the window's own counts pooled in so unseen events are possible), as a z.
  const blamed = new Map<string, number[]>();
  const detail = new Map<string, TransitionChange>();
  for (const e of trans.values()) {
    if (e.nb < 5 || e.nw < 5) continue;
    const keys = new Set([...e.b.keys(), ...e.w.keys()]);
    const k = keys.size;
    if (k < 2 && e.b.size === e.w.size) continue;
    let chi = 0;
    let best: { to: string; before: number; after: number; d: number } | undefined;
    for (const to of keys) {
      const cb = e.b.get(to) ?? 0;
      const cw = e.w.get(to) ?? 0;
      // Pooled share (both ranges), so a next event seen once in either range is not "infinitely" new.
      const pooled = (cb + cw + 0.5) / (e.nb + e.nw + 0.5 * k);
      const pb = (cb + 0.5) / (e.nb + 0.5 * k);
      const expW = e.nw * pooled;
      const expB = e.nb * pooled;
      chi += (cw - expW) ** 2 / expW + (cb - expB) ** 2 / expB;
      const d = Math.abs(cw / e.nw - pb);
      if (!best || d > best.d) best = { to, before: cb / e.nb, after: cw / e.nw, d };
    }
    const df = Math.max(1, k - 1);
    // Wilson–Hilferty: chi-square(df) → standard normal.
    const z = ((chi / df) ** (1 / 3) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
    if (!(z > 2)) continue;
    const ret = /^ret:([^:]+):/.exec(e.from);
    const target = ret ? ret[1]! : e.svc;
    let l = blamed.get(target);
    if (!l) blamed.set(target, (l = []));
    l.push(z);
    const cur = detail.get(target);
    if (!cur || z > cur.z) detail.set(target, { service: target, emitter: e.svc, from: e.from, to: best!.to, before: best!.before, after: best!.after, n: e.nw, z });
  }
  const score = new Map<string, number>();
  for (const [svc, l] of blamed) {
    l.sort((a, b) => b - a);
    score.set(svc, (l[0] ?? 0) + 0.5 * (l[1] ?? 0));
  }
  return { score, detail };
}
