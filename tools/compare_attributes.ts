// compare_attributes: what the selected requests (errors, slow, or a filter) have in common vs the rest or the baseline.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { fetchSpans, r3, serviceField, short, traceLink } from './traces_common.js';
import { compareAttributes, type Selection } from '../src/analysis/traces/compare.js';
import { and, cond, errorCondition, fieldFromKey, intrinsic, renderTraceQL, serviceIs, spansetFromQuery, type Cond, type Spanset } from '../src/query/traceql.js';
import { fmtMs, fmtPct } from './format.js';

export const compareAttributesTool = defineTool({
  name: 'compare_attributes',
  title: 'Compare attributes',
  description:
    'What the failing (errors) or slow requests have in common: each attribute value\'s share in them vs the other requests (or the baseline window), ranked by difference.',
  input: z.object({
    ...scopeFields,
    service: serviceField,
    selection: z.enum(['errors', 'slow', 'filter']),
    filter: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('selection=filter: attribute equality, e.g. {"span.http.route":"/pay"}'),
    min_duration_ms: z.number().positive().optional().describe('selection=slow: threshold (default p75)'),
    against: z.enum(['rest', 'baseline']).optional().describe('The other requests of the window (default) or the baseline window'),
    limit: z.number().int().min(1).max(50).optional(),
  }),
  output: z.object({
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    selection: z.string(),
    against: z.string(),
    threshold_ms: z.number().optional(),
    selection_requests: z.number(),
    baseline_requests: z.number(),
    attributes: z.array(
      z.object({
        attribute: z.string(),
        score: z.number(),
        distinct_values: z.number(),
        values: z.array(z.object({ value: z.string(), selection_share: z.number(), baseline_share: z.number(), diff: z.number() })),
      }),
    ),
    implied: z.array(z.object({ attribute: z.string(), score: z.number(), top_value: z.string(), selection_share: z.number(), baseline_share: z.number() })).describe('Attributes that restate the selection (status, error codes, filter keys), not ranked.'),
    skipped: z.array(z.string()),
    query: z.string(),
    link: z.string().optional(),
    problems: z.array(z.string()).optional(),
  }),
  annotations: { title: 'Compare attributes', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { window, baseline } = resolveScope(args, ctx.sources);
    const against = args.against ?? 'rest';
    if (against === 'baseline' && !baseline) throw new ToolError('against="baseline" needs a baseline window', 'pass baseline_from and baseline_to');
    let selection: Selection;
    let selSpanset: Spanset;
    const svc: Cond[] = args.service ? [serviceIs(args.service)] : [];
    if (args.selection === 'filter') {
      if (!args.filter || Object.keys(args.filter).length === 0) throw new ToolError('selection "filter" needs a filter object', 'e.g. {"selection":"filter","filter":{"span.http.route":"/api/checkout"}}');
      selection = { kind: 'filter', query: { attributes: args.filter } };
      selSpanset = spansetFromQuery({ attributes: args.filter });
      for (const k of Object.keys(args.filter)) fieldFromKey(k);
    } else if (args.selection === 'errors') {
      selection = { kind: 'errors' };
      selSpanset = errorCondition();
    } else {
      selection = { kind: 'slow', minDurationMs: args.min_duration_ms };
      selSpanset = and();
    }
    const ranges = against === 'baseline' && baseline ? [window, baseline] : [window];
    const fetched = await fetchSpans(ctx, ranges, args.service ? { service: args.service } : {});
    if (ctx.sources.traces?.kind !== 'bundle' && selection.kind !== 'slow') {
      // A bounded remote sample may hold few selected requests: add a sample of the selection itself.
      const extra = await fetchSpans(ctx, [window], selection.kind === 'errors' ? { service: args.service, errorsOnly: true } : { ...selection.query, service: args.service });
      const seen = new Set(fetched.spans.map((s) => s.traceId + s.spanId));
      for (const s of extra.spans) if (!seen.has(s.traceId + s.spanId)) fetched.spans.push(s);
      fetched.notes.push(...extra.notes, 'remote: the selection was sampled separately from the rest, so shares compare samples, not totals');
    }
    const res = compareAttributes(fetched.spans, { window, baseline, against, selection, service: args.service });
    if (selection.kind === 'slow' && res.thresholdMs !== undefined) selSpanset = and(cond(intrinsic(args.service ? 'duration' : 'traceDuration'), '>=', { durationMs: Math.round(res.thresholdMs) }));
    const query = renderTraceQL({ spansets: [args.service ? and(...svc, selSpanset) : selSpanset] });
    const limit = args.limit ?? 8;
    const attributes = res.attributes.slice(0, limit).map((a) => ({
      attribute: a.attribute,
      score: r3(a.score)!,
      distinct_values: a.distinctValues,
      values: a.values.map((v) => ({ value: v.value, selection_share: r3(v.selection)!, baseline_share: r3(v.baseline)!, diff: r3(v.diff)! })),
    }));
    const selDesc = selection.kind === 'slow' ? `slow requests (≥ ${fmtMs(res.thresholdMs ?? 0)})` : selection.kind === 'errors' ? 'failing requests' : `requests matching ${JSON.stringify(args.filter)}`;
    const head = `${selDesc}${args.service ? ` into ${args.service}` : ''}: ${res.selectionRequests} vs ${res.baselineRequests} ${against === 'rest' ? 'other requests of the window' : 'baseline requests'} (${isoRange(window).start} → ${isoRange(window).end}). Share of requests having each value, selection vs baseline, attributes ranked by the largest difference.\nTraceQL: ${query}`;
    const sections = [head];
    if (res.selectionRequests === 0) sections.push('The selection is empty: nothing to compare. Try another selection or a wider window.');
    attributes.forEach((a, i) => {
      const vals = a.values
        .slice(0, 4)
        .map((v) => `${short(v.value, 60)}: ${fmtPct(v.selection_share, 0)} vs ${fmtPct(v.baseline_share, 0)}`)
        .join('; ');
      sections.push(`${i + 1}. ${a.attribute} (Δ ${fmtPct(a.score, 0)}, ${a.distinct_values} values): ${vals}`);
    });
    if (res.implied.length) sections.push(`restating the selection (not ranked): ${res.implied.slice(0, 6).map((a) => `${a.attribute}=${short(a.values[0]!.value, 40)} ${fmtPct(a.values[0]!.selection, 0)} vs ${fmtPct(a.values[0]!.baseline, 0)}`).join('; ')}`);
    if (res.skipped.length) sections.push(`skipped (ids/high cardinality): ${res.skipped.slice(0, 10).join(', ')}${res.skipped.length > 10 ? ` +${res.skipped.length - 10}` : ''}`);
    return {
      data: {
        window: isoRange(window),
        baseline: baseline ? isoRange(baseline) : undefined,
        selection: args.selection,
        against,
        threshold_ms: r3(res.thresholdMs),
        selection_requests: res.selectionRequests,
        baseline_requests: res.baselineRequests,
        attributes,
        implied: res.implied.map((a) => ({ attribute: a.attribute, score: r3(a.score)!, top_value: a.values[0]!.value, selection_share: r3(a.values[0]!.selection)!, baseline_share: r3(a.values[0]!.baseline)! })),
        skipped: res.skipped,
        query,
        link: traceLink(ctx, window, query, { service: args.service, metric: selection.kind === 'errors' ? 'errors' : 'duration', actionView: 'comparison' }),
        problems: fetched.notes.length ? fetched.notes : undefined,
      },
      text: sections,
      narrow: 'Lower limit, or pass service.',
    };
  },
});
