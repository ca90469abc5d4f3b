// Prometheus HTTP API answers saved to a file (`curl …/api/v1/query_range?… > x.json`, Grafana's query
// inspector): `{"status":"success","data":{"resultType":"matrix"|"vector"|"scalar","result":[…]}}`,
// a matrix series being `{"metric":{labels},"values":[[unix seconds, "value"],…]}` and a vector sample
// `{"metric":{…},"value":[t,"v"]}`. Series become bundle metrics; a series without `__name__` (the
// answer of an expression) is named after the file.
import { fileMetricName, type MetricStoreBuilder } from '../openmetrics.js';

export function looksLikePrometheusAnswer(doc: unknown): boolean {
  const d = doc as { data?: { resultType?: unknown } } | null;
  return !!d && typeof d === 'object' && !!d.data && typeof d.data === 'object' && typeof d.data.resultType === 'string';
}

function sample(p: unknown): [number, number] | undefined {
  if (!Array.isArray(p) || p.length < 2) return undefined;
  const t = Number(p[0]);
  const v = typeof p[1] === 'string' ? (p[1] === '+Inf' ? Infinity : p[1] === '-Inf' ? -Infinity : Number(p[1])) : Number(p[1]);
  if (!Number.isFinite(t) || (Number.isNaN(v) && p[1] !== 'NaN')) return undefined;
  // Prometheus stores milliseconds; the API writes seconds with a millisecond fraction.
  return [Math.round(t * 1000), v];
}

/** Adds a saved answer to the store; returns the problems (each naming the file). */
export function addPrometheusAnswer(b: MetricStoreBuilder, file: string, doc: unknown): string[] {
  const problems: string[] = [];
  const d = doc as { status?: string; error?: string; data: { resultType: string; result: unknown } };
  if (d.status === 'error') return [`${file}: a saved Prometheus error answer (${String(d.error ?? '').slice(0, 200)}), no data`];
  const fallbackName = fileMetricName(file);
  const { resultType, result } = d.data;
  if (resultType === 'scalar') {
    const s = sample(result);
    if (s) b.addSeries({ __name__: fallbackName }, [s]);
    return problems;
  }
  if (resultType !== 'matrix' && resultType !== 'vector') return [`${file}: resultType "${resultType}" holds no series; skipped`];
  if (!Array.isArray(result)) return [`${file}: data.result is not a list; skipped`];
  let unnamed = 0;
  let histograms = 0;
  let bad = 0;
  for (const r of result as Array<{ metric?: Record<string, unknown>; values?: unknown[]; value?: unknown; histograms?: unknown; histogram?: unknown }>) {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(r?.metric ?? {})) if (typeof v === 'string') labels[k] = v;
    if (!labels.__name__) {
      labels.__name__ = fallbackName;
      unnamed++;
    }
    if (r?.histograms !== undefined || r?.histogram !== undefined) histograms++;
    const raw = resultType === 'matrix' ? (Array.isArray(r?.values) ? r.values : []) : r?.value !== undefined ? [r.value] : [];
    const points: Array<[number, number]> = [];
    for (const p of raw) {
      const s = sample(p);
      if (s) points.push(s);
      else bad++;
    }
    if (points.length) b.addSeries(labels, points);
  }
  if (unnamed) problems.push(`${file}: ${unnamed} series without __name__ (an expression's answer) named "${fallbackName}" after the file`);
  if (histograms) problems.push(`${file}: native histogram samples in ${histograms} series are not read`);
  if (bad) problems.push(`${file}: ${bad} sample(s) that are not [time, "value"] skipped`);
  return problems;
}
