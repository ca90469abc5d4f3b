// The labels a bundle log record has in Loki after OTLP ingestion: a few resource attributes become
// index (stream) labels, everything else is structured metadata (Loki's documented OTLP defaults, with
// dots turned into underscores), plus `detected_level` as Loki's distributor adds it.
import type { LogRecord } from '../../sources/types.js';
import { detectLevel } from '../../analysis/logs/level.js';
import { sanitizeLabelName } from '../logql.js';

/** Resource attributes Loki indexes by default (its `default_resource_attributes_as_index_labels`). */
const INDEXED_RESOURCE = new Set([
  'service.name',
  'service.namespace',
  'service.instance.id',
  'deployment.environment',
  'deployment.environment.name',
  'cloud.region',
  'cloud.availability_zone',
  'k8s.cluster.name',
  'k8s.namespace.name',
  'k8s.container.name',
  'container.name',
  'k8s.replicaset.name',
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
  'k8s.cronjob.name',
  'k8s.job.name',
]);

export interface RecordLabels {
  stream: Record<string, string>;
  metadata: Record<string, string>;
}

// Records are loaded once per bundle and kept: their labels are computed once too.
const cache = new WeakMap<LogRecord, RecordLabels>();

export function recordLabels(r: LogRecord): RecordLabels {
  let l = cache.get(r);
  if (l) return l;
  const stream: Record<string, string> = { service_name: r.service || 'unknown_service' };
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.resource)) {
    if (k === 'service.name') continue;
    (INDEXED_RESOURCE.has(k) ? stream : metadata)[sanitizeLabelName(k)] = String(v);
  }
  for (const [k, v] of Object.entries(r.attributes)) metadata[sanitizeLabelName(k)] = String(v);
  if (r.severityText) metadata.severity_text = r.severityText;
  if (r.severityNumber !== undefined) metadata.severity_number = String(r.severityNumber);
  if (r.traceId) metadata.trace_id = r.traceId;
  if (r.spanId) metadata.span_id = r.spanId;
  metadata.detected_level ??= detectLevel(r);
  l = { stream, metadata };
  cache.set(r, l);
  return l;
}
