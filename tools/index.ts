// The tool registry: every tool Queryless serves, to MCP clients and to the agent loop alike.
import type { ToolDef } from './types.js';
import { listServices } from './list_services.js';

export const tools: ToolDef[] = [listServices as unknown as ToolDef];

export function findTool(name: string): ToolDef | undefined {
  return tools.find((t) => t.name === name);
}
