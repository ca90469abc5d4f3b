// What each column of an exported table carries, from its name compared without case or punctuation
// (`@timestamp`, `Timestamp`, `time_stamp` are one name), with the spellings of the products that export
// telemetry as tables: OpenTelemetry's ClickHouse exporter (`otel_traces`, `otel_logs`), Grafana, Kibana /
// Elastic (ECS), Splunk, CloudWatch Logs Insights, Datadog, Loki, and the Nezha dataset's CSVs. The first
// name of a role's list that a table has wins.

export type Role =
  | 'time'
  | 'message'
  | 'level'
  | 'severityNumber'
  | 'service'
  | 'traceId'
  | 'spanId'
  | 'parentId'
  | 'name'
  | 'kind'
  | 'statusCode'
  | 'statusMessage'
  | 'start'
  | 'end'
  | 'duration'
  | 'spanAttributes'
  | 'resourceAttributes'
  | 'logAttributes'
  | 'scopeName'
  | 'scopeVersion'
  | 'traceState'
  | 'eventTimes'
  | 'eventNames'
  | 'eventAttributes'
  | 'metricName'
  | 'value';

/** `Service.Name`, `service_name`, `@service-name` → `servicename`. */
export const normName = (c: string): string => c.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

const ROLE_NAMES: Record<Role, string[]> = {
  // Nezha writes both an RFC 3339 `Timestamp` and `TimeUnixNano`: the nanoseconds are exact.
  time: ['timeunixnano', 'tsns', 'timestamp', 'time', 'ts', 'datetime', 'date', 'eventtime', 'timestamputc', 'timeutc', 'logtime'],
  message: ['message', 'msg', 'body', 'line', 'log', 'raw', 'content', 'logmessage', 'text', 'logline'],
  level: ['level', 'severitytext', 'loglevel', 'severity', 'detectedlevel', 'lvl', 'levelname', 'status'],
  severityNumber: ['severitynumber'],
  service: [
    'servicename',
    'service',
    'resourceservicename',
    'app',
    'application',
    'appname',
    'kubernetescontainername',
    'k8scontainername',
    'podname',
    'pod',
    'kubernetespodname',
    'k8spodname',
    'container',
    'containername',
    'job',
    '=@log',
    'host',
    'hostname',
    'hostnameip',
  ],
  traceId: ['traceid', 'oteltraceid', 'tracetraceid'],
  spanId: ['spanid', 'otelspanid', 'spanspanid'],
  parentId: ['parentspanid', 'parentid', 'parentspan', 'parent', 'spanparentid'],
  name: ['spanname', 'operationname', 'operation', 'name', 'endpoint'],
  kind: ['spankind', 'kind'],
  statusCode: ['statuscode', 'otelstatuscode', 'spanstatuscode', 'status'],
  statusMessage: ['statusmessage', 'statusdescription', 'otelstatusdescription'],
  start: ['starttimeunixnano', 'starttime', 'start', 'starttimestamp', 'startts', 'timestamp', 'time', 'timeunixnano'],
  end: ['endtimeunixnano', 'endtime', 'end', 'endtimestamp', 'endts'],
  duration: ['duration', 'durationnano', 'durationns', 'durationnanos', 'durationus', 'durationmicros', 'durationms', 'durationmillis', 'durations', 'durationseconds', 'elapsed', 'elapsedms', 'latency', 'latencyms'],
  spanAttributes: ['spanattributes', 'attributes', 'tags', 'spantags'],
  resourceAttributes: ['resourceattributes', 'resource', 'processtags'],
  logAttributes: ['logattributes', 'attributes', 'labels', 'fields'],
  scopeName: ['scopename', 'otelscopename'],
  scopeVersion: ['scopeversion', 'otelscopeversion'],
  traceState: ['tracestate'],
  eventTimes: ['eventstimestamp'],
  eventNames: ['eventsname'],
  eventAttributes: ['eventsattributes'],
  metricName: ['metricname', 'metric', 'name', 'metricsname', 'series'],
  value: ['value', 'val', 'metricvalue', 'sample'],
};

export type Roles = Partial<Record<Role, number>>;

/**
 * The column index of each role a table has (a column serves one role at most). A name written `=…` is
 * matched as written: CloudWatch's `@log` is its log group, while a `log` column is a message.
 */
export function mapRoles(columns: string[], roles: Role[]): Roles {
  const norm = columns.map(normName);
  const raw = columns.map((c) => c.trim());
  const out: Roles = {};
  const used = new Set<number>();
  for (const role of roles) {
    for (const name of ROLE_NAMES[role]) {
      const i = name.startsWith('=') ? raw.findIndex((c, j) => c === name.slice(1) && !used.has(j)) : norm.findIndex((n, j) => n === name && raw[j] !== '@log' && !used.has(j));
      if (i >= 0) {
        out[role] = i;
        used.add(i);
        break;
      }
    }
  }
  return out;
}

/** A column named as a time is (`Time`, `TimestampTime`, `ObservedTimestamp`). */
export function isTimeColumn(column: string): boolean {
  const n = normName(column);
  return ROLE_NAMES.time.includes(n) || /^(observed)?(timestamp|time)(time|utc|unixnano)?$/.test(n);
}

/** The roles read from a log table, in the order they claim columns. */
export const LOG_ROLES: Role[] = ['time', 'message', 'traceId', 'spanId', 'severityNumber', 'level', 'service', 'logAttributes', 'resourceAttributes', 'scopeName', 'scopeVersion'];
/** The roles read from a span table. */
export const SPAN_ROLES: Role[] = ['traceId', 'spanId', 'parentId', 'start', 'end', 'duration', 'service', 'name', 'kind', 'statusCode', 'statusMessage', 'spanAttributes', 'resourceAttributes', 'scopeName', 'scopeVersion', 'traceState', 'eventTimes', 'eventNames', 'eventAttributes'];

/** What a table holds by its columns alone: spans, logs, or (time and other columns) maybe metrics. */
export function tableKind(columns: string[]): 'spans' | 'logs' | 'metrics?' | undefined {
  const s = mapRoles(columns, SPAN_ROLES);
  const l = mapRoles(columns, LOG_ROLES);
  // A log table may carry trace and span ids and a request's duration: without a span name it stays logs.
  const spanLike = s.traceId !== undefined && s.spanId !== undefined && s.start !== undefined && (s.end !== undefined || s.duration !== undefined);
  if (spanLike && (s.name !== undefined || l.message === undefined)) return 'spans';
  if (l.time !== undefined && l.message !== undefined) return 'logs';
  if (l.time !== undefined) return 'metrics?';
  return undefined;
}
