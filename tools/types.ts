// The tool contract shared by the MCP server, the CLI `call` command and the agent loop.
import type { z } from 'zod';
import type { Sources } from '../src/sources/types.js';

export interface ToolContext {
  sources: Sources;
  signal: AbortSignal;
  /** Report progress (MCP progress notifications; stderr in the CLI). */
  progress: (done: number, total: number | undefined, message?: string) => void;
  /** Output budget for the text rendering, in tokens (~4 chars each). */
  budgetTokens: number;
}

/** What a handler returns: structured data plus a text rendering the registry fits to the budget. */
export interface ToolOutput<O> {
  data: O;
  /**
   * Text sections, most important first. The registry keeps whole sections while they fit
   * the budget and reports the rest as truncated.
   */
  text: string[];
  /** How to narrow down when the answer is cut (shown in the truncation note). */
  narrow?: string;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint: true;
  destructiveHint?: false;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDef<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  handler: (args: z.infer<I>, ctx: ToolContext) => Promise<ToolOutput<z.infer<O>>>;
}

/** Identity helper that keeps the generic types of a tool definition. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def;
}

/** An error a tool reports to its caller: what was wrong and what to do. Never a crash. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}
