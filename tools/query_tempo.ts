// query_tempo: raw TraceQL for experts (search, or metrics when the query has a `| rate()`-style pipeline),
// against a live Tempo or, on a recorded bundle, the bundle TraceQL engine (src/query/traceql), which
// answers in Tempo's shapes; `engine` says which answered.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { requireTraces, short } from './traces_common.js';
import { BackendError } from '../src/http.js';
import { traceqlExploreLink } from '../src/links.js';
import { fmtMs } from './format.js';
import { BundleTraceSource } from '../src/sources/bundle/traces.js';
import { isMetricsQuery, metricsTraceQL, searchTraceQL } from '../src/query/traceql/engine.js';
import { TraceQLParseError, TraceQLUnsupportedError } from '../src/query/traceql/parse.js';
import { PatternError } from '../src/util/regex.js';

const METRICS_FN = /\|\s*(rate|count_over_time|quantile_over_time|histogram_over_time|sum_over_time|avg_over_time|min_over_time|max_over_time|compare|topk|bottomk)\s*\(/;

export const queryTempoTool = defineTool({
  name: 'query_tempo',
  title: 'Query Tempo (TraceQL)',
  description:
    'Runs a raw TraceQL query against Tempo: a search (trace summaries with matching spans) or, when the query ends with a metrics function such as `| rate() by (resource.service.name)`, a TraceQL metrics range query. For experts; prefer find_prevalent_errors / find_slow_spans. Runs on a live Tempo or on a recorded bundle (the bundle engine refuses, by name, what it does not support).',
  input: z.object({
    ...scopeFields,
    query: z.string().min(2).describe('TraceQL, e.g. { resource.service.name = "checkout" && status = error }'),
    limit: z.number().int().min(1).max(500).optional().describe('Max traces for a search (default 20).'),
    spss: z.number().int().min(1).max(100).optional().describe('Spans per spanset (default 3).'),
  }),
  output: z.object({
    window: rangeSchema,
    engine: z.enum(['bundle', 'live']).describe('bundle: evaluated over the recorded files; live: answered by Tempo'),
    kind: z.enum(['search', 'metrics']),
    traces: z
      .array(z.object({ trace_id: z.string(), root_service: z.string().optional(), root_name: z.string().optional(), start: z.string(), duration_ms: z.number(), matched: z.number(), spans: z.array(z.object({ span_id: z.string(), name: z.string().optional(), duration_ms: z.number(), attributes: z.record(z.string(), z.string()) })) }))
      .optional(),
    series: z.array(z.object({ labels: z.record(z.string(), z.string()), points: z.array(z.tuple([z.number(), z.number()])) })).optional(),
    inspected_traces: z.number().optional(),
    query: z.string(),
    link: z.string().optional(),
  }),
  annotations: { title: 'Query Tempo', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const src = requireTraces(ctx);
    const bundle = src instanceof BundleTraceSource ? src : undefined;
    if (!bundle && (!src.search || !src.metricsRange)) throw new ToolError('this trace source cannot run TraceQL', 'set TEMPO_URL, or open a bundle with traces');
    const engine = bundle ? ('bundle' as const) : ('live' as const);
    const { window } = resolveScope(args, ctx.sources);
    const q = args.query.trim();
    if (!q.startsWith('{') && !q.startsWith('(')) throw new ToolError(`not a TraceQL query: "${short(q, 60)}"`, 'TraceQL starts with a spanset like { resource.service.name = "checkout" }');
    const link = traceqlExploreLink(ctx.sources.grafana, window, q);
    const spans = bundle ? await bundle.allSpans() : undefined;
    try {
      if (bundle ? isMetricsQuery(q) : METRICS_FN.test(q)) {
        const step = Math.max(15, Math.ceil((window.end - window.start) / 1000 / 60));
        const series = spans ? await metricsTraceQL(spans, q, window, step, ctx.signal) : await src.metricsRange!(q, window, step, ctx.signal);
        const sections = [`${engine === 'bundle' ? '[bundle engine] ' : ''}TraceQL metrics ${isoRange(window).start} → ${isoRange(window).end}, step ${step}s: ${series.length} series. Durations are in seconds.\nquery: ${q}`];
        for (const s of series.slice(0, 50)) {
          const vals = s.points.map(([, v]) => v);
          const mean = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
          sections.push(`${JSON.stringify(s.labels)}: ${vals.length} points, mean ${mean.toPrecision(4)}, max ${Math.max(0, ...vals).toPrecision(4)}, last ${(vals[vals.length - 1] ?? 0).toPrecision(4)}`);
        }
        return { data: { window: isoRange(window), engine, kind: 'metrics' as const, series, query: q, link }, text: sections };
      }
      const opts = { limit: args.limit ?? 20, spss: args.spss ?? 3 };
      const res = spans ? await searchTraceQL(spans, q, window, { ...opts, signal: ctx.signal }) : await src.search!(q, window, opts, ctx.signal);
      const traces = res.traces.map((t) => ({
        trace_id: t.traceId,
        root_service: t.rootServiceName,
        root_name: t.rootTraceName,
        start: new Date(t.startMs).toISOString(),
        duration_ms: t.durationMs,
        matched: t.matched,
        spans: t.spans.map((s) => ({ span_id: s.spanId, name: s.name, duration_ms: Math.round(s.durationMs * 1000) / 1000, attributes: Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, String(v)])) })),
      }));
      const sections = [`${engine === 'bundle' ? '[bundle engine] ' : ''}TraceQL search ${isoRange(window).start} → ${isoRange(window).end}: ${traces.length} trace(s)${res.inspectedTraces !== undefined ? ` (${res.inspectedTraces} inspected)` : ''}.\nquery: ${q}`];
      for (const t of traces) {
        const spans = t.spans.map((s) => `${s.name ?? s.span_id} ${fmtMs(s.duration_ms)}${Object.keys(s.attributes).length ? ` ${short(JSON.stringify(s.attributes), 100)}` : ''}`).join('; ');
        sections.push(`${t.trace_id} ${t.root_service ?? '?'}: ${t.root_name ?? '?'} ${fmtMs(t.duration_ms)} @${t.start.slice(11, 19)} matched ${t.matched}${spans ? ` — ${spans}` : ''}`);
      }
      return { data: { window: isoRange(window), engine, kind: 'search' as const, traces, inspected_traces: res.inspectedTraces, query: q, link }, text: sections, narrow: 'Lower limit or spss.' };
    } catch (e) {
      if (e instanceof BackendError) throw new ToolError(e.message, e.hint ?? (e.status === 400 ? 'fix the TraceQL syntax' : undefined));
      if (e instanceof TraceQLParseError) throw new ToolError(e.message, 'fix the TraceQL syntax');
      if (e instanceof TraceQLUnsupportedError) throw new ToolError(e.message, 'rewrite the query without it, or use find_prevalent_errors / find_slow_spans / compare_attributes on this bundle');
      if (e instanceof PatternError) throw new ToolError(`bundle TraceQL engine: ${e.message}`, 'fix the regex');
      throw e;
    }
  },
});
