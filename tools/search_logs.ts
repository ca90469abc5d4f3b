// search_logs: log lines for a service and window with text/regex/level/field/pattern/trace filters.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { cleanLine, compileRegex, fetchLines, FilterError, type LineFilters } from '../src/analysis/logs/fetch.js';
import { detectLevel } from '../src/analysis/logs/level.js';
import { PatternMiner } from '../src/analysis/logs/miner.js';
import { logqlExploreLink, logsDrilldownLink } from '../src/links.js';
import { BackendError } from '../src/http.js';

const MAX_SCAN = 5000;

const LEVEL_ENUM = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'critical', 'unknown']);

const lineRow = z.object({
  time: z.string(),
  service: z.string(),
  level: z.string(),
  line: z.string(),
  trace_id: z.string().optional(),
  cut_chars: z.number().optional().describe('characters cut from a huge line'),
});

export const searchLogs = defineTool({
  name: 'search_logs',
  title: 'Search logs',
  description:
    'Log lines filtered by text (case-insensitive unless case_sensitive), regex, level, fields, Loki patterns or trace id, newest first; groups many matches by pattern. The lines behind a pattern, error or trace.',
  input: z.object({
    service: z.string().optional(),
    ...scopeFields,
    contains: z.array(z.string()).optional().describe('All must appear'),
    not_contains: z.array(z.string()).optional(),
    case_sensitive: z.boolean().optional(),
    regex: z.string().optional().describe('RE2'),
    level: z.array(LEVEL_ENUM).optional(),
    fields: z.record(z.string(), z.string()).optional().describe('Field equality, e.g. {"user_id":"42"}'),
    include_patterns: z.array(z.string()).optional().describe('Loki patterns (`<_>` = anything) to keep'),
    exclude_patterns: z.array(z.string()).optional().describe('Loki patterns to drop'),
    trace_id: z.string().regex(/^[0-9a-fA-F]{1,32}$/, 'a trace id is up to 32 hex characters').optional(),
    order: z.enum(['newest', 'oldest']).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
  output: z.object({
    window: rangeSchema,
    matched: z.number().describe('lines matching in what was scanned'),
    returned: z.number(),
    scan_capped: z.boolean().describe('true when the backend held more lines than could be scanned: matched is a lower bound'),
    lines: z.array(lineRow),
    groups: z.array(z.object({ pattern: z.string(), count: z.number(), level: z.string(), sample: z.string() })).optional(),
    cut_lines: z.number().describe('huge lines shortened'),
    binary_lines: z.number().describe('lines with control/binary characters replaced'),
    query: z.string(),
    link: z.string().optional(),
    notes: z.array(z.string()),
  }),
  annotations: { title: 'Search logs', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const src = ctx.sources.logs;
    if (!src) throw new ToolError('no log source is configured', 'set LOKI_URL (or GRAFANA_URL + GRAFANA_LOKI_UID), or pass --bundle DIR');
    const { window } = resolveScope(args, ctx.sources);
    const caseSensitive = args.case_sensitive === true;
    try {
      compileRegex(args.regex, caseSensitive);
    } catch (e) {
      throw new ToolError((e as Error).message, 'fix the regular expression (escape ( ) [ ] . * + ? with a backslash), or use `contains` for plain text');
    }
    const filters: LineFilters = {
      service: args.service,
      contains: args.contains,
      notContains: args.not_contains,
      caseSensitive,
      regex: args.regex,
      levels: args.level,
      fields: args.fields,
      includePatterns: args.include_patterns,
      excludePatterns: args.exclude_patterns,
      traceId: args.trace_id,
    };
    const direction = args.order === 'oldest' ? 'forward' : 'backward';
    const limit = args.limit ?? 50;
    let res;
    try {
      res = await fetchLines(src, window, filters, { limit: MAX_SCAN, direction, signal: ctx.signal });
    } catch (e) {
      if (e instanceof FilterError) throw new ToolError(e.message);
      if (e instanceof BackendError) throw new ToolError(e.message, e.hint);
      throw e;
    }
    const matched = res.records.length;
    let cut = 0;
    let binary = 0;
    const lines = res.records.slice(0, limit).map((r) => {
      const c = cleanLine(r.body);
      if (c.cut) cut++;
      if (c.binary) binary++;
      return { time: new Date(r.timeMs).toISOString(), service: r.service, level: detectLevel(r), line: c.text, trace_id: r.traceId, cut_chars: c.cut || undefined };
    });
    const g = ctx.sources.grafana;
    const link = logqlExploreLink(g, window, res.logql) ?? (args.service ? logsDrilldownLink(g, window, args.service, { level: args.level?.length === 1 ? args.level[0] : undefined }) : undefined);
    const notes = [...res.notes];
    if (res.capped) notes.push(`the backend held more than ${MAX_SCAN} lines for this query: "matched" counts the ${MAX_SCAN} scanned (${direction === 'backward' ? 'newest' : 'oldest'}); add filters or narrow the window for exact counts`);
    // Group by pattern when the lines do not fit the budget: the shape of what matched comes first.
    const budgetChars = ctx.budgetTokens * 4;
    const lineChars = lines.reduce((s, l) => s + l.line.length + 40, 0);
    let groups: Array<{ pattern: string; count: number; level: string; sample: string }> | undefined;
    if (matched > lines.length || lineChars > budgetChars * 0.8) {
      const m = new PatternMiner({ maxSamples: 1 });
      const ids = res.records.map((r) => m.add(r.body));
      m.finish();
      const levels = new Map<number, string>();
      res.records.forEach((r, i) => {
        const c = m.clusterOf(ids[i]!);
        if (!levels.has(c)) levels.set(c, detectLevel(r));
      });
      groups = m
        .clusters()
        .slice(0, 20)
        .map((c) => ({ pattern: c.pattern, count: c.count, level: levels.get(c.id) ?? 'unknown', sample: cleanLine(c.samples[0] ?? '', 300).text }));
    }
    const who = args.service ?? 'all services';
    const head = [
      `${matched}${res.capped ? '+' : ''} line(s) matched for ${who}, ${isoRange(window).start} → ${isoRange(window).end}; returning ${lines.length} ${direction === 'backward' ? 'newest' : 'oldest'} first.${cut ? ` ${cut} huge line(s) cut.` : ''}${binary ? ` ${binary} line(s) had binary/control characters (shown as �).` : ''}`,
      `LogQL: ${res.logql}${link ? `\nLink: ${link}` : ''}`,
      ...notes.map((n) => `Note: ${n}`),
    ].join('\n');
    const sections = [head];
    if (groups) {
      sections.push(['By pattern (count, level):', ...groups.slice(0, 10).map((x) => `  ${String(x.count).padStart(5)} ${x.level.padEnd(7)} ${cleanLine(x.pattern, 200).text}`)].join('\n'));
    }
    for (let i = 0; i < lines.length; i += 10) {
      sections.push(
        lines
          .slice(i, i + 10)
          .map((l) => `${l.time.slice(11, 23)} ${l.level.padEnd(5)}${args.service ? '' : ` [${l.service}]`} ${l.line}${l.trace_id ? ` (trace ${l.trace_id})` : ''}`)
          .join('\n'),
      );
    }
    if (!matched) sections.push('No line matched. Loosen the filters (case_sensitive=false, fewer words), check the service with list_services, or widen the window.');
    return {
      data: { window: isoRange(window), matched, returned: lines.length, scan_capped: res.capped, lines, groups, cut_lines: cut, binary_lines: binary, query: res.logql, link, notes },
      text: sections,
      narrow: 'Add level, contains or exclude_patterns filters, a service, or a smaller window; or raise budget.',
    };
  },
});
