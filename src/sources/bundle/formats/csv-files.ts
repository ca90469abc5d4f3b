// Exported tables as bundle files: what a head says a table holds (detect.ts asks), and each signal's
// reader fed with a whole file (log-files.ts, trace-files.ts and metrics-load.ts ask).
import type { LogRecord, Span } from '../../types.js';
import type { ParseStats } from '../../otlp-traces.js';
import type { MetricStoreBuilder } from '../openmetrics.js';
import { BundleFileError } from '../files.js';
import { forEachCsvRow, sniffCsv, type CsvShape } from './csv-table.js';
import { tableKind, LOG_ROLES, mapRoles } from './csv-roles.js';
import { cellTime } from './csv-values.js';
import { parseCsvLogs } from './csv-logs.js';
import { parseCsvSpans } from './csv-spans.js';
import { addCsvMetrics, metricLayout } from './csv-metrics.js';

export type CsvFormat = 'csv-logs' | 'csv-spans' | 'csv-metrics';

/** Enough of a file to sniff its header and sample rows without parsing all of it (a header of a thousand series fits). */
const SNIFF_CHARS = 1024 * 1024;
const SAMPLE_ROWS = 50;

function sampleRows(text: string, shape: CsvShape): string[][] {
  const rows: string[][] = [];
  forEachCsvRow(text, shape, (f) => {
    if (rows.length < SAMPLE_ROWS) rows.push(f);
  });
  return rows;
}

/** What a table holds, from a file's head (`complete` when the head is the whole file); undefined when it is no telemetry table. */
export function detectCsvTable(head: string, complete: boolean): CsvFormat | undefined {
  const text = head.length > SNIFF_CHARS ? head.slice(0, SNIFF_CHARS) : head;
  const whole = complete && text === head;
  const shape = sniffCsv(text, whole);
  if (!shape) return undefined;
  const kind = tableKind(shape.columns);
  if (kind === 'spans') return 'csv-spans';
  const rows = sampleRows(whole ? text : text.slice(0, Math.max(text.lastIndexOf('\n'), 0)), shape);
  if (kind === 'logs') {
    // A time column whose cells are no times (Loghub's structured CSVs: `081109`) makes no log table.
    const t = mapRoles(shape.columns, LOG_ROLES).time!;
    return rows.some((r) => cellTime(r[t]!) !== undefined) ? 'csv-logs' : undefined;
  }
  if (kind === 'metrics?') return metricLayout(shape.columns, rows) ? 'csv-metrics' : undefined;
  return undefined;
}

function shapeOf(file: string, text: string): CsvShape {
  const shape = sniffCsv(text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text, text.length <= SNIFF_CHARS);
  if (!shape) throw new BundleFileError(file, 'no header row of a table (CSV/TSV) at its start');
  return shape;
}

export function decodeCsvLogs(file: string, text: string, fallbackService: string, out: LogRecord[]): string[] {
  const res = parseCsvLogs(file, text, shapeOf(file, text), fallbackService);
  for (const r of res.records) out.push(r);
  return res.problems;
}

export function decodeCsvSpans(file: string, text: string, out: Span[], stats: ParseStats): string[] {
  return parseCsvSpans(file, text, shapeOf(file, text), out, stats);
}

export function decodeCsvMetrics(b: MetricStoreBuilder, file: string, text: string): string[] {
  const shape = shapeOf(file, text);
  const layout = metricLayout(shape.columns, sampleRows(text.length > SNIFF_CHARS ? text.slice(0, text.lastIndexOf('\n', SNIFF_CHARS)) : text, shape));
  if (!layout) throw new BundleFileError(file, 'a table with no time column or no numeric column: no metrics in it');
  return addCsvMetrics(b, file, text, shape, layout);
}
