// get_trace: one trace as a compact tree (critical path and errors marked), collapsed to fit the budget.
import { z } from 'zod';
import { maxOf, minOf, round } from '../src/util/stats.js';
import { defineTool, ToolError } from './types.js';
import { requireTraces, traceLink } from './traces_common.js';
import { traceView } from '../src/analysis/traces/view.js';
import { BackendError } from '../src/http.js';
import { exploreLink } from '../src/links.js';
import { fmtMs } from './format.js';

export const getTraceTool = defineTool({
  name: 'get_trace',
  title: 'Get trace',
  description:
    'One trace as a compact tree: service, span, duration, self and critical-path time, errors with messages, key attributes. Check a story on a real request.',
  input: z.object({ trace_id: z.string().min(1) }),
  output: z.object({
    trace_id: z.string(),
    spans: z.number(),
    services: z.array(z.string()),
    root: z.string(),
    duration_ms: z.number(),
    errors: z.number(),
    orphans: z.number(),
    hidden_spans: z.number(),
    nodes: z.array(
      z.object({
        span_id: z.string(),
        depth: z.number(),
        service: z.string(),
        name: z.string(),
        start_offset_ms: z.number(),
        duration_ms: z.number(),
        self_ms: z.number(),
        critical_ms: z.number(),
        critical: z.boolean(),
        error: z.boolean(),
        error_message: z.string().optional(),
        attributes: z.record(z.string(), z.string()),
        collapsed: z.number().optional(),
      }),
    ),
    query: z.string(),
    link: z.string().optional(),
  }),
  annotations: { title: 'Get trace', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const src = requireTraces(ctx);
    const raw = args.trace_id.trim().toLowerCase().replace(/^0x/, '');
    if (!/^[0-9a-f]{1,32}$/.test(raw)) throw new ToolError(`"${args.trace_id.slice(0, 40)}" is not a trace id`, 'pass the hex trace id (up to 32 characters) shown by find_prevalent_errors or find_slow_spans');
    const id = raw.padStart(32, '0');
    let spans;
    try {
      spans = await src.getTrace(id, ctx.signal);
    } catch (e) {
      if (e instanceof BackendError) throw new ToolError(e.message, e.hint);
      throw e;
    }
    if (!spans || spans.length === 0) throw new ToolError(`trace ${id} not found in ${ctx.sources.describe}`, 'check the id, or widen the time range of the source; ids come from find_prevalent_errors / find_slow_spans');
    // ~110 chars per line; keep room for the header.
    const maxLines = Math.max(10, Math.floor((ctx.budgetTokens * 4 - 600) / 110));
    const v = traceView(id, spans, maxLines);
    const range = { start: minOf(spans.map((s) => s.startMs)) - 60_000, end: maxOf(spans.map((s) => s.endMs)) + 60_000 };
    const link = ctx.sources.grafana ? (exploreLink(ctx.sources.grafana, 'tempo', range, { queryType: 'traceql', query: id }) ?? traceLink(ctx, range, id, { traceId: id })) : undefined;
    const head = `Trace ${id}: ${v.rootService} · ${v.rootName}, ${fmtMs(v.durationMs)}, ${v.spans} spans in ${v.services.length} service(s), ${v.errors} error span(s)${v.orphans ? `, ${v.orphans} orphan subtree(s) (parent missing)` : ''}. * = on the critical path, ✖ = error; crit = critical-path self time.${v.hidden ? ` ${v.hidden} span(s) collapsed or pruned.` : ''}${link ? `\nlink: ${link}` : ''}`;
    const sections = [head];
    for (let i = 0; i < v.lines.length; i += 15) sections.push(v.lines.slice(i, i + 15).join('\n'));
    return {
      data: {
        trace_id: id,
        spans: v.spans,
        services: v.services,
        root: `${v.rootService}: ${v.rootName}`,
        duration_ms: v.durationMs,
        errors: v.errors,
        orphans: v.orphans,
        hidden_spans: v.hidden,
        nodes: v.nodes.map((n) => ({
          span_id: n.spanId,
          depth: n.depth,
          service: n.service,
          name: n.name,
          start_offset_ms: round(n.startOffsetMs, 3),
          duration_ms: round(n.durationMs, 3),
          self_ms: round(n.selfMs, 3),
          critical_ms: round(n.criticalMs, 3),
          critical: n.critical,
          error: n.error,
          error_message: n.error_message,
          attributes: n.attributes,
          collapsed: n.collapsed,
        })),
        query: id,
        link,
      },
      text: sections,
      narrow: 'Raise budget to see more of the tree.',
    };
  },
});
