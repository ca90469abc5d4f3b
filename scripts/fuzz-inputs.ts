// Fuzz campaign over the bundle readers and the tools: each case copies a real fixture bundle into a
// temp dir, damages it one way (fuzz/mutations.ts), opens it as the CLI does and runs every tool
// (fuzz/run-case.ts). Cases run in a worker process so a crash or a hang is a finding, not the end of
// the campaign. Deterministic for a seed.
//
//   node dist/scripts/fuzz-inputs.js [--seed N] [--cases N] [--from N] [--budget-ms MS] [--kind K] [--keep] [--json FILE]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyBase, fuzzBases, isKeptProfile, listFiles, type Base } from './fuzz/bases.js';
import { CASE_KINDS, MUTATIONS } from './fuzz/mutations.js';
import { caseSeed, Rng } from './fuzz/rng.js';
import type { Finding } from './fuzz/run-case.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface CaseSpec {
  index: number;
  kind: string;
  base: string;
  file?: string;
  note: string;
  dir: string;
}

interface CaseResult {
  spec: CaseSpec;
  findings: Finding[];
  ms: number;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

const applies = new Map<string, boolean>();

/** Builds case `index` of `seed` in a new temp dir: a kind, a base that has a file it applies to, the damage. */
function makeCase(seed: number, index: number, bases: Base[], onlyKind?: string): CaseSpec {
  const rng = new Rng(caseSeed(seed, index));
  const kind = onlyKind ?? rng.pick(CASE_KINDS);
  const m = MUTATIONS[kind]!;
  const candidates: Array<{ base: Base; files: string[] }> = [];
  for (const base of bases) {
    const files = listFiles(base.dir).filter((rel) => !rel.endsWith('.pb.gz') || isKeptProfile(path.join(base.dir, rel)));
    const fit = files.filter((rel) => {
      // The fixtures do not change during a campaign: whether a kind applies to a file is asked once.
      const key = `${kind}\u0000${base.dir}\u0000${rel}`;
      let ok = applies.get(key);
      if (ok === undefined) applies.set(key, (ok = m.applies(rel, readFileSync(path.join(base.dir, rel)))));
      return ok;
    });
    if (fit.length) for (let w = 0; w < base.weight; w++) candidates.push({ base, files: fit });
  }
  const { base, files } = rng.pick(candidates);
  const dir = mkdtempSync(path.join(tmpdir(), `ql-fuzz-${seed}-${index}-`));
  copyBase(base, dir);
  const file = rng.pick(files);
  const done = m.apply(dir, file, rng);
  return { index, kind, base: base.name, file: done.rel ?? file, note: done.note, dir };
}

/** The worker: runs the cases the parent sends, one at a time, and answers with the findings. */
async function worker(): Promise<void> {
  const { runCase } = await import('./fuzz/run-case.js');
  const escaped: Finding[] = [];
  process.on('uncaughtException', (e) => escaped.push({ kind: 'uncaught', detail: `uncaught exception: ${e.stack?.slice(0, 500) ?? String(e)}` }));
  process.on('unhandledRejection', (e) => escaped.push({ kind: 'uncaught', detail: `unhandled rejection: ${(e as Error)?.stack?.slice(0, 500) ?? String(e)}` }));
  process.on('message', async (msg: { dir: string; file?: string; budgetMs: number }) => {
    let findings: Finding[];
    try {
      findings = await runCase(msg.dir, msg.file, msg.budgetMs, (step) => process.send!({ step }));
    } catch (e) {
      findings = [{ kind: 'uncaught', detail: `escaped the tools: ${(e as Error)?.stack?.slice(0, 500) ?? String(e)}` }];
    }
    // Late rejections of this case surface within a turn or two of the loop.
    await new Promise((r) => setTimeout(r, 20));
    findings.push(...escaped.splice(0));
    process.send!({ findings });
  });
  // The parent gone (killed, ^C), the worker has no one to answer.
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true });
}

class Worker {
  private child?: ChildProcess;
  private stderrTail = '';

  private async start(): Promise<ChildProcess> {
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'silent' };
    // No backend, model or token from the caller's environment: the bundle alone is read.
    for (const [k, v] of Object.entries(process.env)) if (!/^(PROMETHEUS|LOKI|TEMPO|PYROSCOPE|GRAFANA|GITHUB|OPENAI|QUERYLESS)_/.test(k)) env[k] = v;
    env.LOG_LEVEL = 'silent';
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.stderrTail = '';
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-1500)));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`fuzz worker exited at start (${code}): ${this.stderrTail}`)));
    });
    this.child = child;
    return child;
  }

  /** Runs one case: its findings, or a crash or hang finding when the worker dies or overruns. */
  async run(spec: CaseSpec, budgetMs: number): Promise<Finding[]> {
    const child = this.child ?? (await this.start());
    let step = '';
    return new Promise<Finding[]>((resolve) => {
      const done = (f: Finding[]) => {
        clearTimeout(timer);
        child.removeAllListeners('message');
        child.removeAllListeners('exit');
        resolve(f);
      };
      // Tools stop at their own deadline (budgetMs); the worker gets twice that before it is killed,
      // for the work that cannot be interrupted (a loop that never yields).
      const timer = setTimeout(() => {
        this.child = undefined;
        child.kill('SIGKILL');
        done([{ kind: 'hang', detail: `no answer within ${(2 * budgetMs) / 1000} s, in ${step || 'the start'} (the worker was killed)` }]);
      }, 2 * budgetMs);
      child.on('message', (m: { findings?: Finding[]; step?: string }) => {
        if (m.step) step = m.step;
        else if (m.findings) done(m.findings);
      });
      child.once('exit', (code, sig) => {
        this.child = undefined;
        done([{ kind: 'crash', detail: `worker died (${sig ?? `exit ${code}`}) in ${step || 'the start'}: ${this.stderrTail.slice(-600)}` }]);
      });
      child.send({ dir: spec.dir, file: spec.file, budgetMs });
    });
  }

  stop(): void {
    this.child?.kill();
  }
}

function summary(results: CaseResult[], seed: number): string {
  const kinds = [...new Set(results.map((r) => r.spec.kind))].sort();
  const findingKinds = ['uncaught', 'crash', 'hang', 'tool-exception', 'unclear-error', 'bad-output', 'silent-ignore'];
  const rows = [['case kind', 'cases', ...findingKinds]];
  for (const k of kinds) {
    const rs = results.filter((r) => r.spec.kind === k);
    rows.push([k, String(rs.length), ...findingKinds.map((f) => String(rs.filter((r) => r.findings.some((x) => x.kind === f)).length || '.'))]);
  }
  rows.push(['all', String(results.length), ...findingKinds.map((f) => String(results.filter((r) => r.findings.some((x) => x.kind === f)).length))]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
  const examples: string[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    for (const f of r.findings) {
      const key = `${r.spec.kind}/${f.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      examples.push(`- ${key}: case ${r.spec.index} (${r.spec.base}, ${r.spec.file ?? ''}: ${r.spec.note})\n    ${f.detail.replace(/\n/g, '\n    ')}`);
    }
  }
  const bad = results.filter((r) => r.findings.length).length;
  return `seed ${seed}: ${results.length} case(s), ${bad} with findings (a case counts once per finding kind)\n${table}\n${examples.length ? `\nfirst example of each case kind × finding kind (re-run one with --from N --cases 1 --keep):\n${examples.join('\n')}` : ''}`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--worker')) {
    await worker();
    return -1;
  }
  const seed = Number(flag(argv, 'seed') ?? 1);
  const cases = Number(flag(argv, 'cases') ?? 100);
  const from = Number(flag(argv, 'from') ?? 0);
  const budgetMs = Number(flag(argv, 'budget-ms') ?? 20_000);
  const onlyKind = flag(argv, 'kind');
  const keep = argv.includes('--keep');
  if (onlyKind && !MUTATIONS[onlyKind]) throw new Error(`--kind: one of ${CASE_KINDS.join(', ')}`);
  const bases = fuzzBases(REPO);
  const w = new Worker();
  const results: CaseResult[] = [];
  try {
    for (let i = from; i < from + cases; i++) {
      let spec: CaseSpec;
      try {
        spec = makeCase(seed, i, bases, onlyKind);
      } catch (e) {
        // A mutation that cannot apply to the file drawn is the harness's fault, not a finding: said and skipped.
        process.stderr.write(`case ${i}: not made (${(e as Error).message})\n`);
        continue;
      }
      const t0 = Date.now();
      const findings = await w.run(spec, budgetMs);
      results.push({ spec, findings, ms: Date.now() - t0 });
      const mark = findings.length ? `${findings.length} finding(s): ${[...new Set(findings.map((f) => f.kind))].join(', ')}` : 'ok';
      process.stderr.write(`case ${i} ${spec.kind} ${spec.base} ${spec.file ?? ''} (${spec.note}) ${Date.now() - t0} ms: ${mark}${keep ? ` [${spec.dir}]` : ''}\n`);
      if (!keep) rmSync(spec.dir, { recursive: true, force: true });
    }
  } finally {
    w.stop();
  }
  process.stdout.write(summary(results, seed) + '\n');
  const json = flag(argv, 'json');
  if (json) writeFileSync(json, JSON.stringify(results.map((r) => ({ ...r.spec, ms: r.ms, findings: r.findings })), null, 1));
  return results.some((r) => r.findings.length) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`fuzz-inputs: ${e.message}\n`);
    process.exitCode = 2;
  },
);
