// Plain text logs, one service per file (the service is the file's name without its extensions:
// `checkout.log` → checkout, `payment-2024-05-07.log.gz` → payment). Each line that starts with a time
// is a record; a line without one continues the record before it (stack traces, wrapped messages).
// Lines before the first time take that time; a file with no time at all is reported and carries its
// modification time, so it still shows in a window around it. When most lines carry no time, the few
// that seem to are not trusted to group the rest: every line is its own record (at the last time seen).
// Formats without a year take it from a line of the same file that has one, else from the file's date.
import path from 'node:path';
import type { LogRecord } from '../../types.js';
import { lineTime } from './line-time.js';

/** A record grows by continuation lines up to this size; what follows is dropped. */
export const MAX_RECORD_CHARS = 64 * 1024;

/** Adds a line that continues the last record (a stack frame, a wrapped message); false when there is none. */
export function continueLast(records: LogRecord[], line: string): boolean {
  const last = records[records.length - 1];
  if (!last) return false;
  if (last.body.length < MAX_RECORD_CHARS) last.body += `\n${line}`;
  return true;
}

/** Kubernetes' node log links: /var/log/containers/<pod>_<namespace>_<container>-<container id>.log. */
const K8S_CONTAINER_LOG = /^[a-z0-9][a-z0-9.-]*_[a-z0-9-]+_([a-z0-9][a-z0-9-]*)-[0-9a-f]{64}$/;

/**
 * The service a log file is about, from its name: extensions and a trailing date or rotation number
 * removed. Kubernetes' node logs name the container: in the link's name (/var/log/containers/…), or as
 * the folder of a numbered file (/var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log, rotated
 * 0.log.20240507-101010.gz).
 */
export function serviceFromFileName(file: string): string {
  let base = path.basename(file).replace(/\.gz$/i, '');
  base = base.replace(/\.log\.\d{8}-\d{6}$/, '.log');
  base = base.replace(/\.(log|txt|out|err|jsonl|ndjson|json)(\.\d+)?$/i, '');
  const k8s = K8S_CONTAINER_LOG.exec(base);
  if (k8s) return k8s[1]!;
  if (/^\d+$/.test(base)) {
    const folder = path.basename(path.dirname(file));
    if (folder && folder !== '.' && folder !== path.sep) return serviceFromFileName(folder);
  }
  base = base.replace(/[-_.]\d{4}-?\d{2}-?\d{2}(T?\d{2}(:?\d{2}){0,2})?$/, '').replace(/\.\d+$/, '');
  return base || 'unknown';
}

export interface PlainLogResult {
  records: LogRecord[];
  /** Lines that had no time of their own (continuations, or lines before the first time). */
  untimedLines: number;
  /** True when no line had a time and every record carries `fallbackMs`. */
  noTimes: boolean;
}

/** Lines looked at to learn a file's year and whether its lines carry times. */
const SAMPLE_LINES = 500;

/** A line that reads as the rest of the record before it: indented, a stack frame, an exception's
 * "Caused by" / "... N more", a Python traceback, an exception class heading its message, a closing bracket. */
const CONTINUATION = /^(\s|at\s|Caused by|\.\.\.\s*\d+\s+more|Traceback|[\w$.]+(Exception|Error|Throwable)\b|[}\])])/;

/** The year of the first sampled line whose time names one (the same time whatever year is assumed). */
function yearInText(lines: string[]): number | undefined {
  for (const l of lines) {
    const a = lineTime(l, 2000);
    if (a !== undefined && a === lineTime(l, 2001)) return new Date(a).getUTCFullYear();
  }
  return undefined;
}

export function parsePlainLog(text: string, service: string, opts: { year: number; fallbackMs: number }): PlainLogResult {
  const resource = { 'service.name': service };
  const records: LogRecord[] = [];
  let pending: string[] = [];
  let untimedLines = 0;
  const lines = text.split('\n');
  const sample = lines.slice(0, SAMPLE_LINES).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.trim() !== '');
  const year = yearInText(sample) ?? opts.year;
  // Continuation lines only make sense in a file whose lines mostly start with a time, or whose untimed
  // lines look like continuations (a log heavy with stack traces).
  let timedInSample = 0;
  let continued = 0;
  for (const l of sample) {
    if (lineTime(l, year) !== undefined) timedInSample++;
    else if (CONTINUATION.test(l)) continued++;
  }
  const untimed = sample.length - timedInSample;
  const lineRecords = timedInSample > 0 && timedInSample < sample.length / 2 && continued < untimed / 2;
  for (let raw of lines) {
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw.trim() === '') continue;
    const t = lineTime(raw, year);
    if (t === undefined) {
      untimedLines++;
      const last = records[records.length - 1];
      if (lineRecords) {
        if (last) records.push({ timeMs: last.timeMs, service, body: raw, attributes: {}, resource });
        else pending.push(raw);
      } else if (!continueLast(records, raw)) pending.push(raw);
      continue;
    }
    if (lineRecords && pending.length) {
      for (const body of pending) records.push({ timeMs: t, service, body, attributes: {}, resource });
      pending = [];
    }
    const body = pending.length ? `${pending.join('\n')}\n${raw}` : raw;
    pending = [];
    records.push({ timeMs: t, service, body, attributes: {}, resource });
  }
  if (!records.length && pending.length) {
    // No time anywhere: one record per line at the file's time, so the lines can still be searched.
    for (const body of pending) records.push({ timeMs: opts.fallbackMs, service, body, attributes: {}, resource });
    return { records, untimedLines, noTimes: true };
  }
  return { records, untimedLines, noTimes: false };
}
