// Metric tables (CSV/TSV with a time column and numeric columns) into the metric store. Two layouts:
// - wide, as Grafana's "Download CSV" writes a panel's series joined by time: each numeric column is a
//   series named by its header, a header with a label set (`up{instance="a:9100", job="node"}`,
//   `{pod="checkout-1"}`) read as one (a header without a name takes the file's);
// - long: a metric name column and a value column per row, the other text columns labels.
// Text columns of a wide table are labels of the row's series (a pod, an instance).
import path from 'node:path';
import type { MetricStoreBuilder } from '../openmetrics.js';
import { forEachCsvRow, skippedProblems, type CsvShape } from './csv-table.js';
import { mapRoles, normName } from './csv-roles.js';
import { cellTime, serviceName, zonelessProblem } from './csv-values.js';

/** Columns that hold times are not series (ClickHouse's `TimestampTime`, Nezha's second time column). */
const TIME_LIKE = /^(time|timestamp|ts|date|datetime|tsns|timeunixnano|timestamptime|starttime|endtime|timeutc|unixtime|epoch)$/;

export interface MetricLayout {
  time: number;
  /** Long tables: the name and value columns. */
  name?: number;
  value?: number;
  /** Wide tables: the numeric columns, each a series. */
  numeric: number[];
  /** Text columns: labels of each row's series. */
  labels: number[];
}

const isNumberCell = (v: string): boolean => /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) || /^(NaN|[-+]?Inf(inity)?)$/i.test(v.trim());

function numberOf(v: string): number {
  const t = v.trim();
  if (/^[-+]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return t.toLowerCase() === 'nan' ? NaN : Number(t);
}

/** How a table's columns make series, judged on sample rows; undefined when it holds no metrics. */
export function metricLayout(columns: string[], sample: string[][]): MetricLayout | undefined {
  const r = mapRoles(columns, ['time', 'metricName', 'value']);
  if (r.time === undefined || sample.length === 0) return undefined;
  if (!sample.some((row) => cellTime(row[r.time!]!) !== undefined)) return undefined;
  const numericCol = (i: number) => {
    const vals = sample.map((row) => row[i]!).filter((v) => v.trim() !== '');
    return vals.length > 0 && vals.every(isNumberCell);
  };
  const others = columns.map((_, i) => i).filter((i) => i !== r.time && !TIME_LIKE.test(normName(columns[i]!)));
  if (r.metricName !== undefined && r.value !== undefined && numericCol(r.value) && !numericCol(r.metricName)) {
    return { time: r.time, name: r.metricName, value: r.value, numeric: [], labels: others.filter((i) => i !== r.metricName && i !== r.value) };
  }
  const numeric = others.filter(numericCol);
  if (!numeric.length) return undefined;
  return { time: r.time, numeric, labels: others.filter((i) => !numeric.includes(i)) };
}

/** A Prometheus name from a header: other characters become `_` (a label such as `__name__` keeps its own). */
const sanitize = (s: string): string => {
  const t = s.trim();
  if (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(t)) return t;
  const n = t.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_').replace(/^_+|_+$/g, '');
  return /^\d/.test(n) ? `_${n}` : n || 'value';
};

/** Label names the analyses look for: `PodName` → `pod`, `ServiceName` → `service_name`; others sanitised. */
function labelName(column: string): string {
  const n = normName(column);
  if (n === 'podname' || n === 'pod' || n === 'k8spodname') return 'pod';
  if (n === 'servicename') return 'service_name';
  return sanitize(column);
}

/** A series header: `name{a="b", c="d"}`, `{a="b"}`, or a plain name. */
export function seriesHeader(header: string, fallbackName: string): Record<string, string> {
  const m = /^([^{]*)\{(.*)\}\s*$/.exec(header.trim());
  const labels: Record<string, string> = {};
  if (m) {
    for (const l of m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_.]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) labels[sanitize(l[1]!)] = l[2]!.replace(/\\(.)/g, '$1');
    labels.__name__ = labels.__name__ ?? (m[1]!.trim() ? sanitize(m[1]!) : fallbackName);
    return labels;
  }
  const plain = header.trim();
  labels.__name__ = /^value$/i.test(plain) ? fallbackName : sanitize(plain);
  return labels;
}

/** Adds a metric table to the store; returns the problems, each naming the file. */
export function addCsvMetrics(b: MetricStoreBuilder, file: string, text: string, shape: CsvShape, layout: MetricLayout): string[] {
  const cols = shape.columns;
  const fallbackName = sanitize(path.basename(file).replace(/(\.(csv|tsv|txt))?(\.gz)?$/i, ''));
  const headers = new Map(layout.numeric.map((i) => [i, seriesHeader(cols[i]!, fallbackName)]));
  const labelNames = layout.labels.map((i) => labelName(cols[i]!));
  // A pod column also gives the series its service (the pod without its generated suffix), as the analyses group by service.
  const podCol = layout.labels.find((i) => labelName(cols[i]!) === 'pod');
  const series = new Map<string, { labels: Record<string, string>; points: Array<[number, number]> }>();
  let zoneless = false;
  let untimed = 0;
  let firstUntimed = 0;
  const put = (labels: Record<string, string>, t: number, v: number) => {
    const key = Object.keys(labels)
      .sort()
      .map((k) => `${k}\u0000${labels[k]}`)
      .join('\u0001');
    let s = series.get(key);
    if (!s) series.set(key, (s = { labels, points: [] }));
    s.points.push([t, v]);
  };
  const res = forEachCsvRow(text, shape, (f, index) => {
    const t = cellTime(f[layout.time]!);
    if (!t) {
      if (!untimed++) firstUntimed = index;
      return;
    }
    zoneless ||= t.zoneless;
    const ms = Math.round(t.ms);
    const rowLabels: Record<string, string> = {};
    layout.labels.forEach((i, k) => {
      if (f[i]!.trim() !== '') rowLabels[labelNames[k]!] = f[i]!.trim();
    });
    if (podCol !== undefined && rowLabels.service === undefined && f[podCol]!.trim()) rowLabels.service = serviceName(f[podCol]!, 'pod');
    if (layout.name !== undefined) {
      const v = f[layout.value!]!;
      if (v.trim() === '' || !isNumberCell(v)) return;
      put({ ...rowLabels, __name__: sanitize(f[layout.name]!) }, ms, numberOf(v));
      return;
    }
    for (const i of layout.numeric) {
      const v = f[i]!;
      // An empty cell is a series with no sample at that time (Grafana joins series by time).
      if (v.trim() === '' || !isNumberCell(v)) continue;
      put({ ...rowLabels, ...headers.get(i)! }, ms, numberOf(v));
    }
  });
  for (const s of series.values()) b.addSeries(s.labels, s.points);
  const problems: string[] = [];
  if (zoneless) problems.push(zonelessProblem(file, cols[layout.time]!));
  if (untimed) problems.push(`${file}: ${untimed} row(s) without a readable time in column "${cols[layout.time]}" skipped (first: line ${res.lineOf(firstUntimed)})`);
  problems.push(...skippedProblems(file, res));
  return problems;
}
