// Reading bundle files: gzip by magic bytes, JSON documents or JSON Lines, errors with path and position.
import { readFile, readdir, stat } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import path from 'node:path';

const gunzipAsync = promisify(gunzip);

export class BundleFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'BundleFileError';
  }
}

export async function readMaybeGzip(file: string): Promise<Buffer> {
  const raw = await readFile(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      // Asynchronous gunzip runs on libuv's thread pool: other files parse meanwhile.
      return await gunzipAsync(raw, { chunkSize: 1 << 20 });
    } catch (e) {
      throw new BundleFileError(file, `corrupt gzip data (${(e as Error).message})`);
    }
  }
  return raw;
}

/** Line and column of a character offset, for error messages. */
export function positionOf(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

function jsonError(file: string, text: string, e: unknown, lineOffset = 0): BundleFileError {
  const msg = (e as Error).message;
  const m = /position (\d+)/.exec(msg);
  const atEnd = /end of JSON input/i.test(msg);
  let where = '';
  if (m || atEnd) {
    const pos = positionOf(text, m ? Number(m[1]) : text.length);
    where = lineOffset ? pos.replace(/^line (\d+)/, (_, l) => `line ${Number(l) + lineOffset}`) : pos;
  } else if (lineOffset) where = `line ${lineOffset + 1}`;
  return new BundleFileError(file, `invalid JSON${where ? ` at ${where}` : ''}: ${msg}`);
}

/** Parse a file holding one JSON document or JSON Lines (one document per line). */
export function parseJsonDocuments(file: string, text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    return [JSON.parse(trimmed)];
  } catch (whole) {
    // Not one document: try JSON Lines, reporting the first bad line.
    if (!trimmed.includes('\n')) throw jsonError(file, trimmed, whole);
    const docs: unknown[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      try {
        docs.push(JSON.parse(line));
      } catch (e) {
        if (i === 0 && docs.length === 0 && !line.startsWith('{')) throw jsonError(file, text, whole);
        throw jsonError(file, line, e, i);
      }
    }
    return docs;
  }
}

export async function listFiles(dir: string, pattern: RegExp): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    const full = path.join(dir, name);
    const st = await stat(full);
    if (st.isFile() && pattern.test(name)) out.push(full);
  }
  return out;
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
