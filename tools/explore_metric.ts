// explore_metric: detect a metric's type and run the right default PromQL (counters → sum(rate()),
// gauges → avg(), histograms → p50/p90/p99 + bucket distribution, summaries → their quantiles), with
// per-series summaries, change vs baseline, the strongest level shift, a sparkline, the PromQL and links.
import { z } from 'zod';
import { defineTool } from './types.js';
import { isoRange, rangeSchema, scopeFields } from './common.js';
import { defaultQueries } from '../src/analysis/metrics/defaults.js';
import { fmtLabels, fmtValue, summarizeSeries } from '../src/analysis/metrics/summarize.js';
import { findFamilyOrThrow, loadFamilies, mapQueryError, metricQueryScope, warmedBaseline } from './metrics_shared.js';
import { metricsDrilldownLink, promqlExploreLink } from '../src/links.js';

const seriesOut = z.object({
  labels: z.record(z.string(), z.string()),
  min: z.number().nullable(),
  avg: z.number().nullable(),
  max: z.number().nullable(),
  last: z.number().nullable(),
  baseline_avg: z.number().nullable().optional(),
  change: z.number().nullable().optional().describe('window avg vs baseline avg, relative (0.5 = +50%)'),
  shift: z.object({ at: z.string(), before: z.number(), after: z.number() }).optional(),
  sparkline: z.string(),
});

const n = (v: number | undefined) => (v === undefined ? undefined : Number.isFinite(v) ? v : null);

export const exploreMetric = defineTool({
  name: 'explore_metric',
  title: 'Explore a metric',
  description:
    'One metric shown the right way for its type (counter rate, gauge avg, histogram p50/p90/p99): per-series stats, change vs baseline, when it shifted, sparkline.',
  input: z.object({
    metric: z.string().min(1).describe('Metric or family name (see find_metrics)'),
    labels: z.string().optional().describe('Series filter, e.g. service="checkout"'),
    rate_window: z.string().optional().describe('rate() range (default 5m)'),
    step: z.string().optional(),
    ...scopeFields,
  }),
  output: z.object({
    metric: z.string(),
    type: z.string(),
    type_source: z.enum(['metadata', 'convention']),
    help: z.string().optional(),
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    step_seconds: z.number(),
    query: z.string().describe('The main PromQL (first panel)'),
    panels: z.array(z.object({ id: z.string(), label: z.string(), query: z.string(), series: z.array(seriesOut), link: z.string().optional() })),
    link: z.string().optional(),
    warnings: z.array(z.string()).optional(),
  }),
  annotations: { title: 'Explore a metric', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { src, window, baseline, full, matchers, rateWindowMs, stepMs } = metricQueryScope(args, ctx.sources);
    const families = await loadFamilies(src, full, ctx.signal).catch(mapQueryError);
    const fam = findFamilyOrThrow(families, args.metric);
    const queries = defaultQueries(fam, { matchers, rateWindowMs, windowMs: window.end - window.start });
    const warnings: string[] = [];
    const panels: Array<{ id: string; label: string; query: string; series: Array<z.infer<typeof seriesOut>>; link?: string }> = [];
    const sections: string[] = [];
    const fmtU = (u?: string) => (v: number) => fmtValue(v, u);
    for (const q of queries) {
      let result;
      try {
        result = q.instantOnly ? await src.instant(q.promql, window.end, ctx.signal) : await src.range(q.promql, full, stepMs, ctx.signal);
      } catch (e) {
        mapQueryError(e);
      }
      if (result.warnings) warnings.push(...result.warnings);
      const link = promqlExploreLink(ctx.sources.grafana, full, q.promql);
      if (q.instantOnly) {
        // Bucket distribution: cumulative counts per le, shown as per-bucket counts.
        const rows = result
          .map((s) => ({ le: s.labels.le ?? '', ub: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), v: s.points[0]?.[1] ?? NaN }))
          .filter((r) => !Number.isNaN(r.ub))
          .sort((a, b) => a.ub - b.ub);
        const series = rows.map((r) => ({ labels: { le: r.le }, min: n(r.v)!, avg: n(r.v)!, max: n(r.v)!, last: n(r.v)!, sparkline: '' }));
        panels.push({ id: q.id, label: q.label, query: q.promql, series, link });
        if (rows.length) {
          const total = rows[rows.length - 1]!.v;
          const lines = rows.map((r, i) => {
            const inBucket = r.v - (i ? rows[i - 1]!.v : 0);
            const share = total > 0 ? inBucket / total : 0;
            return `  ≤ ${r.le.padEnd(8)} ${'█'.repeat(Math.round(share * 30)).padEnd(30)} ${(share * 100).toFixed(1)}%`;
          });
          sections.push(`${q.label}:\n${lines.join('\n')}\n  PromQL: ${q.promql}`);
        }
        continue;
      }
      const base = warmedBaseline(src, baseline, rateWindowMs, q.promql.includes('rate('));
      const sums = result.map((s) => summarizeSeries(s, window, base)).sort((a, b) => (b.avg || 0) - (a.avg || 0));
      const series = sums.map((s) => ({
        labels: s.labels,
        min: n(s.min)!,
        avg: n(s.avg)!,
        max: n(s.max)!,
        last: n(s.last)!,
        baseline_avg: n(s.baselineAvg),
        change: n(s.change),
        shift: s.shift ? { at: new Date(s.shift.atMs).toISOString(), before: s.shift.before, after: s.shift.after } : undefined,
        sparkline: s.sparkline,
      }));
      panels.push({ id: q.id, label: q.label, query: q.promql, series, link });
      const f = fmtU(q.unit);
      const lines = sums.slice(0, 12).map((s) => {
        // Prometheus answers NaN for 0/0 and ±Inf for x/0: such a series has no statistics to show.
        if (!s.points) return `  ${fmtLabels(s.labels)} ${s.sparkline} no finite value in the window (only not-a-number or infinite samples, or none)`;
        const ch = s.change === undefined ? '' : s.change === Infinity ? ' (new)' : ` (${s.change >= 0 ? '+' : ''}${(s.change * 100).toFixed(0)}% vs baseline ${f(s.baselineAvg!)})`;
        const sh = s.shift ? `; shift ${f(s.shift.before)} → ${f(s.shift.after)} at ${new Date(s.shift.atMs).toISOString().slice(11, 16)}Z` : '';
        return `  ${fmtLabels(s.labels)} ${s.sparkline} avg ${f(s.avg)}${ch}, min ${f(s.min)}, max ${f(s.max)}, last ${f(s.last)}${sh}`;
      });
      const more = sums.length > 12 ? `\n  … ${sums.length - 12} more series` : '';
      sections.push(`${q.label} — ${sums.length ? '' : 'no data; '}PromQL: ${q.promql}\n${lines.join('\n')}${more}`);
    }
    const head = `${fam.name}: ${fam.kind} (type from ${fam.typeSource === 'metadata' ? 'metadata' : 'naming conventions'})${fam.unit ? `, unit ${fam.unit}` : ''}${fam.help ? ` — ${fam.help.slice(0, 160)}` : ''}. Window ${isoRange(window).start} → ${isoRange(window).end}${baseline ? `, baseline ${isoRange(baseline).start} → ${isoRange(baseline).end}` : ''}, step ${stepMs / 1000}s.`;
    if (warnings.length) sections.push(`Backend warnings: ${[...new Set(warnings)].join('; ')}`);
    sections[0] = `${head}\n${sections[0] ?? ''}`;
    return {
      data: {
        metric: fam.name,
        type: fam.kind,
        type_source: fam.typeSource,
        help: fam.help,
        window: isoRange(window),
        baseline: baseline ? isoRange(baseline) : undefined,
        step_seconds: stepMs / 1000,
        query: queries[0]?.promql ?? '',
        panels,
        link: promqlExploreLink(ctx.sources.grafana, full, queries[0]?.promql ?? '') ?? metricsDrilldownLink(ctx.sources.grafana, full, fam.sampleNames[0]!),
        warnings: warnings.length ? [...new Set(warnings)] : undefined,
      },
      text: sections,
      narrow: 'Add a label filter (labels) or use breakdown_metric to split by one label.',
    };
  },
});
