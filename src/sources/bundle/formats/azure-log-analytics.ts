// Azure Monitor Log Analytics query results: `az monitor log-analytics query` (a JSON array of rows, each
// an object of columns with `TableName`) and the REST API's answer (`{"tables": [{"columns", "rows"}]}`).
// Tables differ in their columns, so each role is the first column that carries it in the common tables:
// time `TimeGenerated`; message `LogMessage`/`LogEntry` (Container Insights), `Message` (App Insights'
// AppTraces), `OuterMessage` (AppExceptions), `SyslogMessage`, `RenderedDescription` (Windows events)…;
// level `LogLevel`, `SeverityLevel` (App Insights' 0–4), `Level`; service `AppRoleName`, `ContainerName`, a
// pod without its suffix; trace `OperationId`/`TraceId`, span `ParentId`/`SpanId`. A message that is a
// JSON line (a container's structured log) gives what the columns lack, by the JSON log reader's fields.
import type { LogRecord } from '../../types.js';
import { documentAttributes, documentFields, hexId, jsonTime } from './json-logs.js';
import { entryRecord, SkippedEntries } from './export-entries.js';
import { serviceName } from './csv-values.js';
import { isObject } from '../../../util/objects.js';

const MESSAGE_COLUMNS = ['LogMessage', 'LogEntry', 'Message', 'OuterMessage', 'SyslogMessage', 'RenderedDescription', 'ResultDescription', 'Description', 'Body'];
const LEVEL_COLUMNS = ['LogLevel', 'SeverityLevel', 'Level', 'SeverityText'];
const SERVICE_COLUMNS = ['AppRoleName', 'ServiceName', 'ContainerName', 'PodName'];
const TRACE_COLUMNS = ['OperationId', 'TraceId'];
const SPAN_COLUMNS = ['SpanId', 'ParentId'];
/** Application Insights' SeverityLevel 0–4 (Verbose takes .NET's Trace and Debug: debug). */
const APP_INSIGHTS_LEVELS = ['debug', 'information', 'warning', 'error', 'critical'];

/** `az monitor log-analytics query` output: rows with `TimeGenerated`. */
function isAzRows(doc: unknown): boolean {
  return Array.isArray(doc) && doc.slice(0, 5).some((r) => isObject(r) && 'TimeGenerated' in r);
}

interface Table {
  name?: unknown;
  columns: Array<{ name?: unknown }>;
  rows: unknown[];
}

/** The REST API's `tables`, when one has a `TimeGenerated` column. */
function restTables(doc: unknown): Table[] | undefined {
  if (!isObject(doc) || !Array.isArray(doc.tables)) return undefined;
  const tables = doc.tables.filter((t): t is Table => isObject(t) && Array.isArray(t.columns) && Array.isArray(t.rows));
  return tables.some((t) => t.columns.some((c) => isObject(c) && c.name === 'TimeGenerated')) ? tables : undefined;
}

export function looksLikeLogAnalytics(doc: unknown): boolean {
  return isAzRows(doc) || restTables(doc) !== undefined;
}

function firstValue(row: Record<string, unknown>, columns: string[]): { column: string; value: unknown } | undefined {
  for (const column of columns) {
    const value = row[column];
    if (value !== undefined && value !== null && value !== '') return { column, value };
  }
  return undefined;
}

function levelOf(l: { column: string; value: unknown } | undefined): string | undefined {
  if (!l) return undefined;
  const n = typeof l.value === 'number' ? l.value : typeof l.value === 'string' && /^\d$/.test(l.value) ? Number(l.value) : undefined;
  if (n !== undefined) return l.column === 'SeverityLevel' ? APP_INSIGHTS_LEVELS[n] : undefined;
  return typeof l.value === 'string' ? l.value : undefined;
}

function rowRecord(row: unknown, fallbackService: string): LogRecord | string {
  if (!isObject(row)) return 'not a row object';
  const timeMs = jsonTime(row.TimeGenerated);
  if (timeMs === undefined) return 'no readable `TimeGenerated`';
  const msg = firstValue(row, MESSAGE_COLUMNS);
  // A dynamic column (Container Insights' LogMessage of a JSON line) comes as an object.
  const message = msg === undefined ? undefined : typeof msg.value === 'string' ? msg.value : JSON.stringify(msg.value);
  const inner = isObject(msg?.value) ? documentFields(msg.value) : message !== undefined ? documentFields({ message }) : {};
  const svc = firstValue(row, SERVICE_COLUMNS);
  const service = svc && typeof svc.value === 'string' ? serviceName(svc.value, svc.column) : undefined;
  const attributes = documentAttributes(row, {}, '', msg?.column);
  delete attributes.TableName;
  const body = (message ?? Object.entries(row).filter(([k]) => k !== 'TimeGenerated' && k !== 'TableName').map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')).replace(/\r?\n$/, '');
  return entryRecord(
    {
      timeMs,
      body,
      attributes,
      level: levelOf(firstValue(row, LEVEL_COLUMNS)) ?? inner.level,
      service: service ?? inner.service,
      traceId: hexId(firstValue(row, TRACE_COLUMNS)?.value, 32) ?? inner.traceId,
      spanId: hexId(firstValue(row, SPAN_COLUMNS)?.value, 16) ?? inner.spanId,
    },
    fallbackService,
  );
}

/** The REST answer's rows as objects of their columns. */
function tableRows(t: Table): unknown[] {
  const names = t.columns.map((c) => (isObject(c) && typeof c.name === 'string' ? c.name : ''));
  return t.rows.map((r) => (Array.isArray(r) ? Object.fromEntries(names.map((n, i) => [n, r[i]]).filter(([n]) => n !== '')) : r));
}

/** The records of a file's documents; returns the problems to report. */
export function logAnalyticsRecords(file: string, docs: unknown[], fallbackService: string, out: LogRecord[]): string[] {
  const skipped = new SkippedEntries('row(s)');
  docs.forEach((doc, d) => {
    const rows = restTables(doc)?.flatMap(tableRows) ?? (Array.isArray(doc) ? doc : [doc]);
    rows.forEach((row, i) => {
      const r = rowRecord(row, fallbackService);
      if (typeof r === 'string') skipped.skip(r, docs.length > 1 ? `document ${d + 1}, row ${i + 1}` : `row ${i + 1}`);
      else out.push(r);
    });
  });
  return skipped.note(file);
}
