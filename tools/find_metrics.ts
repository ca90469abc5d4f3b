// find_metrics: search metric names and help text (prefix + typo-tolerant), optionally only metrics that
// carry given labels; each hit with type, unit, help, series count and related metrics.
import { z } from 'zod';
import { defineTool } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { searchFamilies, relatedFamilies } from '../src/analysis/metrics/catalog.js';
import { agg, re, render, selector } from '../src/query/promql.js';
import { loadFamilies, mapQueryError, parseLabelFilter, requireMetrics } from './metrics_shared.js';
import { table } from './format.js';
import { metricsDrilldownLink } from '../src/links.js';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const findMetrics = defineTool({
  name: 'find_metrics',
  title: 'Find metrics',
  description:
    'Finds metrics by words, prefix or misspelt name (optionally only series matching labels): type, unit, help, series count. Use before explore_metric or breakdown_metric.',
  input: z.object({
    query: z.string().optional().describe('Words, a prefix or a misspelt name; empty lists all'),
    labels: z.string().optional().describe('Series filter, e.g. service="checkout"'),
    limit: z.number().int().min(1).max(100).optional(),
    ...scopeFields,
  }),
  output: z.object({
    window: rangeSchema,
    query: z.string().describe('PromQL listing the matching series per metric name'),
    total_metrics: z.number(),
    hits: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        type_source: z.enum(['metadata', 'convention']),
        unit: z.string().optional(),
        help: z.string().optional(),
        series: z.number(),
        sample_names: z.array(z.string()),
        why: z.string(),
        related: z.array(z.string()),
      }),
    ),
    link: z.string().optional(),
  }),
  annotations: { title: 'Find metrics', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const src = requireMetrics(ctx.sources);
    const { window, baseline } = resolveScope(args, ctx.sources);
    const range = baseline ? { start: Math.min(baseline.start, window.start), end: window.end } : window;
    const matchers = parseLabelFilter(args.labels);
    const limit = args.limit ?? 15;
    let families;
    try {
      families = await loadFamilies(src, range, ctx.signal);
    } catch (e) {
      mapQueryError(e);
    }
    let hits = searchFamilies(families, args.query ?? '');
    // Series counts (and the label filter) from the series API, for the best hits only.
    const counted: Array<{ hit: (typeof hits)[number]; series: number }> = [];
    for (const hit of hits) {
      if (counted.length >= limit) break;
      const nameRe = hit.family.sampleNames.map(escapeRe).join('|');
      const sel = render(selector(undefined, [re('__name__', nameRe), ...matchers]));
      let n = 0;
      try {
        n = (await src.series(sel, range, ctx.signal)).length;
      } catch (e) {
        mapQueryError(e);
      }
      if (matchers.length && n === 0) continue;
      counted.push({ hit, series: n });
    }
    hits = counted.map((c) => c.hit);
    const rows = counted.map(({ hit, series }) => ({
      name: hit.family.name,
      type: hit.family.kind,
      type_source: hit.family.typeSource,
      unit: hit.family.unit,
      help: hit.family.help,
      series,
      sample_names: hit.family.sampleNames,
      why: hit.why,
      related: relatedFamilies(families, hit.family),
    }));
    const allNames = rows.flatMap((r) => r.sample_names).map(escapeRe).join('|');
    const promql = allNames ? render(agg('count', selector(undefined, [re('__name__', allNames), ...matchers]), { by: ['__name__'] })) : '';
    const head =
      rows.length === 0
        ? `No metric matches ${JSON.stringify(args.query ?? '')}${args.labels ? ` with ${args.labels}` : ''} among ${families.length} metric(s) in ${ctx.sources.describe}.`
        : `${rows.length} of ${families.length} metric(s) match ${JSON.stringify(args.query ?? '')}${args.labels ? ` with ${args.labels}` : ''} (${isoRange(range).start} → ${isoRange(range).end}):`;
    const tbl = table(
      ['metric', 'type', 'series', 'why'],
      rows.map((r) => [r.name, `${r.type}${r.type_source === 'convention' ? '*' : ''}`, String(r.series), r.why]),
    );
    const details = rows
      .slice(0, 8)
      .map((r) => `- ${r.name}${r.unit ? ` [${r.unit}]` : ''}: ${r.help ? JSON.stringify(r.help.slice(0, 160)) : '(no help)'}${r.related.length ? `; related: ${r.related.join(', ')}` : ''}`)
      .join('\n');
    const sections = [rows.length ? `${head}\n${tbl}\n(* type from naming conventions; others from metadata)` : head];
    if (details) sections.push(details);
    if (promql) sections.push(`PromQL: ${promql}`);
    return {
      data: {
        window: isoRange(window),
        query: promql,
        total_metrics: families.length,
        hits: rows,
        link: rows[0] ? metricsDrilldownLink(ctx.sources.grafana, range, rows[0].sample_names[0]!) : undefined,
      },
      text: sections,
      narrow: 'Use a more specific query or a label filter, or lower limit.',
    };
  },
});
