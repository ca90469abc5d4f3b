// Google Cloud Logging entries (LogEntry): `gcloud logging read --format=json` and the Logs Explorer's
// JSON download (an array of entries), the API's `entries:list` answer (`{"entries": […]}`), and sinks
// to Cloud Storage (JSON Lines of entries). The time is `timestamp` (else `receiveTimestamp`); the level
// `severity` (DEFAULT is none: the message decides); the body `textPayload`, `jsonPayload`'s message
// (read by the JSON log reader's fields, which also give a level, service and trace ids it carries) or an
// audit log's method and status; the service the platform's name for the workload (`resource.labels`:
// container_name, service_name, function_name, module_id, job_name; GKE's `k8s-pod/app` label), else the
// payload's; `trace` (`projects/P/traces/ID`) and `spanId` link the entry to its trace.
import type { LogRecord } from '../../types.js';
import { documentAttributes, documentFields, hexId, jsonTime, type DocumentFields } from './json-logs.js';
import { entryRecord, SkippedEntries } from './export-entries.js';
import { isObject } from '../../../util/objects.js';

const RESOURCE_SERVICE_LABELS = ['container_name', 'service_name', 'function_name', 'module_id', 'job_name'];
const ENTRY_SERVICE_LABELS = ['k8s-pod/app', 'k8s-pod/app_kubernetes_io/name', 'service_name'];

export function isLogEntry(doc: unknown): boolean {
  if (!isObject(doc)) return false;
  const timed = typeof doc.timestamp === 'string' || typeof doc.receiveTimestamp === 'string';
  const named = typeof doc.logName === 'string' || typeof doc.insertId === 'string';
  return timed && named && ('textPayload' in doc || 'jsonPayload' in doc || 'protoPayload' in doc || isObject(doc.resource));
}

/** An array of entries, the API's `{"entries": […]}`, or one entry (a line of a sink's JSON Lines). */
export function looksLikeCloudLogging(doc: unknown): boolean {
  // The first few entries: one damaged entry at the start does not make the file something else.
  if (Array.isArray(doc)) return doc.slice(0, 5).some(isLogEntry);
  if (isObject(doc) && Array.isArray(doc.entries)) return doc.entries.slice(0, 5).some(isLogEntry);
  return isLogEntry(doc);
}

function stringLabel(o: unknown, keys: string[]): string | undefined {
  if (!isObject(o)) return undefined;
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return undefined;
}

/** An audit log's payload in a line: `method resource: status message`. */
function protoBody(p: Record<string, unknown>): string {
  const method = typeof p.methodName === 'string' ? p.methodName : undefined;
  if (!method) return JSON.stringify(p);
  const res = typeof p.resourceName === 'string' ? ` ${p.resourceName}` : '';
  const status = isObject(p.status) && typeof p.status.message === 'string' && p.status.message ? `: ${p.status.message}` : '';
  return `${method}${res}${status}`;
}

/** A request log with no payload (a load balancer's): `GET url status`. */
function requestBody(h: unknown): string | undefined {
  if (!isObject(h)) return undefined;
  const parts = [h.requestMethod, h.requestUrl, h.status].filter((v) => v !== undefined && v !== '');
  return parts.length ? parts.join(' ') : undefined;
}

function entryRecordOf(e: unknown, fallbackService: string): LogRecord | string {
  if (!isLogEntry(e)) return 'not a LogEntry (`timestamp`, `logName`/`insertId` and a payload or `resource`)';
  const d = e as Record<string, unknown>;
  const timeMs = jsonTime(d.timestamp) ?? jsonTime(d.receiveTimestamp);
  if (timeMs === undefined) return 'unreadable `timestamp`';
  const attributes: Record<string, string | number | boolean> = {};
  let payload: DocumentFields = {};
  let body: string | undefined;
  if (typeof d.textPayload === 'string' || typeof d.textPayload === 'number' || typeof d.textPayload === 'boolean') body = String(d.textPayload).replace(/\r?\n$/, '');
  else if (isObject(d.jsonPayload)) {
    payload = documentFields(d.jsonPayload);
    body = payload.message ?? JSON.stringify(d.jsonPayload);
    documentAttributes(d.jsonPayload, attributes, '', payload.messageKey);
  } else if (isObject(d.protoPayload)) {
    body = protoBody(d.protoPayload);
    documentAttributes(d.protoPayload, attributes, 'protoPayload.');
  }
  body ??= requestBody(d.httpRequest) ?? '';
  if (isObject(d.resource)) documentAttributes(d.resource, attributes, 'resource.');
  if (isObject(d.labels)) for (const [k, v] of Object.entries(d.labels)) if (typeof v === 'string') attributes[`labels.${k}`] = v;
  if (isObject(d.httpRequest)) documentAttributes(d.httpRequest, attributes, 'httpRequest.');
  for (const k of ['logName', 'insertId']) if (typeof d[k] === 'string') attributes[k] = d[k] as string;
  const resourceLabels = isObject(d.resource) ? d.resource.labels : undefined;
  const severity = typeof d.severity === 'string' && d.severity !== 'DEFAULT' ? d.severity : undefined;
  return entryRecord(
    {
      timeMs,
      body,
      attributes,
      level: severity ?? payload.level,
      service: stringLabel(resourceLabels, RESOURCE_SERVICE_LABELS) ?? stringLabel(d.labels, ENTRY_SERVICE_LABELS) ?? payload.service,
      traceId: hexId(d.trace, 32) ?? payload.traceId,
      spanId: hexId(d.spanId, 16) ?? payload.spanId,
    },
    fallbackService,
  );
}

/** The records of a file's documents (arrays of entries, `entries:list` answers, entries); returns the problems to report. */
export function cloudLoggingRecords(file: string, docs: unknown[], fallbackService: string, out: LogRecord[]): string[] {
  const skipped = new SkippedEntries('entry(ies)');
  docs.forEach((doc, d) => {
    const entries = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.entries) ? doc.entries : [doc];
    entries.forEach((e, i) => {
      const r = entryRecordOf(e, fallbackService);
      if (typeof r === 'string') skipped.skip(r, docs.length > 1 ? `document ${d + 1}, entry ${i + 1}` : `entry ${i + 1}`);
      else out.push(r);
    });
  });
  return skipped.note(file);
}
