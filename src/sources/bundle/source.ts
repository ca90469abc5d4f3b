// Offline source lookup in a bundle's `source/` tree (`source/<service>/…`, or one flat tree).
// Stack traces and profiles carry paths from the build machine (`/build/ride/internal/x.go`,
// `github.com/acme/ride/internal/x.go`), so files are matched by the longest common path suffix; a
// function is found by scanning for its definition in the languages its name suggests.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CodeSource, SourceFile } from '../types.js';
import { containmentOf, walkInside, type Containment } from './files.js';
import { definitionPatterns, likelyExtensions, parseSymbol, SOURCE_EXTENSIONS } from '../../analysis/profiles/symbols.js';

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const SKIP_DIRS = new Set(['.git', 'node_modules', 'vendor', 'target', 'dist', 'build', '__pycache__', '.venv']);

/** Source files under `root` ('/'-separated, relative); links are followed only inside the bundle (see files.ts). */
function walk(root: string, c: Containment): Promise<string[]> {
  return walkInside(root, c, { skip: (n, isDir) => isDir && (SKIP_DIRS.has(n) || n.startsWith('.')), maxFileBytes: MAX_FILE_BYTES, posix: true });
}

/** Number of trailing path segments two paths share (0 when the file names differ). */
export function commonSuffixSegments(a: string, b: string): number {
  const x = a.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.');
  const y = b.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.');
  let n = 0;
  while (n < x.length && n < y.length && x[x.length - 1 - n] === y[y.length - 1 - n]) n++;
  return n;
}

export class BundleCodeSource implements CodeSource {
  readonly kind = 'bundle' as const;
  private files?: Promise<string[]>;
  private readonly texts = new Map<string, Promise<string>>();

  constructor(
    readonly root: string,
    private readonly repos: Record<string, string> = {},
    /** Where reads must stay (the bundle's real path); by default the source folder itself. */
    private readonly containment?: Containment,
  ) {}

  private allFiles(): Promise<string[]> {
    this.files ??= (async () => walk(this.root, this.containment ?? (await containmentOf(this.root))))();
    return this.files;
  }

  /** Files of a service's subtree when `source/<service>/` exists, else the whole tree; paths relative to that base. */
  private async scope(service: string | undefined): Promise<{ base: string; files: string[] }> {
    const all = await this.allFiles();
    if (service) {
      const prefix = `${service}/`;
      const own = all.filter((f) => f.startsWith(prefix));
      if (own.length) return { base: service, files: own.map((f) => f.slice(prefix.length)) };
    }
    return { base: '', files: all };
  }

  private text(rel: string): Promise<string> {
    let t = this.texts.get(rel);
    if (!t) this.texts.set(rel, (t = readFile(path.join(this.root, rel), 'utf8')));
    return t;
  }

  private async toSourceFile(service: string | undefined, base: string, rel: string): Promise<SourceFile> {
    const full = base ? `${base}/${rel}` : rel;
    return { repo: (service && this.repos[service]) || 'bundle', path: rel, text: await this.text(full) };
  }

  async readFile(service: string | undefined, p: string): Promise<SourceFile | undefined> {
    const { base, files } = await this.scope(service);
    let best: string | undefined;
    let bestScore = 0;
    for (const f of files) {
      const s = commonSuffixSegments(f, p);
      // Prefer more shared segments; on a tie the shorter repository path (closer to the root) wins.
      if (s > bestScore || (s === bestScore && s > 0 && best !== undefined && f.length < best.length)) {
        best = f;
        bestScore = s;
      }
    }
    if (!best) return undefined;
    return this.toSourceFile(service, base, best);
  }

  async findFunction(service: string | undefined, functionName: string): Promise<Array<{ file: SourceFile; line: number }>> {
    const sym = parseSymbol(functionName);
    if (!sym.func) return [];
    const { base, files } = await this.scope(service);
    const preferred = likelyExtensions(functionName);
    const exts = preferred.length ? preferred : SOURCE_EXTENSIONS;
    const candidates: Array<{ rel: string; line: number; rank: number }> = [];
    for (const rel of files) {
      const ext = rel.slice(rel.lastIndexOf('.') + 1).toLowerCase();
      if (!exts.includes(ext)) continue;
      // A path embedded in the name (`fn (app/x.py:12)`) narrows to that file.
      if (sym.file && commonSuffixSegments(rel, sym.file) === 0) continue;
      const text = await this.text(base ? `${base}/${rel}` : rel).catch(() => '');
      if (!text.includes(sym.func)) continue;
      const patterns = definitionPatterns(ext, sym);
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (!l.includes(sym.func)) continue;
        if (!patterns.some((re) => re.test(l))) continue;
        let rank = 0;
        if (sym.dir) rank += commonSuffixSegments(path.posix.dirname(rel), sym.dir) * 2;
        if (sym.owner && (text.includes(`class ${sym.owner}`) || text.includes(`type ${sym.owner} `) || text.includes(`struct ${sym.owner}`) || l.includes(sym.owner))) rank += 3;
        if (sym.file) rank += 5;
        candidates.push({ rel, line: i + 1, rank });
      }
    }
    candidates.sort((a, b) => b.rank - a.rank || a.rel.localeCompare(b.rel) || a.line - b.line);
    const out: Array<{ file: SourceFile; line: number }> = [];
    for (const c of candidates.slice(0, 5)) out.push({ file: await this.toSourceFile(service, base, c.rel), line: c.line });
    return out;
  }
}

export function createBundleCodeSource(dir: string, repos?: Record<string, string>, containment?: Containment): CodeSource | undefined {
  return new BundleCodeSource(dir, repos, containment);
}
