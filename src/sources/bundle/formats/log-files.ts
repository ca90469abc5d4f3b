// Log files in the formats other than OTLP/JSON: OTLP protobuf, logcli JSON Lines, plain text.
import { stat } from 'node:fs/promises';
import type { LogRecord } from '../../types.js';
import { parseLogsData } from '../../otlp-logs.js';
import { BundleFileError, parseJsonDocuments } from '../files.js';
import { TIME_FIELDS_NAMED, jsonLineShare, parseJsonLogLines } from './json-logs.js';
import { looksLikeCri, parseCriLog } from './cri-logs.js';
import { decodeOtlpProtoFile } from './otlp-proto.js';
import { isLogcliEntry, isLokiStreamsAnswer, logcliRecord, lokiStreamsRecords } from './logcli.js';
import { parsePlainLog, serviceFromFileName } from './plain-logs.js';
import type { Format } from './detect.js';
import { decodeCsvLogs } from './csv-files.js';
import { elasticHitsRecords } from './elastic-hits.js';
import { cloudWatchRecords } from './cloudwatch-logs.js';
import { cloudLoggingRecords } from './cloud-logging.js';
import { logAnalyticsRecords } from './azure-log-analytics.js';
import { frameLogRecords, grafanaFrames } from './grafana-frames.js';

/** The readers of other stacks' log exports: a file's JSON documents → records, and the problems to report. */
const EXPORT_READERS: Partial<Record<Format, (file: string, docs: unknown[], service: string, out: LogRecord[]) => string[]>> = {
  'elastic-json': elasticHitsRecords,
  'cloudwatch-json': cloudWatchRecords,
  'cloud-logging-json': cloudLoggingRecords,
  'log-analytics-json': logAnalyticsRecords,
  'grafana-frames': (file, docs, service, out) =>
    docs.flatMap((doc) => {
      const frames = grafanaFrames(doc);
      if (!frames) throw new BundleFileError(file, 'not Grafana data frames (expected {"results": {…: {"frames": […]}}}, a list of {schema, data} or {"series": [{fields}]})');
      return frameLogRecords(file, frames, service, out);
    }),
};

export function isOtherLogFormat(format: Format | undefined): boolean {
  return (format !== undefined && format in EXPORT_READERS) || format === 'otlp-proto' || format === 'csv-logs' || format === 'logcli-jsonl' || format === 'loki-json' || format === 'json-log' || format === 'text-log';
}

/** Decodes one file into `out`; returns what the caller should report (skipped records and why). */
export async function decodeLogFile(file: string, bytes: Buffer, format: Format, out: LogRecord[]): Promise<string[]> {
  const notes: string[] = [];
  if (format === 'otlp-proto') {
    const docs = decodeOtlpProtoFile(file, bytes, 'LogsData');
    let skipped = 0;
    for (const doc of docs) skipped += parseLogsData(doc, out).skipped;
    if (skipped) notes.push(`${file}: ${skipped} log record(s) without a timestamp skipped`);
    return notes;
  }
  const service = serviceFromFileName(file);
  if (format === 'csv-logs') return decodeCsvLogs(file, bytes.toString('utf8'), service, out);
  const exportReader = EXPORT_READERS[format];
  if (exportReader) {
    const docs = parseJsonDocuments(file, bytes.toString('utf8'), notes);
    return [...notes, ...exportReader(file, docs, service, out)];
  }
  if (format === 'loki-json') {
    let skipped = 0;
    for (const doc of parseJsonDocuments(file, bytes.toString('utf8'), notes)) {
      if (!isLokiStreamsAnswer(doc)) throw new BundleFileError(file, 'not a Loki query answer (expected {"data": {"resultType": "streams", "result": [...]}})');
      skipped += lokiStreamsRecords(doc, service, out);
    }
    if (skipped) notes.push(`${file}: ${skipped} value(s) skipped (no nanosecond time or no line)`);
    return notes;
  }
  if (format === 'logcli-jsonl') {
    let bad = 0;
    let firstWhy = '';
    for (const doc of parseJsonDocuments(file, bytes.toString('utf8'), notes)) {
      const r = isLogcliEntry(doc) ? logcliRecord(doc, service) : 'not a logcli entry ({"labels", "line", "timestamp"})';
      if (typeof r === 'string') {
        bad++;
        firstWhy ||= r;
      } else out.push(r);
    }
    if (bad) notes.push(`${file}: ${bad} line(s) skipped (first: ${firstWhy})`);
    return notes;
  }
  const mtime = (await stat(file).catch(() => undefined))?.mtimeMs ?? Date.now();
  const text = bytes.toString('utf8');
  // Lines with no year, or no time at all, take the file's.
  const fileTime = { year: new Date(mtime).getUTCFullYear(), fallbackMs: mtime };
  // JSON lines, when most lines are (a first JSON line alone does not make the rest JSON).
  if (format === 'json-log' && jsonLineShare(text) >= 0.5) {
    const res = parseJsonLogLines(text, service, fileTime);
    for (const r of res.records) out.push(r);
    if (res.untimed === res.records.length && res.records.length) notes.push(`${file}: no line has a time field (${TIME_FIELDS_NAMED}); its ${res.records.length} line(s) carry the file's modification time (${new Date(mtime).toISOString()})`);
    return notes;
  }
  if (looksLikeCri(text)) {
    const res = parseCriLog(text, service);
    for (const r of res.records) out.push(r);
    return notes;
  }
  const res = parsePlainLog(text, service, fileTime);
  for (const r of res.records) out.push(r);
  if (res.noTimes) notes.push(`${file}: no line starts with a time; its ${res.records.length} line(s) carry the file's modification time (${new Date(mtime).toISOString()})`);
  return notes;
}
