// The tool registry: every tool Queryless serves, to MCP clients and to the agent loop alike.
import type { ToolDef } from './types.js';
import { listServices } from './list_services.js';
import { findMetrics } from './find_metrics.js';
import { exploreMetric } from './explore_metric.js';
import { breakdownMetric } from './breakdown_metric.js';
import { rankSuspectsTool } from './rank_suspects.js';
import { investigateTool } from './investigate.js';
import { hotFunctions } from './hot_functions.js';
import { lookupSource } from './lookup_source.js';
import { serviceRedTool } from './service_red.js';
import { findPrevalentErrorsTool } from './find_prevalent_errors.js';
import { findSlowSpansTool } from './find_slow_spans.js';
import { compareAttributesTool } from './compare_attributes.js';
import { getTraceTool } from './get_trace.js';
import { logPatterns } from './log_patterns.js';
import { searchLogs } from './search_logs.js';
import { logFields } from './log_fields.js';
import { nativeQuery, nativeQueryEngines } from './native_query.js';

export const tools: ToolDef[] = [
  listServices as unknown as ToolDef,
  findMetrics as unknown as ToolDef,
  exploreMetric as unknown as ToolDef,
  breakdownMetric as unknown as ToolDef,
  rankSuspectsTool as unknown as ToolDef,
  investigateTool as unknown as ToolDef,
  hotFunctions as unknown as ToolDef,
  lookupSource as unknown as ToolDef,
  serviceRedTool as unknown as ToolDef,
  findPrevalentErrorsTool as unknown as ToolDef,
  findSlowSpansTool as unknown as ToolDef,
  compareAttributesTool as unknown as ToolDef,
  getTraceTool as unknown as ToolDef,
  logPatterns as unknown as ToolDef,
  searchLogs as unknown as ToolDef,
  logFields as unknown as ToolDef,
  nativeQuery as unknown as ToolDef,
];

/**
 * A tool by name: a listed one, else one of native_query's engines under its former name
 * (query_prometheus, query_loki, query_tempo), so scripts using `queryless call` keep working.
 */
export function findTool(name: string): ToolDef | undefined {
  return tools.find((t) => t.name === name) ?? nativeQueryEngines.find((t) => t.name === name);
}
