// Profiles benchmark and `go tool pprof` parity helpers.
// run(): our decode + top-N time vs `go tool pprof -top` wall time on large.cpu (side by side, ratio),
// and the per-file parity table for every profile in ../shared/datasets/pprof/.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { decodePprof, defaultSampleIndex, type ParsedProfile } from '../src/analysis/profiles/pprof.js';
import { cumOrder, topFunctions, type FunctionStat } from '../src/analysis/profiles/top.js';
import type { Frame } from '../src/sources/types.js';

const run$ = promisify(execFile);

export const DATASET_DIR = path.resolve(process.cwd(), '../shared/datasets/pprof');

export function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Every profile file of the dataset (LICENSE and other non-profiles left out). */
export function datasetProfiles(dir = DATASET_DIR): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const sub of readdirSync(dir).sort()) {
    const d = path.join(dir, sub);
    for (const f of readdirSync(d).sort()) if (!/^(LICENSE|README)/i.test(f)) out.push(path.join(d, f));
  }
  return out;
}

export interface TopRow {
  name: string;
  flat: number;
  cum: number;
}

// `-unit=ns` makes pprof print raw integers: time units are converted to nanoseconds, other units
// (count, bytes) are left as they are. We scale our values the same way before comparing.
const TO_NS: Record<string, number> = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 };
export function nsFactor(unit: string): number {
  return TO_NS[unit] ?? 1;
}

/** `go tool pprof -top` (or `-top -cum`) for one sample index, parsed. */
export async function pprofTop(file: string, sampleIndex: number, n: number, cum: boolean): Promise<{ rows: TopRow[]; total: number }> {
  const args = ['tool', 'pprof', '-top', `-nodecount=${n}`, '-nodefraction=0', '-edgefraction=0', '-unit=ns', '-symbolize=none', `-sample_index=${sampleIndex}`];
  if (cum) args.push('-cum');
  args.push(file);
  const { stdout } = await run$('go', args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PPROF_TMPDIR: '/tmp', PPROF_BINARY_PATH: '/nonexistent' } });
  return parsePprofTop(stdout);
}

const NUM = /^(-?[\d.]+(?:e[+-]?\d+)?)[a-zA-Z]*$/;
export function parsePprofTop(text: string): { rows: TopRow[]; total: number } {
  const rows: TopRow[] = [];
  let total = NaN;
  let inTable = false;
  for (const line of text.split('\n')) {
    const t = /of (-?[\d.]+(?:e[+-]?\d+)?)[a-zA-Z]* total/.exec(line);
    if (t) total = Number(t[1]);
    if (/^\s+flat\s+flat%/.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable || !line.trim()) continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length < 6) continue;
    const flat = NUM.exec(parts[0]!);
    const cum = NUM.exec(parts[3]!);
    if (!flat || !cum) continue;
    const name = line.trim().split(/\s+/).slice(5).join(' ').replace(/ \((partial-)?inline\)$/, '');
    rows.push({ name, flat: Number(flat[1]), cum: Number(cum[1]) });
  }
  return { rows, total };
}

/** Our top N for one sample index, in pprof's order and units. */
export function ourTop(p: ParsedProfile, sampleIndex: number, n: number, cum: boolean): { rows: TopRow[]; total: number } {
  const stacks: Array<{ frames: Frame[]; value: number }> = [];
  for (const s of p.samples) stacks.push({ frames: s.frames, value: s.values[sampleIndex]! });
  const top = topFunctions({ stacks });
  const fns: FunctionStat[] = cum ? [...top.functions].sort(cumOrder) : top.functions;
  const k = nsFactor(p.sampleTypes[sampleIndex]!.unit);
  return { rows: fns.slice(0, n).map((f) => ({ name: f.name, flat: f.flat * k, cum: f.cum * k })), total: top.total * k };
}

export interface ParityResult {
  file: string;
  sampleIndex: number;
  sampleType: string;
  order: 'flat' | 'cum';
  ok: boolean;
  compared: number;
  mismatches: string[];
}

/**
 * Compares two top lists. Rows must agree on name and values; where values tie at the cut-off the
 * names may legitimately differ in order, so rows are compared as (value, name) multisets per tie group.
 */
export function compareTops(ours: TopRow[], theirs: TopRow[]): string[] {
  const problems: string[] = [];
  if (ours.length !== theirs.length) problems.push(`row count ${ours.length} vs pprof ${theirs.length}`);
  const n = Math.min(ours.length, theirs.length);
  const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-6 * Math.abs(b), 1);
  for (let i = 0; i < n; i++) {
    const o = ours[i]!;
    const t = theirs[i]!;
    if (o.name !== t.name || !close(o.flat, t.flat) || !close(o.cum, t.cum)) {
      problems.push(`#${i + 1}: ours ${o.name} flat=${o.flat} cum=${o.cum} vs pprof ${t.name} flat=${t.flat} cum=${t.cum}`);
    }
  }
  return problems;
}

export async function parityForFile(file: string, n = 20): Promise<ParityResult[]> {
  const p = decodePprof(readFileSync(file), file);
  const out: ParityResult[] = [];
  for (let si = 0; si < p.sampleTypes.length; si++) {
    for (const order of ['flat', 'cum'] as const) {
      const theirs = await pprofTop(file, si, n, order === 'cum');
      const ours = ourTop(p, si, n, order === 'cum');
      const mismatches = compareTops(ours.rows, theirs.rows);
      if (Number.isFinite(theirs.total) && Math.abs(ours.total - theirs.total) > Math.max(1, 1e-6 * theirs.total)) mismatches.unshift(`total ${ours.total} vs pprof ${theirs.total}`);
      out.push({ file: path.relative(DATASET_DIR, file), sampleIndex: si, sampleType: `${p.sampleTypes[si]!.type}/${p.sampleTypes[si]!.unit}`, order, ok: mismatches.length === 0, compared: theirs.rows.length, mismatches });
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * JFR: our read of the fixture recording repeated as 40 chunks (~5 MB) in this process, beside the JDK's
 * `jfr summary` on the same file in its own process (JVM start included: read the ratio as an upper bound
 * of ours against the JDK's own reader, not as equal work).
 */
async function jfrRow(): Promise<void> {
  const fixture = path.resolve('test/fixtures/formats/jfr/checkout.jfr');
  const one = readFileSync(fixture);
  const bytes = Buffer.concat(Array.from({ length: 40 }, () => one));
  const { parseJfr } = await import('../src/sources/bundle/formats/jfr.js');
  const ours: number[] = [];
  let samples = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    samples = parseJfr(bytes, 'bench.jfr').profiles.reduce((a, p) => a + p.samples.length, 0);
    ours.push(performance.now() - t0);
  }
  const mbs = bytes.length / 1e6 / (median(ours) / 1000);
  process.stdout.write(`profiles: JFR ${(bytes.length / 1e6).toFixed(1)} MB (40 chunks of the fixture recording): read in ${median(ours).toFixed(0)} ms (${mbs.toFixed(0)} MB/s, ${samples} stacks), median of 5 in this process\n`);
  const tmp = path.join(tmpdir(), `ql-bench-${process.pid}.jfr`);
  writeFileSync(tmp, bytes);
  try {
    const theirs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await run$('jfr', ['summary', tmp], { maxBuffer: 1 << 24 });
      theirs.push(performance.now() - t0);
    }
    process.stdout.write(`  the JDK's jfr summary, same file, whole process: ${median(theirs).toFixed(0)} ms; ratio ours/theirs ${(median(ours) / median(theirs)).toFixed(2)} (theirs includes the JVM's start)\n`);
  } catch {
    process.stdout.write('  jfr summary: skipped (no JDK on PATH)\n');
  } finally {
    rmSync(tmp, { force: true });
  }
}

export async function run(): Promise<void> {
  await jfrRow();
  const large = path.join(DATASET_DIR, 'google-pprof/large.cpu');
  if (!existsSync(large)) {
    process.stdout.write(`profiles bench: skipped (${large} not found)\n`);
    return;
  }
  const bytes = readFileSync(large);
  const ours: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const p = decodePprof(bytes, large);
    // One accounting pass gives both orders (pprof runs once per order).
    const si = defaultSampleIndex(p);
    const top = topFunctions({ stacks: p.samples.map((s) => ({ frames: s.frames, value: s.values[si]! })) });
    top.functions.slice(0, 20);
    [...top.functions].sort(cumOrder).slice(0, 20);
    ours.push(performance.now() - t0);
  }
  const p = decodePprof(bytes, large);
  process.stdout.write(`profiles: large.cpu ${(bytes.length / 1024).toFixed(0)} KiB, ${p.samples.length} samples, ${p.sampleTypes.length} sample types\n`);
  process.stdout.write(`  queryless decode+top 20 (flat and cum orders): median ${median(ours).toFixed(1)} ms over ${ours.length} runs (first ${ours[0]!.toFixed(1)} ms)\n`);
  if (!hasGo()) {
    process.stdout.write('  go tool pprof: skipped (no `go` on PATH; apt-get install golang-go)\n');
    return;
  }
  const theirs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await pprofTop(large, defaultSampleIndex(p), 20, false);
    theirs.push(performance.now() - t0);
  }
  const ratio = median(ours) / median(theirs);
  process.stdout.write(`  go tool pprof -top (one order):              median ${median(theirs).toFixed(1)} ms over ${theirs.length} runs\n`);
  process.stdout.write(`  ratio queryless/pprof: ${ratio.toFixed(3)} (target < 1)\n`);
  // The parity table runs `go tool pprof` 2× per sample type per file (a couple of minutes); QL_BENCH_PARITY=0 skips it.
  if (process.env.QL_BENCH_PARITY === '0') return;
  let ok = 0;
  let all = 0;
  for (const f of datasetProfiles()) {
    let results: ParityResult[];
    try {
      results = await parityForFile(f);
    } catch (e) {
      process.stdout.write(`  parity ${path.relative(DATASET_DIR, f)}: error ${(e as Error).message.split('\n')[0]}\n`);
      continue;
    }
    const good = results.filter((r) => r.ok).length;
    ok += good;
    all += results.length;
    process.stdout.write(`  parity ${path.relative(DATASET_DIR, f)}: ${good}/${results.length} (sample types × flat/cum) match${good < results.length ? ` — ${results.find((r) => !r.ok)!.mismatches[0]}` : ''}\n`);
  }
  process.stdout.write(`  parity overall: ${ok}/${all}\n`);
}
