// find_prevalent_errors: error spans grouped by structure (root→origin path) and normalised message, ranked by affected requests.
import { z } from 'zod';
import { defineTool } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { fetchSpans, r3, serviceField, short, traceLink } from './traces_common.js';
import { findPrevalentErrors } from '../src/analysis/traces/errors.js';
import { errorGroupTraceQL } from '../src/analysis/traces/queries.js';

export { errorGroupTraceQL };
import { and, errorCondition, renderTraceQL, serviceIs } from '../src/query/traceql.js';
import { fmtPct, fmtRate } from './format.js';

const groupSchema = z.object({
  service: z.string(),
  span_name: z.string(),
  path: z.array(z.string()),
  message: z.string(),
  exception_type: z.string().optional(),
  traces: z.number(),
  spans: z.number(),
  share_of_failing_requests: z.number(),
  share_of_requests: z.number(),
  root_failures: z.number(),
  first_seen: z.string(),
  last_seen: z.string(),
  rate_per_s: z.number().optional(),
  baseline_traces: z.number().optional(),
  baseline_rate_per_s: z.number().optional(),
  new: z.boolean().optional(),
  common_attributes: z.record(z.string(), z.string()),
  details: z.record(z.string(), z.string()),
  example_trace_ids: z.array(z.string()),
  query: z.string(),
  link: z.string().optional(),
});


export const findPrevalentErrorsTool = defineTool({
  name: 'find_prevalent_errors',
  title: 'Find prevalent errors',
  description:
    'Use for failures: error spans grouped by where the error starts (path from the root) and message, ranked by requests affected; share, new vs baseline, shared attributes, example trace ids.',
  input: z.object({ ...scopeFields, service: serviceField, limit: z.number().int().min(1).max(50).optional() }),
  output: z.object({
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    covered_seconds: z.number(),
    baseline_covered_seconds: z.number().optional(),
    requests: z.number(),
    failing_requests: z.number(),
    error_spans: z.number(),
    groups: z.array(groupSchema),
    note: z.string().optional(),
    query: z.string(),
    link: z.string().optional(),
    problems: z.array(z.string()).optional(),
  }),
  annotations: { title: 'Find prevalent errors', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { window, baseline } = resolveScope(args, ctx.sources);
    const ranges = baseline ? [window, baseline] : [window];
    const remote = ctx.sources.traces?.kind !== 'bundle';
    // Remote: sample erroring traces (the analysis needs whole traces); bundles evaluate everything.
    const fetched = await fetchSpans(ctx, ranges, remote ? { errorsOnly: true, service: args.service } : {});
    const res = findPrevalentErrors(fetched.spans, { window, baseline, service: args.service });
    const baseQuery = renderTraceQL({ spansets: [and(...(args.service ? [serviceIs(args.service)] : []), errorCondition())] });
    const limit = args.limit ?? 10;
    const groups = res.groups.slice(0, limit).map((g) => {
      const query = errorGroupTraceQL(g);
      return {
        service: g.service,
        span_name: g.spanName,
        path: g.path.map((p) => `${p.service}: ${p.name}`),
        message: g.message,
        exception_type: g.exceptionType,
        traces: g.traces,
        spans: g.spans,
        share_of_failing_requests: r3(g.shareOfErrors)!,
        share_of_requests: r3(g.shareOfRequests)!,
        root_failures: g.rootFailures,
        first_seen: new Date(g.firstSeenMs).toISOString(),
        last_seen: new Date(g.lastSeenMs).toISOString(),
        rate_per_s: r3(g.ratePerSec),
        baseline_traces: g.baselineTraces,
        baseline_rate_per_s: r3(g.baselineRatePerSec),
        new: g.isNew,
        common_attributes: g.common,
        details: g.details,
        example_trace_ids: g.examples,
        query,
        link: traceLink(ctx, window, query, { service: g.service, metric: 'errors', actionView: 'structure' }),
      };
    });
    const problems = [...fetched.notes];
    if (remote && fetched.partial) problems.push('remote answer sampled: counts are over the sampled traces');
    const head = [
      `Errors ${isoRange(window).start} → ${isoRange(window).end}${args.service ? ` through ${args.service}` : ''}: ${res.failedRequests} of ${res.windowRequests} requests failing (${res.errorSpans} error origins), data covers ${res.coveredSeconds.toFixed(0)} s of the window${res.baselineCoveredSeconds !== undefined ? `, baseline ${res.baselineCoveredSeconds.toFixed(0)} s` : ''}.`,
      res.noErrorInfo ? `⚠ ${res.noErrorInfo}.` : '',
      groups.length === 0 && !res.noErrorInfo ? 'No error spans in the window.' : '',
      `TraceQL: ${baseQuery}`,
    ]
      .filter(Boolean)
      .join('\n');
    const sections = [head];
    groups.forEach((g, i) => {
      const status = g.new === undefined ? '' : g.new ? ' NEW' : ` (baseline ${g.baseline_traces} req, ${fmtRate(g.baseline_rate_per_s ?? 0)} → ${fmtRate(g.rate_per_s ?? 0)})`;
      const det = Object.entries(g.details)
        .filter(([k]) => k !== 'message' && k !== 'span.name')
        .map(([k, v]) => `${k}=${short(v, 120)}`)
        .join('; ');
      const common = Object.entries(g.common_attributes)
        .slice(0, 6)
        .map(([k, v]) => `${k}=${short(v, 60)}`)
        .join(', ');
      sections.push(
        [
          `${i + 1}. ${g.service} · ${g.span_name}: "${short(g.message, 160)}"${status}`,
          `   ${g.traces} request(s) (${fmtPct(g.share_of_failing_requests)} of failing, ${fmtPct(g.share_of_requests)} of all), ${g.spans} span(s), ${g.root_failures} reached the root; ${g.first_seen.slice(11, 19)}–${g.last_seen.slice(11, 19)}`,
          `   path: ${g.path.map((p) => short(p, 60)).join(' → ')}`,
          det ? `   ${det}` : '',
          common ? `   common: ${common}` : '',
          `   traces: ${g.example_trace_ids.join(', ')}`,
          `   TraceQL: ${g.query}${g.link ? `\n   link: ${g.link}` : ''}`,
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
    if (res.groups.length > limit) sections.push(`(${res.groups.length - limit} more group(s); raise limit)`);
    return {
      data: {
        window: isoRange(window),
        baseline: baseline ? isoRange(baseline) : undefined,
        covered_seconds: r3(res.coveredSeconds)!,
        baseline_covered_seconds: r3(res.baselineCoveredSeconds),
        requests: res.windowRequests,
        failing_requests: res.failedRequests,
        error_spans: res.errorSpans,
        groups,
        note: res.noErrorInfo,
        query: baseQuery,
        link: traceLink(ctx, window, baseQuery, { service: args.service, metric: 'errors', actionView: 'structure' }),
        problems: problems.length ? problems : undefined,
      },
      text: sections,
      narrow: 'Pass service to focus on one service, or a smaller window.',
    };
  },
});
