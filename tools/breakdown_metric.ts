// breakdown_metric: the metric's default query grouped by a label (or by each useful label in turn),
// groups ranked by how much they stand out — change vs their own baseline noise, robust z against the
// other groups — with the score explained in one line.
import { z } from 'zod';
import { round } from '../src/util/stats.js';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, scopeFields } from './common.js';
import { breakdownQueries } from '../src/analysis/metrics/defaults.js';
import { fmtValue, rankGroups, type GroupScore } from '../src/analysis/metrics/summarize.js';
import { findFamilyOrThrow, loadFamilies, mapQueryError, metricQueryScope, warmedBaseline } from './metrics_shared.js';
import { re, render, selector, type Matcher } from '../src/query/promql.js';
import { metricsDrilldownLink, promqlExploreLink } from '../src/links.js';
import type { MetricFamily } from '../src/analysis/metrics/catalog.js';
import type { MetricSource, TimeRange } from '../src/sources/types.js';
import { table } from './format.js';

const groupOut = z.object({
  value: z.string(),
  labels: z.record(z.string(), z.string()),
  score: z.number(),
  window_avg: z.number().nullable(),
  baseline_avg: z.number().nullable().optional(),
  change: z.number().nullable().optional(),
  z_self: z.number(),
  z_cross: z.number(),
  z_level: z.number(),
  query_id: z.string(),
  explain: z.string(),
  sparkline: z.string(),
});

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const fin = (v: number | undefined) => (v === undefined ? undefined : Number.isFinite(v) ? v : null);
const SKIP_LABELS = new Set(['__name__', 'le', 'quantile']);

export interface BreakdownResult {
  label: string;
  queries: Array<{ id: string; promql: string }>;
  groups: Array<GroupScore & { queryId: string; value: string }>;
  warnings: string[];
}

/** Runs the breakdown queries for one label and ranks the groups (shared with the playbook step). */
export async function breakdownByLabel(
  src: MetricSource,
  fam: MetricFamily,
  label: string,
  opts: { matchers: Matcher[]; rateWindowMs: number; stepMs: number; window: TimeRange; baseline?: TimeRange },
  signal: AbortSignal,
): Promise<BreakdownResult> {
  const queries = breakdownQueries(fam, label, { matchers: opts.matchers, rateWindowMs: opts.rateWindowMs });
  const full = { start: opts.baseline ? Math.min(opts.baseline.start, opts.window.start) : opts.window.start, end: opts.window.end };
  const byGroup = new Map<string, GroupScore & { queryId: string; value: string }>();
  const warnings: string[] = [];
  for (const q of queries) {
    let res = await src.range(q.promql, full, opts.stepMs, signal).catch(mapQueryError);
    if (res.warnings) warnings.push(...res.warnings);
    if (fam.kind === 'summary') {
      // Rank on the highest reported quantile only.
      const qs = [...new Set(res.map((s) => Number(s.labels.quantile)))].filter(Number.isFinite).sort((a, b) => b - a);
      if (qs.length) res = Object.assign(res.filter((s) => Number(s.labels.quantile) === qs[0]), { warnings: res.warnings });
    }
    const base = warmedBaseline(src, opts.baseline, opts.rateWindowMs, q.promql.includes('rate('));
    const ranked = rankGroups(res, opts.window, base, (v) => fmtValue(v, q.unit), `${label} values`);
    for (const g of ranked) {
      const value = g.group[label] ?? '(none)';
      const prev = byGroup.get(value);
      if (!prev || g.score > prev.score) byGroup.set(value, { ...g, explain: `${q.id}: ${g.explain}`, queryId: q.id, value });
    }
  }
  const groups = [...byGroup.values()].sort((a, b) => b.score - a.score);
  return { label, queries: queries.map((q) => ({ id: q.id, promql: q.promql })), groups, warnings };
}

/** Labels worth breaking down by: 2..maxValues distinct values among the metric's series. */
export async function candidateLabels(src: MetricSource, fam: MetricFamily, matchers: Matcher[], range: TimeRange, signal: AbortSignal, maxValues = 100): Promise<Array<{ label: string; values: number }>> {
  const sel = render(selector(undefined, [re('__name__', fam.sampleNames.map(escapeRe).join('|')), ...matchers]));
  const series = await src.series(sel, range, signal).catch(mapQueryError);
  const values = new Map<string, Set<string>>();
  for (const s of series) for (const [k, v] of Object.entries(s)) if (!SKIP_LABELS.has(k)) (values.get(k) ?? values.set(k, new Set()).get(k)!).add(v);
  return [...values.entries()]
    .map(([label, vs]) => ({ label, values: vs.size }))
    .filter((x) => x.values >= 2 && x.values <= maxValues)
    .sort((a, b) => a.values - b.values);
}

export const breakdownMetric = defineTool({
  name: 'breakdown_metric',
  title: 'Break a metric down by label',
  description:
    'Splits a metric by a label (or each label) and ranks the values that stand out vs their baseline and each other: which route, pod or status moved.',
  input: z.object({
    metric: z.string().min(1).describe('Metric or family name'),
    by: z.string().optional().describe('Label to group by; omit to try each'),
    labels: z.string().optional().describe('Series filter, e.g. service="checkout"'),
    rate_window: z.string().optional().describe('rate() range (default 5m)'),
    step: z.string().optional(),
    limit: z.number().int().min(1).max(50).optional(),
    ...scopeFields,
  }),
  output: z.object({
    metric: z.string(),
    type: z.string(),
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    query: z.string(),
    breakdowns: z.array(z.object({ label: z.string(), top_score: z.number(), queries: z.array(z.object({ id: z.string(), promql: z.string() })), groups: z.array(groupOut), link: z.string().optional() })),
    link: z.string().optional(),
    warnings: z.array(z.string()).optional(),
  }),
  annotations: { title: 'Break a metric down by label', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { src, window, baseline, full, matchers, rateWindowMs, stepMs } = metricQueryScope(args, ctx.sources);
    const limit = args.limit ?? 8;
    const families = await loadFamilies(src, full, ctx.signal).catch(mapQueryError);
    const fam = findFamilyOrThrow(families, args.metric);
    const cands = await candidateLabels(src, fam, matchers, full, ctx.signal);
    let labels: string[];
    if (args.by) {
      if (SKIP_LABELS.has(args.by)) throw new ToolError(`cannot break down by "${args.by}": it is part of the metric type (explore_metric shows it)`);
      labels = [args.by.trim()];
      const known = new Set(cands.map((c) => c.label));
      if (!known.has(labels[0]!)) {
        const all = await candidateLabels(src, fam, matchers, full, ctx.signal, Infinity);
        if (!all.some((c) => c.label === labels[0])) throw new ToolError(`${fam.name} has no label "${args.by}" with at least two values in this range`, `labels available: ${all.map((c) => `${c.label} (${c.values})`).join(', ') || 'none'}`);
      }
    } else {
      labels = cands.slice(0, 8).map((c) => c.label);
      if (!labels.length) throw new ToolError(`${fam.name} has no label with 2–100 distinct values to break down by`, 'use explore_metric to see its series');
    }
    const results: BreakdownResult[] = [];
    let done = 0;
    for (const label of labels) {
      ctx.progress(done++, labels.length, `breakdown by ${label}`);
      results.push(await breakdownByLabel(src, fam, label, { matchers, rateWindowMs, stepMs, window, baseline }, ctx.signal));
    }
    results.sort((a, b) => (b.groups[0]?.score ?? 0) - (a.groups[0]?.score ?? 0));
    const warnings = [...new Set(results.flatMap((r) => r.warnings))];
    const breakdowns = results.map((r) => ({
      label: r.label,
      top_score: r.groups[0]?.score ?? 0,
      queries: r.queries,
      groups: r.groups.slice(0, Math.max(limit, 20)).map((g) => ({
        value: g.value,
        labels: g.group,
        score: round(g.score, 2),
        window_avg: fin(g.window)!,
        baseline_avg: fin(g.baseline),
        change: fin(g.change),
        z_self: round(g.zSelf, 2),
        z_cross: round(g.zCross, 2),
        z_level: round(g.zLevel, 2),
        query_id: g.queryId,
        explain: g.explain,
        sparkline: g.sparkline,
      })),
      link: metricsDrilldownLink(ctx.sources.grafana, full, fam.sampleNames[0]!, { groupBy: r.label }),
    }));
    const head = `${fam.name} (${fam.kind}) broken down by ${results.map((r) => r.label).join(', ')}; window ${isoRange(window).start} → ${isoRange(window).end}${baseline ? ` vs baseline ${isoRange(baseline).start} → ${isoRange(baseline).end}` : ''}. Score = weighted mean of capped |z|: change vs own baseline noise, change vs the other values (log ratio), level vs the others (half weight).`;
    const sections = [head];
    for (const r of results) {
      const rows = r.groups.slice(0, limit).map((g, i) => [String(i + 1), g.value, g.score.toFixed(1), g.sparkline, g.explain]);
      sections.push(`by ${r.label} (${r.groups.length} values) — PromQL: ${r.queries.map((q) => q.promql).join('  |  ')}\n${table(['#', r.label, 'score', 'trend', 'why'], rows)}${r.groups.length > limit ? `\n… ${r.groups.length - limit} more` : ''}`);
    }
    if (warnings.length) sections.push(`Backend warnings: ${warnings.join('; ')}`);
    const main = results[0]?.queries[0]?.promql ?? '';
    return {
      data: {
        metric: fam.name,
        type: fam.kind,
        window: isoRange(window),
        baseline: baseline ? isoRange(baseline) : undefined,
        query: main,
        breakdowns,
        link: promqlExploreLink(ctx.sources.grafana, full, main),
        warnings: warnings.length ? warnings : undefined,
      },
      text: sections,
      narrow: 'Pass `by` for one label, a label filter, or a lower limit.',
    };
  },
});
