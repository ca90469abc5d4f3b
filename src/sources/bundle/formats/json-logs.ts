// Application logs written as JSON, one object per line (pino, zap, logrus, bunyan, structlog, ECS,
// GCP Cloud Logging and Elastic exports), and the envelopes log shippers write around a line (Docker's
// json-file `{"log", "stream", "time"}`, `journalctl -o json`). Each line's time, level, service and
// trace id come from the fields that carry them in those formats; a line that is not JSON continues the
// record before it (a stack trace printed raw), as in plain text logs. The record's body is the line as
// written (what Loki stores and LogQL filters), except for an envelope, whose body is the line it wraps.
import type { Attributes, LogRecord } from '../../types.js';
import { epochNumberMs, lineTime, parseTimeValue } from './line-time.js';
import { continueLast } from './plain-logs.js';
import { pinoLevel } from '../../../analysis/logs/level.js';
import { isObject } from '../../../util/objects.js';

const TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'ts', 't', 'datetime', 'date', 'eventTime', 'receiveTimestamp', 'timeUnixNano', '__REALTIME_TIMESTAMP'];
/** The time fields read, as a problem names them. */
export const TIME_FIELDS_NAMED = TIME_KEYS.slice(0, 5).join(', ') + '…';
const MESSAGE_KEYS = ['message', 'msg', 'MESSAGE', 'log', 'textPayload', 'body', '@message', 'jsonPayload.message', 'event', 'Message'];
const LEVEL_KEYS = ['level', 'log.level', 'severity', 'lvl', 'levelname', 'loglevel', 'severityText', 'SeverityText', 'Level', 'LEVEL', 'PRIORITY'];
const SERVICE_KEYS = [
  'service.name',
  'service',
  'serviceName',
  'service_name',
  'resource.service.name',
  'kubernetes.labels.app',
  'kubernetes.container_name',
  'kubernetes.container.name',
  'resource.labels.container_name',
  'resource.labels.service_name',
  'resource.labels.function_name',
  'app',
  'application',
  'container_name',
  '_SYSTEMD_UNIT',
  'SYSLOG_IDENTIFIER',
];
const TRACE_KEYS = ['trace_id', 'traceId', 'trace.id', 'traceID', 'otelTraceID', 'logging.googleapis.com/trace'];
const SPAN_KEYS = ['span_id', 'spanId', 'span.id', 'spanID', 'otelSpanID', 'logging.googleapis.com/spanId'];
/** Nested objects are read to this depth, and at most this many fields of a line. */
const MAX_DEPTH = 3;
const MAX_FIELDS = 200;

/**
 * A line's fields by dotted path (`kubernetes.container_name`), looked up where they are: a key may hold
 * dots itself (ECS `log.level`) or name nested objects. Only the fields asked for are read (no copy of
 * the line's fields: most lines are read for a dozen names).
 */
class Fields {
  constructor(readonly doc: Record<string, unknown>) {}
  get(path: string): unknown {
    return lookup(this.doc, path, 0);
  }
  has(path: string): boolean {
    return this.get(path) !== undefined;
  }
}


function lookup(o: Record<string, unknown>, path: string, depth: number): unknown {
  const v = o[path];
  if (v !== undefined && !isObject(v)) return v;
  if (depth >= MAX_DEPTH) return undefined;
  // `a.b.c`: `a` then `b.c`, or `a.b` then `c`.
  for (let dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
    const child = o[path.slice(0, dot)];
    if (isObject(child)) {
      const r = lookup(child, path.slice(dot + 1), depth + 1);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** Every field of a line by dotted path (an envelope's fields, kept as attributes). */
function flatten(doc: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (o: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(o)) {
      if (out.size >= MAX_FIELDS) return;
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        if (depth < MAX_DEPTH) walk(v as Record<string, unknown>, key, depth + 1);
      } else out.set(key, v);
    }
  };
  walk(doc, '', 0);
  return out;
}

function first(f: Fields, keys: string[]): unknown {
  for (const k of keys) {
    const v = f.get(k);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** An epoch in seconds, milliseconds, microseconds or nanoseconds (told apart by size), or a time string. */
export function jsonTime(v: unknown): number | undefined {
  if (typeof v === 'string') {
    if (/^\d{16}$/.test(v)) return Number(v) / 1000; // journald's microseconds
    if (/^\d{19}$/.test(v)) return parseTimeValue(v);
    const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    return Number.isFinite(n) ? jsonTime(n) : parseTimeValue(v);
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return undefined;
  // A small number in a field named like a time (a counter, a duration) is no date.
  return epochNumberMs(v);
}

/** A level as written (normalised later, as for every record), from a name or a number (pino/bunyan 10…60, syslog 0…7). */
function levelOf(v: unknown, key: string): string | undefined {
  if (typeof v === 'string' && !/^\d+$/.test(v)) return v;
  const n = Number(v);
  if (!Number.isInteger(n)) return undefined;
  if (key === 'PRIORITY' && n >= 0 && n <= 7) return ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'][n];
  return pinoLevel(n);
}

export function hexId(v: unknown, len: number): string | undefined {
  if (typeof v !== 'string') return undefined;
  const id = v.slice(v.lastIndexOf('/') + 1); // GCP: projects/P/traces/ID
  return /^[0-9a-fA-F]+$/.test(id) && id.length <= len && id.length >= len / 2 ? id.toLowerCase().padStart(len, '0') : undefined;
}

/** Docker json-file and journald lines wrap the line the program wrote: that line is the record's body. */
function envelopeMessage(f: Fields): string | undefined {
  const log = f.get('log');
  if (typeof log === 'string' && f.has('stream') && Object.keys(f.doc).every((k) => k === 'log' || k === 'stream' || k === 'time' || k === 'attrs')) return log.replace(/\r?\n$/, '');
  const msg = f.get('MESSAGE');
  if (typeof msg === 'string' && (f.has('__REALTIME_TIMESTAMP') || f.has('_SYSTEMD_UNIT'))) return msg;
  return undefined;
}

interface LineFields {
  level?: string;
  service?: string;
  traceId?: string;
  spanId?: string;
}

/** A line's level, service and trace ids, from the fields that carry them. */
function fieldsOf(f: Fields): LineFields {
  let level: string | undefined;
  for (const k of LEVEL_KEYS) {
    const v = f.get(k);
    if (v === undefined || v === null || v === '') continue;
    level = levelOf(v, k);
    break;
  }
  const svc = first(f, SERVICE_KEYS);
  let service = typeof svc === 'string' && svc.trim() ? svc.trim() : undefined;
  // journald names the unit: `orders.service` is the service orders.
  if (service?.endsWith('.service') && f.get('_SYSTEMD_UNIT') === service) service = service.slice(0, -'.service'.length);
  return { level, service, traceId: hexId(first(f, TRACE_KEYS), 32), spanId: hexId(first(f, SPAN_KEYS), 16) };
}

/** The level, service and trace ids of one line that is a JSON object (a line inside another format), or undefined. */
export function jsonLineFields(line: string): LineFields | undefined {
  const doc = line.trimStart().startsWith('{') ? parsesAsObject(line) : undefined;
  return doc ? fieldsOf(new Fields(doc)) : undefined;
}

export interface JsonLogResult {
  records: LogRecord[];
  /** Lines that are not JSON objects (added to the record before them). */
  otherLines: number;
  /** Records whose time came from no field (the record before them gave it). */
  untimed: number;
}

/** The fraction of sampled non-empty lines that are JSON objects. */
export function jsonLineShare(text: string, sample = 50): number {
  let seen = 0;
  let json = 0;
  for (const line of text.split('\n', sample * 4)) {
    const l = line.trim();
    if (!l) continue;
    seen++;
    if (l.startsWith('{') && parsesAsObject(l)) json++;
    if (seen >= sample) break;
  }
  return seen ? json / seen : 0;
}

function parsesAsObject(l: string): Record<string, unknown> | undefined {
  try {
    const d = JSON.parse(l) as unknown;
    return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function parseJsonLogLines(text: string, fallbackService: string, opts: { year: number; fallbackMs: number }): JsonLogResult {
  const records: LogRecord[] = [];
  let otherLines = 0;
  let untimed = 0;
  let lastTime: number | undefined;
  const pending: LogRecord[] = [];
  for (let raw of text.split('\n')) {
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw.trim() === '') continue;
    const doc = raw.trimStart().startsWith('{') ? parsesAsObject(raw) : undefined;
    if (!doc) {
      otherLines++;
      if (!continueLast(records, raw)) pending.push(record(raw, { service: fallbackService }, {}, undefined));
      continue;
    }
    const f = new Fields(doc);
    const inner = envelopeMessage(f);
    const body = inner ?? raw;
    const message = inner ?? first(f, MESSAGE_KEYS);
    let timeMs = jsonTime(first(f, TIME_KEYS));
    if (timeMs === undefined && typeof message === 'string') timeMs = lineTime(message, opts.year);
    const fields = fieldsOf(f);
    const attributes: Attributes = {};
    // An envelope's own fields (stream, unit, host) are not in its body: they stay as attributes.
    if (inner !== undefined) for (const [k, v] of flatten(doc)) if (typeof v === 'string' && k !== 'log' && k !== 'MESSAGE' && !k.startsWith('__')) attributes[k] = v;
    const r = record(body, { ...fields, service: fields.service ?? fallbackService }, attributes, timeMs);
    if (timeMs === undefined) {
      untimed++;
      if (lastTime === undefined) {
        pending.push(r);
        continue;
      }
      r.timeMs = lastTime;
    } else lastTime = timeMs;
    for (const p of pending.splice(0)) records.push({ ...p, timeMs: r.timeMs });
    records.push(r);
  }
  // No line with a time: every record carries the file's time.
  for (const p of pending) records.push({ ...p, timeMs: opts.fallbackMs });
  return { records, otherLines, untimed };
}

/** What a log document of an export holds (an Elasticsearch hit's `_source`, a Cloud Logging `jsonPayload`…),
 * read by the same fields as a JSON log line: its time, message, level, service and trace ids. */
export interface DocumentFields extends LineFields {
  timeMs?: number;
  /** The message field's value and where it is (left out of the attributes: it is the body). */
  message?: string;
  messageKey?: string;
}

export function documentFields(doc: Record<string, unknown>): DocumentFields {
  const f = new Fields(doc);
  const out: DocumentFields = { ...fieldsOf(f), timeMs: jsonTime(first(f, TIME_KEYS)) };
  for (const k of MESSAGE_KEYS) {
    const v = f.get(k);
    if (typeof v === 'string' && v !== '') {
      out.message = v;
      out.messageKey = k;
      break;
    }
  }
  // A message that is itself a JSON line (a program's log wrapped by a shipper) fills in what the document lacks.
  const inner = out.message !== undefined ? jsonLineFields(out.message) : undefined;
  if (inner) {
    out.level ??= inner.level;
    out.service ??= inner.service;
    out.traceId ??= inner.traceId;
    out.spanId ??= inner.spanId;
  }
  return out;
}

/** A document's fields by dotted path as attributes (strings, numbers, booleans; at most MAX_FIELDS), without `skip`. */
export function documentAttributes(doc: Record<string, unknown>, into: Attributes, prefix = '', skip?: string): Attributes {
  for (const [k, v] of flatten(doc)) {
    if (k === skip) continue;
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) into[prefix + k] = v;
  }
  return into;
}

function record(body: string, fields: LineFields & { service: string }, attributes: Attributes, timeMs: number | undefined): LogRecord {
  const r: LogRecord = { timeMs: timeMs ?? 0, service: fields.service, body, attributes, resource: { 'service.name': fields.service } };
  if (fields.level) r.severityText = fields.level;
  if (fields.traceId) r.traceId = fields.traceId;
  if (fields.spanId) r.spanId = fields.spanId;
  return r;
}
