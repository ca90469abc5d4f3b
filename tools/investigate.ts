// investigate: runs the deterministic playbook and returns its findings (structured) so a chat client's
// model can explain them. The text answer is the Markdown report in the question's language.
import { MAX_QUESTION_CHARS } from '../src/limits.js';
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { resolveScope, scopeFields } from './common.js';
import { SUPPORTED_LANGS } from '../src/agent/lang-codes.js';
import { FINDING_KINDS } from '../src/agent/findings.js';

const finding = z.object({
  kind: z.enum(FINDING_KINDS),
  service: z.string(),
  title: z.string(),
  numbers: z.record(z.string(), z.union([z.number(), z.string()])),
  evidence: z.object({
    traceIds: z.array(z.string()).optional(),
    logLines: z.array(z.string()).optional(),
    query: z.object({ language: z.enum(['promql', 'logql', 'traceql', 'pyroscope']), text: z.string() }).optional(),
    link: z.string().optional(),
  }),
  source: z
    .object({ repo: z.string(), path: z.string(), startLine: z.number(), endLine: z.number(), snippet: z.string().optional(), url: z.string().optional(), function: z.string().optional() })
    .optional(),
  hints: z.array(z.string()).optional(),
  score: z.number(),
  details: z.record(z.string(), z.string()).optional(),
});

export const investigateTool = defineTool({
  name: 'investigate',
  title: 'Investigate an incident',
  description:
    'Runs the whole deterministic investigation for a question (suspects, errors, slow spans, hot functions with code, log patterns, metrics, hints) and returns findings in the question\'s language: a draft to check with the other tools.',
  input: z.object({
    question: z.string().min(3).max(MAX_QUESTION_CHARS, `at most ${MAX_QUESTION_CHARS} characters: ask in a sentence or two`).describe('The incident question, any language'),
    service: z.string().optional(),
    lang: z.string().optional().describe("Report language (code or name); default: the question's"),
    ...scopeFields,
  }),
  output: z.object({
    lang: z.string().describe('Language the report is written in.'),
    askedLang: z.string().optional().describe('Language of the question (detected or given); differs from lang when it has no catalogue.'),
    window: z.object({ start: z.string(), end: z.string() }),
    baseline: z.object({ start: z.string(), end: z.string() }).optional(),
    suspects: z.array(z.object({ service: z.string(), score: z.number(), parts: z.record(z.string(), z.number()), evidence: z.array(z.string()) })),
    findings: z.array(finding),
    hints: z.array(z.object({ id: z.string(), title: z.string(), explanation: z.string(), fix: z.string(), findings: z.array(z.number()) })),
    partial: z.array(z.string()),
  }),
  annotations: { title: 'Investigate an incident', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    // The playbook, the report templates and the language detector are loaded on the first call:
    // every other command (and every other tool) starts without their ~0.4 s of module loading.
    const [{ runPlaybook }, { renderMarkdown }, { normaliseLang }] = await Promise.all([import('../src/agent/playbook.js'), import('../src/agent/report.js'), import('../src/agent/language.js')]);
    if (args.lang !== undefined && !normaliseLang(args.lang)) throw new ToolError(`lang must name a language: an ISO 639 code such as ${SUPPORTED_LANGS.join(', ')}, or a name such as "Italian" (got "${args.lang}")`);
    const explicit = args.from || args.to || args.baseline_from || args.baseline_to;
    const scope = explicit ? resolveScope(args, ctx.sources) : undefined;
    const report = await runPlaybook(ctx.sources, args.question, {
      lang: args.lang,
      window: scope?.window,
      baseline: scope?.baseline,
      service: args.service,
      signal: ctx.signal,
    });
    const md = renderMarkdown(report);
    // Sections split on second-level headings so the budget cuts whole parts, summary first.
    const sections = md.split(/\n(?=## )/);
    return {
      data: { lang: report.lang, askedLang: report.askedLang, window: report.window, baseline: report.baseline, suspects: report.suspects, findings: report.findings, hints: report.hints, partial: report.partial },
      text: sections,
      narrow: 'Pass `service` to focus, or a narrower from/to.',
    };
  },
});
