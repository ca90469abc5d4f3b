// Bundle profiles: pprof files (raw or gzipped) under `profiles/<service>/`. The folder names the
// service unless the samples carry a `service_name` label; time and duration come from the profile
// itself; the type from its sample types. An optional `profiles/index.yaml` can give service, type,
// time, duration and labels per file for producers that do not set them. A corrupt file becomes a
// problem naming it; the rest stays usable.
import { statSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { ProfileSource, ProfileTypeInfo, StackProfile, TimeRange } from '../types.js';
import type { ParsedProfile } from '../../analysis/profiles/pprof.js';
import { mapLimit } from '../../util/concurrency.js';
import { containmentOf, readMaybeGzip, readMaybeGzipSync, resolveInside, walkInside, type Containment } from './files.js';
import { profileTypeIds, typeInfo } from '../../analysis/profiles/types.js';
import { StackMerger } from '../../analysis/profiles/merge.js';
import { parseDuration } from '../../util/time.js';
import { decodeProfileFile } from './formats/profile-files.js';
import type { Format } from './formats/detect.js';
import { isDateMs, NOT_A_DATE } from '../../util/plausible-time.js';

interface IndexEntry {
  file: string;
  service?: string;
  type?: string;
  timeMs?: number;
  durationMs?: number;
  labels?: Record<string, string>;
}

export interface BundleProfile {
  file: string;
  /** Service from the folder or the index; samples with a `service_name` label override it. */
  service: string;
  timeMs?: number;
  durationMs?: number;
  typeIds: string[];
  parsed: ParsedProfile;
  /** Services named by `service_name` sample labels (empty when none carry it). */
  labelServices: Set<string>;
  labels: Record<string, string>;
}

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

/** How many merged profiles a source keeps (see mergedProfile). */
const MERGES_KEPT = 32;

const SKIP = /(^\.|^index\.ya?ml$|\.(md|txt|json|ya?ml)$|^LICENSE)/i;

function toMs(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v > 1e15 ? v / 1e6 : v > 1e11 ? v : v * 1000;
  const t = Date.parse(String(v));
  return Number.isNaN(t) ? undefined : t;
}

function durMs(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v * 1000; // seconds
  try {
    return parseDuration(String(v));
  } catch {
    return undefined;
  }
}

async function loadIndex(dir: string, problems: string[]): Promise<Map<string, IndexEntry>> {
  const out = new Map<string, IndexEntry>();
  const file = path.join(dir, 'index.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return out;
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    problems.push(`${file}: invalid YAML (${(e as Error).message.split('\n')[0]}); ignoring the index`);
    return out;
  }
  const list = Array.isArray(doc) ? doc : Array.isArray((doc as { profiles?: unknown })?.profiles) ? (doc as { profiles: unknown[] }).profiles : undefined;
  if (!list) {
    problems.push(`${file}: expected a list of entries (or {profiles: [...]}) with file, service, type, start, duration; ignoring the index`);
    return out;
  }
  for (const [i, raw] of list.entries()) {
    const e = raw as Record<string, unknown>;
    if (!e || typeof e.file !== 'string') {
      problems.push(`${file}: entry ${i + 1} has no "file"; skipped`);
      continue;
    }
    out.set(path.normalize(e.file), {
      file: e.file,
      service: typeof e.service === 'string' ? e.service : undefined,
      type: typeof e.type === 'string' ? e.type : undefined,
      timeMs: toMs(e.start ?? e.time ?? e.timestamp),
      durationMs: durMs(e.duration) ?? (typeof e.duration_ms === 'number' ? e.duration_ms : undefined),
      labels: e.labels && typeof e.labels === 'object' ? Object.fromEntries(Object.entries(e.labels as object).map(([k, v]) => [k, String(v)])) : undefined,
    });
  }
  return out;
}

/** A profile file found by content, with its format and the service its place suggests (a weaker hint than labels). */
export interface ProfileFile {
  file: string;
  format?: Format;
  service?: string;
}

/** Profile files under `dir`; links are followed only inside the bundle (see files.ts). */
function walk(dir: string, c: Containment): Promise<string[]> {
  return walkInside(dir, c, { skip: (n) => SKIP.test(n) });
}

export class BundleProfileSource implements ProfileSource {
  readonly kind = 'bundle' as const;
  private loading?: Promise<BundleProfile[]>;

  constructor(
    readonly dir: string,
    private readonly problems: string[],
    /** Where reads must stay (the bundle's real path); by default the profiles folder itself. */
    private readonly containment?: Containment,
    /** The files to read when the bundle's catalogue found them (anywhere in it); else every file under `dir`. */
    private readonly entries?: ProfileFile[],
  ) {}

  /** All decoded profiles (loaded once). */
  profiles(): Promise<BundleProfile[]> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<BundleProfile[]> {
    const c = this.containment ?? (await containmentOf(this.dir, this.problems));
    const indexFile = path.join(this.dir, 'index.yaml');
    const indexInside = !(await lstat(indexFile).catch(() => undefined)) || (await resolveInside(c, indexFile)) !== undefined;
    const index = indexInside ? await loadIndex(this.dir, this.problems) : new Map<string, IndexEntry>();
    const files: ProfileFile[] = this.entries ?? (await walk(this.dir, c)).map((rel) => ({ file: path.join(this.dir, rel) }));
    const out: BundleProfile[] = [];
    // Read and gunzip many files at once (I/O and the thread pool), decode on the main thread as they land;
    // small files (most profiles: one per pod and minute) are read at once, which costs less than waiting.
    const decoded = await mapLimit(files, 16, async (f) => {
      try {
        const bytes = sizeOf(f.file) <= SMALL_FILE_BYTES ? readMaybeGzipSync(f.file) : await readMaybeGzip(f.file);
        return decodeProfileFile(bytes, f.file, f.format);
      } catch (e) {
        return e as Error;
      }
    });
    for (const [i, f] of files.entries()) {
      const full = f.file;
      const rel = path.relative(this.dir, full);
      const idx = index.get(path.normalize(rel));
      const d = decoded[i]!;
      if (d instanceof Error) {
        this.problems.push(d.message.startsWith(full) ? d.message : `${full}: ${d.message}`);
        continue;
      }
      this.problems.push(...d.problems);
      // A file can hold several profiles (a JFR recording's CPU, allocation and lock samples, per chunk):
      // each is a profile of its own, and what is said of the file is said once.
      const said = new Set<string>();
      const say = (m: string) => void (said.has(m) || (said.add(m), this.problems.push(m)));
      for (const parsed of d.profiles) {
        const p = this.profileOf(parsed, f, rel, full, idx, say);
        if (p) out.push(p);
      }
    }
    return out;
  }

  /** One decoded profile of a file as the bundle holds it: its service, time and type ids; undefined (said) without a service. */
  private profileOf(parsed: ParsedProfile, f: ProfileFile, rel: string, full: string, idx: IndexEntry | undefined, say: (m: string) => void): BundleProfile | undefined {
    const segs = rel.split(path.sep);
    const folder = f.service ?? (segs.length > 1 && segs[0] !== '..' ? segs[0]! : undefined);
    const labelServices = new Set<string>();
    for (const s of parsed.samples) {
      const sn = s.labels?.service_name;
      if (sn) labelServices.add(sn);
    }
    const service = idx?.service ?? idx?.labels?.service_name ?? folder ?? [...labelServices][0];
    if (!service) {
      say(`${full}: no service (put it under profiles/<service>/, add a service_name label, or list it in profiles/index.yaml); skipped`);
      return undefined;
    }
    let timeMs = parsed.timeMs ?? idx?.timeMs;
    const durationMs = parsed.durationMs ?? idx?.durationMs;
    if (timeMs !== undefined && !isDateMs(timeMs)) {
      say(`${full}: its time (${Number.isFinite(timeMs) ? `${timeMs} ms since 1970` : 'not a finite number'}) is ${NOT_A_DATE}; read as a profile without a time`);
      timeMs = undefined;
    }
    if (timeMs === undefined) say(`${full}: no time in the profile or in profiles/index.yaml; it is counted in every window`);
    let typeIds = profileTypeIds(parsed, `${idx?.type ?? ''} ${rel}`);
    if (idx?.type && idx.type.split(':').length === 5 && parsed.sampleTypes.length === 1) typeIds = [idx.type];
    return { file: full, service, timeMs, durationMs, typeIds, parsed, labelServices, labels: idx?.labels ?? {} };
  }

  /** A profile belongs to the range holding its midpoint (its samples' centre of time), so a profile
   * that straddles a baseline and a window counts in one of them, not as the same samples in both;
   * and to a range that lies wholly inside it (the only profile there is of that range). */
  private inRange(p: BundleProfile, r: TimeRange): boolean {
    if (p.timeMs === undefined) return true;
    const end = p.timeMs + (p.durationMs ?? 0);
    const mid = (p.timeMs + end) / 2;
    return (mid >= r.start && mid < r.end) || (p.timeMs <= r.start && end >= r.end);
  }

  /** Which services a profile covers: the label services when samples carry them (plus the folder for unlabelled samples). */
  private servicesOf(p: BundleProfile): string[] {
    if (!p.labelServices.size) return [p.service];
    const unlabelled = p.parsed.samples.some((s) => !s.labels?.service_name);
    return unlabelled ? [...new Set([...p.labelServices, p.service])] : [...p.labelServices];
  }

  async profileTypes(service: string | undefined, range: TimeRange): Promise<Array<ProfileTypeInfo & { services: string[] }>> {
    const acc = new Map<string, Set<string>>();
    for (const p of await this.profiles()) {
      if (!this.inRange(p, range)) continue;
      const svcs = this.servicesOf(p).filter((s) => service === undefined || s === service);
      if (!svcs.length) continue;
      p.typeIds.forEach((id, i) => {
        // Sample types that are all zero in this profile (e.g. .NET exception counts) are not offered.
        if (!p.parsed.samples.some((s) => s.values[i] !== 0)) return;
        let set = acc.get(id);
        if (!set) acc.set(id, (set = new Set()));
        for (const s of svcs) set.add(s);
      });
    }
    return [...acc.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, s]) => ({ ...typeInfo(id), services: [...s].sort() }));
  }

  /** Merged profiles by service, type and range: the ranking and the playbook's profile step ask for the
   * same merges (the bundle does not change), and each is a pass over every sample of the range. */
  private readonly merged = new Map<string, Promise<StackProfile | undefined>>();

  mergedProfile(service: string, typeId: string, range: TimeRange): Promise<StackProfile | undefined> {
    const key = `${service}\0${typeId}\0${range.start}\0${range.end}`;
    let p = this.merged.get(key);
    if (!p) {
      // A few recent merges are enough for one investigation; an MCP server asked about many ranges stays bounded.
      if (this.merged.size >= MERGES_KEPT) this.merged.delete(this.merged.keys().next().value!);
      this.merged.set(key, (p = this.merge(service, typeId, range)));
    }
    return p;
  }

  private async merge(service: string, typeId: string, range: TimeRange): Promise<StackProfile | undefined> {
    const merger = new StackMerger();
    for (const p of await this.profiles()) {
      if (!this.inRange(p, range)) continue;
      const idx = p.typeIds.indexOf(typeId);
      if (idx < 0) continue;
      if (!this.servicesOf(p).includes(service)) continue;
      const keep = p.labelServices.size ? (l: Record<string, string> | undefined) => (l?.service_name ?? p.service) === service : undefined;
      merger.add(p.parsed, idx, keep);
    }
    if (merger.count === 0) return undefined;
    return merger.result(typeInfo(typeId), service, range);
  }

  async services(range: TimeRange): Promise<string[]> {
    const s = new Set<string>();
    for (const p of await this.profiles()) if (this.inRange(p, range)) for (const x of this.servicesOf(p)) s.add(x);
    return [...s].sort();
  }
}

export function createBundleProfileSource(dir: string, problems: string[], containment?: Containment, entries?: ProfileFile[]): BundleProfileSource {
  return new BundleProfileSource(dir, problems, containment, entries);
}
