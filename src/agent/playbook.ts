// The deterministic investigation (DESIGN.md "Investigation"): scope → suspects → the signal steps for
// the top suspects, in parallel and each bounded in time → source lookup → hints → report.
// A step that fails or runs out of time becomes a line in `partial`; the report is still produced.
import { yieldToLoop } from '../util/yield.js';
import { FINDING_KINDS, type Finding, type Report, type StepResult } from './findings.js';
import type { Sources, TimeRange } from '../sources/types.js';
import { rankSuspects, type SuspectsResult } from '../analysis/suspects/index.js';
import { steps as registeredSteps, type NamedStep } from './steps/index.js';
import { resolveHints } from './hints.js';
import { catalogueLang, detectLanguage, normaliseLang } from './language.js';
import { resolveInvestigationScope } from './scope.js';
import { locateIncident } from './changepoint.js';
import { codePathFinding, statementFinding, suspectFinding } from './suspect-findings.js';
import { log } from '../log.js';

export interface PlaybookOptions {
  lang?: string;
  window?: TimeRange;
  baseline?: TimeRange;
  service?: string;
  signal?: AbortSignal;
  timeBudgetMs?: number;
}

const DEFAULT_BUDGET_MS = 30_000;
/** How many of the data's problems the report lists. */
const MAX_DATA_PROBLEMS = 5;
/** How many suspect services the signal steps look at. */
const TOP_SUSPECTS = 3;

class StepTimeout extends Error {}

/** Run a promise-returning task with a deadline; the task's signal is aborted when the deadline passes. */
async function bounded<T>(name: string, ms: number, parent: AbortSignal | undefined, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onAbort = () => ac.abort(parent?.reason);
  parent?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const t0 = performance.now();
  try {
    // Each step starts on its own turn of the event loop: the synchronous parts of the steps do not
    // run back to back, so pings and other sessions get through between them.
    await yieldToLoop();
    parent?.throwIfAborted();
    return await Promise.race([
      task(ac.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Reject before aborting, so the timeout (not the task's reaction to the abort) is what is reported.
          reject(new StepTimeout(`${name}: no answer within ${Math.round(ms)} ms`));
          ac.abort(new StepTimeout(name));
        }, Math.max(1, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onAbort);
    log.debug({ step: name, ms: Math.round(performance.now() - t0), at: Math.round(performance.now()) }, 'playbook step ended');
  }
}

/** The first few problems found in the data (files skipped or read in part), and how many more there are. */
function dataProblems(problems: string[]): string[] {
  const shown = problems.slice(0, MAX_DATA_PROBLEMS);
  if (problems.length > shown.length) shown.push(`${problems.length - shown.length} more data problem(s): run \`queryless inspect\` on the bundle to list them`);
  return shown;
}

function iso(r: TimeRange): { start: string; end: string } {
  return { start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString() };
}

/** Source lookup for code-level findings that came without a location (hot functions, erroring code);
 * a lookup that fails is a line in `partial`. */
export async function addSourceLocations(findings: Finding[], sources: Sources, signal: AbortSignal, partial: string[]): Promise<void> {
  const code = sources.code;
  if (!code) return;
  await Promise.all(
    findings
      .filter((f) => !f.source && (f.kind === 'hot-function' || f.kind === 'error') && (f.details?.function ?? (f.kind === 'hot-function' ? f.title : undefined)))
      .slice(0, 5)
      .map(async (f) => {
        const fn = f.details?.function ?? f.title;
        try {
          // A known file and line (from code.* attributes or a stack trace) beats a search by name.
          const file = f.details?.['code.file'];
          const line = Number(f.details?.['code.line']);
          if (file && line > 0) {
            const src = await code.readFile(f.service, file, signal);
            if (src) {
              const lines = src.text.split('\n');
              const start = Math.max(1, line - 6);
              const end = Math.min(lines.length, line + 6);
              f.source = { repo: src.repo, path: src.path, startLine: start, endLine: end, snippet: lines.slice(start - 1, end).join('\n'), url: src.url, function: fn };
              return;
            }
          }
          const hits = await code.findFunction(f.service, fn, signal);
          const hit = hits[0];
          if (!hit) return;
          const lines = hit.file.text.split('\n');
          const start = hit.line;
          const end = Math.min(lines.length, start + 12);
          f.source = { repo: hit.file.repo, path: hit.file.path, startLine: start, endLine: end, snippet: lines.slice(start - 1, end).join('\n'), url: hit.file.url, function: fn };
        } catch (e) {
          // A lookup that failed (GitHub rate limit, a damaged answer) is said, not taken for "no source".
          log.debug({ err: (e as Error).message, fn }, 'source lookup failed');
          partial.push(`source of ${fn}: ${(e as Error).message}`);
        }
      }),
  );
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of findings) {
    const k = `${f.kind}\u0000${f.service}\u0000${f.title}`;
    const prev = seen.get(k);
    if (!prev || f.score > prev.score) seen.set(k, f);
  }
  return [...seen.values()];
}

/** The playbook with an explicit list of steps (tests and benchmarks inject their own). */
export async function runPlaybookWithSteps(
  stepList: NamedStep[],
  sources: Sources,
  question: string,
  opts: PlaybookOptions = {},
): Promise<Report & { scopeFrom: string; suspectsDetail: SuspectsResult | undefined }> {
  const t0 = performance.now();
  const budget = opts.timeBudgetMs ?? DEFAULT_BUDGET_MS;
  const deadline = t0 + budget;
  const remaining = () => Math.max(1, deadline - performance.now());
  // The asked language is kept as is; the report is written from its catalogue, or English (said in the report).
  const askedLang = normaliseLang(opts.lang) ?? detectLanguage(question);
  const lang = catalogueLang(askedLang);
  const scope = resolveInvestigationScope(sources, question, opts);
  let window = scope.window;
  let baseline = scope.baseline ?? { start: window.start - (window.end - window.start), end: window.start };
  // Read whole, with no baseline at all: the report shows none (the range before the data stays for the analyses).
  let noBaseline = false;
  const partial: string[] = [];
  const recorded = [sources.traces, sources.logs, sources.metrics, sources.profiles].some((x) => x?.kind === 'bundle');
  // A recording that gives neither a baseline nor an incident start, asked without a time: the data
  // before the recording does not exist, so the start is estimated from the recording itself.
  const d = sources.defaults;
  if (recorded && scope.from === 'defaults' && !opts.baseline && !d.baseline && !d.incident) {
    const est = await locateIncident(sources, d.window, opts.signal).catch(() => ({ change: undefined, sparse: false }));
    const cp = est.change;
    if (!cp && est.sparse) {
      // Too few requests before any split to compare with: the whole recording is the window, and the
      // analyses judge it without a baseline (slow spans by their share of the critical path).
      window = d.window;
      baseline = { start: window.start - (window.end - window.start), end: window.start };
      noBaseline = true;
      partial.push('no incident start given and too few requests in the recording to compare one part with another: the whole recording is read without a baseline');
    } else {
      const start = cp?.start ?? d.window.start + (d.window.end - d.window.start) / 3;
      baseline = { start: d.window.start, end: start };
      window = { start, end: d.window.end };
      partial.push(
        cp
          ? `no incident start given: the ${cp.signal === 'errors' ? 'error share' : 'request latency'} changes most at ${new Date(start).toISOString()} (t ${cp.t.toFixed(1)}); compared after it with before it`
          : `no incident start given and no clear change in errors or latency: compared the last two thirds of the recording with its first third`,
      );
    }
  }
  // A recorded bundle covers a known range: a window outside it can only come back empty, say so.
  const cover = d.window;
  if (recorded && (window.end <= cover.start || window.start >= cover.end)) {
    const iso = (t: number) => new Date(t).toISOString();
    partial.push(`the window ${iso(window.start)} → ${iso(window.end)} lies outside the recorded data (${iso(cover.start)} → ${iso(cover.end)}): ask about a time inside it`);
  }
  let toolCalls = 0;

  // Suspects: bounded to half of the budget so the steps always get their turn.
  let suspects: SuspectsResult | undefined;
  try {
    suspects = await bounded('suspects', remaining() / 2, opts.signal, (signal) => rankSuspects(sources, window, baseline, { signal }));
    toolCalls++;
    partial.push(...suspects.partial.filter((p) => !/^(traces|logs|metrics|profiles): no \w+ source$/.test(p)));
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    partial.push(e instanceof StepTimeout ? (e as Error).message : `suspects: ${(e as Error).message}`);
  }
  const ranked = suspects?.suspects.map((s) => s.service) ?? [];
  const services = opts.service ? [opts.service, ...ranked.filter((s) => s !== opts.service)].slice(0, TOP_SUSPECTS) : ranked.slice(0, TOP_SUSPECTS);

  // Signal steps, in parallel, each bounded by what is left of the budget.
  const findings: Finding[] = [];
  const stepBudget = remaining();
  const results = await Promise.all(
    stepList.map(async (st): Promise<StepResult> => {
      try {
        return await bounded(st.name, stepBudget, opts.signal, (signal) => st.run({ sources, window, baseline, services, signal }));
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        const msg = (e as Error).message;
        return { findings: [], partial: [e instanceof StepTimeout ? msg : `${st.name}: ${msg}`], toolCalls: 0 };
      }
    }),
  );
  for (const r of results) {
    findings.push(...r.findings);
    partial.push(...r.partial);
    toolCalls += r.toolCalls;
  }
  const present = new Set(stepList.map((s) => s.name));
  for (const sig of ['traces', 'logs', 'metrics', 'profiles'] as const) {
    if (sources[sig] && !present.has(sig)) partial.push(`${sig}: this build has no ${sig} step; only the suspect ranking used this signal`);
  }

  // Suspects no step spoke about still appear, with their evidence.
  // (Only those that moved comparably to the top one: a faint third suspect is noise, not a finding.)
  // Services among the top suspects whose logs show no error or pattern finding yet: their per-request
  // log statement changes (from the ranking's event patterns) become log-pattern findings, or else their
  // per-request operation, call and sequence changes become code-path findings.
  const withLogFinding = new Set(findings.filter((f) => f.kind === 'log-pattern' || f.kind === 'error').map((f) => f.service));
  for (const s of suspects?.suspects.slice(0, TOP_SUSPECTS) ?? []) {
    if (withLogFinding.has(s.service)) continue;
    const f = statementFinding(s, sources) ?? codePathFinding(s, sources);
    if (f) findings.push(f);
  }
  const covered = new Set(findings.map((f) => f.service));
  const topScore = suspects?.suspects[0]?.score ?? 0;
  for (const s of suspects?.suspects.slice(0, TOP_SUSPECTS) ?? []) {
    if (!covered.has(s.service) && s.score > 0 && s.score >= 0.25 * topScore) findings.push(suspectFinding(s, sources));
  }

  try {
    await bounded('source lookup', Math.min(remaining(), 5000), opts.signal, (signal) => addSourceLocations(findings, sources, signal, partial));
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    partial.push(e instanceof StepTimeout ? (e as Error).message : `source lookup: ${(e as Error).message}`);
  }

  const kindRank = (f: Finding) => FINDING_KINDS.indexOf(f.kind);
  const ordered = dedupe(findings).sort((a, b) => kindRank(a) - kindRank(b) || b.score - a.score);
  const hints = resolveHints(ordered, lang);
  return {
    question,
    lang,
    askedLang,
    mode: 'playbook',
    window: iso(window),
    baseline: noBaseline ? undefined : iso(baseline),
    suspects: (suspects?.suspects ?? []).slice(0, 10).map((s) => ({ service: s.service, score: s.score, parts: s.parts, evidence: s.evidence, evidenceMessages: s.evidenceMessages })),
    findings: ordered,
    hints,
    // The data's problems as they stand now: files are decoded when first read, during the steps.
    partial: [...new Set([...dataProblems(sources.problems), ...partial])],
    stats: { toolCalls, ms: Math.round(performance.now() - t0) },
    scopeFrom: scope.from,
    suspectsDetail: suspects,
  };
}

export async function runPlaybook(
  sources: Sources,
  question: string,
  opts?: { lang?: string; window?: TimeRange; baseline?: TimeRange; service?: string; signal?: AbortSignal; timeBudgetMs?: number },
): Promise<Report> {
  const { scopeFrom: _s, suspectsDetail: _d, ...report } = await runPlaybookWithSteps(registeredSteps, sources, question, opts);
  return report;
}
