// find_slow_spans: the spans that own the latency of slow requests (critical-path self time), or, in
// baseline mode, the spans whose critical self time grew most vs the baseline.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { fetchSpans, r3, serviceField, short, traceLink } from './traces_common.js';
import { findSlowSpans } from '../src/analysis/traces/slow.js';
import { and, cond, intrinsic, renderTraceQL, serviceIs } from '../src/query/traceql.js';
import { slowGroupTraceQL } from '../src/analysis/traces/queries.js';

export { slowGroupTraceQL };
import { fmtMs, fmtPct } from './format.js';

const groupSchema = z.object({
  service: z.string(),
  span_name: z.string(),
  statement: z.string().optional(),
  route: z.string().optional(),
  db_system: z.string().optional(),
  wait_from: z.string().optional().describe('For client-wait groups: the calling service.'),
  share_of_latency: z.number(),
  critical_ms_per_request: z.number(),
  critical_ms_per_span: z.number(),
  p90_ms_per_span: z.number(),
  spans: z.number(),
  requests: z.number(),
  baseline_ms_per_request: z.number().optional(),
  baseline_ms_per_span: z.number().optional(),
  added_ms_per_request: z.number().optional(),
  example_trace_ids: z.array(z.string()),
  query: z.string(),
  link: z.string().optional(),
});


export const findSlowSpansTool = defineTool({
  name: 'find_slow_spans',
  title: 'Find slow spans',
  description:
    'Use for latency: the spans owning slow requests\' time (critical-path self time) by service/span/statement, vs baseline. mode=baseline ranks by latency added vs the baseline (when everything got slower).',
  input: z.object({
    ...scopeFields,
    service: serviceField.describe('Only requests through this service'),
    mode: z.enum(['slow', 'baseline']).optional(),
    min_duration_ms: z.number().positive().optional().describe('Slow threshold (default: p75 of the window)'),
    limit: z.number().int().min(1).max(50).optional(),
  }),
  output: z.object({
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    mode: z.enum(['slow', 'baseline']),
    threshold_ms: z.number().optional(),
    requests: z.number(),
    measured_requests: z.number(),
    baseline_requests: z.number(),
    p50_ms: z.number().nullable(),
    p90_ms: z.number().nullable(),
    baseline_p50_ms: z.number().optional(),
    baseline_p90_ms: z.number().optional(),
    services: z.array(
      z.object({
        service: z.string(),
        share_of_latency: z.number(),
        added_ms_per_request: z.number().optional(),
        own_ms_per_call: z.number().optional(),
        baseline_own_ms_per_call: z.number().optional(),
        slowdown_factor: z.number().optional().describe('Typical ratio of own work per call, window vs baseline (2 = twice as slow).'),
        calls: z.number(),
        baseline_calls: z.number(),
      }),
    ),
    groups: z.array(groupSchema),
    query: z.string(),
    link: z.string().optional(),
    problems: z.array(z.string()).optional(),
  }),
  annotations: { title: 'Find slow spans', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { window, baseline } = resolveScope(args, ctx.sources);
    const mode = args.mode ?? 'slow';
    if (mode === 'baseline' && !baseline) throw new ToolError('mode "baseline" needs a baseline window', 'pass baseline_from and baseline_to');
    const fetched = await fetchSpans(ctx, baseline ? [window, baseline] : [window], args.service ? { service: args.service } : {});
    const res = findSlowSpans(fetched.spans, { window, baseline, mode, minDurationMs: args.min_duration_ms, service: args.service });
    if (res.windowRequests === 0) throw new ToolError(`no request (trace root) starts in the window ${isoRange(window).start} → ${isoRange(window).end}${args.service ? ` through ${args.service}` : ''}`, 'widen the window, or check the service name with list_services');
    const limit = args.limit ?? 10;
    const n = (v: number) => (Number.isFinite(v) ? r3(v)! : null);
    const groups = res.groups.slice(0, limit).map((g) => {
      const query = slowGroupTraceQL(g);
      return {
        service: g.service,
        span_name: g.name,
        statement: g.detailKind === 'db.statement' ? g.detail : undefined,
        route: g.detailKind === 'http.route' ? g.detail : undefined,
        db_system: g.dbSystem,
        wait_from: g.caller,
        share_of_latency: r3(g.share)!,
        critical_ms_per_request: r3(g.perRequestMs)!,
        critical_ms_per_span: r3(g.perOccurrenceMs)!,
        p90_ms_per_span: r3(g.p90OccurrenceMs) ?? 0,
        spans: g.spans,
        requests: g.traces,
        baseline_ms_per_request: r3(g.baselinePerRequestMs),
        baseline_ms_per_span: r3(g.baselinePerOccurrenceMs),
        added_ms_per_request: r3(g.addedMsPerRequest),
        example_trace_ids: g.examples,
        query,
        link: traceLink(ctx, window, query, { service: g.service, metric: 'duration', actionView: 'breakdown' }),
      };
    });
    const rootQuery = renderTraceQL({
      spansets: [and(...(args.service ? [serviceIs(args.service)] : []), ...(res.thresholdMs !== undefined && mode === 'slow' ? [cond(intrinsic('traceDuration'), '>=', { durationMs: Math.round(res.thresholdMs) })] : []))],
    });
    const head =
      mode === 'slow'
        ? `Slow requests ${isoRange(window).start} → ${isoRange(window).end}${args.service ? ` through ${args.service}` : ''}: ${res.measuredRequests} of ${res.windowRequests} requests ≥ ${fmtMs(res.thresholdMs ?? 0)} (p50 ${fmtMs(res.p50Ms)}, p90 ${fmtMs(res.p90Ms)}${res.baselineP90Ms !== undefined ? `; baseline p50 ${fmtMs(res.baselineP50Ms!)}, p90 ${fmtMs(res.baselineP90Ms)}` : ''}). Time = self time on the critical path.`
        : `Window vs baseline${args.service ? ` through ${args.service}` : ''}: ${res.windowRequests} requests (p50 ${fmtMs(res.p50Ms)}, p90 ${fmtMs(res.p90Ms)}) vs ${res.baselineRequests} baseline requests (p50 ${fmtMs(res.baselineP50Ms ?? NaN)}, p90 ${fmtMs(res.baselineP90Ms ?? NaN)}). Ranked by critical-path self time added per request.`;
    const svcLine =
      mode === 'baseline'
        ? `services whose own work per call slowed most (self time of their spans per entry, client waits attributed to the callee): ${res.services
            .slice(0, 5)
            .map((s) => `${s.service} ×${s.slowdown === undefined ? '?' : (2 ** s.slowdown).toFixed(2)} (${fmtMs(s.baselineOwnMsPerCall ?? NaN)} → ${fmtMs(s.ownMsPerCall ?? NaN)}/call, ${s.calls} calls; ${(s.addedMsPerRequest ?? 0) >= 0 ? '+' : ''}${fmtMs(s.addedMsPerRequest ?? 0)}/req)`)
            .join(', ')}`
        : `services by share of slow-request latency: ${res.services
            .slice(0, 5)
            .map((s) => `${s.service} ${fmtPct(s.share)}`)
            .join(', ')}`;
    const sections = [`${head}\n${svcLine}\nTraceQL: ${rootQuery}`];
    groups.forEach((g, i) => {
      const what = g.statement ? `  ${short(g.statement, 140)}` : g.route ? `  route ${g.route}` : g.wait_from ? `  (wait in ${g.wait_from}'s client span outside the callee's span: network/queueing)` : '';
      const vs =
        g.baseline_ms_per_span !== undefined || g.added_ms_per_request !== undefined
          ? `; baseline ${fmtMs(g.baseline_ms_per_request ?? 0)}/req, ${fmtMs(g.baseline_ms_per_span ?? 0)}/span${g.added_ms_per_request !== undefined ? `; added ${g.added_ms_per_request >= 0 ? '+' : ''}${fmtMs(g.added_ms_per_request)}/req` : ''}`
          : '';
      sections.push(
        [
          `${i + 1}. ${g.service} · ${short(g.span_name, 80)}${g.db_system ? ` [${g.db_system}]` : ''}${what}`,
          `   ${fmtPct(g.share_of_latency)} of ${mode === 'slow' ? 'slow-request' : 'window'} latency, ${fmtMs(g.critical_ms_per_request)}/req, ${fmtMs(g.critical_ms_per_span)}/span (p90 ${fmtMs(g.p90_ms_per_span)}), ${g.spans} spans in ${g.requests} req${vs}`,
          `   traces: ${g.example_trace_ids.join(', ')}`,
          `   TraceQL: ${g.query}${g.link ? `\n   link: ${g.link}` : ''}`,
        ].join('\n'),
      );
    });
    return {
      data: {
        window: isoRange(window),
        baseline: baseline ? isoRange(baseline) : undefined,
        mode,
        threshold_ms: r3(res.thresholdMs),
        requests: res.windowRequests,
        measured_requests: res.measuredRequests,
        baseline_requests: res.baselineRequests,
        p50_ms: n(res.p50Ms),
        p90_ms: n(res.p90Ms),
        baseline_p50_ms: r3(res.baselineP50Ms),
        baseline_p90_ms: r3(res.baselineP90Ms),
        services: res.services.slice(0, 10).map((s) => ({
          service: s.service,
          share_of_latency: r3(s.share)!,
          added_ms_per_request: r3(s.addedMsPerRequest),
          own_ms_per_call: r3(s.ownMsPerCall),
          baseline_own_ms_per_call: r3(s.baselineOwnMsPerCall),
          slowdown_factor: s.slowdown === undefined ? undefined : r3(2 ** s.slowdown),
          calls: s.calls,
          baseline_calls: s.baselineCalls,
        })),
        groups,
        query: rootQuery,
        link: traceLink(ctx, window, rootQuery, { service: args.service, metric: 'duration', actionView: 'breakdown' }),
        problems: fetched.notes.length ? fetched.notes : undefined,
      },
      text: sections,
      narrow: 'Pass service, a smaller window, or limit.',
    };
  },
});
