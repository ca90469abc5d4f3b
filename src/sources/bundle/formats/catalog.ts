// The files of a bundle folder and what each one is. Any folder opens: files are recognised by content
// (detect.ts) wherever they are, the `traces/`, `logs/`, `metrics/`, `profiles/` folders only break
// ties. `incident.yaml`, `profiles/index.yaml`, the `source/` tree, dot files and documents are not telemetry.
import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { readMaybeGzip, walkInside, type Containment } from '../files.js';
import { isGzip } from '../../../util/gzip.js';
import { detectFormat, folderDefault, signalHint, type Detected, type Format, type Signal } from './detect.js';
import { decodeOtlpProto } from './otlp-proto.js';
import { decodePprof } from '../../../analysis/profiles/pprof.js';
import { mapLimit } from '../../../util/concurrency.js';

export interface CatalogEntry {
  /** Absolute path. */
  file: string;
  /** Path inside the bundle, '/'-separated. */
  rel: string;
  format: Format;
  signal?: Signal;
  /** Why the file is not read (it is reported, the rest of the bundle stays usable). */
  problem?: string;
}

// Enough for the first keys of a JSON document, a few JSON Lines or dozens of text lines.
const HEAD_BYTES = 16 * 1024;
/** A table whose header and first rows do not fit the head (Grafana's series joined by time: a column per series) is looked at again with this much. */
const TABLE_HEAD_BYTES = 1024 * 1024;
const TABLE_NAME = /\.(csv|tsv)(\.gz)?$/i;
const MAX_TRIAL_BYTES = 64 * 1024 * 1024;
const NOT_TELEMETRY = /^(\.|incident\.ya?ml$|index\.ya?ml$|readme|license|notice|changelog)|\.(md|ya?ml|html?|png|jpe?g|svg|pdf|sh|py|go|ts|js|java|toml|ini|cfg|zip|tar|tgz)$/i;
/** Tables: telemetry when their columns say so (csv-files.ts); any other CSV stays out, as documents do. */
const CSV_NAME = /\.csv$/i;

/**
 * The first 64 KiB of a file, decompressed when it is gzip (a truncated stream decodes as far as it goes).
 * Read synchronously: one small read costs microseconds, while the asynchronous open, read and close
 * cost more than that each in promises and a file handle, times hundreds of files (profiles).
 */
async function readHead(file: string, bytes = HEAD_BYTES): Promise<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const bytesRead = readSync(fd, buf, 0, bytes, 0);
    const head = buf.subarray(0, bytesRead);
    if (isGzip(head)) {
      try {
        return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, bytes);
      } catch {
        return new Uint8Array(0);
      }
    }
    return head;
  } finally {
    closeSync(fd);
  }
}

/** Fewer than three line breaks: the head holds no header and complete rows to judge a table by. */
function fewLines(head: Uint8Array): boolean {
  let n = 0;
  for (let i = head.indexOf(10); i >= 0 && n < 3; i = head.indexOf(10, i + 1)) n++;
  return n < 3;
}

/** A protobuf message's type is not in its bytes: the name decides when it can, else decoding does. */
async function resolveProtobuf(e: CatalogEntry): Promise<void> {
  const name = e.rel.toLowerCase();
  const otlpByName = /\.binpb(\.gz)?$/.test(name) || e.signal === 'traces' || e.signal === 'logs' || e.signal === 'metrics';
  if (e.signal === 'profiles' && !otlpByName) {
    e.format = 'pprof';
    return;
  }
  // Decoding to find out reads the whole file: not for a large binary nothing names as telemetry.
  const size = (await stat(e.file).catch(() => undefined))?.size ?? 0;
  if (!otlpByName && !e.signal && size > MAX_TRIAL_BYTES) {
    e.format = 'unknown';
    e.problem = `binary file of ${(size / 1e6).toFixed(0)} MB not recognised; name it .binpb (OTLP) or .pb.gz (pprof), or put it under traces/, logs/ or profiles/`;
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readMaybeGzip(e.file);
  } catch (err) {
    e.problem = (err as Error).message;
    return;
  }
  const tries: Array<() => boolean> = [
    () => hasSpans(bytes) && set(e, 'otlp-proto', 'traces'),
    () => hasLogs(bytes) && set(e, 'otlp-proto', 'logs'),
    () => hasMetrics(bytes) && set(e, 'otlp-proto', 'metrics'),
    () => isPprof(bytes) && set(e, 'pprof', 'profiles'),
  ];
  // Which decoder goes first follows the hint: garbage can decode as another message's fields.
  if (!otlpByName) tries.unshift(tries.pop()!);
  else if (e.signal === 'logs') tries.unshift(tries.splice(1, 1)[0]!);
  else if (e.signal === 'metrics') tries.unshift(tries.splice(2, 1)[0]!);
  for (const t of tries) if (t()) return;
  e.format = 'unknown';
  e.problem = 'a protobuf message that is neither an OTLP TracesData/LogsData/MetricsData with spans, records or metrics nor a pprof profile';
}

function set(e: CatalogEntry, format: Format, signal: Signal): true {
  e.format = format;
  e.signal = signal;
  return true;
}

function hasSpans(bytes: Uint8Array): boolean {
  try {
    const docs = decodeOtlpProto(bytes, 'TracesData') as Array<{ resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ traceId?: string; spanId?: string }> }> }> }>;
    const span = docs[0]?.resourceSpans?.[0]?.scopeSpans?.find((s) => s.spans?.length)?.spans?.[0];
    return !!span && span.traceId?.length === 32 && span.spanId?.length === 16;
  } catch {
    return false;
  }
}

function hasLogs(bytes: Uint8Array): boolean {
  try {
    const docs = decodeOtlpProto(bytes, 'LogsData') as Array<{ resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: Array<{ timeUnixNano?: string; observedTimeUnixNano?: string }> }> }> }>;
    const rec = docs[0]?.resourceLogs?.[0]?.scopeLogs?.find((s) => s.logRecords?.length)?.logRecords?.[0];
    return !!rec && (rec.timeUnixNano !== undefined || rec.observedTimeUnixNano !== undefined);
  } catch {
    return false;
  }
}

/** A MetricsData message whose first metric has a name and one of the data kinds. */
function hasMetrics(bytes: Uint8Array): boolean {
  try {
    const docs = decodeOtlpProto(bytes, 'MetricsData') as Array<{ resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<Record<string, unknown>> }> }> }>;
    const m = docs[0]?.resourceMetrics?.[0]?.scopeMetrics?.find((s) => s.metrics?.length)?.metrics?.[0];
    return !!m && typeof m.name === 'string' && /^[\x21-\x7e]+$/.test(m.name) && ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'].some((k) => k in m);
  } catch {
    return false;
  }
}

function isPprof(bytes: Uint8Array): boolean {
  try {
    decodePprof(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Every telemetry file of the bundle with its format and signal. */
export async function catalogBundle(root: string, c: Containment, only?: string): Promise<CatalogEntry[]> {
  // One file asked for by name (`--bundle trace.json`) is read whatever its name, without its neighbours.
  const rels = only
    ? [only]
    : await walkInside(root, c, {
        posix: true,
        skip: (name, isDir) => (isDir ? name === 'source' || name.startsWith('.') || name === 'node_modules' : NOT_TELEMETRY.test(name)),
      });
  // Many small reads at once: the heads of hundreds of profiles cost I/O waits, not CPU.
  const entries = await mapLimit(rels, 16, async (rel) => {
    const file = path.join(root, rel);
    let d: Detected;
    try {
      const head = await readHead(file);
      d = detectFormat(rel, head);
      if (d.weak && TABLE_NAME.test(rel) && head.length >= HEAD_BYTES && fewLines(head)) d = detectFormat(rel, await readHead(file, TABLE_HEAD_BYTES));
      if (d.weak) d = folderDefault(rel) ?? d;
    } catch (e) {
      d = { format: 'unknown', problem: `unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
    const entry: CatalogEntry = { file, rel, format: d.format, signal: d.signal ?? signalHint(rel), problem: d.problem };
    if (entry.format === 'protobuf') await resolveProtobuf(entry);
    return entry;
  });
  return only ? entries : entries.filter((e) => !CSV_NAME.test(e.rel) || e.format.startsWith('csv-'));
}
