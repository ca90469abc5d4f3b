// `logcli query --output=jsonl`: one JSON object per line with `timestamp` (RFC 3339 with nanoseconds
// and the zone logcli was told), `line` (the log line) and `labels` (the stream labels; absent with
// --no-labels). The service is the label Loki itself derives it from (service_name), else the usual
// ones (service, app, job, container…).
import type { Attributes, LogRecord } from '../../types.js';
import { parseTimeValue } from './line-time.js';

const SERVICE_LABELS = ['service_name', 'service', 'app', 'application', 'app_kubernetes_io_name', 'job', 'container', 'component'];
const LEVEL_LABELS = ['level', 'detected_level', 'severity', 'lvl'];
const TRACE_LABELS = ['trace_id', 'traceID', 'traceId'];

export function isLogcliEntry(doc: unknown): boolean {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const d = doc as Record<string, unknown>;
  return typeof d.line === 'string' && typeof d.timestamp === 'string' && (d.labels === undefined || (typeof d.labels === 'object' && d.labels !== null));
}

/** One logcli JSON line → a record; undefined (and why) when its time does not parse. */
export function logcliRecord(doc: unknown, fallbackService: string): LogRecord | string {
  const d = doc as { line: string; timestamp: string; labels?: Record<string, unknown> };
  const timeMs = parseTimeValue(d.timestamp);
  if (timeMs === undefined) return `unreadable timestamp "${String(d.timestamp).slice(0, 40)}"`;
  return streamRecord(d.labels ?? {}, timeMs, d.line, fallbackService);
}

/** A line of a Loki stream with its labels: the service and level from the labels Loki derives them from. */
function streamRecord(streamLabels: Record<string, unknown>, timeMs: number, line: string, fallbackService: string): LogRecord {
  const labels: Attributes = {};
  for (const [k, v] of Object.entries(streamLabels)) if (typeof v === 'string') labels[k] = v;
  let service = fallbackService;
  for (const k of SERVICE_LABELS) {
    const v = labels[k];
    if (typeof v === 'string' && v !== '') {
      // A Prometheus-style job is often `namespace/app`.
      service = k === 'job' && v.includes('/') ? v.slice(v.lastIndexOf('/') + 1) : v;
      break;
    }
  }
  const level = LEVEL_LABELS.map((k) => labels[k]).find((v): v is string => typeof v === 'string' && v !== '');
  const traceId = TRACE_LABELS.map((k) => labels[k]).find((v): v is string => typeof v === 'string' && /^[0-9a-f]{16,32}$/i.test(v));
  return {
    timeMs,
    service,
    body: line,
    severityText: level,
    attributes: labels,
    resource: { 'service.name': service },
    traceId: traceId?.toLowerCase().padStart(32, '0'),
  };
}

/** Loki's query answer for a log query (`/loki/api/v1/query_range`, `resultType: "streams"`). */
export function isLokiStreamsAnswer(doc: unknown): boolean {
  const d = (doc as { data?: { resultType?: unknown; result?: unknown } } | null)?.data;
  return !!d && d.resultType === 'streams' && Array.isArray(d.result);
}

/**
 * The records of a Loki `streams` answer: each value is [nanoseconds as a string, line] and, with
 * structured metadata, a third element of labels, which join the stream's. Returns how many values
 * were skipped (unreadable time or line).
 */
export function lokiStreamsRecords(doc: unknown, fallbackService: string, out: LogRecord[]): number {
  let skipped = 0;
  for (const s of (doc as { data: { result: unknown[] } }).data.result) {
    const stream = (s as { stream?: Record<string, unknown>; values?: unknown[] }) ?? {};
    for (const v of Array.isArray(stream.values) ? stream.values : []) {
      const [ts, line, meta] = Array.isArray(v) ? v : [];
      const timeMs = typeof ts === 'string' ? parseTimeValue(ts) : undefined;
      if (timeMs === undefined || typeof line !== 'string') {
        skipped++;
        continue;
      }
      const labels = meta && typeof meta === 'object' && !Array.isArray(meta) ? { ...stream.stream, ...(meta as Record<string, unknown>) } : (stream.stream ?? {});
      out.push(streamRecord(labels, timeMs, line, fallbackService));
    }
  }
  return skipped;
}
