// Report rendering: Markdown through the Handlebars template prompts/report.md.hbs with strings from
// prompts/i18n/<lang>.json and Intl formatting; JSON for machines. Telemetry text (titles, log lines,
// snippets) is untrusted: it is escaped for Markdown tables/inline code and never interpreted.
import type Handlebars from 'handlebars';
import { FINDING_KINDS, type MessagePart, type Finding, type Report } from './findings.js';
import { loadTemplate } from './templates.js';
import { formatDate, formatDuration, formatKeyed, formatNumber, formatQuantity } from './format.js';
import { catalogueLang, englishName, isSupportedLang, localeOf } from './language.js';
import { textDirection } from './lang-codes.js';
import { joinList, strings, tr } from './i18n.js';
import { localisePartial } from './partial.js';
import { leadOf } from '../analysis/suspects/lead.js';
import { numberEntries, verbatimDetails } from './finding-numbers.js';
import { scorePartsText } from './score-parts.js';

export { strings, tr } from './i18n.js';

/** Markdown, not HTML: view values are escaped by md()/code()/fence(). */
export const REPORT_TEMPLATE = { name: 'report.md.hbs', options: { noEscape: true, strict: false } } as const;

let template: Handlebars.TemplateDelegate | undefined;
function reportTemplate(): Handlebars.TemplateDelegate {
  template ??= loadTemplate(REPORT_TEMPLATE.name, REPORT_TEMPLATE.options);
  return template;
}

/** Escape text for inline use in Markdown (tables, emphasis); keeps it readable. */
function md(text: string): string {
  // Only what could open an HTML tag is escaped; placeholders such as <_> or <*> stay readable.
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/`/g, 'ˋ').replace(/<(?=[A-Za-z!/?])/g, '&lt;');
}

/** Text inside a fenced block: a fence in telemetry text must not close ours. */
function fence(text: string): string {
  return text.replace(/```/g, 'ˋˋˋ');
}

function code(text: string): string {
  return '`' + text.replace(/`/g, 'ˋ').replace(/\r?\n/g, ' ') + '`';
}

const LANG_OF_EXT: Record<string, string> = { go: 'go', java: 'java', py: 'python', js: 'javascript', ts: 'typescript', rb: 'ruby', rs: 'rust', cs: 'csharp', kt: 'kotlin', php: 'php', cpp: 'cpp', c: 'c' };

function numbersLine(f: Finding, lang: string): string {
  return numberEntries(f, lang)
    .map(({ label, value }) => `- ${label}: **${md(value)}**`)
    .join('\n');
}

/** A finding's one-line title in the report language: its message parts translated, numbers in the
 * locale's format; the English title when it has no message (agent-written findings). */
export function findingTitle(f: Finding, lang: string): string {
  return f.message?.length ? translateMessage(f.message, lang) : f.title;
}

/** Message parts (i18n keys and values) joined into one line in the report language. */
export function translateMessage(message: MessagePart[], lang: string): string {
  // In a right-to-left report a quoted span name, statement or log line is isolated (U+2068 … U+2069):
  // its left-to-right text and punctuation otherwise mix with the sentence around it, in HTML and in
  // Markdown alike.
  const quote = textDirection(lang) === 'rtl' ? (v: string) => `\u2068${v}\u2069` : (v: string) => v;
  return message
    .map((part) => {
      const args: Record<string, string> = {};
      for (const [k, v] of Object.entries(part.args ?? {})) {
        const unit = part.units?.[k];
        args[k] = typeof v !== 'number' ? quote(v) : unit !== undefined ? formatQuantity(v, unit, lang) : formatNumber(v, lang);
      }
      for (const [k, keys] of Object.entries(part.lists ?? {})) args[k] = joinList(keys.map((key) => tr(lang, key)), localeOf(lang));
      for (const [k, sub] of Object.entries(part.parts ?? {})) args[k] = translateMessage([sub], lang);
      return tr(lang, part.key, args);
    })
    .join('');
}

/** One line of the report's summary, before formatting (Markdown here, HTML in html.ts). */
export interface SummaryEntry {
  label: string;
  service: string;
  title?: string;
  /** Numbers shown in parentheses after the title. */
  bits: string[];
  /** Source location (path:start-end). */
  where?: string;
  /** The runner-up of a close call. */
  runnerUp?: string;
}

function findingEntry(label: string, f: Finding, lang: string): SummaryEntry {
  const n = f.numbers;
  const bits: string[] = [];
  const count = n.count ?? n.error_spans ?? n.errors;
  if (typeof count === 'number') bits.push(`${formatNumber(count, lang)} ×`);
  for (const k of ['p95_ms', 'duration_ms', 'self_ms']) {
    if (typeof n[k] === 'number') {
      bits.push(formatDuration(n[k] as number, lang));
      break;
    }
  }
  for (const k of ['self_share', 'total_share', 'share', 'share_of_errors']) {
    if (typeof n[k] === 'number') {
      bits.push(`${strings(lang).numbers[k] ?? k} ${formatKeyed(k, n[k]!, lang)}`);
      break;
    }
  }
  return { label, service: f.service, title: findingTitle(f, lang), bits, where: f.source ? `${f.source.path}:${f.source.startLine}-${f.source.endLine}` : undefined };
}

/** The summary: the first suspect (and its runner-up when the lead is close), then the strongest error,
 * slow span and hot function, and for a fault that raised no error its changed code path. */
export function summaryEntries(report: Report, lang: string): SummaryEntry[] {
  const out: SummaryEntry[] = [];
  const first = (k: Finding['kind']) => report.findings.filter((f) => f.kind === k).sort((a, b) => b.score - a.score)[0];
  const top = report.suspects[0];
  if (top) {
    const lead = leadOf(report.suspects);
    out.push({ label: tr(lang, 'summary_suspect'), service: top.service, bits: [formatNumber(top.score, lang)], runnerUp: lead?.close ? lead.runnerUp : undefined });
  }
  const e = first('error');
  if (e) out.push(findingEntry(tr(lang, 'summary_error'), e, lang));
  const l = first('latency');
  if (l) out.push(findingEntry(tr(lang, 'summary_latency'), l, lang));
  // A lock-wait finding is a hot function of the contention profile: summed up apart, named as what it is.
  const isWait = (f: Finding) => !!f.message?.some((m) => m.key === 'msg_lock_wait' || m.key === 'msg_block_wait');
  const hot = report.findings.filter((f) => f.kind === 'hot-function').sort((a, b) => b.score - a.score);
  const h = hot.find((f) => !isWait(f));
  if (h) out.push(findingEntry(tr(lang, 'summary_hot'), h, lang));
  const w = hot.find(isWait);
  if (w) out.push(findingEntry(tr(lang, 'summary_lock_wait'), w, lang));
  // A fault that raised no error: what its code does differently is the nearest thing to one.
  const c = e ? undefined : first('code-path');
  if (c) out.push(findingEntry(tr(lang, 'summary_code_path'), c, lang));
  return out;
}

function summaryMarkdown(e: SummaryEntry, lang: string): string {
  const title = e.title !== undefined ? ` ${md(e.title)}` : '';
  const bits = e.bits.length ? ` (${e.bits.join(', ')})` : '';
  const where = e.where ? ` — ${code(e.where)}` : '';
  const close = e.runnerUp ? ` — ${tr(lang, 'summary_close_call', { service: code(e.runnerUp) })}` : '';
  return `${code(e.service)}${title}${bits}${where}${close}`;
}

/** The view model the template renders. */
export function reportView(report: Report): Record<string, unknown> {
  const lang = catalogueLang(report.lang);
  // A language without a catalogue gets an English report and one English line saying so.
  const asked = (report.askedLang ?? report.lang).trim().toLowerCase().split(/[-_]/)[0] ?? 'en';
  const missingCatalogue = !isSupportedLang(asked);
  const hintTitle = new Map(report.hints.map((h) => [h.id, h.title]));
  const indexOf = new Map(report.findings.map((f, i) => [f, i + 1]));
  const groups = FINDING_KINDS.map((kind) => ({
    heading: tr(lang, `kind_${kind}`),
    items: report.findings
      .filter((f) => f.kind === kind)
      .map((f) => {
        const ext = f.source?.path.split('.').pop() ?? '';
        const details = verbatimDetails(f)
          .map(([k, v]) => `${md(k)}=${code(v.slice(0, 200))}`)
          .join(', ');
        return {
          n: indexOf.get(f),
          service: f.service.replace(/`/g, 'ˋ'),
          title: md(findingTitle(f, lang)),
          numbers: numbersLine(f, lang),
          details,
          source: f.source ? { ...f.source, repo: md(f.source.repo), path: md(f.source.path), function: f.source.function ? md(f.source.function) : undefined, snippet: f.source.snippet ? fence(f.source.snippet) : undefined, lang: LANG_OF_EXT[ext] ?? '' } : undefined,
          traceIds: f.evidence.traceIds?.slice(0, 3).map(code).join(', '),
          logLines: f.evidence.logLines?.slice(0, 3).map((l) => l.replace(/`/g, 'ˋ').replace(/\r?\n/g, ' ').slice(0, 300)),
          query: f.evidence.query ? { language: f.evidence.query.language, text: fence(f.evidence.query.text) } : undefined,
          link: f.evidence.link,
          hintTitles: (f.hints ?? []).map((h) => hintTitle.get(h) ?? h).join('; '),
        };
      }),
  })).filter((g) => g.items.length);
  const summary = summaryEntries(report, lang).map((e) => ({ label: e.label, text: summaryMarkdown(e, lang) }));
  const tokens = report.stats.tokens !== undefined ? `; ${tr(lang, 'stats_agent', { steps: report.stats.steps ?? 0, tokens: formatNumber(report.stats.tokens, lang) })}` : '';
  return {
    question: md(report.question),
    window: report.window,
    baseline: report.baseline,
    modeLine: report.mode === 'agent' ? tr(lang, 'mode_agent') : tr(lang, 'mode_playbook'),
    languageNote: missingCatalogue ? tr('en', 'no_catalogue', { language: englishName(asked), code: asked }) : undefined,
    summary,
    narrative: report.narrative, // model text rendered as Markdown (it is ours to show, not to execute)
    suspects: report.suspects.slice(0, 5).map((s, i) => ({
      rank: i + 1,
      service: s.service.replace(/`/g, 'ˋ'),
      score: formatNumber(s.score, lang),
      parts: md(scorePartsText(s.parts, lang)),
      evidence: s.evidence
        .slice(0, 2)
        .map((e, j) => md(s.evidenceMessages?.[j]?.length ? translateMessage(s.evidenceMessages[j]!, lang) : e))
        .join('<br>'),
    })),
    groups,
    hints: report.hints.map((hh) => ({ ...hh, findingRefs: hh.findings.map((i) => `#${i + 1}`).join(', ') })),
    partial: report.partial.map((p) => localisePartial(p, lang)),
    statsLine: tr(lang, 'stats', { tools: report.stats.toolCalls, ms: formatDuration(report.stats.ms, lang) }) + tokens,
  };
}

export function renderMarkdown(report: Report): string {
  const lang = catalogueLang(report.lang);
  const out = reportTemplate()(reportView(report), {
    helpers: {
      t: (key: string) => tr(lang, key),
      date: (v: string | number) => formatDate(v, lang),
    },
  });
  return out.replace(/\n{3,}/g, '\n\n');
}

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2);
}
