// OTLP/JSON metrics (`MetricsData`: the Collector's file exporter, `otel-cli`, SDK dumps) into the metric
// store, named and labelled as Prometheus' OTLP receiver stores them (OpenTelemetry's "Prometheus and
// OpenMetrics compatibility" specification), so the same PromQL reads them:
// - names: characters outside [a-zA-Z0-9_:] become `_`; the unit is appended in words (`s` → seconds,
//   `By` → bytes, `{request}` annotations dropped, `1` → ratio for gauges); monotonic sums end in `_total`;
// - labels: the point's attributes (dots become `_`), `job` (service.namespace/service.name), `instance`
//   (service.instance.id), and `service_name` (the resource's service.name, which Prometheus promotes
//   on request and which the analyses look for);
// - histograms: cumulative `_bucket{le}` counts from the explicit bounds, `_sum`, `_count`; summaries:
//   `{quantile}` series, `_sum`, `_count`; delta temporality is accumulated into cumulative series.
// - exponential histograms: classic buckets at scale 3 at most (bounds 2^(k/8)); Prometheus itself keeps
//   them as native histograms, which this store does not hold.
import type { MetricType } from '../../types.js';
import { attributes, nanosToMs } from '../../otlp.js';
import { seriesKey, type MetricStoreBuilder } from '../openmetrics.js';

const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  bit: 'bits',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/** AGGREGATION_TEMPORALITY_DELTA: an integer in OTLP/JSON, its name from some writers. */
const isDelta = (t: unknown) => t === 1 || t === 'AGGREGATION_TEMPORALITY_DELTA';

function sanitize(s: string): string {
  return s.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_');
}

/** The unit as a name suffix: `s` → seconds, `By/s` → bytes_per_second, `{request}` and empty → none. */
function unitSuffix(unit: string | undefined, type: MetricType): string {
  const u = (unit ?? '').replace(/\{[^}]*\}/g, '').trim();
  if (!u) return '';
  if (u === '1') return type === 'gauge' ? 'ratio' : '';
  const [num, per] = u.split('/');
  const word = (x: string) => UNIT_WORDS[x] ?? sanitize(x);
  const a = num ? word(num) : '';
  const b = per ? word(per).replace(/s$/, '') : '';
  return sanitize([a, b && `per_${b}`].filter(Boolean).join('_'));
}

/** The Prometheus name of an OTLP metric of this type and unit. */
export function prometheusName(name: string, unit: string | undefined, type: MetricType): string {
  let n = sanitize(name);
  if (/^\d/.test(n)) n = `_${n}`;
  const suffix = unitSuffix(unit, type);
  if (suffix && !n.endsWith(`_${suffix}`)) n = `${n}_${suffix}`;
  if (type === 'counter' && !n.endsWith('_total')) n = `${n}_total`;
  return n;
}

function labelsOf(resource: Record<string, unknown>, point: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(point)) if (v !== undefined && v !== null) out[sanitize(k)] = String(v);
  const name = resource['service.name'];
  const ns = resource['service.namespace'];
  if (typeof name === 'string' && name) {
    out.job = typeof ns === 'string' && ns ? `${ns}/${name}` : name;
    out.service_name = name;
  }
  const inst = resource['service.instance.id'];
  if (inst !== undefined && inst !== '') out.instance = String(inst);
  return out;
}

interface Point {
  attributes?: unknown;
  timeUnixNano?: unknown;
  asDouble?: unknown;
  asInt?: unknown;
  count?: unknown;
  sum?: unknown;
  bucketCounts?: unknown[];
  explicitBounds?: unknown[];
  quantileValues?: Array<{ quantile?: unknown; value?: unknown }>;
  flags?: number;
  scale?: unknown;
  zeroCount?: unknown;
  zeroThreshold?: unknown;
  positive?: { offset?: unknown; bucketCounts?: unknown[] };
  negative?: { offset?: unknown; bucketCounts?: unknown[] };
}

interface OtlpMetric {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: Point[] };
  sum?: { dataPoints?: Point[]; aggregationTemporality?: unknown; isMonotonic?: boolean };
  histogram?: { dataPoints?: Point[]; aggregationTemporality?: unknown };
  exponentialHistogram?: { dataPoints?: Point[]; aggregationTemporality?: unknown };
  summary?: { dataPoints?: Point[] };
}

/** What a file's documents left out or changed, for its problems. */
export interface OtlpMetricsStats {
  skipped: number;
  exponential: number;
  delta: number;
}

/** Delta points become cumulative: a running total per series (by its labels' key), over the file in order. */
export class Accumulator {
  private totals = new Map<string, number>();
  add(key: string, v: number): number {
    const t = (this.totals.get(key) ?? 0) + v;
    this.totals.set(key, t);
    return t;
  }
}

const num = (v: unknown): number => (typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN);
/** OTLP's "no recorded value" flag: the point marks a gap (a stale series), not a value. */
const NO_RECORDED_VALUE = 1;

/** Adds the metrics of one `MetricsData` document to the store. */
export function addOtlpMetrics(b: MetricStoreBuilder, doc: unknown, stats: OtlpMetricsStats, acc: Accumulator): void {
  const rms = (doc as { resourceMetrics?: unknown[] }).resourceMetrics ?? [];
  for (const rm of rms as Array<{ resource?: { attributes?: unknown }; scopeMetrics?: Array<{ metrics?: OtlpMetric[] }> }>) {
    const resource = attributes(rm?.resource?.attributes);
    for (const sm of rm?.scopeMetrics ?? []) {
      for (const m of sm?.metrics ?? []) {
        if (!m || typeof m.name !== 'string' || !m.name) continue;
        addMetric(b, m, resource, stats, acc);
      }
    }
  }
}

function addMetric(b: MetricStoreBuilder, m: OtlpMetric, resource: Record<string, unknown>, stats: OtlpMetricsStats, acc: Accumulator): void {
  const put = (name: string, labels: Record<string, string>, t: number, v: number) => b.addSeries({ ...labels, __name__: name }, [[Math.trunc(t), v]]);
  const declare = (name: string, type: MetricType) => b.declareFamily({ name, type, help: m.description || undefined, unit: m.unit || undefined });
  const each = (points: Point[] | undefined, f: (p: Point, labels: Record<string, string>, t: number) => void) => {
    for (const p of points ?? []) {
      const t = nanosToMs(p?.timeUnixNano);
      if (t === undefined || ((p.flags ?? 0) & NO_RECORDED_VALUE) !== 0) {
        stats.skipped++;
        continue;
      }
      f(p, labelsOf(resource, attributes(p.attributes)), t);
    }
  };
  // A delta series' running total is kept under the series' own key.
  const key = (name: string, labels: Record<string, string>) => seriesKey({ ...labels, __name__: name });
  if (m.gauge || m.sum) {
    const monotonic = !!m.sum?.isMonotonic;
    const type: MetricType = m.sum && monotonic ? 'counter' : 'gauge';
    const name = prometheusName(m.name!, m.unit, type);
    const delta = isDelta(m.sum?.aggregationTemporality);
    declare(type === 'counter' ? name.replace(/_total$/, '') : name, type);
    each((m.gauge ?? m.sum)!.dataPoints, (p, labels, t) => {
      let v = num(p.asDouble ?? p.asInt);
      if (Number.isNaN(v) && p.asDouble !== 'NaN') return void stats.skipped++;
      if (delta) {
        stats.delta++;
        v = acc.add(key(name, labels), v);
      }
      put(name, labels, t, v);
    });
    return;
  }
  const histogram = m.histogram ?? m.exponentialHistogram;
  if (histogram) {
    const name = prometheusName(m.name!, m.unit, 'histogram');
    const delta = isDelta(histogram.aggregationTemporality);
    const exponential = histogram === m.exponentialHistogram;
    declare(name, 'histogram');
    each(histogram.dataPoints, (p, labels, t) => {
      const buckets = exponential ? exponentialBuckets(p) : explicitBuckets(p);
      const total = num(p.count);
      if (!buckets || !Number.isFinite(total)) return void stats.skipped++;
      if (exponential) stats.exponential++;
      const { bounds, counts } = buckets;
      const cum = (suffix: string, extra: Record<string, string>, v: number) => {
        const l = { ...labels, ...extra };
        put(`${name}${suffix}`, l, t, delta ? acc.add(key(`${name}${suffix}`, l), v) : v);
      };
      if (delta) stats.delta++;
      let running = 0;
      for (let i = 0; i < bounds.length; i++) {
        running += counts[i] ?? 0;
        cum('_bucket', { le: formatLe(bounds[i]!) }, running);
      }
      cum('_bucket', { le: '+Inf' }, total);
      cum('_count', {}, total);
      const sum = num(p.sum);
      if (Number.isFinite(sum)) cum('_sum', {}, sum);
    });
    return;
  }
  if (m.summary) {
    const name = prometheusName(m.name!, m.unit, 'summary');
    declare(name, 'summary');
    each(m.summary.dataPoints, (p, labels, t) => {
      for (const q of p.quantileValues ?? []) {
        const qq = num(q?.quantile ?? 0);
        const v = num(q?.value ?? 0);
        if (Number.isFinite(qq) && Number.isFinite(v)) put(name, { ...labels, quantile: formatLe(qq) }, t, v);
      }
      const c = num(p.count);
      if (Number.isFinite(c)) put(`${name}_count`, labels, t, c);
      const s = num(p.sum);
      if (Number.isFinite(s)) put(`${name}_sum`, labels, t, s);
    });
    return;
  }
}

/** A histogram point as upper bounds and the count of each bucket (what lies past the last bound is +Inf's). */
interface Buckets {
  bounds: number[];
  counts: number[];
}

function explicitBuckets(p: Point): Buckets | undefined {
  const bounds = (p.explicitBounds ?? []).map(num);
  const counts = (p.bucketCounts ?? []).map(num);
  return counts.some((c) => !Number.isFinite(c)) || bounds.some((b) => Number.isNaN(b)) ? undefined : { bounds, counts };
}

/**
 * The scale exponential histograms are read at: bounds 2^(k/8), ~9% apart. A finer point is merged to it
 * (bucket index >> the scale difference, as OpenTelemetry downscales), so the bucket layout, and with it
 * the `le` series, stays the same from point to point when an SDK rescales; a coarser point keeps its own.
 */
const EXPONENTIAL_SCALE = 3;

/** An exponential histogram point as classic buckets: negative buckets, the zero bucket, positive buckets. */
function exponentialBuckets(p: Point): Buckets | undefined {
  const scale = num(p.scale ?? 0);
  if (!Number.isInteger(scale)) return undefined;
  const s = Math.min(scale, EXPONENTIAL_SCALE);
  const merge = 2 ** (scale - s);
  const bound = (k: number) => 2 ** (k * 2 ** -s);
  const byBound = new Map<number, number>();
  const add = (b: number, c: number) => byBound.set(b, (byBound.get(b) ?? 0) + c);
  // Index k holds (base^k, base^(k+1)]; a negative bucket k holds [-base^(k+1), -base^k).
  for (const [side, upper] of [
    [p.positive, (k: number) => bound(k + 1)],
    [p.negative, (k: number) => -bound(k)],
  ] as const) {
    const offset = num(side?.offset ?? 0);
    const counts = (side?.bucketCounts ?? []).map(num);
    if (!Number.isInteger(offset) || counts.some((c) => !Number.isFinite(c))) return undefined;
    counts.forEach((c, i) => c > 0 && add(upper(Math.floor((offset + i) / merge)), c));
  }
  const zero = num(p.zeroCount ?? 0);
  if (zero > 0) add(Math.max(0, num(p.zeroThreshold ?? 0) || 0), zero);
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  return { bounds, counts: bounds.map((b) => byBound.get(b)!) };
}

/** A bound as Prometheus' OTLP translation writes `le` and `quantile` (shortest decimal, `+Inf`). */
function formatLe(v: number): string {
  return v === Infinity ? '+Inf' : String(v);
}
