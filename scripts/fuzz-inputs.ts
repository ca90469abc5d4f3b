// Fuzz campaign over the bundle readers and the tools: each case copies a real fixture bundle into a
// temp dir, damages it one way (fuzz/mutations.ts), opens it as the CLI does and runs every tool
// (fuzz/run-case.ts). Cases run in a worker process so a crash or a hang is a finding, not the end of
// the campaign. Deterministic for a seed.
//
//   node dist/scripts/fuzz-inputs.js [--seed N] [--cases N] [--from N] [--budget-ms MS] [--kind K] [--base REGEX] [--keep] [--json FILE]
//   (--base keeps the bases whose name matches, e.g. --base 'speedscope|v8-cpuprofile' for a new format)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyBase, fuzzBases, isKeptProfile, listFiles, type Base } from './fuzz/bases.js';
import { CASE_KINDS, MUTATIONS } from './fuzz/mutations.js';
import { caseSeed, Rng } from './fuzz/rng.js';
import { CaseWorker, serveCases } from './fuzz/worker.js';
import type { CaseResult as SummaryRow } from './fuzz/summary.js';
import { finish, flag, runCampaign } from './fuzz/campaign.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface CaseSpec {
  index: number;
  kind: string;
  base: string;
  file?: string;
  note: string;
  dir: string;
}

interface CaseResult extends SummaryRow {
  spec: CaseSpec;
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

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--worker')) {
    const { runCase } = await import('./fuzz/run-case.js');
    serveCases<{ dir: string; file?: string; budgetMs: number }>((msg, step) => runCase(msg.dir, msg.file, msg.budgetMs, step));
    return -1;
  }
  const seed = Number(flag(argv, 'seed') ?? 1);
  const cases = Number(flag(argv, 'cases') ?? 100);
  const from = Number(flag(argv, 'from') ?? 0);
  const budgetMs = Number(flag(argv, 'budget-ms') ?? 20_000);
  const onlyKind = flag(argv, 'kind');
  const keep = argv.includes('--keep');
  if (onlyKind && !MUTATIONS[onlyKind]) throw new Error(`--kind: one of ${CASE_KINDS.join(', ')}`);
  const onlyBase = flag(argv, 'base');
  const bases = fuzzBases(REPO).filter((b) => !onlyBase || new RegExp(onlyBase).test(b.name));
  if (!bases.length) throw new Error(`--base: no fixture bundle's name matches ${onlyBase}`);
  const w = new CaseWorker(fileURLToPath(import.meta.url));
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
      const findings = await w.run({ dir: spec.dir, file: spec.file, budgetMs }, budgetMs);
      results.push({ spec, findings, ms: Date.now() - t0 });
      const mark = findings.length ? `${findings.length} finding(s): ${[...new Set(findings.map((f) => f.kind))].join(', ')}` : 'ok';
      process.stderr.write(`case ${i} ${spec.kind} ${spec.base} ${spec.file ?? ''} (${spec.note}) ${Date.now() - t0} ms: ${mark}${keep ? ` [${spec.dir}]` : ''}\n`);
      if (!keep) rmSync(spec.dir, { recursive: true, force: true });
    }
  } finally {
    w.stop();
  }
  return finish(results, seed, argv);
}

runCampaign('fuzz-inputs', main);
