// Writes simulated spans and log records as OTLP/JSON, the way an OpenTelemetry Collector file
// exporter does: one TracesData / LogsData document per line, one line per 10 s export batch.
import { PODS, SERVICES, type Pod } from './scenario.js';
import type { Attr, AttrValue, SimLog, SimSpan } from './model.js';

const BATCH_US = 10_000_000;

function anyValue(v: AttrValue): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if ('int' in v) return { intValue: String(v.int) };
  return { doubleValue: v.double };
}

export function attributes(attrs: Attr[]): { key: string; value: Record<string, unknown> }[] {
  return attrs.map((a) => ({ key: a.key, value: anyValue(a.value) }));
}

export function resource(pod: Pod): { attributes: ReturnType<typeof attributes> } {
  const svc = SERVICES[pod.service]!;
  return {
    attributes: attributes([
      { key: 'service.name', value: pod.service },
      { key: 'service.namespace', value: svc.namespace },
      { key: 'service.version', value: pod.version },
      { key: 'deployment.environment.name', value: 'production' },
      { key: 'k8s.namespace.name', value: svc.namespace },
      { key: 'k8s.pod.name', value: pod.name },
      { key: 'k8s.deployment.name', value: pod.service },
      { key: 'host.name', value: pod.host },
      { key: 'telemetry.sdk.name', value: 'opentelemetry' },
      { key: 'telemetry.sdk.language', value: svc.language === 'go' ? 'go' : 'nodejs' },
      { key: 'telemetry.sdk.version', value: svc.language === 'go' ? '1.27.0' : '1.25.1' },
    ]),
  };
}

const SCOPE_VERSIONS: Record<string, string> = {
  '@opentelemetry/instrumentation-http': '0.52.1',
  '@opentelemetry/instrumentation-undici': '0.4.0',
  'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp': '0.52.0',
  'github.com/XSAM/otelsql': '0.31.0',
};

const nanos = (us: number): string => `${Math.round(us)}000`;

/** Group items into export batches (by time), then by pod (resource) and scope, keeping a stable order. */
function batches<T extends { pod: Pod; scope: string }>(items: T[], timeOf: (t: T) => number): Map<number, Map<Pod, Map<string, T[]>>> {
  const sorted = [...items].sort((a, b) => timeOf(a) - timeOf(b));
  const out = new Map<number, Map<Pod, Map<string, T[]>>>();
  for (const item of sorted) {
    const b = Math.floor(timeOf(item) / BATCH_US);
    let byPod = out.get(b);
    if (!byPod) out.set(b, (byPod = new Map()));
    let byScope = byPod.get(item.pod);
    if (!byScope) byPod.set(item.pod, (byScope = new Map()));
    let list = byScope.get(item.scope);
    if (!list) byScope.set(item.scope, (list = []));
    list.push(item);
  }
  return out;
}

const podOrder = (a: Pod, b: Pod): number => PODS.indexOf(a) - PODS.indexOf(b);

function spanJson(s: SimSpan): Record<string, unknown> {
  const out: Record<string, unknown> = { traceId: s.traceId, spanId: s.spanId };
  if (s.parentSpanId) out.parentSpanId = s.parentSpanId;
  // W3C sampled flag, plus "parent is remote" (0x300) on server spans continuing a caller's trace.
  out.flags = s.kind === 2 && s.parentSpanId ? 0x301 : 0x101;
  out.name = s.name;
  out.kind = s.kind;
  out.startTimeUnixNano = nanos(s.startUs);
  out.endTimeUnixNano = nanos(s.endUs);
  out.attributes = attributes(s.attrs);
  if (s.events.length) out.events = s.events.map((e) => ({ timeUnixNano: nanos(e.timeUs), name: e.name, attributes: attributes(e.attrs) }));
  out.status = s.status ? (s.status.message ? { message: s.status.message, code: s.status.code } : { code: s.status.code }) : {};
  return out;
}

/** JSON Lines of TracesData, one per export batch (spans batched by end time, as exporters do). */
export function tracesJsonLines(spans: SimSpan[]): string {
  const lines: string[] = [];
  for (const [, byPod] of batches(spans, (s) => s.endUs)) {
    const resourceSpans = [...byPod.keys()].sort(podOrder).map((pod) => ({
      resource: resource(pod),
      scopeSpans: [...byPod.get(pod)!.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([scope, list]) => ({
          scope: SCOPE_VERSIONS[scope] ? { name: scope, version: SCOPE_VERSIONS[scope] } : { name: scope },
          spans: list.map(spanJson),
        })),
    }));
    lines.push(JSON.stringify({ resourceSpans }));
  }
  return lines.join('\n') + '\n';
}

function logJson(l: SimLog): Record<string, unknown> {
  const out: Record<string, unknown> = { timeUnixNano: nanos(l.timeUs), observedTimeUnixNano: nanos(l.timeUs + 180_000 + (l.timeUs % 97_000)) };
  if (l.severityNumber !== undefined) out.severityNumber = l.severityNumber;
  if (l.severityText !== undefined) out.severityText = l.severityText;
  out.body = { stringValue: l.body };
  out.attributes = attributes([{ key: 'log.iostream', value: 'stdout' }, ...l.attrs]);
  if (l.traceId) {
    out.flags = 1;
    out.traceId = l.traceId;
    out.spanId = l.spanId;
  }
  return out;
}

/** JSON Lines of LogsData, one per export batch. */
export function logsJsonLines(logs: SimLog[]): string {
  const lines: string[] = [];
  for (const [, byPod] of batches(logs, (l) => l.timeUs)) {
    const resourceLogs = [...byPod.keys()].sort(podOrder).map((pod) => ({
      resource: resource(pod),
      scopeLogs: [...byPod.get(pod)!.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([scope, list]) => ({ scope: { name: scope }, logRecords: list.map(logJson) })),
    }));
    lines.push(JSON.stringify({ resourceLogs }));
  }
  return lines.join('\n') + '\n';
}
