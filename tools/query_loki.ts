// query_loki: raw LogQL for experts, against a live Loki or, on a recorded bundle, the bundle LogQL engine
// (src/query/logql), which answers in Loki's shape: the same code reads both, and `engine` says which.
import { maxOf } from '../src/util/stats.js';
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { LokiLogSource, streamsToRecords } from '../src/sources/remote/loki.js';
import { BundleLogSource } from '../src/sources/bundle/logs.js';
import { runLogQL } from '../src/query/logql/engine.js';
import { LogQLError, LogQLParseError, LogQLUnsupportedError } from '../src/query/logql/errors.js';
import { PatternError } from '../src/util/regex.js';
import { PatternSyntaxError } from '../src/analysis/logs/lokipattern.js';
import { logqlExploreLink } from '../src/links.js';
import { BackendError } from '../src/http.js';
import { cleanLine } from '../src/analysis/logs/fetch.js';
import { detectLevel } from '../src/analysis/logs/level.js';

export const queryLoki = defineTool({
  name: 'query_loki',
  title: 'Query Loki (LogQL)',
  description:
    'Runs a raw LogQL query against Loki for the window: log queries return lines (newest first unless direction=forward), metric queries (rate, count_over_time, sum by…) return series. For experts; prefer search_logs, log_patterns and log_fields, which build the LogQL for you. Runs on a live Loki or on a recorded bundle (the bundle engine refuses, by name, what it does not support).',
  input: z.object({
    query: z.string().min(1).describe('LogQL, e.g. {service_name="checkout"} |= "error" or sum by (detected_level) (count_over_time({service_name="checkout"}[1m]))'),
    ...scopeFields,
    limit: z.number().int().min(1).max(5000).optional().describe('Max lines for log queries (default 100).'),
    direction: z.enum(['backward', 'forward']).optional(),
    step: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'a duration like 30s, 1m').optional().describe('Step for metric queries (default: window/60).'),
  }),
  output: z.object({
    window: rangeSchema,
    engine: z.enum(['bundle', 'live']).describe('bundle: evaluated over the recorded files; live: answered by Loki'),
    result_type: z.string(),
    lines: z.array(z.object({ time: z.string(), labels: z.record(z.string(), z.string()), line: z.string(), level: z.string() })).optional(),
    truncated: z.boolean().optional(),
    series: z.array(z.object({ labels: z.record(z.string(), z.string()), points: z.array(z.tuple([z.string(), z.number()])), last: z.number().nullable(), max: z.number().nullable() })).optional(),
    warnings: z.array(z.string()),
    query: z.string(),
    link: z.string().optional(),
  }),
  annotations: { title: 'Query Loki', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const src = ctx.sources.logs;
    const bundle = src instanceof BundleLogSource ? src : undefined;
    if (!(src instanceof LokiLogSource) && !bundle) throw new ToolError('no log source is configured', 'set LOKI_URL (or GRAFANA_URL + GRAFANA_LOKI_UID), or open a bundle with logs');
    const engine = bundle ? ('bundle' as const) : ('live' as const);
    const { window } = resolveScope(args, ctx.sources);
    const limit = args.limit ?? 100;
    const stepSec = args.step ? parseStep(args.step) : Math.max(1, Math.round((window.end - window.start) / 1000 / 60));
    let res;
    try {
      // One more line than asked for tells whether more exist, on either engine.
      const opts = { limit: limit + 1, direction: args.direction ?? 'backward', stepSec } as const;
      res = bundle ? await runLogQL(await bundle.allRecords(), args.query, { start: window.start, end: window.end, stepMs: stepSec * 1000, limit: opts.limit, direction: opts.direction, signal: ctx.signal }) : await (src as LokiLogSource).client.queryRange(args.query, window, opts, ctx.signal);
    } catch (e) {
      if (e instanceof BackendError) throw new ToolError(e.message, e.status === 400 ? 'the LogQL did not parse or is not allowed; check the syntax (selector in {}, quotes around values)' : e.hint);
      if (e instanceof LogQLParseError) throw new ToolError(e.message, 'fix the LogQL syntax (selector in {}, quotes around values)');
      if (e instanceof LogQLUnsupportedError) throw new ToolError(e.message, 'rewrite the query without it, or use search_logs / log_patterns / log_fields on this bundle');
      if (e instanceof LogQLError || e instanceof PatternError || e instanceof PatternSyntaxError) throw new ToolError(`bundle LogQL engine: ${e.message}`, 'fix the query');
      throw e;
    }
    const link = logqlExploreLink(ctx.sources.grafana, window, args.query);
    const warnings = res.warnings;
    const sections: string[] = [];
    if (res.resultType === 'streams') {
      const recs = streamsToRecords(res.streams, args.direction ?? 'backward');
      const truncated = recs.length > limit;
      const lines = recs.slice(0, limit).map((r) => ({ time: new Date(r.timeMs).toISOString(), labels: Object.fromEntries(Object.entries(r.resource).map(([k, v]) => [k, String(v)])), line: cleanLine(r.body).text, level: detectLevel(r) }));
      sections.push(`${engine === 'bundle' ? '[bundle engine] ' : ''}${lines.length} line(s)${truncated ? ` (more exist: raise limit above ${limit} or narrow the query)` : ''} for ${args.query}, ${isoRange(window).start} → ${isoRange(window).end}.${link ? `\nLink: ${link}` : ''}${warnings.length ? `\nWarnings: ${warnings.join('; ')}` : ''}`);
      for (let i = 0; i < lines.length; i += 20) sections.push(lines.slice(i, i + 20).map((l) => `${l.time.slice(11, 23)} ${l.level.padEnd(5)} ${l.line}`).join('\n'));
      return { data: { window: isoRange(window), engine, result_type: 'streams', lines, truncated, warnings, query: args.query, link }, text: sections, narrow: 'Add line filters or a narrower selector; or lower limit.' };
    }
    const series = res.series.map((s) => {
      const vals = s.points.map((p) => p[1]).filter(Number.isFinite);
      return { labels: s.labels, points: s.points.map(([t, v]) => [new Date(t).toISOString(), v] as [string, number]), last: vals.length ? vals[vals.length - 1]! : null, max: vals.length ? maxOf(vals) : null };
    });
    sections.push(`${engine === 'bundle' ? '[bundle engine] ' : ''}${series.length} series (${res.resultType}) for ${args.query}, step ${stepSec}s.${link ? `\nLink: ${link}` : ''}${warnings.length ? `\nWarnings: ${warnings.join('; ')}` : ''}`);
    for (const s of series.slice(0, 50)) sections.push(`${JSON.stringify(s.labels)} last ${s.last ?? '–'} max ${s.max ?? '–'} (${s.points.length} points)`);
    return { data: { window: isoRange(window), engine, result_type: res.resultType, series, warnings, query: args.query, link }, text: sections, narrow: 'Aggregate with sum by (…) to fewer series, or narrow the selector.' };
  },
});

function parseStep(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s)!;
  const v = Number(m[1]);
  return m[2] === 'ms' ? v / 1000 : m[2] === 'm' ? v * 60 : m[2] === 'h' ? v * 3600 : v;
}
