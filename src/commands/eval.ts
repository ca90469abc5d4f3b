// `queryless eval PATH…`: score investigations on recorded incidents (bundles, folders of bundles, suites).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { planEval, SuiteError, type EvalMode } from '../evals/suite.js';
import { runEval } from '../evals/run.js';
import { progressBar, renderMarkdown, renderTable } from '../evals/output.js';
import { renderJunit } from '../evals/junit.js';
import { parseArgv, UsageError } from './args.js';
import { maskDeep } from '../mask.js';

export const EVAL_HELP = `Usage: queryless eval PATH... [options]

PATH is an incident bundle (a folder with incident.yaml), a folder of bundles, or a suite file
(evals/suites/*.yaml: bundles, langs, modes, replay folder, thresholds).

Each case asks the bundle's question (incident.yaml "questions") and scores the report against
"truth": root-cause service top-1/top-3, fault kind, span/function/file found, report language,
tool calls, tokens, time. Bundles without truth are skipped with a reason; a broken bundle fails
its own case and the run goes on.

Options:
  --mode playbook|agent   investigator (default: playbook, or the suite's modes)
  --lang xx[,yy]|all      question language(s) to ask (default: each bundle's first question)
  --replay DIR            agent mode: replay recorded model answers from DIR (no key needed)
  --replay-strict         treat any text drift in replayed requests as a mismatch
  --record-model DIR      agent mode: record the model's HTTP exchanges into DIR (needs a model)
  --repeat N              agent mode: run each case N times (pass rate and variance)
  --json                  print full results as JSON on stdout (the table goes to stderr)
  --junit FILE            write JUnit XML for CI
  --markdown FILE         write a Markdown summary
  --min-top1 X            fail (exit 1) when the top-1 rate is below X (0..1)
  --min-top3 X            same for top-3
  --time-budget MS        time budget per investigation
  --max-steps N           agent step budget
Model (agent mode): OPENAI_BASE_URL / OPENAI_API_KEY / QUERYLESS_MODEL or --openai-base-url, --model.
Exit code: 0 when every threshold holds and no case errored, 1 otherwise, 2 on usage errors.`;

function num(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number between ${min} and ${max}, got "${v}"`);
  return n;
}

export async function evalCommand(argv: string[]): Promise<number> {
  const a = parseArgv(argv, ['replay-strict', 'quiet']);
  if (a.bools.has('help') || a.bools.has('h')) {
    process.stdout.write(EVAL_HELP + '\n');
    return 0;
  }
  if (a.positionals.length === 0) throw new UsageError('give at least one PATH (a bundle, a folder of bundles, or a suite .yaml).\n\n' + EVAL_HELP);
  const f = { ...a.flags };
  const take = (k: string) => {
    const v = f[k];
    delete f[k];
    return v;
  };
  const mode = take('mode');
  if (mode !== undefined && mode !== 'playbook' && mode !== 'agent') throw new UsageError(`--mode must be playbook or agent, got "${mode}"`);
  const langFlag = take('lang');
  const langs = langFlag === undefined ? undefined : langFlag === 'all' ? ['*'] : langFlag.split(',').map((s) => s.trim()).filter(Boolean);
  const replay = take('replay');
  const recordModel = take('record-model');
  if (replay && recordModel) throw new UsageError('--replay and --record-model exclude each other: replay serves recorded answers, recording needs the live model');
  const repeat = num(take('repeat'), 'repeat', 1, 1000);
  const minTop1 = num(take('min-top1'), 'min-top1', 0, 1);
  const minTop3 = num(take('min-top3'), 'min-top3', 0, 1);
  const timeBudgetMs = num(take('time-budget'), 'time-budget', 100, 3_600_000);
  const maxSteps = num(take('max-steps'), 'max-steps', 1, 1000);
  const junit = take('junit');
  const markdown = take('markdown');
  const effectiveMode: EvalMode | undefined = (mode as EvalMode | undefined) ?? (replay || recordModel ? 'agent' : undefined);

  const config = loadConfig(process.env, f);
  let plan;
  try {
    plan = await planEval(a.positionals, { mode: effectiveMode, langs, replay: replay ? path.resolve(replay) : undefined });
  } catch (e) {
    if (e instanceof SuiteError) throw new UsageError(e.message);
    throw e;
  }
  const thresholds = { ...(minTop1 !== undefined ? { top1: minTop1 } : {}), ...(minTop3 !== undefined ? { top3: minTop3 } : {}) };
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  const raw = await runEval(plan, {
    repeat,
    model: config.model,
    replay: replay ? path.resolve(replay) : undefined,
    strictReplay: a.bools.has('replay-strict'),
    recordModel: recordModel ? path.resolve(recordModel) : undefined,
    timeBudgetMs,
    maxSteps,
    thresholds,
    signal: ac.signal,
    onProgress: a.bools.has('quiet') ? undefined : progressBar(process.stderr),
  }).finally(() => process.off('SIGINT', onSig));
  // Eval reports quote findings and errors from telemetry: masked like every other output.
  const res = maskDeep(raw);

  const tableText = renderTable(res);
  if (a.bools.has('json')) {
    process.stderr.write(tableText + '\n');
    process.stdout.write(JSON.stringify(res, null, 2) + '\n');
  } else process.stdout.write(tableText + '\n');
  if (junit) {
    await mkdir(path.dirname(path.resolve(junit)), { recursive: true });
    await writeFile(junit, renderJunit(res));
  }
  if (markdown) {
    await mkdir(path.dirname(path.resolve(markdown)), { recursive: true });
    await writeFile(markdown, renderMarkdown(res));
  }
  if (ac.signal.aborted) return 130;
  return res.summary.failures.length || res.summary.errors ? 1 : 0;
}
