// Metrics from bundle files (OpenMetrics text with timestamps, what promtool backfills), evaluated
// in memory with the same PromQL the remote source sends to Prometheus.
import type { MetricMetadata, MetricQueryResult, MetricSource, TimeRange } from '../types.js';
import type { Format } from './formats/detect.js';
import { compileSafeRegex } from '../../util/regex.js';
import { familyOf, type MetricStore } from './openmetrics.js';
import { loadMetricStore } from './metrics-load.js';
import { decodedOr, type Decoded } from './decode-thread.js';
import { Evaluator, MODERN_SEMANTICS, valueToSeries, type Semantics } from '../../analysis/metrics/eval.js';
import { parsePromQL, type Expr, type Matcher } from '../../query/promql.js';

export class BundleMetricSource implements MetricSource {
  readonly kind = 'bundle' as const;
  private loaded?: Promise<MetricStore>;
  private inWorker?: Promise<Decoded<MetricStore>>;
  private parsed = new Map<string, Expr>();

  constructor(
    private readonly files: string[],
    private readonly problems: string[],
    readonly semantics: Semantics = MODERN_SEMANTICS,
    /** Preloaded store (tests, benchmarks). */
    store?: MetricStore,
    /** Files in another format than OpenMetrics text (saved Prometheus query answers). */
    private readonly formats?: Map<string, Format>,
  ) {
    if (store) this.loaded = Promise.resolve(store);
  }

  /** The store as decoded by a worker thread; see BundleTraceSource.decodedElsewhere. */
  decodedElsewhere(d: Promise<Decoded<MetricStore>>): void {
    this.inWorker ??= d;
  }

  store(): Promise<MetricStore> {
    this.loaded ??= decodedOr(this.inWorker, this.problems, () => loadMetricStore(this.files, this.problems, this.formats));
    return this.loaded;
  }

  private expr(promql: string): Expr {
    let e = this.parsed.get(promql);
    if (!e) {
      e = parsePromQL(promql);
      this.parsed.set(promql, e);
    }
    return e;
  }

  async instant(promql: string, time: number): Promise<MetricQueryResult> {
    const e = this.expr(promql);
    const ev = new Evaluator(await this.store(), this.semantics);
    return valueToSeries(ev.instant(e, time), time);
  }

  async range(promql: string, range: TimeRange, stepMs: number): Promise<MetricQueryResult> {
    const e = this.expr(promql);
    if ((range.end - range.start) / stepMs > 11_000) throw new Error(`too many points per series (${Math.ceil((range.end - range.start) / stepMs)} > 11000): raise the step`);
    const ev = new Evaluator(await this.store(), this.semantics);
    return ev.range(e, range.start, range.end, stepMs);
  }

  async metadata(): Promise<MetricMetadata[]> {
    const st = await this.store();
    return [...st.families.values()];
  }

  async metricNames(range: TimeRange): Promise<string[]> {
    const st = await this.store();
    const out: string[] = [];
    for (const [name, list] of st.byName) if (list.some((s) => overlaps(s.t, range))) out.push(name);
    return out.sort();
  }

  async series(match: string, range: TimeRange): Promise<Array<Record<string, string>>> {
    const e = this.expr(match);
    if (e.type !== 'selector') throw new Error(`series() needs a selector such as {service="checkout"}, got ${match}`);
    const st = await this.store();
    const cands = e.name !== undefined ? (st.byName.get(e.name) ?? []) : st.series;
    const tests = e.matchers.map(matcherTest);
    return cands.filter((s) => overlaps(s.t, range) && tests.every((t) => t(s.labels))).map((s) => s.labels);
  }

  async labelValues(label: string, range: TimeRange): Promise<string[]> {
    const st = await this.store();
    const vals = new Set<string>();
    for (const s of st.series) {
      const v = s.labels[label];
      if (v !== undefined && v !== '' && overlaps(s.t, range)) vals.add(v);
    }
    return [...vals].sort();
  }

  /** Metadata of the family a sample name belongs to (e.g. x_bucket → histogram x). */
  async familyOf(name: string): Promise<MetricMetadata | undefined> {
    return familyOf(name, (await this.store()).families);
  }
}

function overlaps(t: Float64Array, r: TimeRange): boolean {
  if (t.length === 0) return false;
  // Lookback: a sample up to 5 minutes before the range still shows in it.
  return t[t.length - 1]! >= r.start - 300_000 && t[0]! <= r.end;
}

function matcherTest(m: Matcher): (l: Record<string, string>) => boolean {
  // PromQL matchers are anchored RE2 with `.` matching newlines; RE2 keeps a hostile one linear.
  const re = m.op === '=~' || m.op === '!~' ? compileSafeRegex(m.value, { anchored: true, dotAll: true }) : undefined;
  return (l) => {
    const v = l[m.label] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return re!.test(v);
      case '!~':
        return !re!.test(v);
    }
  };
}

export function createBundleMetricSource(files: string[], problems: string[], semantics?: Semantics, formats?: Map<string, Format>): BundleMetricSource | undefined {
  if (files.length === 0) return undefined;
  return new BundleMetricSource(files, problems, semantics, undefined, formats);
}
