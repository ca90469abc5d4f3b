// The HTML report: one self-contained page (inline CSS and SVG, no script, no external request — a
// Content-Security-Policy says so to the browser too), in the report's language, every finding with
// its picture and its native query. Text goes through Handlebars' HTML escaping; only our own SVG
// (which escapes telemetry itself, src/visuals/svg.ts) is inserted raw.
import Handlebars from 'handlebars';
import { FINDING_KINDS, type Report } from './findings.js';
import type { Sources, TimeRange } from '../sources/types.js';
import { readPrompt } from './assets.js';
import { catalogueLang, englishName, isSupportedLang } from './language.js';
import { textDirection } from './lang-codes.js';
import { tr } from './i18n.js';
import { formatDate, formatDuration, formatNumber } from './format.js';
import { findingTitle, summaryEntries, translateMessage } from './report.js';
import { localisePartial } from './partial.js';
import { numberEntries, verbatimDetails } from './finding-numbers.js';
import { scorePartItems } from './score-parts.js';
import { flameGraph, latencyHeatmap, metricChart, redChart, scopeOf, SpanCache, traceWaterfall, type PictureScope } from './pictures.js';
import { maskSecrets } from '../mask.js';
import { log } from '../log.js';

/** Pictures per report at most: each is a few to a few hundred KB; a report stays openable in a mail. */
const MAX_PICTURES = 24;
/** Services that get a RED chart at the top (the top suspects). */
const TOP_SERVICES = 3;

export interface Pictures {
  /** Index in report.findings → SVG documents. */
  byFinding: Map<number, string[]>;
  /** RED charts of the top suspect services. */
  services: string[];
}

let template: Handlebars.TemplateDelegate | undefined;
function htmlTemplate(): Handlebars.TemplateDelegate {
  template ??= Handlebars.compile(readPrompt('report.html.hbs'), { strict: false });
  return template;
}

const ms = (iso: string) => new Date(iso).getTime();

/** The pictures of a report, gathered from the sources; a picture that fails is left out (logged), never the report. */
export async function gatherPictures(report: Report, sources: Sources, signal?: AbortSignal): Promise<Pictures> {
  const window: TimeRange = { start: ms(report.window.start), end: ms(report.window.end) };
  const baseline = report.baseline ? { start: ms(report.baseline.start), end: ms(report.baseline.end) } : undefined;
  const scope: PictureScope = scopeOf(window, baseline, catalogueLang(report.lang));
  const spans = new SpanCache(sources, scope.range, signal);
  const out: Pictures = { byFinding: new Map(), services: [] };
  let budget = MAX_PICTURES;
  const attempt = async (what: string, make: () => Promise<string | undefined> | string | undefined): Promise<string | undefined> => {
    if (budget <= 0 || signal?.aborted) return undefined;
    try {
      const svg = await make();
      if (svg) budget--;
      return svg;
    } catch (e) {
      log.debug({ err: (e as Error).message, what }, 'picture left out');
      return undefined;
    }
  };
  const topServices = [...new Set([...report.suspects.map((s) => s.service), ...report.findings.map((f) => f.service)])].slice(0, TOP_SERVICES);
  if (sources.traces) {
    for (const svc of topServices) {
      const svg = await attempt(`red ${svc}`, async () => redChart(await spans.red(svc), svc, scope));
      if (svg) out.services.push(svg);
    }
  }
  const flames = new Map<string, Promise<string | undefined>>();
  for (const [i, f] of report.findings.entries()) {
    const pics: string[] = [];
    const push = (svg: string | undefined) => svg && pics.push(svg);
    const traceId = f.evidence.traceIds?.[0];
    const spanName = f.details?.['span.name'];
    switch (f.kind) {
      case 'latency':
        if (spanName && sources.traces) push(await attempt(`heatmap ${spanName}`, async () => latencyHeatmap(await spans.durations(f.service, spanName), f.service, spanName, scope)));
        if (traceId) push(await attempt(`trace ${traceId}`, () => traceWaterfall(sources, traceId, scope.lang, signal)));
        break;
      case 'error':
        if (traceId) push(await attempt(`trace ${traceId}`, () => traceWaterfall(sources, traceId, scope.lang, signal)));
        break;
      case 'hot-function': {
        const fn = f.details?.function;
        const key = `${f.service}\u0000${f.details?.profile_type ?? ''}\u0000${fn ?? ''}`;
        if (!flames.has(key)) flames.set(key, attempt(`flame ${f.service}`, () => flameGraph(sources, f.service, window, scope, { highlight: fn, type: f.details?.profile_type, signal })));
        push(await flames.get(key));
        break;
      }
      case 'metric-anomaly': {
        const q = f.evidence.query;
        if (q?.language === 'promql') push(await attempt(`metric ${q.text}`, () => metricChart(sources, q.text, findingTitle(f, scope.lang), scope, signal)));
        break;
      }
      case 'suspect':
      case 'log-pattern':
      case 'code-path':
        // The service's RED chart, unless it is already at the top of the report.
        if (!topServices.includes(f.service) && sources.traces) push(await attempt(`red ${f.service}`, async () => redChart(await spans.red(f.service), f.service, scope)));
        break;
    }
    if (pics.length) out.byFinding.set(i, pics);
  }
  return out;
}

/** Only web links are rendered as links: a `javascript:` URL from a config must not become clickable. */
function safeLink(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

export function htmlView(report: Report, pictures: Pictures): Record<string, unknown> {
  const lang = catalogueLang(report.lang);
  const asked = (report.askedLang ?? report.lang).trim().toLowerCase().split(/[-_]/)[0] ?? 'en';
  const indexOf = new Map(report.findings.map((f, i) => [f, i]));
  const hintTitle = new Map(report.hints.map((h) => [h.id, h.title]));
  const groups = FINDING_KINDS.map((kind) => ({
    heading: tr(lang, `kind_${kind}`),
    items: report.findings
      .filter((f) => f.kind === kind)
      .map((f) => {
        const i = indexOf.get(f)!;
        return {
          n: i + 1,
          service: f.service,
          title: findingTitle(f, lang),
          pictures: pictures.byFinding.get(i) ?? [],
          numbers: numberEntries(f, lang),
          details: verbatimDetails(f).map(([k, v]) => ({ key: k, value: v.slice(0, 300) })),
          source: f.source ? { ...f.source, url: safeLink(f.source.url) } : undefined,
          traceIds: f.evidence.traceIds?.slice(0, 3),
          logLines: f.evidence.logLines?.slice(0, 3).map((l) => l.slice(0, 400)),
          query: f.evidence.query,
          link: safeLink(f.evidence.link),
          hintTitles: (f.hints ?? []).map((h) => hintTitle.get(h) ?? h).join('; '),
        };
      }),
  })).filter((g) => g.items.length);
  const tokens = report.stats.tokens !== undefined ? `; ${tr(lang, 'stats_agent', { steps: report.stats.steps ?? 0, tokens: formatNumber(report.stats.tokens, lang) })}` : '';
  return {
    lang,
    dir: textDirection(lang),
    // From start to end in reading order: a right-to-left page reads the arrow the other way.
    arrow: textDirection(lang) === 'rtl' ? '←' : '→',
    question: report.question,
    window: { start: formatDate(report.window.start, lang), end: formatDate(report.window.end, lang) },
    baseline: report.baseline ? { start: formatDate(report.baseline.start, lang), end: formatDate(report.baseline.end, lang) } : undefined,
    modeLine: report.mode === 'agent' ? tr(lang, 'mode_agent') : tr(lang, 'mode_playbook'),
    languageNote: !isSupportedLang(asked) ? tr('en', 'no_catalogue', { language: englishName(asked), code: asked }) : undefined,
    narrative: report.narrative,
    summary: summaryEntries(report, lang).map((e) => ({
      label: e.label,
      service: e.service,
      text: [e.title, e.bits.length ? `(${e.bits.join(', ')})` : undefined, e.where ? `— ${e.where}` : undefined, e.runnerUp ? `— ${tr(lang, 'summary_close_call', { service: e.runnerUp })}` : undefined].filter(Boolean).join(' '),
    })),
    servicePictures: pictures.services,
    suspects: report.suspects.slice(0, 5).map((s, i) => ({
      rank: i + 1,
      service: s.service,
      score: formatNumber(s.score, lang),
      // A part's label, number and punctuation stay on one line; lines break between parts.
      parts: scorePartItems(s.parts, lang).map((p) => {
        const mark = p.separator.trimEnd();
        return { text: p.text + mark, gap: p.separator.slice(mark.length) };
      }),
      evidence: s.evidence.slice(0, 2).map((e, j) => (s.evidenceMessages?.[j]?.length ? translateMessage(s.evidenceMessages[j]!, lang) : e)),
    })),
    groups,
    hints: report.hints.map((h) => ({ ...h, findingRefs: h.findings.map((i) => `#${i + 1}`).join(', ') })),
    partial: report.partial.map((p) => localisePartial(p, lang)),
    statsLine: tr(lang, 'stats', { tools: report.stats.toolCalls, ms: formatDuration(report.stats.ms, lang) }) + tokens,
  };
}

/** The page from a report and its pictures (pure: no source access). */
export function renderHtml(report: Report, pictures: Pictures = { byFinding: new Map(), services: [] }): string {
  const lang = catalogueLang(report.lang);
  const html = htmlTemplate()(htmlView(report, pictures), {
    helpers: { t: (key: string) => tr(lang, key) },
  });
  // Telemetry quoted in the page (log lines, statements, tooltips) may carry credentials.
  return maskSecrets(html);
}

/** Gathers the pictures and renders the page. */
export async function renderHtmlReport(report: Report, sources: Sources, signal?: AbortSignal): Promise<string> {
  return renderHtml(report, await gatherPictures(report, sources, signal));
}
