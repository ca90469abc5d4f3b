// log_patterns: log templates of a service in the window vs the baseline, new/surging first, errors first.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { fmtPct, fmtRate } from './format.js';
import { patternShift, type PatternStat } from '../src/analysis/logs/shift.js';
import { fetchLines, FilterError, filtersToLogQL, cleanLine, type LineFilters } from '../src/analysis/logs/fetch.js';
import { renderLogQL, serviceSelector } from '../src/query/logql.js';
import { logqlExploreLink, logsDrilldownLink } from '../src/links.js';
import { LokiLogSource, type LokiPattern } from '../src/sources/remote/loki.js';
import type { LogRecord, TimeRange } from '../src/sources/types.js';
import { isErrorish, levelWeight, normalizeLevel } from '../src/analysis/logs/level.js';
import { poissonSurprise } from '../src/analysis/logs/shift.js';
import { BackendError } from '../src/http.js';

const LINES_PER_RANGE = 5000;

const patternRow = z.object({
  service: z.string(),
  pattern: z.string().describe('Loki pattern syntax; <_> matches any text. Usable as `|> "pattern"`.'),
  level: z.string(),
  status: z.enum(['new', 'surging', 'steady', 'dropping', 'gone', 'no-baseline']),
  count: z.number(),
  baseline_count: z.number(),
  rate_per_s: z.number(),
  baseline_rate_per_s: z.number(),
  change: z.number().nullable().describe('window rate / baseline rate; null when the pattern is new'),
  share: z.number(),
  first_seen: z.string().optional(),
  last_seen: z.string().optional(),
  series: z.array(z.number()).describe('line counts per bucket over the window'),
  samples: z.array(z.string()),
  trace_ids: z.array(z.string()),
  score: z.number(),
  query: z.string(),
  link: z.string().optional(),
});

const LEVEL_ENUM = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'critical', 'unknown']);

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function hhmmss(ms: number | undefined): string {
  return ms === undefined ? '–' : new Date(ms).toISOString().slice(11, 19);
}

/** Loki's own patterns → PatternStat (counts from its samples), when the pattern ingester answers. */
function fromLokiPatterns(service: string, win: LokiPattern[], base: LokiPattern[] | undefined, window: TimeRange, baseline: TimeRange | undefined, buckets: number): PatternStat[] {
  const wSec = (window.end - window.start) / 1000;
  const bSec = baseline ? (baseline.end - baseline.start) / 1000 : 0;
  const baseCounts = new Map<string, number>();
  for (const p of base ?? []) baseCounts.set(p.pattern, p.samples.reduce((s, x) => s + x[1], 0));
  const total = win.reduce((s, p) => s + p.samples.reduce((x, y) => x + y[1], 0), 0);
  const hasBase = !!base && base.length > 0;
  const bucketMs = (window.end - window.start) / buckets;
  return win.map((p) => {
    const count = p.samples.reduce((s, x) => s + x[1], 0);
    const b = baseCounts.get(p.pattern) ?? 0;
    const series = new Array<number>(buckets).fill(0);
    let first: number | undefined;
    let last: number | undefined;
    for (const [t, c] of p.samples) {
      const ms = t * 1000;
      if (c > 0) {
        first = first === undefined ? ms : Math.min(first, ms);
        last = last === undefined ? ms : Math.max(last, ms);
      }
      const i = Math.floor((ms - window.start) / bucketMs);
      if (i >= 0 && i < buckets) series[i]! += c;
    }
    const level = normalizeLevel(p.level ?? 'unknown');
    const rate = count / wSec;
    const bRate = hasBase ? b / bSec : 0;
    const surprise = hasBase ? poissonSurprise(count, ((b + 0.5) / bSec) * wSec) : 0;
    const status: PatternStat['status'] = !hasBase ? 'no-baseline' : b === 0 ? 'new' : rate >= 2 * bRate && surprise >= 2 ? 'surging' : rate <= 0.5 * bRate ? 'dropping' : 'steady';
    const novelty = status === 'new' || status === 'surging' ? 1 + Math.min(surprise, 12) : 0.3;
    const score = hasBase ? levelWeight(level) * novelty * (0.5 + 0.5 * Math.min(1, Math.log10(1 + count))) : levelWeight(level) * (0.5 + Math.log10(1 + count));
    return {
      service, pattern: p.pattern, template: p.pattern, level, levels: { [level]: count }, count, baselineCount: b, ratePerSec: rate, baselineRatePerSec: bRate,
      change: bRate > 0 ? rate / bRate : Infinity, share: total ? count / total : 0, status, firstSeenMs: first, lastSeenMs: last, series, samples: [], traceIds: [], surprise, score,
    };
  }).sort((x, y) => y.score - x.score || y.count - x.count);
}

export const logPatterns = defineTool({
  name: 'log_patterns',
  title: 'Log patterns',
  description:
    'Log templates of a service (or each service) vs the baseline: counts, level, NEW/SURGING, sample lines; rare new error patterns first. The way into logs.',
  input: z.object({
    service: z.string().optional(),
    ...scopeFields,
    level: z.array(LEVEL_ENUM).optional(),
    include: z.array(z.string()).optional().describe('Loki patterns (`<_>` = anything) to keep'),
    exclude: z.array(z.string()).optional().describe('Loki patterns to drop'),
    changed_only: z.boolean().optional().describe('Only new, surging, dropping or gone'),
    limit: z.number().int().min(1).max(100).optional(),
  }),
  output: z.object({
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    source: z.enum(['mined', 'loki-patterns']),
    lines: z.number().describe('window lines analysed'),
    baseline_lines: z.number(),
    capped: z.boolean().describe('true when the backend held more lines than were analysed'),
    patterns_total: z.number(),
    patterns: z.array(patternRow),
    query: z.string(),
    link: z.string().optional(),
    notes: z.array(z.string()),
  }),
  annotations: { title: 'Log patterns', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const src = ctx.sources.logs;
    if (!src) throw new ToolError('no log source is configured', 'set LOKI_URL (or GRAFANA_URL + GRAFANA_LOKI_UID), or pass --bundle DIR');
    const { window, baseline } = resolveScope(args, ctx.sources);
    const limit = args.limit ?? 10;
    const buckets = 12;
    const filters: LineFilters = { service: args.service, includePatterns: args.include, excludePatterns: args.exclude };
    const baseQuery = renderLogQL(filtersToLogQL(filters));
    const notes: string[] = [];
    let stats: PatternStat[] | undefined;
    let source: 'mined' | 'loki-patterns' = 'mined';
    let lines = 0;
    let baseLines = 0;
    let capped = false;
    let sampleRecords: LogRecord[] = [];
    try {
      // Loki's pattern ingester, when it is there and no line filter is asked: push the work down.
      if (src instanceof LokiLogSource && args.service && !args.include?.length && !args.exclude?.length) {
        const sel = renderLogQL({ selector: serviceSelector(args.service) });
        const step = Math.max(10, Math.round((window.end - window.start) / 1000 / buckets));
        const win = await src.client.patterns(sel, window, step, ctx.signal);
        if (win && win.length) {
          const base = baseline ? await src.client.patterns(sel, baseline, step, ctx.signal) : undefined;
          stats = fromLokiPatterns(args.service, win, base, window, baseline, buckets);
          source = 'loki-patterns';
          lines = stats.reduce((s, p) => s + p.count, 0);
          baseLines = stats.reduce((s, p) => s + p.baselineCount, 0);
          // Sample lines for the top patterns, one bounded query each.
          for (const p of stats.slice(0, Math.min(limit, 5))) {
            const r = await src.fetch(renderLogQL({ selector: serviceSelector(args.service), patternInclude: [p.pattern] }), window, 3, 'backward', ctx.signal);
            p.samples = r.records.map((x) => x.body);
            p.traceIds = r.records.map((x) => x.traceId).filter((x): x is string => !!x);
          }
        } else notes.push('Loki returned no patterns (pattern ingester disabled or no data): mined patterns from sampled lines instead.');
      }
      if (!stats) {
        const w = await fetchLines(src, window, filters, { limit: LINES_PER_RANGE, signal: ctx.signal });
        const b = baseline ? await fetchLines(src, baseline, filters, { limit: LINES_PER_RANGE, signal: ctx.signal }) : undefined;
        capped = w.capped || !!b?.capped;
        if (capped) notes.push(`more than ${LINES_PER_RANGE} lines per range: patterns were mined from the newest ${LINES_PER_RANGE}; counts are lower bounds. Narrow the window or filter by service/level.`);
        notes.push(...w.notes);
        lines = w.records.length;
        baseLines = b?.records.length ?? 0;
        sampleRecords = [...w.records, ...(b?.records ?? [])];
        stats = patternShift(sampleRecords, window, baseline, { buckets });
      }
    } catch (e) {
      if (e instanceof FilterError) throw new ToolError(e.message);
      if (e instanceof BackendError) throw new ToolError(e.message, e.hint);
      throw e;
    }
    let rows = stats;
    if (args.level?.length) {
      const want = new Set(args.level);
      rows = rows.filter((p) => want.has(p.level as never) || Object.keys(p.levels).some((l) => want.has(l as never)));
    }
    if (args.changed_only) rows = rows.filter((p) => p.status !== 'steady');
    const total = rows.length;
    rows = rows.slice(0, limit);
    const g = ctx.sources.grafana;
    const out = rows.map((p) => {
      const query = renderLogQL({ ...filtersToLogQL({ ...filters, service: p.service }), patternInclude: [p.pattern] });
      return {
        service: p.service,
        pattern: p.pattern,
        level: p.level,
        status: p.status,
        count: p.count,
        baseline_count: p.baselineCount,
        rate_per_s: round(p.ratePerSec),
        baseline_rate_per_s: round(p.baselineRatePerSec),
        change: Number.isFinite(p.change) ? round(p.change) : null,
        share: round(p.share),
        first_seen: iso(p.firstSeenMs),
        last_seen: iso(p.lastSeenMs),
        series: p.series,
        samples: p.samples.map((s) => cleanLine(s, 400).text),
        trace_ids: p.traceIds,
        score: p.score,
        query,
        link: logqlExploreLink(g, window, query),
      };
    });
    const link = args.service ? logsDrilldownLink(g, window, args.service) : logqlExploreLink(g, window, baseQuery);
    const scopeText = `${args.service ?? 'all services'}, ${isoRange(window).start} → ${isoRange(window).end}${baseline ? ` vs baseline ${isoRange(baseline).start.slice(11, 19)}–${isoRange(baseline).end.slice(11, 19)}` : ''}`;
    const head = [
      `${total} pattern(s) in ${lines} line(s) (${baseLines} baseline) for ${scopeText}; source: ${source === 'mined' ? 'mined here' : "Loki's pattern ingester"}.`,
      `Ranked: new/surging first, errors above info. Query: ${baseQuery}${link ? `\nLink: ${link}` : ''}`,
      ...notes.map((n) => `Note: ${n}`),
    ].join('\n');
    const sections = [head];
    out.forEach((p, i) => {
      const tag = p.status === 'new' ? 'NEW' : p.status === 'surging' ? `SURGING ×${p.change === null ? '∞' : p.change.toFixed(1)}` : p.status.toUpperCase();
      const lvl = isErrorish(p.level) ? p.level.toUpperCase() : p.level;
      const lines2 = [
        `#${i + 1} [${tag} ${lvl}] ${p.count} line(s) ${fmtRate(p.rate_per_s)} (baseline ${p.baseline_count}, ${fmtRate(p.baseline_rate_per_s)}), ${fmtPct(p.share)} of lines, ${hhmmss(rows[i]!.firstSeenMs)}–${hhmmss(rows[i]!.lastSeenMs)}${args.service ? '' : ` [${p.service}]`}`,
        `   pattern: ${cleanLine(p.pattern, 300).text}`,
        ...p.samples.slice(0, 2).map((s) => `   e.g. ${cleanLine(s, 300).text}`),
        ...(p.trace_ids.length ? [`   trace ids: ${p.trace_ids.slice(0, 3).join(', ')}`] : []),
        `   LogQL: ${p.query}`,
      ];
      sections.push(lines2.join('\n'));
    });
    if (!out.length) sections.push('No log lines matched in the window. Check the service name (list_services) or widen the window.');
    return {
      data: { window: isoRange(window), baseline: baseline ? isoRange(baseline) : undefined, source, lines, baseline_lines: baseLines, capped, patterns_total: total, patterns: out, query: baseQuery, link, notes },
      text: sections,
      narrow: 'Patterns are ranked most telling first; pass level=["error"], changed_only=true, a service, or a smaller window.',
    };
  },
});

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
