// CloudWatch Logs as the AWS CLI writes it: `aws logs filter-log-events` / `get-log-events`
// (`{"events": [{"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}], …}`, times in epoch
// ms) and Logs Insights' `aws logs get-query-results` (`{"results": [[{"field", "value"}…]…], "status"}`,
// `@timestamp` as `YYYY-MM-DD hh:mm:ss.fff` in UTC). A message that is a JSON line gives its level,
// service and trace ids by the JSON log reader's fields; the service is otherwise named by the log stream
// or group (cloudwatch-names.ts).
import type { LogRecord } from '../../types.js';
import { documentAttributes, documentFields, jsonLineFields } from './json-logs.js';
import { entryRecord, SkippedEntries } from './export-entries.js';
import { serviceFromLogGroup, serviceFromLogStream } from './cloudwatch-names.js';
import { isObject } from '../../../util/objects.js';

const PAGE_KEYS = ['nextForwardToken', 'nextBackwardToken', 'searchedLogStreams', 'nextToken'];

function isLogEvent(e: unknown): boolean {
  return isObject(e) && typeof e.timestamp === 'number' && typeof e.message === 'string';
}

/** `filter-log-events` / `get-log-events` output: `events`, with the page keys or events shaped as CloudWatch's. */
export function isCloudWatchEvents(doc: unknown): boolean {
  if (!isObject(doc) || !Array.isArray(doc.events)) return false;
  const e = doc.events[0];
  return PAGE_KEYS.some((k) => k in doc) ? e === undefined || isObject(e) : isLogEvent(e) && ('ingestionTime' in (e as object) || 'eventId' in (e as object) || 'logStreamName' in (e as object));
}

/** `get-query-results` output: `results`, rows of `{field, value}`, and the query's status or statistics (which
 * come last: a head cut before them has rows naming Insights' own `@` fields). */
export function isInsightsResults(doc: unknown): boolean {
  if (!isObject(doc) || !Array.isArray(doc.results)) return false;
  const row = doc.results[0];
  const pairs = Array.isArray(row) && row.every((c) => isObject(c) && typeof c.field === 'string' && 'value' in c);
  if (typeof doc.status === 'string' || isObject(doc.statistics)) return row === undefined || pairs;
  return pairs && (row as Array<{ field: string }>).some((c) => c.field.startsWith('@'));
}

function eventRecord(e: unknown, fallbackService: string): LogRecord | string {
  if (!isObject(e)) return 'not an event object';
  if (typeof e.message !== 'string') return 'no `message`';
  // The CLI writes a number; a script's JSON may have kept it a string of digits.
  const ts = typeof e.timestamp === 'string' && /^\d{1,16}$/.test(e.timestamp) ? Number(e.timestamp) : e.timestamp;
  const timeMs = typeof ts === 'number' && Number.isFinite(ts) && ts > 0 ? ts : undefined;
  if (timeMs === undefined) return 'no `timestamp` in epoch milliseconds';
  const body = e.message.replace(/\r?\n$/, '');
  const inner = jsonLineFields(body) ?? {};
  const stream = typeof e.logStreamName === 'string' ? e.logStreamName : undefined;
  const attributes: Record<string, string> = {};
  if (stream) attributes.logStreamName = stream;
  if (typeof e.eventId === 'string') attributes.eventId = e.eventId;
  return entryRecord({ ...inner, timeMs, body, attributes, service: (stream && serviceFromLogStream(stream)) || inner.service }, fallbackService);
}

/** A row of `{field, value}` pairs as one object (`@ptr`, a pointer back to the record, left out). */
function rowDocument(row: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(row)) return undefined;
  const doc: Record<string, unknown> = {};
  for (const c of row) if (isObject(c) && typeof c.field === 'string' && c.field !== '@ptr') doc[c.field] = c.value;
  return doc;
}

function insightsRecord(row: unknown, fallbackService: string): LogRecord | string {
  const doc = rowDocument(row);
  if (!doc) return 'not a row of {field, value} pairs';
  const f = documentFields(doc);
  if (f.timeMs === undefined) return 'no readable `@timestamp`';
  const group = typeof doc['@log'] === 'string' ? doc['@log'] : '';
  const stream = typeof doc['@logStream'] === 'string' ? doc['@logStream'] : '';
  const service = serviceFromLogStream(stream) ?? serviceFromLogGroup(group) ?? f.service;
  // A query that kept no message (`fields @timestamp, status, latency`) is its fields.
  const body = f.message ?? Object.entries(doc).filter(([k]) => k !== '@timestamp').map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  return entryRecord({ ...f, timeMs: f.timeMs, body: body.replace(/\r?\n$/, ''), service, attributes: documentAttributes(doc, {}, '', f.messageKey) }, fallbackService);
}

/** The records of a file's documents (pages of events, query results); returns the problems to report. */
export function cloudWatchRecords(file: string, docs: unknown[], fallbackService: string, out: LogRecord[]): string[] {
  const events = new SkippedEntries('event(s)');
  const rows = new SkippedEntries('result row(s)');
  const notes: string[] = [];
  docs.forEach((doc, d) => {
    const at = docs.length > 1 ? `document ${d + 1}, ` : '';
    if (isInsightsResults(doc)) {
      const q = doc as { results: unknown[]; status?: unknown };
      if (typeof q.status === 'string' && q.status !== 'Complete') notes.push(`${file}: the query's status is "${q.status}", not "Complete": its results are partial; run \`aws logs get-query-results\` again once it is Complete`);
      q.results.forEach((row, i) => {
        const r = insightsRecord(row, fallbackService);
        if (typeof r === 'string') rows.skip(r, `${at}row ${i + 1}`);
        else out.push(r);
      });
    } else if (isCloudWatchEvents(doc)) {
      (doc as { events: unknown[] }).events.forEach((e, i) => {
        const r = eventRecord(e, fallbackService);
        if (typeof r === 'string') events.skip(r, `${at}event ${i + 1}`);
        else out.push(r);
      });
    } else if (isLogEvent(doc)) {
      // JSON Lines of events (`--query 'events[]'` piped through `jq -c`).
      const r = eventRecord(doc, fallbackService);
      if (typeof r === 'string') events.skip(r, `document ${d + 1}`);
      else out.push(r);
    } else events.skip('neither `events` nor Logs Insights `results`', `document ${d + 1}`);
  });
  return [...notes, ...events.note(file), ...rows.note(file)];
}
