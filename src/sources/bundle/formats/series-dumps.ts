// Raw series dumped from a time-series database, as people copy them out when a dashboard is not
// enough: `promtool tsdb dump` (one sample per line, `{__name__="x", a="b"} value epoch-ms`, also what
// Thanos' and Mimir's tools print) and VictoriaMetrics' `/api/v1/export` (JSON Lines, one series per
// line: `{"metric":{…},"values":[…],"timestamps":[epoch ms…]}`). Both become bundle metrics with their
// own timestamps; what cannot be read is counted and said.
import { parseLabelSet, parseValue, type MetricStoreBuilder } from '../openmetrics.js';

/** `{…} value ts`: a label set holding `__name__`, a value, an integer timestamp. */
const DUMP_LINE = /^\{(.*)\}\s+(\S+)\s+(-?\d+)\s*$/;

/** Whether the first lines read as a tsdb dump (nearly all lines `{__name__="…", …} v ts`). */
export function looksLikeTsdbDump(lines: string[]): boolean {
  let ok = 0;
  let other = 0;
  for (const l of lines.slice(0, 200)) {
    if (l.trim() === '') continue;
    const m = DUMP_LINE.exec(l);
    if (m && /(^|,\s*)__name__="/.test(m[1]!)) ok++;
    else other++;
  }
  return ok > 0 && other <= ok / 20;
}

/** Adds a `promtool tsdb dump` text to the store; returns the problems (each naming the file). */
export function addTsdbDump(b: MetricStoreBuilder, file: string, text: string): string[] {
  const series = new Map<string, { labels: Record<string, string>; points: Array<[number, number]> }>();
  let bad = 0;
  let firstBad = '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = DUMP_LINE.exec(line);
    const v = m ? parseValue(m[2]!) : undefined;
    let s = m ? series.get(m[1]!) : undefined;
    if (m && !s && v !== undefined) {
      const labels = parseLabelSet(`{${m[1]!}}`);
      if (typeof labels !== 'string' && labels.__name__) series.set(m[1]!, (s = { labels, points: [] }));
      else if (!firstBad) firstBad = typeof labels === 'string' ? labels : 'a series without __name__';
    }
    if (!m || v === undefined || !s) {
      bad++;
      if (!firstBad) firstBad = `"${line.slice(0, 80)}"`;
      continue;
    }
    s.points.push([Number(m[3]), v]);
  }
  for (const s of series.values()) b.addSeries(s.labels, s.points);
  return bad ? [`${file}: ${bad} line(s) are not "{__name__=…, …} value timestamp-ms" samples (first: ${firstBad}); left out`] : [];
}

/** One line of VictoriaMetrics' JSON export. */
export function isVmExportLine(doc: unknown): boolean {
  const d = doc as { metric?: unknown; values?: unknown; timestamps?: unknown } | null;
  return !!d && typeof d === 'object' && !!d.metric && typeof d.metric === 'object' && Array.isArray(d.values) && Array.isArray(d.timestamps);
}

/** Adds VictoriaMetrics export lines (parsed documents) to the store; returns the problems. */
export function addVmExport(b: MetricStoreBuilder, file: string, docs: unknown[]): string[] {
  let badLines = 0;
  let badPoints = 0;
  let unnamed = 0;
  for (const doc of docs) {
    if (!isVmExportLine(doc)) {
      badLines++;
      continue;
    }
    const d = doc as { metric: Record<string, unknown>; values: unknown[]; timestamps: unknown[] };
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metric)) if (typeof v === 'string') labels[k] = v;
    if (!labels.__name__) {
      unnamed++;
      continue;
    }
    const points: Array<[number, number]> = [];
    const n = Math.min(d.values.length, d.timestamps.length);
    badPoints += Math.max(d.values.length, d.timestamps.length) - n;
    for (let i = 0; i < n; i++) {
      const t = d.timestamps[i];
      const raw = d.values[i];
      const v = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseValue(raw) : raw === null ? NaN : undefined;
      if (typeof t !== 'number' || !Number.isFinite(t) || v === undefined) badPoints++;
      else points.push([t, v]);
    }
    if (points.length) b.addSeries(labels, points);
  }
  const problems: string[] = [];
  if (badLines) problems.push(`${file}: ${badLines} line(s) are not {"metric", "values", "timestamps"} series; left out`);
  if (unnamed) problems.push(`${file}: ${unnamed} series without __name__; left out`);
  if (badPoints) problems.push(`${file}: ${badPoints} value(s) without a matching timestamp, or not numbers; left out`);
  return problems;
}
