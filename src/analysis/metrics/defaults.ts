// The default PromQL per metric kind, for exploring a metric and for breaking it down by a label.
// Built with the typed builder; the parity test evaluates exactly these against a real Prometheus.
import { agg, call, histogramQuantile, matrix, rate, increase, render, selector, type Expr, type Matcher } from '../../query/promql.js';
import type { ExploreKind, MetricFamily } from './catalog.js';

export interface DefaultQuery {
  /** Stable id (e.g. `p99`, `rate`, `avg`). */
  id: string;
  /** What the numbers are, for people. */
  label: string;
  expr: Expr;
  promql: string;
  /** Unit hint for formatting. */
  unit?: 'seconds' | 'bytes' | 'per-second' | 'ratio' | 'count';
  /** Evaluated once at the window end instead of as a range (distributions). */
  instantOnly?: boolean;
}

export interface QueryOptions {
  matchers?: Matcher[];
  rateWindowMs?: number;
  /** Window length for the bucket distribution (increase over the window). */
  windowMs?: number;
}

const Q = (id: string, label: string, expr: Expr, extra: Partial<DefaultQuery> = {}): DefaultQuery => ({ id, label, expr, promql: render(expr), ...extra });

function unitOf(f: MetricFamily): DefaultQuery['unit'] {
  const n = f.name;
  if (f.unit === 'seconds' || /_seconds(_|$)/.test(n)) return 'seconds';
  if (f.unit === 'bytes' || /_bytes(_|$)/.test(n)) return 'bytes';
  if (f.unit === 'ratio' || /_ratio$/.test(n)) return 'ratio';
  return undefined;
}

/** Default queries for exploring a metric (aggregated over all series, or grouped by `by`). */
export function defaultQueries(f: MetricFamily, opts: QueryOptions = {}, by?: string[]): DefaultQuery[] {
  const m = opts.matchers ?? [];
  const rw = opts.rateWindowMs ?? 300_000;
  const unit = unitOf(f);
  const group = (extra: string[] = []) => (by || extra.length ? [...extra, ...(by ?? [])] : undefined);
  switch (f.kind as ExploreKind) {
    case 'counter':
      return [Q('rate', 'per-second rate', agg('sum', rate(selector(f.name, m), rw), { by: group() }), { unit: 'per-second' })];
    case 'gauge':
      return [Q('avg', 'average', agg('avg', selector(f.name, m), { by: group() }), { unit })];
    case 'up':
      return [Q('min', 'minimum (0 = a target down)', agg('min', selector(f.name, m), { by: group() }))];
    case 'info':
      return [Q('count', 'series count', agg('count', selector(f.name, m), { by: group() }), { unit: 'count' })];
    case 'histogram': {
      const bucket = selector(`${f.name}_bucket`, m);
      const byLe = group(['le']);
      const out = [0.5, 0.9, 0.99].map((q) => Q(`p${Math.round(q * 100)}`, `${Math.round(q * 100)}th percentile`, histogramQuantile(q, agg('sum', rate(bucket, rw), { by: byLe })), { unit }));
      if (f.sampleNames.includes(`${f.name}_count`)) out.push(Q('rate', 'observations per second', agg('sum', rate(selector(`${f.name}_count`, m), rw), { by: group() }), { unit: 'per-second' }));
      if (!by && opts.windowMs) out.push(Q('buckets', 'bucket distribution over the window (cumulative counts per le)', agg('sum', increase(bucket, opts.windowMs), { by: ['le'] }), { unit: 'count', instantOnly: true }));
      return out;
    }
    case 'native-histogram': {
      const s = selector(f.name, m);
      return [0.5, 0.9, 0.99].map((q) => Q(`p${Math.round(q * 100)}`, `${Math.round(q * 100)}th percentile`, histogramQuantile(q, agg('sum', rate(s, rw), { by: group() })), { unit }));
    }
    case 'summary': {
      const s = selector(f.name, m);
      const out = [Q('quantiles', 'reported quantiles (averaged across series)', agg('avg', s, { by: group(['quantile']) }), { unit })];
      if (f.sampleNames.includes(`${f.name}_count`)) out.push(Q('rate', 'observations per second', agg('sum', rate(selector(`${f.name}_count`, m), rw), { by: group() }), { unit: 'per-second' }));
      return out;
    }
  }
}

/** The one query a breakdown ranks groups by (plus a traffic companion for histograms). */
export function breakdownQueries(f: MetricFamily, label: string, opts: QueryOptions = {}): DefaultQuery[] {
  const all = defaultQueries(f, opts, [label]);
  if (f.kind === 'histogram') return all.filter((q) => q.id === 'p99' || q.id === 'rate');
  if (f.kind === 'summary') return all.filter((q) => q.id === 'quantiles');
  return all;
}

/** Extra: a time-averaged form, used by findings (avg over the window per group). */
export function avgOverWindow(metric: string, matchers: Matcher[], windowMs: number, by: string[]): Expr {
  return agg('avg', call('avg_over_time', matrix(selector(metric, matchers), windowMs)), { by });
}
