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
  const labels: Attributes = {};
  for (const [k, v] of Object.entries(d.labels ?? {})) if (typeof v === 'string') labels[k] = v;
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
    body: d.line,
    severityText: level,
    attributes: labels,
    resource: { 'service.name': service },
    traceId: traceId?.toLowerCase().padStart(32, '0'),
  };
}
