// `queryless investigate "question"`: the playbook alone, or the agent loop when a model is configured.
// Markdown on stdout (JSON with --json); progress and the mode line on stderr.
import { MAX_QUESTION_CHARS } from '../limits.js';
import { maskDeep, maskSecrets } from '../mask.js';
import { parseArgv, UsageError } from './args.js';
import { setup } from './context.js';
// Not language.js: it loads the language detector's table, which should not delay opening the bundle
// (and with it the decode worker's start); it comes with the playbook's modules, loaded meanwhile.
import { SUPPORTED_LANGS } from '../agent/lang-codes.js';
import { log } from '../log.js';
import { parseTime } from '../util/time.js';
import type { Sources, TimeRange } from '../sources/types.js';
import type { Report } from '../agent/findings.js';

/** The HTML report (loaded only when asked: it pulls in the picture code). */
async function writeHtmlReport(file: string, report: Report, sources: Sources, signal: AbortSignal): Promise<void> {
  const { renderHtmlReport } = await import('../agent/html.js');
  const html = await renderHtmlReport(report, sources, signal);
  (await import('node:fs')).writeFileSync(file, html);
  process.stderr.write(`HTML report: ${file} (${Math.round(Buffer.byteLength(html) / 1024)} KB)\n`);
}

export const INVESTIGATE_HELP = `Usage: queryless investigate "question" [--bundle DIR] [--from T --to T] [--service S] [--lang xx] [--json] [--html FILE] [--model NAME]

Answers an incident question with a report: suspects, prevalent errors, slow spans, hot functions,
their code and what to do — in the language of the question (--lang overrides). Report catalogues: ${SUPPORTED_LANGS.join(', ')};
another language gets an English report that says so (a configured model still answers in it).
Times (--from/--to, and times in the question like "since 10:04") are UTC; default: the incident window.
With OPENAI_API_KEY or OPENAI_BASE_URL set, a model drives the tools from the playbook's findings
(--model or QUERYLESS_MODEL picks it); otherwise the deterministic playbook runs alone.
--html FILE also writes a self-contained HTML report with pictures (flame graphs, RED charts, trace waterfalls).
Options: --max-steps N, --time-budget MS (default 120000 agent, 30000 playbook).
Exit code: 0 on success, 1 on failure, 2 on usage errors.`;

const OWN_FLAGS = ['from', 'to', 'service', 'lang', 'max-steps', 'time-budget', 'baseline-from', 'baseline-to', 'html'];

export async function investigateCommand(argv: string[]): Promise<number> {
  const a = parseArgv(argv);
  if (a.bools.has('help') || a.bools.has('h')) {
    process.stdout.write(INVESTIGATE_HELP + '\n');
    return 0;
  }
  const question = a.positionals.join(' ').trim();
  if (!question) throw new UsageError('missing the question, e.g. queryless investigate "why is checkout failing since 10:04?"\n' + INVESTIGATE_HELP);
  if (question.length > MAX_QUESTION_CHARS) throw new UsageError(`the question is too long (${question.length} characters, at most ${MAX_QUESTION_CHARS}): ask it in a sentence or two`);
  const f = { ...a.flags };
  const own: Record<string, string | undefined> = {};
  for (const k of OWN_FLAGS) {
    own[k] = f[k];
    delete f[k];
  }
  let lang: string | undefined;
  if (own.lang !== undefined) {
    lang = (await import('../agent/language.js')).normaliseLang(own.lang);
    if (!lang) throw new UsageError(`--lang must name a language: an ISO 639 code such as ${SUPPORTED_LANGS.join(', ')}, or a name such as "Italian" (got "${own.lang}")`);
  }
  const num = (k: string) => {
    const v = own[k];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${k} must be a positive number (got "${v}")`);
    return n;
  };
  const maxSteps = num('max-steps');
  const timeBudgetMs = num('time-budget');

  // Every signal will be read: logs, traces and metrics decode in a worker thread beside the rest. The
  // bundle opens first, so the worker starts as early as it can (its decoding is the longest chain);
  // the playbook's modules then load here while it works.
  const { config, sources } = await setup(f, { offThread: true });
  const [{ runPlaybook }, { renderJson, renderMarkdown, tr }, { detectLanguage }] = await Promise.all([import('../agent/playbook.js'), import('../agent/report.js'), import('../agent/language.js')]);
  const time = (k: string, fallback: number): number => {
    const v = own[k];
    if (v === undefined) return fallback;
    try {
      return parseTime(v, sources.defaults.window.end, sources.defaults.incident?.start ?? sources.defaults.window.start);
    } catch (e) {
      throw new UsageError(`--${k}: ${(e as Error).message}`);
    }
  };
  let window: TimeRange | undefined;
  if (own.from !== undefined || own.to !== undefined) {
    const def = sources.defaults.incident ?? sources.defaults.window;
    window = { start: time('from', def.start), end: time('to', def.end) };
    if (!(window.end > window.start)) throw new UsageError('--from must be before --to');
  }
  let baseline: TimeRange | undefined;
  if (own['baseline-from'] !== undefined && own['baseline-to'] !== undefined) {
    baseline = { start: time('baseline-from', 0), end: time('baseline-to', 0) };
    if (!(baseline.end > baseline.start)) throw new UsageError('--baseline-from must be before --baseline-to');
  }

  const ac = new AbortController();
  const onSigint = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const reportLang = lang ?? detectLanguage(question);
    log.debug({ lang: reportLang, given: lang !== undefined }, 'question language');
    const report = config.model
      ? await (await import('../agent/loop.js')).runAgent(sources, question, {
          model: config.model,
          lang: reportLang,
          window,
          baseline,
          service: own.service,
          maxSteps,
          timeBudgetMs,
          signal: ac.signal,
          onProgress: (line) => process.stderr.write(`… ${line}\n`),
        })
      : (process.stderr.write(tr(reportLang, 'playbook_only') + '\n'),
        await runPlaybook(sources, question, { lang: reportLang, window, baseline, service: own.service, signal: ac.signal, timeBudgetMs }));
    // Reports quote telemetry (log lines, span attributes, errors): mask secrets in every format.
    const safe = maskDeep(report);
    process.stdout.write(a.bools.has('json') ? renderJson(safe) + '\n' : maskSecrets(renderMarkdown(safe)));
    if (own.html) await writeHtmlReport(own.html, safe, sources, ac.signal);
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
