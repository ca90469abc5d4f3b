// A bundle's pprof files read into plain tables (readPprofTables: gunzip, framing checks, the wire read),
// the part of decoding a profile that needs no function and so can run in the decode worker. The main
// thread then only makes the frames (profileFromTables), which also interns function names in its own
// process-wide table. Collapsed stacks are left to the main thread (undefined here).
import { statSync } from 'node:fs';
import { readPprofTables, type PprofTables } from '../../analysis/profiles/pprof.js';
import { mapLimit } from '../../util/concurrency.js';
import { readMaybeGzip, readMaybeGzipSync } from './files.js';
import type { Format } from './formats/detect.js';

/** One file's tables, or why it could not be read (the message as the main thread would report it). */
export type FileTables = { tables: PprofTables } | { error: string } | undefined;

/** Files up to this size are read synchronously (see readMaybeGzipSync). */
const SMALL_FILE_BYTES = 256 * 1024;

/** A file's size, or Infinity when it cannot be read (the asynchronous read then reports why). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return Infinity;
  }
}

/** A profile file's bytes, gunzipped when gzipped. */
export function readProfileBytes(file: string): Promise<Buffer> | Buffer {
  return sizeOf(file) <= SMALL_FILE_BYTES ? readMaybeGzipSync(file) : readMaybeGzip(file);
}

/** The tables of each file (in order); folded files are undefined. Read and gunzip many files at once
 * (I/O and the thread pool); small files (most profiles: one per pod and minute) are read at once, which
 * costs less than waiting. */
export function readProfileTables(files: Array<{ file: string; format?: Format }>): Promise<FileTables[]> {
  return mapLimit(files, 16, async (f): Promise<FileTables> => {
    if (f.format === 'folded') return undefined;
    try {
      return { tables: readPprofTables(await readProfileBytes(f.file), f.file) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
}

/**
 * The tables as one message: each typed array copied to a buffer of its own size (the reader's arrays
 * are views of larger growable buffers, which a structured clone would copy whole) and those buffers
 * transferred; strings and protojson documents are cloned.
 */
export function packProfileTables(list: FileTables[]): { packed: FileTables[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const own = <T extends Float64Array | Int32Array>(a: T): T => {
    const c = a.slice() as T;
    transfer.push(c.buffer as ArrayBuffer);
    return c;
  };
  const packed = list.map((t): FileTables => {
    if (!t || !('tables' in t) || !('wire' in t.tables)) return t;
    const w = t.tables.wire;
    const l = w.locations;
    return {
      tables: {
        wire: {
          ...w,
          functions: own(w.functions),
          locations: { count: l.count, ids: own(l.ids), addresses: own(l.addresses), lineFrom: own(l.lineFrom), lineFunctions: own(l.lineFunctions), lineNumbers: own(l.lineNumbers) },
          idFrom: own(w.idFrom),
          ids: own(w.ids),
          valueFrom: own(w.valueFrom),
          values: own(w.values),
          labelFrom: own(w.labelFrom),
          labels: own(w.labels),
        },
      },
    };
  });
  return { packed, transfer };
}
