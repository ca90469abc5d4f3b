// MCP prompts: `investigate-incident` tells a chat client's model how to drive the tools.
// The text lives in prompts/investigate-incident.hbs; the procedure names only tools that are served.
import { MAX_QUESTION_CHARS } from '../limits.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { Sources, TimeRange } from '../sources/types.js';
import { log } from '../log.js';
import { detect, languageName, normaliseLang } from '../agent/language.js';
import { SCOPE_GUIDE } from '../../tools/listing.js';

export const INVESTIGATE_PROMPT = 'investigate-incident';

interface StepTool {
  name: string;
  purpose: string;
}
interface Step {
  title: string;
  tools: StepTool[];
}

/** The investigation procedure, in order. Tools not served are left out of the rendered prompt. */
export const PROCEDURE: Step[] = [
  {
    title: 'Orient: what moved, and where',
    tools: [
      { name: 'list_services', purpose: 'every service with its request rate, error rate and latency, window vs baseline.' },
      { name: 'rank_suspects', purpose: 'services ranked by how much their signals changed against the baseline; pick the top suspect.' },
      { name: 'service_red', purpose: 'rate, errors and duration per operation of one service, to see which endpoint moved.' },
    ],
  },
  {
    title: 'Characterise the symptom in the suspect service (traces)',
    tools: [
      { name: 'find_prevalent_errors', purpose: 'for errors: which operation fails, with which exception and message, for what share of requests.' },
      { name: 'find_slow_spans', purpose: 'for latency: which span (query, call) owns the extra time, against the baseline.' },
      { name: 'compare_attributes', purpose: 'what the failing or slow requests share that the others do not (version, pod, route, client flag…).' },
      { name: 'get_trace', purpose: 'one example trace as a tree, to check the story on a real request.' },
    ],
  },
  {
    title: 'Corroborate with logs and metrics',
    tools: [
      { name: 'log_patterns', purpose: 'log patterns that appeared or grew since the baseline, with sample lines and trace ids.' },
      { name: 'search_logs', purpose: 'the log lines behind a pattern, a trace id or an error text.' },
      { name: 'log_fields', purpose: 'log fields whose values shifted against the baseline.' },
      { name: 'find_metrics', purpose: 'the metric names that exist for the service or symptom.' },
      { name: 'explore_metric', purpose: 'one metric shown the right way for its type (rate, percentiles).' },
      { name: 'breakdown_metric', purpose: 'a metric split by a label, ranked by how far each value moved.' },
    ],
  },
  {
    title: 'Go down to the code',
    tools: [{ name: 'hot_functions', purpose: 'the functions burning CPU (or waiting on locks) in the suspect service, and how that changed vs the baseline.' }],
  },
  {
    title: 'Read the source',
    tools: [{ name: 'lookup_source', purpose: 'the file and lines behind the span, query or function found above.' }],
  },
  {
    title: 'Explain',
    tools: [{ name: 'explain', purpose: 'a plain explanation of a finding or a native query, to support the answer.' }],
  },
];

/** A tool that runs the whole procedure at once; offered as a first overview, not as the answer. */
export const SHORTCUT_TOOL = 'investigate';

export interface InvestigateArgs {
  question: string;
  service?: string;
  from?: string;
  to?: string;
  language?: string;
}

let compiled: Handlebars.TemplateDelegate | undefined;

/** prompts/ sits at the package root: two levels above src/mcp, three above dist/src/mcp. */
function templatePath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'prompts', `${INVESTIGATE_PROMPT}.hbs`);
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`prompt template prompts/${INVESTIGATE_PROMPT}.hbs not found above ${fileURLToPath(import.meta.url)}`);
}

function template(): Handlebars.TemplateDelegate {
  // noEscape: the output is plain text for a model, not HTML.
  compiled ??= Handlebars.compile(readFileSync(templatePath(), 'utf8'), { noEscape: true, strict: false });
  return compiled;
}

/** Renders the investigation prompt for the tools actually served. */
export function renderInvestigatePrompt(args: InvestigateArgs, servedTools: string[]): string {
  const served = new Set(servedTools);
  const steps = PROCEDURE.map((s) => ({ ...s, tools: s.tools.filter((t) => served.has(t.name)) }))
    .filter((s) => s.tools.length > 0)
    .map((s, i) => ({ ...s, number: i + 1 }));
  const named = new Set(PROCEDURE.flatMap((s) => s.tools.map((t) => t.name)));
  const others = servedTools.filter((n) => !named.has(n) && n !== SHORTCUT_TOOL);
  const clean = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  const from = clean(args.from);
  const to = clean(args.to);
  return template()({
    question: args.question.trim(),
    service: clean(args.service),
    from,
    to,
    hasRange: Boolean(from || to),
    ...answerLanguage(args.question, clean(args.language)),
    scopeGuide: SCOPE_GUIDE,
    steps,
    shortcut: served.has(SHORTCUT_TOOL) ? SHORTCUT_TOOL : undefined,
    others,
  }).replace(/\n{3,}/g, '\n\n');
}

/**
 * The language to answer in, by name: the `language` argument (a code or a name) wins; else the
 * question's detected language, so the client's model is told "Italian (italiano)" rather than left to
 * guess. A value that names no known language is passed on as written.
 */
function answerLanguage(question: string, given: string | undefined): { language: string; detected: boolean } {
  if (given) {
    const code = normaliseLang(given);
    return { language: code ? languageName(code) : given, detected: false };
  }
  const d = detect(question);
  return { language: languageName(d.lang), detected: true };
}

// Languages offered when a client completes the `language` argument (any other value is accepted too).
const LANGUAGES: Array<[code: string, names: string[]]> = [
  ['en', ['English']],
  ['fr', ['French', 'Français']],
  ['de', ['German', 'Deutsch']],
  ['es', ['Spanish', 'Español']],
  ['it', ['Italian', 'Italiano']],
  ['pt', ['Portuguese', 'Português']],
  ['nl', ['Dutch', 'Nederlands']],
  ['pl', ['Polish', 'Polski']],
  ['ja', ['Japanese', '日本語']],
  ['zh', ['Chinese', '中文']],
  ['ko', ['Korean', '한국어']],
  ['ru', ['Russian', 'Русский']],
  ['uk', ['Ukrainian', 'Українська']],
  ['tr', ['Turkish', 'Türkçe']],
  ['ar', ['Arabic', 'العربية']],
  ['hi', ['Hindi', 'हिन्दी']],
  ['sv', ['Swedish', 'Svenska']],
  ['cs', ['Czech', 'Čeština']],
  ['ro', ['Romanian', 'Română']],
  ['el', ['Greek', 'Ελληνικά']],
  ['he', ['Hebrew', 'עברית']],
  ['vi', ['Vietnamese', 'Tiếng Việt']],
  ['id', ['Indonesian', 'Bahasa Indonesia']],
  ['th', ['Thai', 'ไทย']],
  ['da', ['Danish', 'Dansk']],
  ['fi', ['Finnish', 'Suomi']],
  ['hu', ['Hungarian', 'Magyar']],
  ['nb', ['Norwegian Bokmål', 'Norsk bokmål', 'Norwegian', 'Norsk']],
];

export function completeLanguage(prefix: string): string[] {
  const p = prefix.trim().toLowerCase();
  return LANGUAGES.filter(([code, names]) => code.startsWith(p) || names.some((n) => n.toLowerCase().startsWith(p))).map(([code]) => code);
}

/** Every service any signal knows over the default window and baseline, for argument completion. */
async function knownServices(sources: Sources): Promise<string[]> {
  const d = sources.defaults;
  const ranges = [d.window, d.baseline, d.incident].filter((r): r is TimeRange => r !== undefined);
  const whole: TimeRange = { start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) };
  // Completion has no cancellation of its own; bound it so a slow backend cannot hold it open.
  const signal = AbortSignal.timeout(15_000);
  const lists = await Promise.all([
    sources.traces?.services(whole, signal),
    sources.logs?.services(whole, signal),
    sources.profiles?.services(whole, signal),
    sources.metrics?.labelValues('service', whole, signal),
  ].map((p) => (p ?? Promise.resolve([])).catch((e: unknown) => {
    log.debug({ err: (e as Error).message }, 'service completion: a source failed');
    return [] as string[];
  })));
  return [...new Set(lists.flat())].sort();
}

/**
 * An optional string argument with completion. The SDK looks for the completer on the inner type
 * when it declares the capability and on the field itself when it answers, so both carry it.
 */
function optionalCompletable(description: string, complete: (prefix: string) => string[] | Promise<string[]>) {
  const cb = (v: string | undefined) => complete(v ?? '');
  const inner = completable(z.string().describe(description), cb);
  return completable(inner.optional().describe(description), cb);
}

export function registerPrompts(server: McpServer, servedTools: string[], sources: Sources): void {
  let services: Promise<string[]> | undefined;
  const completeService = async (prefix: string) => {
    services ??= knownServices(sources);
    const all = await services;
    const p = prefix.toLowerCase();
    return [...all.filter((s) => s.toLowerCase().startsWith(p)), ...all.filter((s) => !s.toLowerCase().startsWith(p) && s.toLowerCase().includes(p))];
  };
  server.registerPrompt(
    INVESTIGATE_PROMPT,
    {
      title: 'Investigate an incident',
      description: 'How to investigate an incident question with the Queryless tools, step by step, citing the query behind each claim and answering in the asker’s language.',
      argsSchema: {
        question: z.string().min(1).max(MAX_QUESTION_CHARS, `at most ${MAX_QUESTION_CHARS} characters`).describe('The question about the incident, in any language (e.g. "Why are checkouts failing since 10:00?").'),
        service: optionalCompletable('A service the question is about, if known.', completeService),
        from: z.string().optional().describe('Start of the time range: RFC 3339, "now-1h" or "10:04" (UTC).'),
        to: z.string().optional().describe('End of the time range (same formats).'),
        language: optionalCompletable('Language of the answer (e.g. "fr", "French"); default: the language of the question.', completeLanguage),
      },
    },
    (args) => ({
      description: `Investigate: ${args.question.slice(0, 80)}`,
      messages: [{ role: 'user', content: { type: 'text', text: renderInvestigatePrompt(args, servedTools) } }],
    }),
  );
}
