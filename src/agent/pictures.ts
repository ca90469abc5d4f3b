// Pictures for findings: fetches what a picture needs from the sources (a trace, a service's spans, a
// merged profile, a metric range) and hands analysis results to the pure SVG makers in src/visuals.
// Shared by the HTML report and `queryless call --format svg|png`. Labels come from the report
// catalogue, so the pictures speak the asker's language like the text around them.
import type { Sources, Span, TimeRange, TraceMetricSeries, TraceSource } from '../sources/types.js';
import { redGroups } from '../analysis/traces/red.js';
import { durationHistogramTraceQL, redTraceQL } from '../analysis/traces/queries.js';
import type { HeatSample } from '../visuals/heatmap.js';
import { log } from '../log.js';
import { defaultProfileType, formatValue, parseProfileTypeId, resolveProfileType } from '../analysis/profiles/types.js';
import { flameGraphSvg, heatmapSvg, timeSeriesSvg, waterfallSvg, type Panel } from '../visuals/index.js';
import { tr } from './i18n.js';
import { maskDeep, maskSecrets } from '../mask.js';
import { noteLine } from '../sources/remote/answer-notes.js';
import { BackendError, boundText } from '../http.js';

/** Time buckets across a RED chart: enough for a shape, few enough that each holds some requests. */
const RED_BUCKETS = 40;
/** Columns of a latency heatmap (the heatmap's own default). */
const HEAT_COLUMNS = 60;
/** Remote sources without TraceQL metrics sample: a few hundred traces make a RED shape; bundles return all. */
const TRACE_SAMPLE = 500;
/** Slices of the range sampled separately on a backend. */
const SAMPLE_SLICES = 8;

export interface PictureScope {
  /** The whole picture range: baseline start → window end. */
  range: TimeRange;
  baseline?: TimeRange;
  /** The incident start (the window's start). */
  change?: number;
  lang: string;
}

export function scopeOf(window: TimeRange, baseline: TimeRange | undefined, lang: string): PictureScope {
  return { range: { start: Math.min(window.start, baseline?.start ?? window.start), end: Math.max(window.end, baseline?.end ?? window.end) }, baseline, change: baseline ? window.start : undefined, lang };
}

const labels = (s: PictureScope) => ({ baseline: tr(s.lang, 'pic_baseline'), change: tr(s.lang, 'pic_change'), requests: tr(s.lang, 'pic_requests') });

/** What the trace pictures of one range draw from: a service's spans (fetched once per service and
 * shared by its pictures), or, on a backend with TraceQL metrics, the RED and duration series it
 * aggregates itself. */
export class SpanCache {
  private readonly byService = new Map<string, Promise<Span[]>>();
  private readonly reds = new Map<string, Promise<RedSeries>>();
  private readonly heats = new Map<string, Promise<HeatSample[]>>();
  constructor(
    private readonly sources: Sources,
    private readonly range: TimeRange,
    private readonly signal?: AbortSignal,
  ) {}
  get(service: string): Promise<Span[]> {
    const traces = this.sources.traces;
    return this.once(this.byService, service, () => (traces ? this.fetch(traces, service) : Promise.resolve([])));
  }

  /**
   * Bundles are local: every trace. A backend samples, and a capped answer keeps only some traces
   * (the first ones, on a bundle-like source): the range is cut into slices, each sampled on its own,
   * so the picture covers the whole range rather than its beginning.
   */
  private async fetch(traces: NonNullable<Sources['traces']>, service: string): Promise<Span[]> {
    if (traces.kind === 'bundle') return (await traces.findTraces({ range: this.range, service }, this.signal)).spans;
    const step = (this.range.end - this.range.start) / SAMPLE_SLICES;
    const slices = await Promise.all(
      Array.from({ length: SAMPLE_SLICES }, (_, i) =>
        traces.findTraces({ range: { start: this.range.start + i * step, end: this.range.start + (i + 1) * step }, service, limitTraces: Math.ceil(TRACE_SAMPLE / SAMPLE_SLICES) }, this.signal).then((t) => t.spans),
      ),
    );
    return slices.flat();
  }

  /**
   * RED of one service per time bucket. A backend with TraceQL metrics counts every span of the range
   * itself (three queries, aggregation pushed down); otherwise, or when those queries fail (an older
   * Tempo, metrics not enabled), the service's spans are bucketed here: all of them on a bundle, a
   * sample of traces on a backend.
   */
  red(service: string): Promise<RedSeries> {
    return this.once(this.reds, service, async () => {
      const remote = await this.pushedDown('red', (t) => remoteRedSeries(t, service, this.range, this.signal));
      return remote ?? redSeries(await this.get(service), service, this.range);
    });
  }

  /** Durations of one operation for a heatmap: Tempo's duration histogram per step, else each span.
   * Asked once per operation (two slow-span findings of one operation share its heatmap's data). */
  durations(service: string, operation: string): Promise<HeatSample[]> {
    return this.once(this.heats, `${service}\u0000${operation}`, async () => {
      const remote = await this.pushedDown('heatmap', (t) => remoteDurations(t, service, operation, this.range, this.signal));
      return remote ?? (await this.get(service)).filter((x) => x.service === service && x.name === operation).map((x) => ({ t: x.startMs, ms: x.durationMs }));
    });
  }

  private once<T>(memo: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let p = memo.get(key);
    if (!p) memo.set(key, (p = make()));
    return p;
  }

  private async pushedDown<T>(what: string, run: (t: TraceSource & Required<Pick<TraceSource, 'metricsRange'>>) => Promise<T>): Promise<T | undefined> {
    const traces = this.sources.traces;
    if (!traces || traces.kind === 'bundle' || !traces.metricsRange) return undefined;
    try {
      return await run(traces as TraceSource & Required<Pick<TraceSource, 'metricsRange'>>);
    } catch (e) {
      if (this.signal?.aborted) throw e;
      log.debug({ err: (e as Error).message, what }, 'TraceQL metrics failed: drawing from sampled traces');
      // A Tempo without TraceQL metrics (404, 501) is the expected fallback; any other failure made the
      // picture one of sampled traces instead of every span: said.
      const unsupported = e instanceof BackendError && (e.status === 404 || e.status === 501);
      if (!unsupported) noteLine(`Tempo TraceQL metrics for the ${what} picture failed (${boundText((e as Error).message, 200)}): drawn from sampled traces instead`);
      return undefined;
    }
  }
}

export interface RedSeries {
  rate: Array<[number, number]>;
  errors: Array<[number, number]>;
  p50: Array<[number, number]>;
  p95: Array<[number, number]>;
}

/** Whole seconds per step so that a range holds about `buckets` steps. */
const stepSeconds = (range: TimeRange, buckets: number) => Math.max(1, Math.round((range.end - range.start) / buckets / 1000));

/** Points of the series whose label `key` is `value` (or of the only series), by timestamp. */
function pointsBy(series: TraceMetricSeries[], key?: string, value?: number): Map<number, number> {
  const s = key === undefined ? series[0] : series.find((x) => Number(x.labels[key]) === value);
  return new Map(s?.points ?? []);
}

/** RED of one service's entry spans per step from TraceQL metrics (Tempo's answer: spans/s, seconds). */
export async function remoteRedSeries(traces: Required<Pick<TraceSource, 'metricsRange'>>, service: string, range: TimeRange, signal?: AbortSignal, buckets = RED_BUCKETS): Promise<RedSeries> {
  const q = redTraceQL(service, 'none', [0.5, 0.95]);
  const step = stepSeconds(range, buckets);
  const [rate, errors, duration] = await Promise.all([q.rate, q.errors, q.duration].map((x) => traces.metricsRange(x, range, step, signal)));
  const r = pointsBy(rate!);
  const e = pointsBy(errors!);
  const p50 = pointsBy(duration!, 'p', 0.5);
  const p95 = pointsBy(duration!, 'p', 0.95);
  const out: RedSeries = { rate: [], errors: [], p50: [], p95: [] };
  // Tempo leaves a step with no span out of a series or gives it no value (0): no share, no quantile there.
  const ms = (v: number | undefined, n: number) => (n > 0 && v !== undefined && v > 0 ? v * 1000 : NaN);
  for (const t of [...r.keys()].sort((a, b) => a - b)) {
    const n = r.get(t)!;
    out.rate.push([t, n]);
    out.errors.push([t, n > 0 ? (100 * (e.get(t) ?? 0)) / n : NaN]);
    out.p50.push([t, ms(p50.get(t), n)]);
    out.p95.push([t, ms(p95.get(t), n)]);
  }
  return out;
}

/** One operation's durations from Tempo's `histogram_over_time(duration)`: power-of-two buckets (upper
 * edges, seconds) counted per step, each drawn at its bucket's geometric middle. */
export async function remoteDurations(traces: Required<Pick<TraceSource, 'metricsRange'>>, service: string, operation: string, range: TimeRange, signal?: AbortSignal): Promise<HeatSample[]> {
  const series = await traces.metricsRange(durationHistogramTraceQL(service, operation), range, stepSeconds(range, HEAT_COLUMNS), signal);
  const out: HeatSample[] = [];
  for (const s of series) {
    const edge = Number(s.labels['__bucket']);
    if (!(edge > 0)) continue;
    for (const [t, n] of s.points) if (n > 0) out.push({ t, ms: (edge * 1000) / Math.SQRT2, n });
  }
  return out;
}

/** Rate, error share and p50/p95 duration of a service's entry spans per time bucket. */
export function redSeries(spans: Span[], service: string, range: TimeRange, buckets = RED_BUCKETS): RedSeries {
  const step = (range.end - range.start) / buckets;
  const own = spans.filter((s) => s.service === service);
  // Bucket index as the grouping key: the RED analysis does the entry-span and error logic.
  const g = redGroups(own, range, (s) => String(Math.min(buckets - 1, Math.floor((s.startMs - range.start) / step)))).groups;
  const out: RedSeries = { rate: [], errors: [], p50: [], p95: [] };
  for (let b = 0; b < buckets; b++) {
    const t = range.start + (b + 0.5) * step;
    const r = g.get(String(b));
    out.rate.push([t, r ? r.requests / (step / 1000) : 0]);
    out.errors.push([t, r ? 100 * r.errorRate : NaN]);
    out.p50.push([t, r ? r.p50Ms : NaN]);
    out.p95.push([t, r ? r.p95Ms : NaN]);
  }
  return out;
}

export function redChart(r: RedSeries, service: string, s: PictureScope): string | undefined {
  if (!r.rate.some(([, v]) => v > 0)) return undefined;
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`);
  const panels: Panel[] = [
    { title: tr(s.lang, 'pic_rate'), series: [{ name: '', points: r.rate }], format: (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(1)) },
    { title: tr(s.lang, 'pic_errors'), series: [{ name: '', points: r.errors, colour: '#e03131' }], format: (v) => `${v.toFixed(v >= 10 ? 0 : 1)}%` },
    { title: tr(s.lang, 'pic_duration'), series: [{ name: 'p50', points: r.p50, colour: '#2b8a3e' }, { name: 'p95', points: r.p95, colour: '#d9480f' }], format: ms },
  ];
  return timeSeriesSvg(panels, { title: tr(s.lang, 'pic_red_title', { service }), range: s.range, baseline: s.baseline, change: s.change, labels: labels(s) });
}

export function latencyHeatmap(samples: HeatSample[], service: string, spanName: string, s: PictureScope): string | undefined {
  if (samples.reduce((n, x) => n + (x.n ?? 1), 0) < 2) return undefined;
  return heatmapSvg(samples, { title: tr(s.lang, 'pic_heatmap_title', { operation: spanName, service }), range: s.range, baseline: s.baseline, change: s.change, labels: labels(s) });
}

export async function traceWaterfall(sources: Sources, traceId: string, lang: string, signal?: AbortSignal): Promise<string | undefined> {
  const raw = await sources.traces?.getTrace(traceId, signal);
  if (!raw?.length) return undefined;
  // Tooltips quote error messages and statements: masked like every other output.
  const spans = maskDeep(raw);
  return waterfallSvg(traceId, spans, { labels: { title: tr(lang, 'pic_waterfall_title', { trace: traceId }), critical: tr(lang, 'pic_critical'), error: tr(lang, 'pic_error') } });
}

/** A service's flame graph over the window, coloured by change vs the baseline, `highlight` outlined. */
export async function flameGraph(sources: Sources, service: string, window: TimeRange, s: PictureScope, opts: { highlight?: string; type?: string; signal?: AbortSignal } = {}): Promise<string | undefined> {
  const profiles = sources.profiles;
  if (!profiles) return undefined;
  const types = (await profiles.profileTypes(service, window, opts.signal)).map((t) => t.id);
  const typeId = (opts.type ? resolveProfileType(opts.type, types) : undefined) ?? defaultProfileType(types);
  if (!typeId) return undefined;
  const [cur, base] = await Promise.all([profiles.mergedProfile(service, typeId, window, opts.signal), s.baseline ? profiles.mergedProfile(service, typeId, s.baseline, opts.signal) : undefined]);
  if (!cur?.stacks.length) return undefined;
  const unit = parseProfileTypeId(typeId)?.sampleUnit ?? '';
  const what = parseProfileTypeId(typeId)?.name === 'process_cpu' ? 'CPU' : typeId;
  return flameGraphSvg(cur, {
    baseline: base,
    highlight: opts.highlight,
    formatValue: (v) => formatValue(v, unit),
    labels: { title: tr(s.lang, 'pic_flame_title', { service, type: what }), grew: tr(s.lang, 'pic_grew'), shrank: tr(s.lang, 'pic_shrank'), highlight: tr(s.lang, 'pic_hot'), total: tr(s.lang, 'pic_all') },
  });
}

/** A metric query over the picture range (one line per series, at most six). */
export async function metricChart(sources: Sources, promql: string, title: string, s: PictureScope, signal?: AbortSignal): Promise<string | undefined> {
  if (!sources.metrics) return undefined;
  const step = Math.max(15_000, Math.round((s.range.end - s.range.start) / 120));
  const res = await sources.metrics.range(promql, s.range, step, signal);
  const series = res.slice(0, 6).map((r) => ({ name: maskSecrets(Object.entries(r.labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}=${v}`).join(', ')), points: r.points }));
  if (!series.some((x) => x.points.length)) return undefined;
  return timeSeriesSvg([{ title, series, format: (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2)) }], { title: tr(s.lang, 'pic_metric_title'), range: s.range, baseline: s.baseline, change: s.change, labels: labels(s), panelHeight: 200 });
}
