// Re-records the committed model cassettes of eval suites against the scripted model server
// (run after changing tools, prompts or the playbook: replay reports such changes as drift).
// Each suite's cassettes go to its own `replay` folder (demo → evals/cassettes/demo, lab →
// evals/cassettes/lab), or to --out DIR when one suite is given.
//   npx tsc -p . && node dist/scripts/record-cassettes.js [suite.yaml …] [--out DIR]
// Default: evals/suites/demo.yaml. These cassettes hold the scripted model's conversation, not an
// LLM's; a real model's are recorded with `queryless eval SUITE --mode agent --record-model DIR`.
import path from 'node:path';
import { startScriptedModelServer } from './scripted-model-server.js';
import { loadSuite, planEval } from '../src/evals/suite.js';
import { runEval } from '../src/evals/run.js';
import { renderTable } from '../src/evals/output.js';

export interface RecordTarget {
  suite: string;
  dir: string;
  /** Gzip the cassettes: a suite of more than a few cases (the lab's 13) would otherwise weigh MBs. */
  gzip: boolean;
}

/** Suites with more cases than this get gzipped cassettes (the demo's two stay readable JSON). */
const GZIP_ABOVE = 4;

/** Where each suite's cassettes go: --out for a single suite, else the suite's own replay folder. */
export async function recordTargets(suites: string[], out?: string): Promise<RecordTarget[]> {
  if (out && suites.length > 1) throw new Error('--out takes one suite (each suite records into its own replay folder)');
  const targets: RecordTarget[] = [];
  for (const s of suites) {
    const suite = path.resolve(s);
    const replay = (await loadSuite(suite)).replay;
    // An output folder: relative to the suite file even before it exists (replay's cwd fallback is for reading).
    const dir = out ? path.resolve(out) : replay ? path.resolve(path.dirname(suite), replay) : undefined;
    if (!dir) throw new Error(`${s}: the suite has no replay folder; give --out DIR`);
    const cases = (await planEval([suite], { mode: 'agent' })).cases.length;
    targets.push({ suite, dir, gzip: cases > GZIP_ABOVE });
  }
  return targets;
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--out');
  const out = i >= 0 ? argv[i + 1] : undefined;
  const suites = argv.filter((a, k) => a !== '--out' && (i < 0 || k !== i + 1));
  const targets = await recordTargets(suites.length ? suites : ['evals/suites/demo.yaml'], out);
  const server = await startScriptedModelServer(8199);
  try {
    for (const t of targets) {
      const t0 = performance.now();
      const before = server.requests;
      const plan = await planEval([t.suite], { mode: 'agent' });
      const res = await runEval(plan, { model: { name: 'scripted', baseUrl: server.url, apiKey: 'scripted-no-key' }, recordModel: t.dir, recordGzip: t.gzip, keepReports: false });
      process.stdout.write(renderTable(res) + '\n');
      const files = res.cases.filter((c) => c.recorded).map((c) => c.recorded);
      process.stdout.write(`recorded ${files.length} cassette(s) into ${path.relative(process.cwd(), t.dir)} (${server.requests - before} model requests, ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
  } finally {
    await server.close();
  }
}

if (process.argv[1] && /record-cassettes\.(js|ts)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`record-cassettes: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
