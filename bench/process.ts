// Whole-process benchmark: what a person typing a command waits for, against a floor run side by side.
//   - fixed cost of any `call` (a bundle holding only incident.yaml) vs `node -e 0`;
//   - `investigate` on the demo bundle, cold (a fresh process loading every file);
//   - `call hot_functions` on google-pprof's large.cpu vs `go tool pprof -top` (when go is installed);
//   - with QL_BENCH_500K=1 (minutes): trace tools on a 500k-span OTLP JSON bundle vs a Node process that
//     only JSON.parses the same file.
// Runs are interleaved (floor, ours, floor, ours…) so machine load hits both alike; medians of wall
// time and, through /usr/bin/time when present, of CPU time (user+sys) and peak memory.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import path from 'node:path';

const ROOT = process.cwd();
const CLI = path.join(ROOT, 'bin/queryless.js');
const DEMO = path.join(ROOT, 'evals/incidents/demo-checkout');
const LARGE = path.resolve(ROOT, '../shared/datasets/pprof/google-pprof/large.cpu');
const RUNS = Number(process.env.QL_BENCH_RUNS ?? 7);
/** Another build's bin/queryless.js (e.g. main's) run in the same interleaving: before/after under one load. */
const BEFORE = process.env.QL_BENCH_BEFORE ? path.resolve(process.env.QL_BENCH_BEFORE) : undefined;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample {
  wall: number;
  cpu?: number;
  rssMB?: number;
}

function once(cmd: string[]): Sample {
  const stats = path.join(tmpdir(), `ql-bench-time-${process.pid}`);
  const argv = TIME ? [TIME, '-f', '%U %S %M', '-o', stats, ...cmd] : cmd;
  const t = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
  if (!TIME) return { wall };
  const [u, s, m] = readFileSync(stats, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
  rmSync(stats, { force: true });
  return { wall, cpu: u! + s!, rssMB: m! / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Interleaved runs of each command; medians per command. */
function race(cmds: string[][], runs = RUNS): Sample[] {
  const all: Sample[][] = cmds.map(() => []);
  for (let i = 0; i < runs; i++) cmds.forEach((c, k) => all[k]!.push(once(c)));
  return all.map((s) => ({
    wall: median(s.map((x) => x.wall)),
    cpu: s[0]!.cpu === undefined ? undefined : median(s.map((x) => x.cpu!)),
    rssMB: s[0]!.rssMB === undefined ? undefined : median(s.map((x) => x.rssMB!)),
  }));
}

/** The issue's 500k-span rows: each trace tool in a fresh process vs the JSON.parse-only floor. */
async function bigTraces(work: string, out: (s: string) => void): Promise<void> {
  const { generate, toOtlpJson } = await import('./traces.js');
  const dir = path.join(work, 'big');
  mkdirSync(path.join(dir, 'traces'), { recursive: true });
  const file = path.join(dir, 'traces', 'traces.json');
  writeFileSync(file, toOtlpJson(generate()));
  writeFileSync(path.join(dir, 'incident.yaml'), 'id: big\ntitle: 500k spans\nwindow:\n  start: 2025-06-03T10:04:00Z\n  end: 2025-06-03T10:20:00Z\nbaseline:\n  start: 2025-06-03T09:50:00Z\n  end: 2025-06-03T10:04:00Z\n');
  const floorCmd = [process.execPath, '-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`];
  const runs = Number(process.env.QL_BENCH_500K_RUNS ?? 3);
  for (const [tool, args] of [
    ['find_slow_spans', '{}'],
    ['service_red', '{"service":"checkout"}'],
    ['find_prevalent_errors', '{}'],
    ['rank_suspects', '{}'],
  ] as const) {
    const [f, q, before] = race([floorCmd, [process.execPath, CLI, 'call', tool, args, '--bundle', dir], ...(BEFORE ? [[process.execPath, BEFORE, 'call', tool, args, '--bundle', dir]] : [])], runs);
    const goal = tool === 'rank_suspects' ? 'goal ≤ 2.5×, ≤ 0.6 GB' : 'goal ≤ 1.8×';
    out(`  call ${tool}, 500k spans: ${fmt(q!)}; floor (JSON.parse only) ${fmt(f!)}; ratio ${(q!.wall / f!.wall).toFixed(2)}× wall${q!.cpu !== undefined ? `, ${(q!.cpu / f!.cpu!).toFixed(2)}× cpu` : ''} (${goal})`);
    if (before) out(`    before: ${fmt(before)}; ratio ${(before.wall / f!.wall).toFixed(2)}× wall${before.cpu !== undefined ? `, ${(before.cpu / f!.cpu!).toFixed(2)}× cpu` : ''}`);
  }
}

const fmt = (s: Sample) => `${s.wall.toFixed(2)} s wall${s.cpu !== undefined ? `, ${s.cpu.toFixed(2)} s cpu, ${s.rssMB!.toFixed(0)} MB` : ''}`;

export async function run(): Promise<void> {
  const out = (s: string) => process.stdout.write(s + '\n');
  const work = mkdtempSync(path.join(tmpdir(), 'ql-bench-'));
  try {
    // A bundle with nothing but its incident.yaml: what remains is start-up and set-up.
    const empty = path.join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'incident.yaml'), 'id: empty\ntitle: empty\nwindow:\n  start: 2025-06-03T09:50:00Z\n  end: 2025-06-03T10:20:00Z\n');
    const callArgs = ['call', 'list_services', '--bundle', empty];
    const [floor, call, before] = race([[process.execPath, '-e', '0'], [process.execPath, CLI, ...callArgs], ...(BEFORE ? [[process.execPath, BEFORE, ...callArgs]] : [])]);
    out(`  fixed cost of a call (list_services, bundle with only incident.yaml): ${fmt(call!)}`);
    out(`    floor node -e 0: ${fmt(floor!)}; ratio ${(call!.wall / floor!.wall).toFixed(1)}× wall (goal ≤ 4×)`);
    if (before) out(`    before (${BEFORE}): ${fmt(before)}; ratio ${(before.wall / floor!.wall).toFixed(1)}× wall`);

    if (existsSync(path.join(DEMO, 'incident.yaml'))) {
      const invArgs = ['investigate', '--bundle', DEMO, 'Pourquoi les commandes échouent-elles depuis 10h ?'];
      const [inv, before] = race([[process.execPath, CLI, ...invArgs], ...(BEFORE ? [[process.execPath, BEFORE, ...invArgs]] : [])], Math.max(3, Math.ceil(RUNS / 2)));
      out(`  investigate on the demo, cold (fresh process, every file loaded): ${fmt(inv!)} (goal ≤ 1.5 s)`);
      if (before) out(`    before: ${fmt(before)}; now/before ${(inv!.wall / before.wall).toFixed(2)}× wall${inv!.cpu !== undefined ? `, ${(inv!.cpu / before.cpu!).toFixed(2)}× cpu` : ''}`);
    }

    if (existsSync(LARGE)) {
      // A bundle whose one profile is large.cpu, window around its start time.
      const pp = path.join(work, 'pprof');
      mkdirSync(path.join(pp, 'profiles', 'app'), { recursive: true });
      copyFileSync(LARGE, path.join(pp, 'profiles', 'app', 'large.cpu'));
      writeFileSync(path.join(pp, 'incident.yaml'), 'id: large-cpu\ntitle: google-pprof large.cpu\nwindow:\n  start: 2022-10-18T15:30:00Z\n  end: 2022-10-18T16:00:00Z\n');
      const ours = [process.execPath, CLI, 'call', 'hot_functions', '{"service":"app"}', '--bundle', pp];
      const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
      if (hasGo) {
        const [q, g, before] = race([ours, ['go', 'tool', 'pprof', '-top', LARGE], ...(BEFORE ? [[process.execPath, BEFORE, ...ours.slice(2)]] : [])], Math.max(3, Math.ceil(RUNS / 2)));
        out(`  call hot_functions on large.cpu: ${fmt(q!)}`);
        out(`    go tool pprof -top large.cpu: ${fmt(g!)}; ratio ${(q!.wall / g!.wall).toFixed(2)}× wall${q!.cpu !== undefined ? `, ${(q!.cpu / g!.cpu!).toFixed(2)}× cpu` : ''} (goal ≤ 1.0×)`);
        if (before) out(`    before: ${fmt(before)}; ratio ${(before.wall / g!.wall).toFixed(2)}× wall`);
      } else {
        const [q] = race([ours], Math.max(3, Math.ceil(RUNS / 2)));
        out(`  call hot_functions on large.cpu: ${fmt(q!)} (go tool pprof: skipped, no go on PATH)`);
      }
    }
    if (process.env.QL_BENCH_500K === '1') await bigTraces(work, out);
    out(`  (medians of ${RUNS} interleaved runs; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPU(s): compare ratios, not absolute times)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
