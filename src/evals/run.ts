// The eval runner: for each case (bundle × question language × mode × repeat) open the bundle, ask
// the investigator the bundle's question, score the report against `truth`, and aggregate.
// A bundle without truth is skipped with a reason; a broken bundle or a crashing investigator fails
// its own case only, and the run goes on.
import path from 'node:path';
import type { Report } from '../agent/findings.js';
import { openBundle, type BundleSources } from '../sources/bundle/load.js';
import { mean } from '../util/stats.js';
import { cassetteFile, findCassette, ModelRecorder, readCassette, startReplay, writeCassette, type ReplayIssue } from './cassette.js';
import { loadAgent, loadPlaybook, type AgentFn, type ModelSettings, type PlaybookFn } from './investigator.js';
import { baseLang, DEFAULT_REQUIRE, scoreReport, type CaseScore, type Check, type Truth } from './score.js';
import type { CaseSpec, EvalMode, Plan, Thresholds } from './suite.js';

export type CaseStatus = 'pass' | 'fail' | 'skip' | 'error';

export interface CaseResult {
  /** `<bundle id>[<lang>]/<mode>` plus `#run` when repeated: unique within a run. */
  key: string;
  id: string;
  bundle: string;
  suite?: string;
  mode: EvalMode;
  lang: string;
  question?: string;
  run: number;
  status: CaseStatus;
  /** Why it was skipped, failed or errored (one line each). */
  reasons: string[];
  truth?: Truth;
  /** The recorded system (incident.yaml `system`), for per-system tables. */
  system?: string;
  score?: CaseScore;
  stats: { toolCalls: number; tokens?: number; steps?: number; ms: number };
  partial: string[];
  /** Problems found while loading the bundle's files (corrupt file…), as the sources reported them. */
  problems: string[];
  replay?: { cassette: string; issues: ReplayIssue[] };
  recorded?: string;
  report?: Report;
}

export interface RateSummary {
  n: number;
  hits: number;
  rate: number;
}

export interface GroupSummary {
  key: string;
  runs: number;
  passRate: number;
  top1Rate: number;
  /** Sample variance of the per-run pass indicator (0 when every run agrees). */
  passVariance: number;
  msMean: number;
  msStd: number;
}

export interface EvalSummary {
  total: number;
  scored: number;
  skipped: number;
  errors: number;
  passed: number;
  top1: RateSummary;
  top3: RateSummary;
  kind: RateSummary;
  span: RateSummary;
  function: RateSummary;
  file: RateSummary;
  lang: RateSummary;
  pass: RateSummary;
  ms: { mean: number; max: number; total: number };
  toolCalls: number;
  tokens: number;
  /** Per (bundle, language, mode) over --repeat runs. */
  groups: GroupSummary[];
  thresholds: Thresholds;
  /** Threshold failures, one line each (empty = thresholds met). */
  failures: string[];
}

export interface EvalResult {
  startedAt: string;
  suites: string[];
  skippedPaths: Plan['skipped'];
  cases: CaseResult[];
  summary: EvalSummary;
}

export interface RunOptions {
  repeat?: number;
  /** Model for live agent mode (and for recording). */
  model?: ModelSettings;
  /** Folder of cassettes to replay (overrides a suite's replay folder). */
  replay?: string;
  strictReplay?: boolean;
  /** Folder to record model cassettes into (agent mode, live model). */
  recordModel?: string;
  /** Write recorded cassettes gzipped (`.json.gz`). */
  recordGzip?: boolean;
  timeBudgetMs?: number;
  maxSteps?: number;
  thresholds?: Thresholds;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, label: string) => void;
  /** Keep the full report in each result (default true). */
  keepReports?: boolean;
  /** For tests and embedding: investigators to use instead of src/agent/*. */
  investigators?: { playbook?: PlaybookFn; agent?: AgentFn };
}

interface Unit {
  spec: CaseSpec;
  lang: string;
  run: number;
}

function pickQuestions(spec: CaseSpec, questions: Array<{ lang: string; text: string }>): Array<{ lang: string; text?: string; reason?: string }> {
  if (spec.langs.includes('*')) return questions.length ? questions : [{ lang: '', reason: 'incident.yaml has no questions' }];
  if (spec.langs.length === 0) return questions.length ? [questions[0]!] : [{ lang: '', reason: 'incident.yaml has no questions' }];
  return spec.langs.map((l) => {
    const q = questions.find((x) => baseLang(x.lang) === baseLang(l));
    return q ?? { lang: l, reason: `incident.yaml has no question in "${l}" (has: ${questions.map((x) => x.lang).join(', ') || 'none'})` };
  });
}

function emptyResult(spec: CaseSpec, lang: string, run: number, repeat: number): CaseResult {
  const key = `${spec.id}[${lang || '-'}]/${spec.mode}${repeat > 1 ? `#${run}` : ''}`;
  return { key, id: spec.id, bundle: spec.bundleDir, suite: spec.suite, mode: spec.mode, lang, run, status: 'error', reasons: [], stats: { toolCalls: 0, ms: 0 }, partial: [], problems: [] };
}

export async function runEval(plan: Plan, opts: RunOptions = {}): Promise<EvalResult> {
  const repeat = Math.max(1, opts.repeat ?? 1);
  const startedAt = new Date().toISOString();
  const results: CaseResult[] = [];
  // Open each bundle once: its questions decide how many units it has, and its loaded data is reused.
  const opened = new Map<string, Promise<BundleSources>>();
  const open = (dir: string) => {
    let p = opened.get(dir);
    if (!p) {
      p = openBundle(dir);
      p.catch(() => {});
      opened.set(dir, p);
    }
    return p;
  };

  // Expand specs into units (needs the questions); a bundle that cannot be opened is one failed unit.
  const units: Array<Unit & { question?: string; reason?: string; error?: string }> = [];
  for (const spec of plan.cases) {
    try {
      const b = await open(spec.bundleDir);
      for (const q of pickQuestions(spec, b.incident.questions)) {
        const runs = spec.mode === 'agent' ? repeat : 1; // the playbook is deterministic: one run says it all
        for (let run = 1; run <= runs; run++) units.push({ spec, lang: q.lang, run, question: q.text, reason: q.reason });
      }
    } catch (e) {
      units.push({ spec, lang: spec.langs[0] ?? '', run: 1, error: `bundle cannot be opened: ${(e as Error).message}` });
    }
  }

  let done = 0;
  for (const u of units) {
    if (opts.signal?.aborted) break;
    const runs = u.spec.mode === 'agent' ? repeat : 1;
    const r = emptyResult(u.spec, u.lang, u.run, runs);
    opts.onProgress?.(done, units.length, r.key);
    if (u.error) {
      r.reasons.push(u.error);
    } else {
      const b = await open(u.spec.bundleDir);
      r.question = u.question;
      r.system = b.incident.system;
      if (!b.incident.truth) {
        r.status = 'skip';
        r.reasons.push('no truth in incident.yaml: nothing to score against (add truth.service and truth.fault)');
      } else if (u.reason || !u.question) {
        r.status = 'skip';
        r.reasons.push(u.reason ?? 'no question');
        r.truth = b.incident.truth as Truth;
      } else {
        r.truth = b.incident.truth as Truth;
        await runUnit(r, u.spec, b, u.question, opts, u.run);
      }
    }
    results.push(r);
    done++;
  }
  opts.onProgress?.(done, units.length, '');
  const thresholds = { ...(plan.thresholds ?? {}), ...(opts.thresholds ?? {}) };
  return { startedAt, suites: plan.suites, skippedPaths: plan.skipped, cases: results, summary: summarize(results, thresholds) };
}

async function runUnit(r: CaseResult, spec: CaseSpec, sources: BundleSources, question: string, opts: RunOptions, run: number): Promise<void> {
  const t0 = performance.now();
  let report: Report | undefined;
  let replay: ReturnType<typeof startReplay> | undefined;
  let recorder: ModelRecorder | undefined;
  let model: ModelSettings | undefined;
  try {
    if (r.mode === 'playbook') {
      const playbook = opts.investigators?.playbook ?? (await loadPlaybook());
      report = await playbook(sources, question, { signal: opts.signal, timeBudgetMs: opts.timeBudgetMs });
    } else {
      const agent = opts.investigators?.agent ?? (await loadAgent());
      // --record-model wins over a suite's replay folder: recording needs the live model.
      const specReplay = opts.replay ?? spec.replay;
      if (specReplay && !opts.recordModel) {
        const file = await findCassette(specReplay, r.id, r.lang, run);
        const cassette = await readCassette(file);
        replay = startReplay(cassette, { strict: opts.strictReplay });
        model = replay.model;
        r.replay = { cassette: path.relative(process.cwd(), file), issues: replay.issues };
      } else {
        if (!opts.model) throw new Error('agent mode needs a model: set OPENAI_BASE_URL (and OPENAI_API_KEY, QUERYLESS_MODEL), or replay recorded answers with --replay DIR');
        model = opts.model;
        if (opts.recordModel) {
          recorder = new ModelRecorder(model.baseUrl ?? 'https://api.openai.com/v1');
          recorder.start();
        }
      }
      report = await agent(sources, question, { model, signal: opts.signal, timeBudgetMs: opts.timeBudgetMs, maxSteps: opts.maxSteps });
    }
  } catch (e) {
    r.reasons.push(`${r.mode} failed: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    recorder?.stop();
    if (replay) r.replay!.issues = replay.done();
  }
  r.stats.ms = Math.round(performance.now() - t0);
  r.problems = [...new Set(sources.problems)];
  if (recorder && opts.recordModel && model) {
    const file = cassetteFile(opts.recordModel, r.id, r.lang, run, opts.recordGzip);
    await writeCassette(file, { version: 1, recordedAt: new Date().toISOString(), model: { name: model.name, baseUrl: model.baseUrl ?? 'https://api.openai.com/v1' }, case: { bundle: r.id, lang: r.lang, question, run }, exchanges: recorder.exchanges });
    r.recorded = path.relative(process.cwd(), file);
  }
  const blocking = (r.replay?.issues ?? []).filter((i) => i.kind !== 'drift');
  for (const i of blocking) r.reasons.push(`replay ${i.kind}: ${i.message}`);
  if (!report) {
    r.status = 'error';
    return;
  }
  r.stats = { toolCalls: report.stats?.toolCalls ?? 0, tokens: report.stats?.tokens, steps: report.stats?.steps, ms: r.stats.ms };
  r.partial = report.partial ?? [];
  if (opts.keepReports !== false) r.report = report;
  r.score = scoreReport(report, r.truth!, r.lang, spec.require);
  const s = r.score;
  const req = (c: Check) => (spec.require ?? DEFAULT_REQUIRE).includes(c);
  const note = (c: Check) => (req(c) ? '' : ' (not required)');
  if (!s.top1) r.reasons.push((s.rank ? `root-cause service ${r.truth!.service} ranked #${s.rank} (top: ${s.ranked.slice(0, 3).join(', ')})` : `root-cause service ${r.truth!.service} not among the suspects (top: ${s.ranked.slice(0, 3).join(', ') || 'none'})`) + note('top1'));
  if (s.kindMatch === false) r.reasons.push(`fault "${r.truth!.fault}" expects ${s.expectedKinds.join('/')} findings on ${r.truth!.service}; none found${note('kind')}`);
  if (s.span === false) r.reasons.push(`span "${r.truth!.span}" not among the findings${note('span')}`);
  if (s.function === false) r.reasons.push(`function "${r.truth!.function}" not among the findings${note('function')}`);
  if (s.file === false) r.reasons.push(`file "${r.truth!.file}" not among the findings${note('file')}`);
  if (!s.langOk) r.reasons.push(`report language "${s.reportLang}" differs from the question's "${r.lang}"${note('lang')}`);
  r.status = s.pass && blocking.length === 0 ? 'pass' : 'fail';
  if (r.status === 'fail' && r.problems.length) r.reasons.push(`bundle data problems: ${r.problems.slice(0, 2).join('; ')}${r.problems.length > 2 ? ` (+${r.problems.length - 2} more)` : ''}`);
}

function rate(values: Array<boolean | undefined>): RateSummary {
  const v = values.filter((x): x is boolean => x !== undefined);
  const hits = v.filter(Boolean).length;
  return { n: v.length, hits, rate: v.length ? hits / v.length : NaN };
}

function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export function summarize(results: CaseResult[], thresholds: Thresholds = {}): EvalSummary {
  // Errors count as misses (a broken bundle is a failed case); skips are not counted at all.
  const counted = results.filter((r) => r.status !== 'skip');
  const sc = (f: (s: CaseScore) => boolean | undefined) => counted.map((r) => (r.score ? f(r.score) : false));
  const groups = new Map<string, CaseResult[]>();
  for (const r of counted) {
    const k = `${r.id}[${r.lang || '-'}]/${r.mode}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const groupSummaries: GroupSummary[] = [...groups].map(([key, rs]) => {
    const passes = rs.map((r) => (r.status === 'pass' ? 1 : 0));
    const p = mean(passes);
    return {
      key,
      runs: rs.length,
      passRate: p,
      top1Rate: mean(rs.map((r) => (r.score?.top1 ? 1 : 0))),
      passVariance: rs.length > 1 ? (p * (1 - p) * rs.length) / (rs.length - 1) : 0,
      msMean: mean(rs.map((r) => r.stats.ms)),
      msStd: std(rs.map((r) => r.stats.ms)),
    };
  });
  const ms = counted.map((r) => r.stats.ms);
  const summary: EvalSummary = {
    total: results.length,
    scored: counted.filter((r) => r.score).length,
    skipped: results.length - counted.length,
    errors: counted.filter((r) => r.status === 'error').length,
    passed: counted.filter((r) => r.status === 'pass').length,
    top1: rate(sc((s) => s.top1)),
    top3: rate(sc((s) => s.top3)),
    // Optional checks count only where applicable (the truth names a span, the fault has a mapping…).
    kind: rate(counted.map((r) => (r.score ? r.score.kindMatch : undefined))),
    span: rate(counted.map((r) => (r.truth?.span ? (r.score?.span ?? false) : undefined))),
    function: rate(counted.map((r) => (r.truth?.function ? (r.score?.function ?? false) : undefined))),
    file: rate(counted.map((r) => (r.truth?.file ? (r.score?.file ?? false) : undefined))),
    lang: rate(sc((s) => s.langOk)),
    pass: rate(counted.map((r) => r.status === 'pass')),
    ms: { mean: ms.length ? mean(ms) : 0, max: ms.length ? Math.max(...ms) : 0, total: ms.reduce((a, b) => a + b, 0) },
    toolCalls: counted.reduce((a, r) => a + r.stats.toolCalls, 0),
    tokens: counted.reduce((a, r) => a + (r.stats.tokens ?? 0), 0),
    groups: groupSummaries,
    thresholds,
    failures: [],
  };
  const check = (name: keyof Thresholds, r: RateSummary, label: string) => {
    const t = thresholds[name];
    if (t === undefined) return;
    if (r.n === 0) summary.failures.push(`${label}: no scored case (threshold ${t})`);
    else if (!(r.rate >= t)) summary.failures.push(`${label} ${r.rate.toFixed(3)} < threshold ${t} (${r.hits}/${r.n})`);
  };
  check('top1', summary.top1, 'top-1');
  check('top3', summary.top3, 'top-3');
  check('kind', summary.kind, 'fault kind');
  check('lang', summary.lang, 'language');
  check('pass', summary.pass, 'pass rate');
  return summary;
}
