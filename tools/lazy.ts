// The tools by name, loaded on demand. `queryless call` runs one tool: importing the whole registry
// (tools/index.ts) loads every tool's analysis code, which was most of a call's fixed cost. Each tool
// lives in tools/<name>.ts (one tool per file), so its module is found from its name.
import type { ToolDef } from './types.js';

/** Every served tool's name, in the registry's order (a test keeps this list and tools/index.ts equal). */
export const TOOL_NAMES = [
  'list_services',
  'find_metrics',
  'explore_metric',
  'breakdown_metric',
  'rank_suspects',
  'investigate',
  'hot_functions',
  'lookup_source',
  'service_red',
  'find_prevalent_errors',
  'find_slow_spans',
  'compare_attributes',
  'get_trace',
  'log_patterns',
  'search_logs',
  'log_fields',
  'native_query',
] as const;

/** The tool called `name`, importing only its own module; former names (query_prometheus, …) go
 * through the registry. Undefined for an unknown name. */
export async function loadTool(name: string): Promise<ToolDef | undefined> {
  if ((TOOL_NAMES as readonly string[]).includes(name)) {
    const mod = (await import(`./${name}.js`)) as Record<string, unknown>;
    const def = Object.values(mod).find((v): v is ToolDef => typeof v === 'object' && v !== null && (v as ToolDef).name === name && 'handler' in v);
    if (def) return def;
  }
  const { findTool } = await import('./index.js');
  return findTool(name);
}
