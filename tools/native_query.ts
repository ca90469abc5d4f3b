// native_query: one tool for raw PromQL, LogQL and TraceQL, for experts, against live backends or, on a
// recorded bundle, the bundle engines (src/query/…), which answer in the live APIs' shapes.
//
// Why one tool instead of query_prometheus, query_loki and query_tempo: the three did the same thing
// (send a query the caller wrote, summarise the answer within the budget) and differed
// only in the language; listed apart they cost ~780 tokens of every client's tools/list for tools a
// model rarely needs. The three stay as engines (same files, same validation, same answers) behind
// the `language` argument, and stay callable by their old names in-process and from `queryless call`.
import { z } from 'zod';
import { defineTool, ToolError, type ToolDef } from './types.js';
import { rangeSchema, scopeFields } from './common.js';
import { formatZodError } from './run.js';
import { queryPrometheus } from './query_prometheus.js';
import { queryLoki } from './query_loki.js';
import { queryTempoTool } from './query_tempo.js';

const ENGINES = { promql: queryPrometheus, logql: queryLoki, traceql: queryTempoTool } as const;
type Language = keyof typeof ENGINES;

/** The engines, by their former tool names (unlisted; kept for `queryless call` and scripts). */
export const nativeQueryEngines: ToolDef[] = Object.values(ENGINES).map((e) => e as unknown as ToolDef);

/** Arguments that mean something for some languages only: passing one elsewhere is a mistake worth saying. */
const ONLY_FOR: Record<string, Language[]> = { instant: ['promql'], time: ['promql'], step: ['promql', 'logql'], direction: ['logql'], spss: ['traceql'] };

export const nativeQuery = defineTool({
  name: 'native_query',
  title: 'Run a native query',
  description:
    'Experts only: runs raw PromQL (Prometheus/Mimir), LogQL (Loki) or TraceQL (Tempo) over the window, on live backends or a recorded bundle (`engine` says which answered); big results are summarised. Prefer the intent tools, which write the query for you.',
  input: z.object({
    language: z.enum(['promql', 'logql', 'traceql']),
    query: z.string().min(1),
    instant: z.boolean().optional().describe('promql: instant query at `time` (default: range query)'),
    time: z.string().optional().describe('promql instant: evaluation time (default window end)'),
    step: z.string().optional().describe('promql range / logql metric query step, e.g. 30s'),
    direction: z.enum(['backward', 'forward']).optional().describe('logql lines order (default backward)'),
    spss: z.number().int().min(1).max(100).optional().describe('traceql: spans per spanset (default 3)'),
    limit: z.number().int().min(1).max(5000).optional().describe('series (promql, 10), lines (logql, 100) or traces (traceql, 20)'),
    ...scopeFields,
  }),
  // The engines' outputs differ; what they share is named, the rest passes through (shapes in the README).
  output: z.looseObject({ language: z.enum(['promql', 'logql', 'traceql']), engine: z.enum(['bundle', 'live']), query: z.string(), window: rangeSchema, link: z.string().optional() }),
  annotations: { title: 'Run a native query', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { language, limit, ...rest } = args;
    const misplaced = Object.entries(ONLY_FOR).filter(([k, langs]) => rest[k as keyof typeof rest] !== undefined && !langs.includes(language)).map(([k]) => k);
    if (misplaced.length) throw new ToolError(`${misplaced.join(', ')} ${misplaced.length > 1 ? 'do' : 'does'} not apply to ${language}`, `drop ${misplaced.join(', ')}, or check the language`);
    const engine = ENGINES[language] as unknown as ToolDef;
    // PromQL's engine calls its series limit `top`.
    const engineArgs: Record<string, unknown> = { ...rest, ...(limit !== undefined ? (language === 'promql' ? { top: limit } : { limit }) : {}) };
    const parsed = engine.input.safeParse(engineArgs);
    if (!parsed.success) throw new ToolError(`${language}: ${formatZodError(parsed.error)}`, 'see the native_query input schema');
    const out = await engine.handler(parsed.data, ctx);
    return { ...out, data: { language, ...(out.data as { query: string; engine: 'bundle' | 'live'; window: { start: string; end: string } }) } };
  },
});
