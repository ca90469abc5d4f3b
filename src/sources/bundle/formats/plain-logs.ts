// Plain text logs, one service per file (the service is the file's name without its extensions:
// `checkout.log` → checkout, `payment-2024-05-07.log.gz` → payment). Each line that starts with a time
// is a record; a line without one continues the record before it (stack traces, wrapped messages).
// Lines before the first time take that time; a file with no time at all is reported and carries its
// modification time, so it still shows in a window around it.
import path from 'node:path';
import type { LogRecord } from '../../types.js';
import { lineTime } from './line-time.js';

const MAX_RECORD_CHARS = 64 * 1024;

/** The service a log file is about, from its name: extensions and a trailing date or rotation number removed. */
export function serviceFromFileName(file: string): string {
  let base = path.basename(file).replace(/\.gz$/i, '');
  base = base.replace(/\.(log|txt|out|err|jsonl|ndjson|json)(\.\d+)?$/i, '');
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

export function parsePlainLog(text: string, service: string, opts: { year: number; fallbackMs: number }): PlainLogResult {
  const resource = { 'service.name': service };
  const records: LogRecord[] = [];
  let pending: string[] = [];
  let untimedLines = 0;
  const lines = text.split('\n');
  for (let raw of lines) {
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw.trim() === '') continue;
    const t = lineTime(raw, opts.year);
    if (t === undefined) {
      untimedLines++;
      const last = records[records.length - 1];
      if (last && last.body.length < MAX_RECORD_CHARS) last.body += `\n${raw}`;
      else if (!last) pending.push(raw);
      continue;
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
