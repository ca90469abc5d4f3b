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
//
// Events are kept as columns (time, interned event key, sequence) and each sequence's events as a slice
// of one index array: on 500k spans, an object and a key string per event cost tens of MB of heap.
import type { LogRecord, Span, TimeRange } from '../../sources/types.js';
import { parentIndex } from './trace-graph.js';

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

/** The event that ends a sequence (what follows a service's last step). */
export const END = '⟂end';
/** Key number of END (event keys are numbered from 0). */
const END_KEY = -1;

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
  // Event keys, numbered in order of first sight; a key string is made once per distinct operation.
  const names: string[] = [];
  const nameNo = new Map<string, number>();
  const keyOf = (k: string): number => {
    let id = nameNo.get(k);
    if (id === undefined) nameNo.set(k, (id = names.push(k) - 1));
    return id;
  };
  const byName = (prefix: string) => {
    const memo = new Map<string, number>();
    return (name: string): number => {
      let id = memo.get(name);
      if (id === undefined) memo.set(name, (id = keyOf(`${prefix}${name}`)));
      return id;
    };
  };
  const inKey = byName('in:');
  const opKey = byName('op:');
  const retKeys = new Map<string, (name: string) => number>();
  const retKey = (svc: string, name: string): number => {
    let f = retKeys.get(svc);
    if (!f) retKeys.set(svc, (f = byName(`ret:${svc}:`)));
    return f(name);
  };
  // Traces in order of first event (their start: earliest event); per trace, service → sequence number;
  // per event: time, key and sequence, the event's number being its order of arrival.
  const traceNo = new Map<string, number>();
  const traceStart: number[] = [];
  const traceSeqs: Array<Map<string, number>> = [];
  const seqSvc: string[] = [];
  const evT: number[] = [];
  const evKey: number[] = [];
  const evSeq: number[] = [];
  const add = (traceId: string, svc: string, t: number, key: number) => {
    let tn = traceNo.get(traceId);
    if (tn === undefined) {
      traceNo.set(traceId, (tn = traceStart.push(t) - 1));
      traceSeqs.push(new Map());
    } else if (t < traceStart[tn]!) traceStart[tn] = t;
    const per = traceSeqs[tn]!;
    let q = per.get(svc);
    if (q === undefined) per.set(svc, (q = seqSvc.push(svc) - 1));
    evT.push(t);
    evKey.push(key);
    evSeq.push(q);
  };
  const parent = parentIndex(spans);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    // Entry of a service (its server span): the start of its sequence.
    const p = parent[i]! >= 0 ? spans[parent[i]!]! : undefined;
    if (!p || p.service !== s.service) add(s.traceId, s.service, s.startMs, inKey(s.name));
    // Internal operation of the service (a method, a query…): part of its own sequence.
    else if (opts.internal) add(s.traceId, s.service, s.startMs, opKey(s.name));
    // Answer of a call to another service, seen by the caller.
    if (p && p.service !== s.service) add(s.traceId, p.service, s.endMs, retKey(s.service, s.name));
  }
  for (const r of logs) {
    if (!r.traceId) continue;
    add(r.traceId, r.service, r.timeMs, keyOf(`log:${template(r)}`));
  }
  // Events grouped by sequence (a counting sort: each sequence's events stay in arrival order).
  const seqs = seqSvc.length;
  const seqFrom = new Int32Array(seqs + 1);
  for (let v = 0; v < evSeq.length; v++) seqFrom[evSeq[v]! + 1]++;
  for (let q = 0; q < seqs; q++) seqFrom[q + 1] += seqFrom[q]!;
  const order = new Int32Array(evSeq.length);
  const fill = seqFrom.slice(0, seqs);
  for (let v = 0; v < evSeq.length; v++) order[fill[evSeq[v]!]!++] = v;

  // (service, from) → { b: next→count, w: next→count }, in order of first sight.
  interface Trans {
    svc: string;
    from: number;
    b: Map<number, number>;
    w: Map<number, number>;
    nb: number;
    nw: number;
  }
  const trans: Trans[] = [];
  const transNo = new Map<string, Map<number, number>>();
  for (let tn = 0; tn < traceStart.length; tn++) {
    const inW = inRange(traceStart[tn]!, window);
    const inB = !inW && inRange(traceStart[tn]!, baseline);
    if (!inW && !inB) continue;
    for (const [svc, q] of traceSeqs[tn]!) {
      const evs = order.subarray(seqFrom[q]!, seqFrom[q + 1]!);
      evs.sort((a, b) => evT[a]! - evT[b]! || a - b);
      let bySvc = transNo.get(svc);
      if (!bySvc) transNo.set(svc, (bySvc = new Map()));
      for (let i = 0; i < evs.length; i++) {
        const from = evKey[evs[i]!]!;
        const to = i + 1 < evs.length ? evKey[evs[i + 1]!]! : END_KEY;
        let x = bySvc.get(from);
        if (x === undefined) bySvc.set(from, (x = trans.push({ svc, from, b: new Map(), w: new Map(), nb: 0, nw: 0 }) - 1));
        const e = trans[x]!;
        const m = inW ? e.w : e.b;
        m.set(to, (m.get(to) ?? 0) + 1);
        if (inW) e.nw++;
        else e.nb++;
      }
    }
  }
  const nameOf = (k: number): string => (k === END_KEY ? END : names[k]!);

  // Per (service, from): chi-square of the window's next-event counts against the baseline's shares
  // (add-one smoothed, with the window's own counts pooled in so unseen events are possible), as a z.
  const blamed = new Map<string, number[]>();
  const detail = new Map<string, TransitionChange>();
  for (const e of trans) {
    if (e.nb < 5 || e.nw < 5) continue;
    const keys = new Set([...e.b.keys(), ...e.w.keys()]);
    const k = keys.size;
    if (k < 2 && e.b.size === e.w.size) continue;
    let chi = 0;
    let best: { to: number; before: number; after: number; d: number } | undefined;
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
    const from = nameOf(e.from);
    const ret = /^ret:([^:]+):/.exec(from);
    const target = ret ? ret[1]! : e.svc;
    let l = blamed.get(target);
    if (!l) blamed.set(target, (l = []));
    l.push(z);
    const cur = detail.get(target);
    if (!cur || z > cur.z) detail.set(target, { service: target, emitter: e.svc, from, to: nameOf(best!.to), before: best!.before, after: best!.after, n: e.nw, z });
  }
  const score = new Map<string, number>();
  for (const [svc, l] of blamed) {
    l.sort((a, b) => b - a);
    score.set(svc, (l[0] ?? 0) + 0.5 * (l[1] ?? 0));
  }
  return { score, detail };
}
