// Reading bundle files: gzip by magic bytes, JSON documents or JSON Lines, errors with path and position.
import type { Dirent } from 'node:fs';
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { constants as zlibConstants, gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import path from 'node:path';
import { isGzip } from '../../util/gzip.js';

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

const corruptGzip = (file: string, e: unknown) => new BundleFileError(file, `corrupt gzip data (${(e as Error).message})`);

/**
 * The file's bytes, gunzipped when they start with gzip's magic bytes. Given `problems`, a gzip stream
 * that stops early (a download or copy cut short) gives what it holds, and the problem says so; without,
 * it is an error like any corrupt gzip.
 */
export async function readMaybeGzip(file: string, problems?: string[]): Promise<Buffer> {
  const raw = await readFile(file);
  if (!isGzip(raw)) return raw;
  try {
    // Asynchronous gunzip runs on libuv's thread pool: other files parse meanwhile.
    return await gunzipAsync(raw, { chunkSize: 1 << 20 });
  } catch (e) {
    const part = problems && (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? cutGzipContent(raw) : undefined;
    if (!part) throw corruptGzip(file, e);
    problems!.push(`${file}: the gzip data stops early (the file was cut short?): read the ${part.length.toLocaleString('en')} bytes it holds`);
    return part;
  }
}

/** What a gzip stream that ends early holds (zlib's sync flush keeps the output instead of failing), or undefined. */
function cutGzipContent(raw: Buffer): Buffer | undefined {
  try {
    const part = gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    return part.length ? part : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Says so when a file was read without error but gave nothing (no spans, records or samples) and no
 * problem since `since` names it: otherwise it would vanish from the investigation without a word.
 */
export function noteNothingRead(file: string, problems: string[], since: number, what: string): void {
  for (let i = since; i < problems.length; i++) if (problems[i]!.includes(file)) return;
  problems.push(`${file}: no ${what} found in it, so nothing from it is used (run \`queryless inspect\` on the folder to see what it was read as)`);
}

/**
 * readMaybeGzip for small files (a profile of a few KB): a synchronous read and gunzip cost tens of
 * microseconds, while the asynchronous ones cost more than that in promises, file handles and a zlib
 * stream per file, on the main thread; hundreds of small files made that the larger part of loading.
 */
export function readMaybeGzipSync(file: string): Buffer {
  const raw = readFileSync(file);
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw);
  } catch (e) {
    throw corruptGzip(file, e);
  }
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

/**
 * Parse a file holding one JSON document or JSON Lines (one document per line). Given `problems`, what
 * is readable is kept and the rest reported there: a document cut short (the file ends inside it) keeps
 * its complete elements (salvageCutJson), and a bad line of JSON Lines is skipped. Without, any of
 * them is an error.
 */
export function parseJsonDocuments(file: string, text: string, problems?: string[]): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    return [JSON.parse(trimmed)];
  } catch (whole) {
    // Not one document: try JSON Lines, reporting the first bad line.
    if (!trimmed.includes('\n')) {
      const cut = problems ? salvageCutJson(trimmed) : undefined;
      if (!cut) throw jsonError(file, trimmed, whole);
      problems!.push(`${file}: the JSON ends inside a document (the file was cut short?): read what was complete in its first ${positionOf(trimmed, cut.end)}`);
      return [cut.value];
    }
    const docs: unknown[] = [];
    const lines = text.split('\n');
    // The last line with content: only it can be a document the file's end cut short.
    let lastLine = lines.length - 1;
    while (lastLine > 0 && !lines[lastLine]!.trim()) lastLine--;
    let bad = 0;
    let firstBad: BundleFileError | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      try {
        docs.push(JSON.parse(line));
      } catch (e) {
        if (i === 0 && docs.length === 0 && !line.startsWith('{')) throw jsonError(file, text, whole);
        if (!problems) throw jsonError(file, line, e, i);
        // The last line cut short keeps its complete part; any other bad line is skipped.
        const cut = i === lastLine ? salvageCutJson(line) : undefined;
        if (cut) {
          docs.push(cut.value);
          problems.push(`${file}: line ${i + 1} ends inside its JSON (the file was cut short?): read what was complete in its first ${cut.end.toLocaleString('en')} characters`);
        } else {
          bad++;
          firstBad ??= jsonError(file, line, e, i);
        }
      }
    }
    if (firstBad) {
      if (docs.length === 0) throw firstBad;
      problems!.push(`${firstBad.message}${bad > 1 ? ` (and ${bad - 1} more bad line(s))` : ''}; skipped, the ${docs.length} other document(s) read`);
    }
    return docs;
  }
}

/**
 * A JSON document that stops before its end (a file cut short), closed after its last complete element
 * of an array: `{"a":[{…},{…},{"b":` reads as `{"a":[{…},{…}]}`. Undefined when the text does not stop
 * inside a container, or nothing complete is left, or the complete part is not valid JSON either.
 */
export function salvageCutJson(text: string): { value: unknown; end: number } | undefined {
  const open: number[] = [];
  let inString = false;
  let end = -1;
  let closers = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) open.push(c);
    else if (c === 125 /* } */ || c === 93 /* ] */) {
      open.pop();
      // A container closed as an element of an array: a place to cut.
      if (open[open.length - 1] === 91) {
        end = i + 1;
        closers = '';
        for (let k = open.length - 1; k >= 0; k--) closers += open[k] === 91 ? ']' : '}';
      }
    }
  }
  if (open.length === 0 || end < 0) return undefined;
  try {
    return { value: JSON.parse(text.slice(0, end) + closers), end };
  } catch {
    return undefined;
  }
}

// Containment: a bundle is untrusted input (made by anyone, unpacked from anywhere). Reading never
// leaves the bundle's real path: every symbolic link is resolved and checked, and a link pointing
// outside, a loop or a dangling link is skipped and reported; the rest of the bundle stays usable.

/** Where reads must stay: the real path of the bundle, and the list that skipped entries are reported to. */
export interface Containment {
  root: string;
  problems?: string[];
}

/** The containment for a bundle directory (its real path). */
export async function containmentOf(dir: string, problems?: string[]): Promise<Containment> {
  return { root: await realpath(dir), problems };
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * The real path of `p` when it stays inside the bundle; otherwise undefined, with a problem naming the
 * entry (never the outside target, which may itself be sensitive).
 */
export async function resolveInside(c: Containment, p: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'a symbolic link loop' : code === 'ENOENT' ? 'a dangling symbolic link (its target does not exist)' : `unreadable (${code ?? (e as Error).message})`;
    c.problems?.push(`${p}: ${why}; skipped`);
    return undefined;
  }
  if (!inside(c.root, real)) {
    c.problems?.push(`${p}: a symbolic link pointing outside the bundle; skipped (bundle reading never leaves the bundle)`);
    return undefined;
  }
  return real;
}

/** Files of `dir` (not recursive) whose name matches, links checked; a missing directory is empty. */
export async function listFiles(dir: string, pattern: RegExp, c?: Containment): Promise<string[]> {
  const cont = c ?? (await containmentOf(path.dirname(dir)).catch(() => undefined));
  if (!cont) return [];
  if (!(await isDirectory(dir))) return [];
  if (!(await resolveInside(cont, dir))) return [];
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    if (!pattern.test(name)) continue;
    const full = path.join(dir, name);
    const real = await resolveInside(cont, full);
    if (!real) continue;
    const st = await stat(real).catch(() => undefined);
    if (st?.isFile()) out.push(full);
  }
  return out;
}

/**
 * Every file under `dir`, as paths relative to it ('/'-separated when `posix`), following symbolic
 * links only inside the bundle and each real directory once (a link to an ancestor is no loop).
 */
export async function walkInside(
  dir: string,
  c: Containment,
  opts: { skip?: (name: string, isDir: boolean) => boolean; maxFileBytes?: number; posix?: boolean; maxFiles?: number } = {},
): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const sep = opts.posix ? '/' : path.sep;
  const maxFiles = opts.maxFiles ?? 200_000;
  const visit = async (rel: string): Promise<void> => {
    const abs = rel ? path.join(dir, rel) : dir;
    const real = await resolveInside(c, abs);
    if (!real || seen.has(real)) return;
    seen.add(real);
    let entries: Dirent[];
    try {
      entries = (await readdir(real, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= maxFiles) return;
      const n = e.name;
      const r = rel ? `${rel}${sep}${n}` : n;
      // The directory listing already says what a plain file is: no lstat per file (hundreds of
      // profiles), unless its size is asked for or the file system does not tell the type.
      if (e.isFile() && opts.maxFileBytes === undefined) {
        if (!opts.skip?.(n, false)) out.push(r);
        continue;
      }
      const full = path.join(real, n);
      const l = await lstat(full).catch(() => undefined);
      if (!l) continue;
      let st = l;
      if (l.isSymbolicLink()) {
        const target = await resolveInside(c, path.join(abs, n));
        if (!target) continue;
        const s = await stat(target).catch(() => undefined);
        if (!s) continue;
        st = s;
      }
      if (st.isDirectory()) {
        if (!opts.skip?.(n, true)) await visit(r);
      } else if (st.isFile() && !opts.skip?.(n, false) && (opts.maxFileBytes === undefined || st.size <= opts.maxFileBytes)) out.push(r);
    }
  };
  await visit('');
  return out;
}

/** What `--bundle PATH` opens: a folder, or one telemetry file (then its folder, restricted to that file). */
export async function bundleTarget(dir: string): Promise<{ root: string; only?: string } | undefined> {
  const full = path.resolve(dir);
  try {
    const st = await stat(full);
    if (st.isDirectory()) return { root: full };
    if (st.isFile()) {
      // Named on purpose, so a link is followed; the bundle is then the file's real folder.
      const real = await realpath(full);
      return { root: path.dirname(real), only: path.basename(real) };
    }
  } catch {
    // missing: the caller says so
  }
  return undefined;
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
