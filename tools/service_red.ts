// service_red: rate, error rate and latency quantiles per service (or per operation of one service),
// window vs baseline, ranked by change. On Tempo the numbers are pushed down as TraceQL metrics queries.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { fetchSpans, r3, requireTraces, serviceField, short, traceLink } from './traces_common.js';
import { compareRed, redGroups, type RedStats } from '../src/analysis/traces/red.js';
import { redTraceQL } from '../src/analysis/traces/queries.js';
import type { TimeRange, TraceSource } from '../src/sources/types.js';
import { BackendError } from '../src/http.js';
import { fmtChange, fmtMs, fmtPct, fmtRate, table } from './format.js';

const redSchema = z.object({
  requests: z.number(),
  errors: z.number(),
  rate_per_s: z.number(),
  error_rate: z.number(),
  p50_ms: z.number().nullable(),
  p90_ms: z.number().nullable(),
  p99_ms: z.number().nullable(),
});

function toRed(r: RedStats | undefined): z.infer<typeof redSchema> | undefined {
  if (!r) return undefined;
  const n = (v: number) => (Number.isFinite(v) ? r3(v)! : null);
  return { requests: r.requests, errors: r.errors, rate_per_s: r3(r.ratePerSec)!, error_rate: r3(r.errorRate)!, p50_ms: n(r.p50Ms), p90_ms: n(r.p90Ms), p99_ms: n(r.p99Ms) };
}

const RED_QUANTILES = [0.5, 0.9, 0.99];

/** RED pushed down to Tempo: three TraceQL metrics queries, aggregated over the range. */
async function remoteRed(src: TraceSource, range: TimeRange, service: string | undefined, signal: AbortSignal): Promise<{ groups: Map<string, RedStats>; coveredSeconds: number; queries: string[] }> {
  const { rate: qRate, errors: qErr, duration: qDur } = redTraceQL(service, service ? 'operation' : 'service', RED_QUANTILES);
  const seconds = (range.end - range.start) / 1000;
  const step = Math.max(15, Math.ceil(seconds / 60));
  const [rate, err, dur] = await Promise.all([qRate, qErr, qDur].map((q) => src.metricsRange!(q, range, step, signal)));
  const keyOf = (labels: Record<string, string>) => (service ? labels['name'] : labels['resource.service.name']) ?? '';
  // Covered time: steps between the first and last step with any traffic.
  let first = Infinity;
  let last = -Infinity;
  for (const s of rate!) for (const [t, v] of s.points) if (v > 0) ((first = Math.min(first, t)), (last = Math.max(last, t)));
  const covered = first === Infinity ? seconds : Math.max(step, (last - first) / 1000 + step);
  const groups = new Map<string, RedStats>();
  const sumRate = (pts: Array<[number, number]>) => pts.reduce((t, [, v]) => t + v, 0) * step; // spans/s × step = spans
  for (const s of rate!) {
    const k = keyOf(s.labels);
    const requests = Math.round(sumRate(s.points));
    groups.set(k, { requests, errors: 0, ratePerSec: requests / covered, errorRate: 0, p50Ms: NaN, p90Ms: NaN, p95Ms: NaN, p99Ms: NaN });
  }
  for (const s of err!) {
    const g = groups.get(keyOf(s.labels));
    if (!g) continue;
    g.errors = Math.round(sumRate(s.points));
    g.errorRate = g.requests ? g.errors / g.requests : 0;
  }
  for (const s of dur!) {
    const g = groups.get(keyOf(s.labels));
    if (!g) continue;
    const vals = s.points.map(([, v]) => v).filter((v) => v > 0);
    if (!vals.length) continue;
    // Per-step quantiles (seconds) summarised by their mean: an approximation of the range quantile.
    const ms = (vals.reduce((a, b) => a + b, 0) / vals.length) * 1000;
    const p = Number(s.labels['p']);
    if (p === 0.5) g.p50Ms = ms;
    else if (p === 0.9) g.p90Ms = ms;
    else if (p === 0.99) g.p99Ms = ms;
  }
  return { groups, coveredSeconds: covered, queries: [qRate, qErr, qDur] };
}

export const serviceRedTool = defineTool({
  name: 'service_red',
  title: 'Service RED',
  description:
    'Rate, error rate and p50/p90/p99 of requests into each service, or into each operation of `service`, window vs baseline, ranked by change.',
  input: z.object({ ...scopeFields, service: serviceField.describe('Break this service down by operation'), limit: z.number().int().min(1).max(100).optional() }),
  output: z.object({
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    covered_seconds: z.number(),
    baseline_covered_seconds: z.number().optional(),
    by: z.enum(['service', 'operation']),
    rows: z.array(z.object({ key: z.string(), change: z.number(), window: redSchema.optional(), baseline: redSchema.optional() })),
    query: z.string(),
    queries: z.array(z.string()),
    link: z.string().optional(),
    problems: z.array(z.string()).optional(),
  }),
  annotations: { title: 'Service RED', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { window, baseline } = resolveScope(args, ctx.sources);
    const src = requireTraces(ctx);
    const key = args.service ? (s: { service: string; name: string }) => (s.service === args.service ? s.name : undefined) : (s: { service: string }) => s.service;
    let win: Map<string, RedStats>;
    let base: Map<string, RedStats> | undefined;
    let covered: number;
    let bcovered: number | undefined;
    let queries: string[];
    const problems: string[] = [];
    if (src.kind !== 'bundle' && src.metricsRange) {
      try {
        const w = await remoteRed(src, window, args.service, ctx.signal);
        const b = baseline ? await remoteRed(src, baseline, args.service, ctx.signal) : undefined;
        win = w.groups;
        base = b?.groups;
        covered = w.coveredSeconds;
        bcovered = b?.coveredSeconds;
        queries = w.queries;
        problems.push('latency quantiles are the mean of per-step quantiles from TraceQL metrics (approximate)');
      } catch (e) {
        if (e instanceof BackendError) throw new ToolError(e.message, e.hint);
        throw e;
      }
    } else {
      const fetched = await fetchSpans(ctx, baseline ? [window, baseline] : [window]);
      const w = redGroups(fetched.spans, window, key);
      const b = baseline ? redGroups(fetched.spans, baseline, key) : undefined;
      win = w.groups;
      base = b?.groups;
      covered = w.coveredSeconds;
      bcovered = b?.coveredSeconds;
      const q = redTraceQL(args.service, args.service ? 'operation' : 'service', RED_QUANTILES);
      queries = [q.rate, q.errors, q.duration];
      problems.push(...fetched.notes);
    }
    if (win.size === 0 && (!base || base.size === 0)) throw new ToolError(`no requests${args.service ? ` into ${args.service}` : ''} in the window ${isoRange(window).start} → ${isoRange(window).end}`, 'check the service name with list_services, or widen the window');
    const rows = compareRed(win, base);
    const limit = args.limit ?? 15;
    const shown = rows.slice(0, limit);
    const head = `RED ${args.service ? `of ${args.service} by operation` : 'by service'}, window ${isoRange(window).start} → ${isoRange(window).end} (data covers ${covered.toFixed(0)} s)${baseline ? ` vs baseline ${isoRange(baseline).start} → ${isoRange(baseline).end} (${(bcovered ?? 0).toFixed(0)} s)` : ''}; ranked by change.\nTraceQL: ${queries[0]}`;
    const tbl = table(
      [args.service ? 'operation' : 'service', 'rate', 'errors', 'p50', 'p90', 'p99'],
      shown.map((r) => [
        short(r.key, 60),
        r.window ? fmtRate(r.window.ratePerSec) + fmtChange(r.window.ratePerSec, r.baseline?.ratePerSec) : '– (gone)',
        r.window ? fmtPct(r.window.errorRate) + (r.baseline ? ` (was ${fmtPct(r.baseline.errorRate)})` : '') : '–',
        r.window ? fmtMs(r.window.p50Ms) : '–',
        r.window ? fmtMs(r.window.p90Ms) + fmtChange(r.window.p90Ms, r.baseline?.p90Ms) : '–',
        r.window ? fmtMs(r.window.p99Ms) : '–',
      ]),
    ).split('\n');
    const sections = [`${head}\n${tbl.slice(0, 11).join('\n')}`];
    for (let i = 11; i < tbl.length; i += 10) sections.push(tbl.slice(i, i + 10).join('\n'));
    return {
      data: {
        window: isoRange(window),
        baseline: baseline ? isoRange(baseline) : undefined,
        covered_seconds: r3(covered)!,
        baseline_covered_seconds: r3(bcovered),
        by: args.service ? ('operation' as const) : ('service' as const),
        rows: shown.map((r) => ({ key: r.key, change: r3(r.change)!, window: toRed(r.window), baseline: toRed(r.baseline) })),
        query: queries[0]!,
        queries,
        link: traceLink(ctx, window, queries[0]!, { service: args.service, metric: 'rate', actionView: 'breakdown' }),
        problems: problems.length ? problems : undefined,
      },
      text: sections,
      narrow: 'Lower limit, or pass service.',
    };
  },
});
