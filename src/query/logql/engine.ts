// LogQL over bundle log records, answering in the shape Loki's query_range gives (streams for log
// queries, a matrix for metric queries, a vector for instant ones), so a tool reads one shape whichever
// engine answered. Semantics follow Loki: start inclusive and end exclusive for lines; metric steps at
// start + k·step ≤ end, each over the range (t − offset − range, t − offset]; series labels are the
// stream labels plus structured metadata plus parsed labels (Loki's answer without categorize-labels).
import type { LogRecord, SeriesPoints } from '../../sources/types.js';
import type { LokiQueryResult, LokiStream } from '../../sources/remote/loki.js';
import { toNs } from '../../sources/remote/loki.js';
import { labelsKey } from '../../analysis/metrics/eval.js';
import { kahanMean, kahanSum, quantile } from '../promql/functions.js';
import { arithmetic } from '../operators.js';
import { Ticker } from '../../util/yield.js';
import type { BinaryExpr, LabelMatcher, LogQLExpr, LogSelectorExpr, MetricExpr, RangeAggregation, VectorAggregation } from './ast.js';
import { LogQLError, LogQLUnsupportedError } from './errors.js';
import { recordLabels } from './labels.js';
import { parseLogQL, goDurationSeconds, parseBytes } from './parse.js';
import { allLabels, compileMatcher, compilePipeline, labelOf, type Entry } from './pipeline.js';

export interface LogQLOptions {
  start: number;
  end: number;
  /** Metric queries: evaluation step (ms). */
  stepMs: number;
  /** Log queries: most lines returned (Loki's `limit`). */
  limit: number;
  direction: 'backward' | 'forward';
  /** Instant metric query at `end` (Loki's /query). */
  instant?: boolean;
  /** The call's cancellation or deadline: scans yield to the event loop and stop when it fires. */
  signal?: AbortSignal;
}

export type Labels = Record<string, string>;
type Vector = Array<{ labels: Labels; value: number }>;

export async function runLogQL(records: LogRecord[], query: string | LogQLExpr, opts: LogQLOptions): Promise<LokiQueryResult> {
  const expr = typeof query === 'string' ? parseLogQL(query) : query;
  if (expr.type === 'log') {
    if (opts.instant) throw new LogQLError('log queries are not supported as an instant query type, please change your query to a range query type');
    return logQuery(records, expr, opts);
  }
  const steps: number[] = [];
  if (opts.instant) steps.push(opts.end);
  else {
    if (!(opts.stepMs > 0)) throw new LogQLError('step must be positive');
    if ((opts.end - opts.start) / opts.stepMs > 11_000) throw new LogQLError(`too many points per series (${Math.ceil((opts.end - opts.start) / opts.stepMs)} > 11000): raise the step`);
    for (let t = opts.start; t <= opts.end; t += opts.stepMs) steps.push(t);
  }
  const ev = new MetricEvaluator(records, steps, opts.signal);
  const cols = await ev.eval(expr);
  const series: SeriesPoints[] = [];
  if (cols.kind === 'scalar') series.push({ labels: {}, points: steps.map((t, i) => [t, cols.values[i]!] as [number, number]) });
  else
    for (const s of cols.series.values()) {
      const points: Array<[number, number]> = [];
      s.values.forEach((v, i) => {
        if (v !== undefined) points.push([steps[i]!, v]);
      });
      if (points.length) series.push({ labels: s.labels, points });
    }
  const resultType = cols.kind === 'scalar' ? 'scalar' : opts.instant ? 'vector' : 'matrix';
  if (resultType === 'vector' && expr.type === 'vector' && (expr.op === 'sort' || expr.op === 'sort_desc')) {
    const dir = expr.op === 'sort' ? 1 : -1;
    series.sort((a, b) => dir * (a.points[0]![1] - b.points[0]![1]));
  }
  return { resultType, streams: [], series, warnings: ev.warnings };
}

// ---------------------------------------------------------------- selection

/** A record's labels: stream and metadata apart (for selectors and parsers) and as one set with its key. */
interface RecordSeries {
  stream: Labels;
  metadata: Labels;
  labels: Labels;
  key: string;
}

// Bundles keep their record array for the life of the process: labels are computed once per record, on
// first use, and found again by index (no per-record map lookups on later queries).
const seriesByArray = new WeakMap<LogRecord[], Array<RecordSeries | undefined>>();
function seriesTable(records: LogRecord[]): Array<RecordSeries | undefined> {
  let t = seriesByArray.get(records);
  if (!t) seriesByArray.set(records, (t = new Array<RecordSeries | undefined>(records.length)));
  return t;
}
function seriesAt(records: LogRecord[], table: Array<RecordSeries | undefined>, i: number): RecordSeries {
  let c = table[i];
  if (!c) {
    const { stream, metadata } = recordLabels(records[i]!);
    const labels = { ...stream, ...metadata };
    table[i] = c = { stream, metadata, labels, key: labelsKey(labels) };
  }
  return c;
}

function selectorTest(ms: LabelMatcher[]): (r: RecordSeries) => boolean {
  const tests = ms.map((m) => ({ name: m.name, test: compileMatcher(m) }));
  // Records share few distinct label sets: each set is tested once per query (a regex costs a microsecond).
  const seen = new Map<string, boolean>();
  return (r) => {
    let ok = seen.get(r.key);
    if (ok === undefined) {
      // Bundles have no index: a selector may also name a resource attribute Loki would keep as metadata.
      ok = tests.every((t) => t.test(r.stream[t.name] ?? r.metadata[t.name] ?? ''));
      seen.set(r.key, ok);
    }
    return ok;
  };
}

/**
 * Runs the pipeline over the records of [from, to) (records are sorted by time), oldest first or, for
 * `backward`, newest first; yields the entries kept, each with its record's label set.
 */
async function* entries(records: LogRecord[], expr: LogSelectorExpr, from: number, to: number, opts: { inclusiveEnd?: boolean; backward?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<Array<Entry & { series: RecordSeries }>> {
  const sel = selectorTest(expr.matchers);
  const run = compilePipeline(expr.stages);
  const table = seriesTable(records);
  const lo = lowerBound(records, from);
  const hi = lowerBound(records, to, opts.inclusiveEnd);
  // Batches of a few milliseconds of work: between them the event loop serves other calls, and the
  // call's deadline or cancellation stops the scan.
  const tick = new Ticker(SCAN_BATCH, opts.signal);
  let batch: Array<Entry & { series: RecordSeries }> = [];
  for (let k = 0; k < hi - lo; k++) {
    if (tick.due()) {
      if (batch.length) yield batch;
      batch = [];
      await tick.pause();
    }
    const i = opts.backward ? hi - 1 - k : lo + k;
    const series = seriesAt(records, table, i);
    if (!sel(series)) continue;
    const r = records[i]!;
    const e = { tsMs: r.timeMs, line: r.body, stream: series.stream, metadata: series.metadata, parsed: {}, series };
    if (run(e)) batch.push(e);
  }
  if (batch.length) yield batch;
}

const SCAN_BATCH = 20_000;

function lowerBound(records: LogRecord[], t: number, after = false): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after ? records[mid]!.timeMs <= t : records[mid]!.timeMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function logQuery(records: LogRecord[], expr: LogSelectorExpr, opts: LogQLOptions): Promise<LokiQueryResult> {
  // Loki's limit keeps the newest lines (backward) or the oldest (forward) across all streams: the scan
  // runs in that order and stops at the limit.
  const chosen: Entry[] = [];
  scan: for await (const batch of entries(records, expr, opts.start, opts.end, { backward: opts.direction !== 'forward', signal: opts.signal })) {
    for (const e of batch) {
      if (chosen.length >= opts.limit) break scan;
      chosen.push(e);
    }
  }
  const streams = new Map<string, LokiStream>();
  for (const e of chosen) {
    const labels = allLabels(e);
    const k = labelsKey(labels);
    let s = streams.get(k);
    if (!s) streams.set(k, (s = { labels, entries: [] }));
    s.entries.push({ tsNs: toNs(e.tsMs), timeMs: e.tsMs, line: e.line });
  }
  return { resultType: 'streams', streams: [...streams.values()], series: [], warnings: [] };
}

// ---------------------------------------------------------------- metrics

interface Series {
  labels: Labels;
  values: Array<number | undefined>;
}
type Cols = { kind: 'vector'; series: Map<string, Series> } | { kind: 'scalar'; values: number[] };

class MetricEvaluator {
  readonly warnings: string[] = [];
  constructor(
    private readonly records: LogRecord[],
    private readonly steps: number[],
    private readonly signal?: AbortSignal,
  ) {}

  async eval(e: MetricExpr): Promise<Cols> {
    switch (e.type) {
      case 'literal':
        return { kind: 'scalar', values: this.steps.map(() => e.value) };
      case 'vector_literal':
        return { kind: 'vector', series: new Map([['', { labels: {}, values: this.steps.map(() => e.value) }]]) };
      case 'range':
        return { kind: 'vector', series: await this.range(e) };
      case 'vector':
        return { kind: 'vector', series: await this.vector(e) };
      case 'binary':
        return this.binary(e);
    }
  }

  /** Samples of a log range: per series label set, timestamps and values in time order. */
  private async samples(e: RangeAggregation): Promise<Map<string, { labels: Labels; t: number[]; v: number[] }>> {
    const first = this.steps[0]! - e.offsetMs - e.rangeMs;
    const last = this.steps[this.steps.length - 1]! - e.offsetMs;
    const out = new Map<string, { labels: Labels; t: number[]; v: number[] }>();
    const u = e.unwrap;
    const post = u ? compilePipeline(u.post.map((filter) => ({ kind: 'labels' as const, filter }))) : undefined;
    const group = e.grouping;
    for await (const batch of entries(this.records, e.log, first, last, { inclusiveEnd: true, signal: this.signal })) for (const en of batch) {
      let value: number;
      if (u) {
        const raw = labelOf(en, u.label);
        const v = raw === undefined ? NaN : u.conv === 'duration' || u.conv === 'duration_seconds' ? (goDurationSeconds(raw) ?? NaN) : u.conv === 'bytes' ? (parseBytes(raw) ?? NaN) : raw.trim() === '' ? NaN : Number(raw);
        if (Number.isNaN(v) && en.parsed.__error__ === undefined) {
          en.parsed.__error__ = 'SampleExtractionErr';
          en.parsed.__error_details__ = raw === undefined ? `label ${u.label} is missing` : `cannot read ${u.label}="${raw.slice(0, 100)}" as a number`;
        }
        if (post && !post(en)) continue;
        value = v;
      } else value = e.op === 'bytes_over_time' || e.op === 'bytes_rate' ? Buffer.byteLength(en.line) : 1;
      // A line nothing was parsed from keeps its record's labels: their set and key are computed once per
      // record (records live as long as the bundle) instead of once per line and query.
      const plain = !en.dropped && !u && !group && isEmpty(en.parsed);
      let labels = plain ? en.series.labels : allLabels(en);
      if (labels.__error__ !== undefined) {
        throw new LogQLError(
          `pipeline error: ${labels.__error__}${labels.__error_details__ ? ` (${labels.__error_details__})` : ''}; a metric query stops on it as Loki does. Skip such lines with a label filter such as | __error__="" (or | __error__!="${labels.__error__}")`,
        );
      }
      if (u) delete labels[u.label];
      if (group) labels = grouped(labels, group);
      const k = plain ? en.series.key : labelsKey(labels);
      let s = out.get(k);
      if (!s) out.set(k, (s = { labels, t: [], v: [] }));
      s.t.push(en.tsMs);
      s.v.push(value);
    }
    return out;
  }

  private async range(e: RangeAggregation): Promise<Map<string, Series>> {
    if (e.op === 'rate_counter') throw new LogQLUnsupportedError('rate_counter');
    const rangeSec = e.rangeMs / 1000;
    const out = new Map<string, Series>();
    if (e.op === 'absent_over_time') {
      const any = (await this.samples({ ...e, op: 'count_over_time', grouping: { by: [] } })).get('');
      const labels: Labels = {};
      for (const m of e.log.matchers) if (m.op === '=') labels[m.name] = m.value;
      const values = this.steps.map((t) => {
        const [a, b] = any ? windowOf(any.t, t - e.offsetMs - e.rangeMs, t - e.offsetMs) : [0, 0];
        return b > a ? undefined : 1;
      });
      out.set(labelsKey(labels), { labels, values });
      return out;
    }
    for (const [k, s] of await this.samples(e)) {
      const values = this.steps.map((t) => {
        const [a, b] = windowOf(s.t, t - e.offsetMs - e.rangeMs, t - e.offsetMs);
        if (b <= a) return undefined;
        if (e.op === 'count_over_time') return b - a;
        if (e.op === 'rate' && !e.unwrap) return (b - a) / rangeSec;
        const xs = s.v.slice(a, b);
        switch (e.op) {
          case 'rate':
            return (e.unwrap ? kahanSum(xs) : xs.length) / rangeSec;
          case 'bytes_over_time':
            return kahanSum(xs);
          case 'bytes_rate':
            return kahanSum(xs) / rangeSec;
          case 'sum_over_time':
            return kahanSum(xs);
          case 'avg_over_time':
            return kahanMean(xs);
          case 'max_over_time':
            return xs.reduce((m, x) => (x > m || Number.isNaN(m) ? x : m));
          case 'min_over_time':
            return xs.reduce((m, x) => (x < m || Number.isNaN(m) ? x : m));
          case 'first_over_time':
            return xs[0];
          case 'last_over_time':
            return xs[xs.length - 1];
          case 'stdvar_over_time':
          case 'stddev_over_time': {
            const mean = kahanSum(xs) / xs.length;
            const variance = kahanSum(xs.map((x) => (x - mean) ** 2)) / xs.length;
            return e.op === 'stdvar_over_time' ? variance : Math.sqrt(variance);
          }
          case 'quantile_over_time':
            return quantile(e.param!, xs);
          default:
            throw new LogQLUnsupportedError(e.op);
        }
      });
      out.set(k, { labels: s.labels, values });
    }
    return out;
  }

  private async vector(e: VectorAggregation): Promise<Map<string, Series>> {
    const inner = await this.eval(e.expr);
    if (inner.kind !== 'vector') throw new LogQLError(`${e.op}() needs a vector, not a number`);
    const n = this.steps.length;
    const groups = new Map<string, { labels: Labels; members: Series[] }>();
    for (const s of inner.series.values()) {
      const labels = e.grouping ? grouped(s.labels, e.grouping) : {};
      const k = labelsKey(labels);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { labels, members: [] }));
      g.members.push(s);
    }
    const out = new Map<string, Series>();
    for (const g of groups.values()) {
      if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'sort' || e.op === 'sort_desc') {
        // These keep the input series (and their labels), choosing which ones appear at each step.
        const k = e.op === 'topk' || e.op === 'bottomk' ? Math.floor(e.param ?? 0) : Infinity;
        for (const m of g.members) out.set(labelsKey(m.labels), { labels: m.labels, values: new Array<number | undefined>(n).fill(undefined) });
        for (let i = 0; i < n; i++) {
          const present = g.members.filter((m) => m.values[i] !== undefined);
          present.sort((a, b) => (e.op === 'bottomk' ? a.values[i]! - b.values[i]! : b.values[i]! - a.values[i]!));
          for (const m of present.slice(0, k)) out.get(labelsKey(m.labels))!.values[i] = m.values[i];
        }
        continue;
      }
      const values = new Array<number | undefined>(n);
      for (let i = 0; i < n; i++) {
        const xs = g.members.map((m) => m.values[i]).filter((v): v is number => v !== undefined);
        if (!xs.length) continue;
        values[i] = aggregate(e.op, xs);
      }
      out.set(labelsKey(g.labels), { labels: g.labels, values });
    }
    return out;
  }

  private async binary(e: BinaryExpr): Promise<Cols> {
    const l = await this.eval(e.lhs);
    const r = await this.eval(e.rhs);
    const n = this.steps.length;
    const isCmp = ['==', '!=', '>', '>=', '<', '<='].includes(e.op);
    if (l.kind === 'scalar' && r.kind === 'scalar') {
      if (isCmp && !e.bool) throw new LogQLError('comparisons between scalars must use the bool modifier');
      return { kind: 'scalar', values: l.values.map((a, i) => arithmetic(e.op, a, r.values[i]!)) };
    }
    if (e.op === 'and' || e.op === 'or' || e.op === 'unless') {
      if (l.kind !== 'vector' || r.kind !== 'vector') throw new LogQLError(`${e.op} needs vectors on both sides`);
      return { kind: 'vector', series: setOp(e, l.series, r.series, n) };
    }
    const out = new Map<string, Series>();
    const apply = (s: Series, other: (i: number) => number | undefined, scalarLeft: boolean, labels: Labels) => {
      const values = s.values.map((v, i) => {
        const o = other(i);
        if (v === undefined || o === undefined) return undefined;
        const x = scalarLeft ? arithmetic(e.op, o, v) : arithmetic(e.op, v, o);
        if (!isCmp) return x;
        if (e.bool) return x;
        return x === 1 ? (scalarLeft ? o : v) : undefined;
      });
      out.set(labelsKey(labels), { labels, values });
    };
    if (l.kind === 'vector' && r.kind === 'scalar') for (const s of l.series.values()) apply(s, (i) => r.values[i], false, s.labels);
    else if (l.kind === 'scalar' && r.kind === 'vector') for (const s of r.series.values()) apply(s, (i) => l.values[i], true, s.labels);
    else if (l.kind === 'vector' && r.kind === 'vector') {
      const sig = (lb: Labels) => labelsKey(e.on ? pick(lb, e.on) : omit(lb, e.ignoring ?? []));
      const right = new Map<string, Series>();
      for (const s of r.series.values()) {
        const k = sig(s.labels);
        if (right.has(k)) throw new LogQLError(`found duplicate series for the match group ${k.replace(/\xff/g, '=').replace(/\xfe/g, ',')} on the right side of ${e.op}; aggregate first or use on()/ignoring()`);
        right.set(k, s);
      }
      for (const s of l.series.values()) {
        const o = right.get(sig(s.labels));
        if (!o) continue;
        const labels = e.on ? pick(s.labels, e.on) : omit(s.labels, e.ignoring ?? []);
        apply(s, (i) => o.values[i], false, labels);
      }
    }
    return { kind: 'vector', series: out };
  }
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

function windowOf(t: number[], lo: number, hi: number): [number, number] {
  let a = 0;
  let b = t.length;
  let x = 0;
  let y = t.length;
  while (x < y) {
    const m = (x + y) >>> 1;
    if (t[m]! <= lo) x = m + 1;
    else y = m;
  }
  a = x;
  x = a;
  y = t.length;
  while (x < y) {
    const m = (x + y) >>> 1;
    if (t[m]! <= hi) x = m + 1;
    else y = m;
  }
  b = x;
  return [a, b];
}

function grouped(l: Labels, g: { by?: string[]; without?: string[] }): Labels {
  return g.by ? pick(l, g.by) : omit(l, g.without ?? []);
}
function pick(l: Labels, names: string[]): Labels {
  const out: Labels = {};
  for (const n of names) if (l[n] !== undefined && l[n] !== '') out[n] = l[n]!;
  return out;
}
function omit(l: Labels, names: string[]): Labels {
  const out: Labels = { ...l };
  for (const n of names) delete out[n];
  return out;
}

function aggregate(op: string, xs: number[]): number {
  switch (op) {
    case 'sum':
      return kahanSum(xs);
    case 'avg':
      return kahanMean(xs);
    case 'min':
      return xs.reduce((m, x) => (x < m || Number.isNaN(m) ? x : m));
    case 'max':
      return xs.reduce((m, x) => (x > m || Number.isNaN(m) ? x : m));
    case 'count':
      return xs.length;
    case 'stddev':
    case 'stdvar': {
      const mean = kahanSum(xs) / xs.length;
      const v = kahanSum(xs.map((x) => (x - mean) ** 2)) / xs.length;
      return op === 'stdvar' ? v : Math.sqrt(v);
    }
  }
  throw new LogQLUnsupportedError(`the aggregation ${op}`);
}

function setOp(e: BinaryExpr, l: Map<string, Series>, r: Map<string, Series>, n: number): Map<string, Series> {
  const sig = (lb: Labels) => labelsKey(e.on ? pick(lb, e.on) : omit(lb, e.ignoring ?? []));
  // Per match signature, the steps where that side has a value.
  const presence = (m: Map<string, Series>) => {
    const out = new Map<string, boolean[]>();
    for (const s of m.values()) {
      const k = sig(s.labels);
      const p = out.get(k) ?? new Array<boolean>(n).fill(false);
      s.values.forEach((v, i) => {
        if (v !== undefined) p[i] = true;
      });
      out.set(k, p);
    }
    return out;
  };
  const rp = presence(r);
  const out = new Map<string, Series>();
  for (const [key, s] of l) {
    const has = rp.get(sig(s.labels));
    const values = s.values.map((v, i) => (v === undefined ? undefined : (e.op === 'unless') === !!has?.[i] ? undefined : v));
    out.set(key, { labels: s.labels, values: e.op === 'or' ? s.values.slice() : values });
  }
  if (e.op === 'or') {
    const lp = presence(l);
    for (const [key, s] of r) {
      const has = lp.get(sig(s.labels));
      const values = s.values.map((v, i) => (v !== undefined && !has?.[i] ? v : undefined));
      const prev = out.get(key);
      out.set(key, prev ? { labels: prev.labels, values: prev.values.map((v, i) => v ?? values[i]) } : { labels: s.labels, values });
    }
  }
  return out;
}

/** Loki's wire JSON for a result (what /loki/api/v1/query_range would answer). */
export function toLokiWire(res: LokiQueryResult): { status: 'success'; data: { resultType: string; result: unknown }; warnings?: string[] } {
  const fmt = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
  let result: unknown;
  if (res.resultType === 'streams') result = res.streams.map((s) => ({ stream: s.labels, values: s.entries.map((e) => [e.tsNs, e.line]) }));
  else if (res.resultType === 'matrix') result = res.series.map((s) => ({ metric: s.labels, values: s.points.map(([t, v]) => [t / 1000, fmt(v)]) }));
  else if (res.resultType === 'vector') result = res.series.map((s) => ({ metric: s.labels, value: [s.points[0]![0] / 1000, fmt(s.points[0]![1])] }));
  else result = [res.series[0]!.points[0]![0] / 1000, fmt(res.series[0]!.points[0]![1])];
  return { status: 'success', data: { resultType: res.resultType, result }, ...(res.warnings.length ? { warnings: res.warnings } : {}) };
}
