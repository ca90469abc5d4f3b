// The tool registry: every tool Queryless serves, to MCP clients and to the agent loop alike.
import type { ToolDef } from './types.js';
import { listServices } from './list_services.js';
import { findMetrics } from './find_metrics.js';
import { exploreMetric } from './explore_metric.js';
import { breakdownMetric } from './breakdown_metric.js';
import { queryPrometheus } from './query_prometheus.js';
import { rankSuspectsTool } from './rank_suspects.js';
import { investigateTool } from './investigate.js';
import { hotFunctions } from './hot_functions.js';
import { lookupSource } from './lookup_source.js';
import { serviceRedTool } from './service_red.js';
import { findPrevalentErrorsTool } from './find_prevalent_errors.js';
import { findSlowSpansTool } from './find_slow_spans.js';
import { compareAttributesTool } from './compare_attributes.js';
import { getTraceTool } from './get_trace.js';
import { queryTempoTool } from './query_tempo.js';
import { logPatterns } from './log_patterns.js';
import { searchLogs } from './search_logs.js';
import { logFields } from './log_fields.js';
import { queryLoki } from './query_loki.js';

export const tools: ToolDef[] = [
  listServices as unknown as ToolDef,
  findMetrics as unknown as ToolDef,
  exploreMetric as unknown as ToolDef,
  breakdownMetric as unknown as ToolDef,
  queryPrometheus as unknown as ToolDef,
  rankSuspectsTool as unknown as ToolDef,
  investigateTool as unknown as ToolDef,
  hotFunctions as unknown as ToolDef,
  lookupSource as unknown as ToolDef,
  serviceRedTool as unknown as ToolDef,
  findPrevalentErrorsTool as unknown as ToolDef,
  findSlowSpansTool as unknown as ToolDef,
  compareAttributesTool as unknown as ToolDef,
  getTraceTool as unknown as ToolDef,
  queryTempoTool as unknown as ToolDef,
  logPatterns as unknown as ToolDef,
  searchLogs as unknown as ToolDef,
  logFields as unknown as ToolDef,
  queryLoki as unknown as ToolDef];

export function findTool(name: string): ToolDef | undefined {
  return tools.find((t) => t.name === name);
}
