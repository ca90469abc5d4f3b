// log_fields: detected fields of a service's logs (JSON, logfmt, OTLP attributes / structured metadata)
// with type, cardinality, top values with rate and change vs baseline, numeric summaries; moved first.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { fmtRate } from './format.js';
import { fieldStats } from '../src/analysis/logs/fields.js';
import { fetchLines, FilterError, type LineFilters } from '../src/analysis/logs/fetch.js';
import { escapeRegex, renderLogQL, serviceSelector } from '../src/query/logql.js';
import { WILDCARD } from '../src/analysis/logs/tokenize.js';
import { logqlExploreLink, logsDrilldownLink } from '../src/links.js';
import { LokiLogSource } from '../src/sources/remote/loki.js';
import { BackendError } from '../src/http.js';
import { leftOutOnError } from '../src/sources/remote/answer-notes.js';

const LINES_PER_RANGE = 5000;
const LEVEL_ENUM = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'critical', 'unknown']);

const valueRow = z.object({
  value: z.string(),
  count: z.number(),
  baseline_count: z.number(),
  rate_per_s: z.number(),
  baseline_rate_per_s: z.number(),
  change: z.number().nullable().describe('window rate / baseline rate; null when the value is new'),
  share_change: z.number().describe('window share − baseline share of this value'),
});

const fieldRow = z.object({
  name: z.string(),
  type: z.string(),
  parsers: z.array(z.string()),
  count: z.number(),
  baseline_count: z.number(),
  cardinality: z.number(),
  shift: z.number().describe('0 = same value mix as the baseline, 1 = entirely different'),
  score: z.number().describe('how surprising the most-changed value (or numeric move) is; fields are sorted by it'),
  values: z.array(valueRow),
  numeric: z.object({ min: z.number(), avg: z.number(), p50: z.number(), p95: z.number(), max: z.number(), baseline_p50: z.number().optional(), baseline_p95: z.number().optional(), unit: z.string().optional() }).optional(),
  query: z.string(),
});

/** A template value (`failed order <*>`) as a regex for a label filter; whitespace was normalised when mining. */
function templateRegex(t: string): string {
  return t.split(WILDCARD).map((p) => p.split(/\s+/).map(escapeRegex).join('\\s+')).join('.*');
}

const r4 = (v: number) => Math.round(v * 10000) / 10000;

export const logFields = defineTool({
  name: 'log_fields',
  title: 'Log fields',
  description:
    'Log fields (JSON, logfmt, attributes): top values and their change vs baseline, numeric summaries, fields that moved most first. With level, what the error lines share.',
  input: z.object({
    service: z.string().optional(),
    ...scopeFields,
    level: z.array(LEVEL_ENUM).optional(),
    contains: z.array(z.string()).optional().describe('Only lines containing all of these'),
    fields: z.array(z.string()).optional(),
    limit: z.number().int().min(1).max(100).optional(),
    values: z.number().int().min(1).max(50).optional().describe('Values per field (default 5)'),
  }),
  output: z.object({
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    lines: z.number(),
    baseline_lines: z.number(),
    capped: z.boolean(),
    fields_total: z.number(),
    fields: z.array(fieldRow),
    loki_detected_fields: z.array(z.object({ label: z.string(), type: z.string(), cardinality: z.number() })).optional(),
    query: z.string(),
    link: z.string().optional(),
    notes: z.array(z.string()),
  }),
  annotations: { title: 'Log fields', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const src = ctx.sources.logs;
    if (!src) throw new ToolError('no log source is configured', 'set LOKI_URL (or GRAFANA_URL + GRAFANA_LOKI_UID), or pass --bundle DIR');
    const { window, baseline } = resolveScope(args, ctx.sources);
    const filters: LineFilters = { service: args.service, levels: args.level, contains: args.contains, caseSensitive: false };
    const notes: string[] = [];
    let w;
    let b;
    let lokiFields: Array<{ label: string; type: string; cardinality: number }> | undefined;
    try {
      w = await fetchLines(src, window, filters, { limit: LINES_PER_RANGE, signal: ctx.signal });
      b = baseline ? await fetchLines(src, baseline, filters, { limit: LINES_PER_RANGE, signal: ctx.signal }) : undefined;
      if (src instanceof LokiLogSource) {
        // Loki's own detected fields cover more lines than we sample; listed alongside ours.
        const df = await src.client.detectedFields(renderLogQL({ selector: serviceSelector(args.service) }), window, { limit: 200 }, ctx.signal).catch(leftOutOnError('Loki detected fields', undefined));
        if (df) lokiFields = df.map((f) => ({ label: f.label, type: f.type, cardinality: f.cardinality }));
      }
    } catch (e) {
      if (e instanceof FilterError) throw new ToolError(e.message);
      if (e instanceof BackendError) throw new ToolError(e.message, e.hint);
      throw e;
    }
    const capped = w.capped || !!b?.capped;
    if (capped) notes.push(`more than ${LINES_PER_RANGE} lines per range: statistics come from the newest ${LINES_PER_RANGE}.`);
    const stats = fieldStats([...w.records, ...(b?.records ?? [])], window, baseline, { valuesPerField: args.values ?? 5, only: args.fields });
    if (baseline && !b?.records.length) notes.push('no lines in the baseline: changes cannot be computed (every value shows as new).');
    const limit = args.limit ?? 12;
    const g = ctx.sources.grafana;
    const fields = stats.slice(0, limit).map((f) => {
      const top = f.values[0];
      const q = renderLogQL({
        selector: serviceSelector(args.service),
        parsers: f.parsers.includes('json') ? ['json'] : f.parsers.includes('logfmt') ? ['logfmt'] : undefined,
        dropParseErrors: f.parsers.includes('json') || f.parsers.includes('logfmt'),
        labelFilters: top ? [top.value.includes(WILDCARD) ? { name: f.name, op: '=~', value: templateRegex(top.value) } : { name: f.name, op: '=', value: top.value }] : [],
      });
      return {
        name: f.name,
        type: f.type,
        parsers: f.parsers,
        count: f.count,
        baseline_count: f.baselineCount,
        cardinality: f.cardinality,
        shift: r4(f.shift),
        score: f.score,
        values: f.values.map((v) => ({
          value: v.value.length > 200 ? v.value.slice(0, 200) + '…' : v.value,
          count: v.count,
          baseline_count: v.baselineCount,
          rate_per_s: r4(v.ratePerSec),
          baseline_rate_per_s: r4(v.baselineRatePerSec),
          change: Number.isFinite(v.change) ? r4(v.change) : null,
          share_change: r4(v.shareChange),
        })),
        numeric: f.numeric
          ? { min: f.numeric.min, avg: r4(f.numeric.avg), p50: r4(f.numeric.p50), p95: r4(f.numeric.p95), max: f.numeric.max, baseline_p50: f.numeric.baselineP50, baseline_p95: f.numeric.baselineP95, unit: f.numeric.unit }
          : undefined,
        query: q,
      };
    });
    const baseQuery = renderLogQL({ selector: serviceSelector(args.service), parsers: ['json', 'logfmt'], dropParseErrors: true });
    const link = args.service ? logsDrilldownLink(g, window, args.service) : logqlExploreLink(g, window, baseQuery);
    const head = [
      `${stats.length} field(s) in ${w.records.length} line(s) (${b?.records.length ?? 0} baseline) for ${args.service ?? 'all services'}${args.level?.length ? ` (levels ${args.level.join(',')})` : ''}, ${isoRange(window).start} → ${isoRange(window).end}. Most-moved fields first.`,
      `LogQL: ${baseQuery}${link ? `\nLink: ${link}` : ''}`,
      ...notes.map((n) => `Note: ${n}`),
    ].join('\n');
    const sections = [head];
    for (const f of fields) {
      const vals = f.values
        .map((v) => `${JSON.stringify(v.value)} ${v.count} ${fmtRate(v.rate_per_s)}${baseline ? (v.change === null ? (v.count ? ' NEW' : '') : ` ×${v.change.toFixed(2)} vs baseline`) : ''}`)
        .join('; ');
      const num = f.numeric ? ` | min ${f.numeric.min} avg ${f.numeric.avg} p50 ${f.numeric.p50} p95 ${f.numeric.p95}${f.numeric.baseline_p95 !== undefined ? ` (baseline p95 ${r4(f.numeric.baseline_p95)})` : ''} max ${f.numeric.max}${f.numeric.unit ? ` ${f.numeric.unit}` : ''}` : '';
      sections.push(`${f.name} (${f.type}, ${f.parsers.join('/')}, ${f.cardinality} value(s), shift ${f.shift.toFixed(2)}) in ${f.count} line(s)${num}\n   ${vals}`);
    }
    if (lokiFields?.length) sections.push(`Loki detected fields: ${lokiFields.map((f) => `${f.label} (${f.type}, ~${f.cardinality})`).join(', ')}`);
    if (!stats.length) sections.push('No fields found: the lines are plain text (no JSON, logfmt or attributes). Use log_patterns instead.');
    return {
      data: { window: isoRange(window), baseline: baseline ? isoRange(baseline) : undefined, lines: w.records.length, baseline_lines: b?.records.length ?? 0, capped, fields_total: stats.length, fields, loki_detected_fields: lokiFields, query: baseQuery, link, notes },
      text: sections,
      narrow: 'Pass fields=[…] for specific fields, level=["error"] to see what error lines share, or a service.',
    };
  },
});
