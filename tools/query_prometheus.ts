// query_prometheus: raw PromQL for experts, instant or range, against a live Prometheus/Mimir or, on a
// recorded bundle, the bundle's own PromQL engine (same answer shape, and `engine` says which answered).
// Big results are summarised within the budget (series count, top-k by value, label cardinalities), never
// cut silently.
import { maxOf } from '../src/util/stats.js';
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { parsePromQL, PromQLBuildError, PromQLParseError } from '../src/query/promql.js';
import { EvalError } from '../src/analysis/metrics/eval.js';
import { PatternError } from '../src/util/regex.js';
import { chooseStep, fmtLabels, fmtValue, sparkline } from '../src/analysis/metrics/summarize.js';

const cell = (v: number | null) => (v === null ? '–' : fmtValue(v));
import { parseDuration, parseTime } from '../src/util/time.js';
import { promqlExploreLink } from '../src/links.js';
import { requireMetrics } from './metrics_shared.js';
import { table } from './format.js';

export const queryPrometheus = defineTool({
  name: 'query_prometheus',
  title: 'Run PromQL',
  description:
    'Runs raw PromQL against the live Prometheus/Mimir, or on a recorded bundle with Prometheus semantics (classic histograms only). instant=true evaluates at `time` (default: window end); otherwise a range query over the window with `step`. Large results are summarised: series count, top series by value, label cardinalities. The PromQL is checked locally first; syntax errors name the column.',
  input: z.object({
    query: z.string().min(1).describe('PromQL expression'),
    instant: z.boolean().optional().describe('Instant query (default false: range query)'),
    time: z.string().optional().describe('Evaluation time for instant queries (default: window end)'),
    step: z.string().optional().describe('Range query resolution, e.g. 30s (default ~240 points)'),
    top: z.number().int().min(1).max(200).optional().describe('Series listed (default 10)'),
    ...scopeFields,
  }),
  output: z.object({
    query: z.string(),
    engine: z.enum(['bundle', 'live']).describe('bundle: evaluated over the recorded files; live: answered by Prometheus/Mimir'),
    kind: z.enum(['instant', 'range']),
    window: rangeSchema,
    step_seconds: z.number().optional(),
    series_count: z.number(),
    series: z.array(z.object({ labels: z.record(z.string(), z.string()), last: z.number().nullable(), avg: z.number().nullable(), max: z.number().nullable(), points: z.number(), sparkline: z.string() })),
    label_cardinality: z.record(z.string(), z.number()),
    warnings: z.array(z.string()).optional(),
    link: z.string().optional(),
  }),
  annotations: { title: 'Run PromQL', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const src = requireMetrics(ctx.sources);
    try {
      parsePromQL(args.query);
    } catch (e) {
      if (e instanceof PromQLParseError || e instanceof PromQLBuildError) throw new ToolError(e.message, 'fix the PromQL syntax; nothing was sent to the backend');
      throw e;
    }
    const engine = src.kind === 'bundle' ? ('bundle' as const) : ('live' as const);
    const { window } = resolveScope(args, ctx.sources);
    const top = args.top ?? 10;
    let stepMs: number | undefined;
    let res;
    if (args.instant) {
      let t = window.end;
      if (args.time) {
        try {
          t = parseTime(args.time, window.end, window.start);
        } catch (e) {
          throw new ToolError(`time: ${(e as Error).message}`);
        }
      }
      res = await onBundle(engine, () => src.instant(args.query, t, ctx.signal));
    } else {
      try {
        stepMs = args.step ? parseDuration(args.step) : chooseStep(window);
      } catch (e) {
        throw new ToolError((e as Error).message);
      }
      res = await onBundle(engine, () => src.range(args.query, window, stepMs!, ctx.signal));
    }
    const rows = res.map((s) => {
      const vals = s.points.map(([, v]) => v).filter(Number.isFinite);
      const last = s.points.length ? s.points[s.points.length - 1]![1] : NaN;
      return {
        labels: s.labels,
        last: Number.isFinite(last) ? last : null,
        avg: vals.length ? vals.reduce((a, v) => a + v, 0) / vals.length : null,
        max: vals.length ? maxOf(vals) : null,
        points: s.points.length,
        sparkline: args.instant ? '' : sparkline(s.points.map(([, v]) => v), 12),
      };
    });
    rows.sort((a, b) => (b.last ?? -Infinity) - (a.last ?? -Infinity));
    const card: Record<string, Set<string>> = {};
    for (const s of res) for (const [k, v] of Object.entries(s.labels)) (card[k] ??= new Set()).add(v);
    const label_cardinality = Object.fromEntries(Object.entries(card).map(([k, v]) => [k, v.size]));
    const head = `${engine === 'bundle' ? '[bundle engine] ' : ''}${res.length} series (${args.instant ? 'instant' : `range, step ${stepMs! / 1000}s`}) for ${args.query}${res.length > top ? `; top ${top} by last value shown` : ''}.`;
    const tbl = table(
      ['series', 'last', 'avg', 'max', 'trend'],
      rows.slice(0, top).map((r) => [fmtLabels(r.labels), cell(r.last), cell(r.avg), cell(r.max), r.sparkline]),
    );
    const sections = [`${head}\n${tbl}`];
    const empty = rows.filter((r) => r.avg === null).length;
    // Prometheus answers NaN for 0/0 and ±Inf for x/0: such a series has no number to show.
    if (empty) sections.push(`${empty} series hold no finite value (only not-a-number or infinite samples, as Prometheus answers for 0/0 and x/0): shown as –`);
    if (Object.keys(label_cardinality).length) sections.push(`Label cardinalities: ${Object.entries(label_cardinality).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    if (res.warnings?.length) sections.unshift(`Backend warnings: ${res.warnings.join('; ')}`);
    return {
      data: {
        query: args.query,
        engine,
        kind: (args.instant ? 'instant' : 'range') as 'instant' | 'range',
        window: isoRange(window),
        step_seconds: stepMs ? stepMs / 1000 : undefined,
        series_count: res.length,
        series: rows.slice(0, Math.max(top, 10)),
        label_cardinality,
        warnings: res.warnings,
        link: promqlExploreLink(ctx.sources.grafana, window, args.query),
      },
      text: sections,
      narrow: 'Aggregate (sum by (…)), add label matchers, or list fewer series (`limit` in native_query).',
    };
  },
});

/** On a bundle, an evaluation error is the query's fault: say what was wrong (and where it would run). */
async function onBundle<T>(engine: 'bundle' | 'live', f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (engine === 'bundle' && (e instanceof EvalError || e instanceof PatternError || e instanceof PromQLBuildError || /too many points/.test((e as Error).message)))
      throw new ToolError(`bundle PromQL engine: ${(e as Error).message}`, 'fix the query, raise the step, or run it against a live Prometheus (PROMETHEUS_URL)');
    throw e;
  }
}
