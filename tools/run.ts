// Runs a tool: validates arguments, calls the handler, fits the text into the budget, never throws.
import { z } from 'zod';
import type { ToolContext, ToolDef } from './types.js';
import { ToolError } from './types.js';
import { budgetField, outputBase } from './common.js';
import { maskSecrets } from '../src/log.js';
import { BackendError } from '../src/http.js';

export const DEFAULT_BUDGET_TOKENS = 2000;
const CHARS_PER_TOKEN = 4;

export interface ToolResult {
  isError: boolean;
  text: string;
  structured?: Record<string, unknown>;
}

/** The output schema as served: the tool's own fields plus the common ones. */
export function servedOutputSchema(def: ToolDef): z.ZodObject {
  return def.output.extend(outputBase);
}

/** The input schema as served: the tool's own fields plus `budget` when the tool does not declare it. */
export function servedInputSchema(def: ToolDef): z.ZodObject {
  return 'budget' in def.input.shape ? def.input : def.input.extend({ budget: budgetField });
}

export function formatZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`)
    .join('; ');
}

export function fitText(sections: string[], budgetTokens: number, narrow?: string): { text: string; truncated?: string } {
  const maxChars = budgetTokens * CHARS_PER_TOKEN;
  const kept: string[] = [];
  let used = 0;
  let cutAt = -1;
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    if (used + s.length + 1 <= maxChars) {
      kept.push(s);
      used += s.length + 1;
      continue;
    }
    // Keep the head of a section that does not fit whole, line by line, when it is the first.
    if (kept.length === 0) {
      const lines = s.split('\n');
      const head: string[] = [];
      for (const line of lines) {
        if (used + line.length + 1 > maxChars) break;
        head.push(line);
        used += line.length + 1;
      }
      kept.push(head.join('\n'));
      cutAt = i;
      const leftLines = lines.length - head.length;
      const truncated = `cut at the ${budgetTokens}-token budget: ${leftLines} more line(s) of this section and ${sections.length - i - 1} more section(s) left out. ${narrow ?? 'Raise `budget` or narrow the window/service.'}`;
      return { text: `${kept.join('\n')}\n… [truncated: ${truncated}]`, truncated };
    }
    cutAt = i;
    break;
  }
  if (cutAt < 0) return { text: kept.join('\n') };
  const truncated = `${sections.length - cutAt} of ${sections.length} section(s) left out at the ${budgetTokens}-token budget. ${narrow ?? 'Raise `budget` or narrow the window/service.'}`;
  return { text: `${kept.join('\n')}\n… [truncated: ${truncated}]`, truncated };
}

/** Telemetry may carry credentials (a token in a log line, a password in a URL): mask them in every string of an answer. */
export function maskDeep<T>(v: T): T {
  if (typeof v === 'string') return maskSecrets(v) as T;
  if (Array.isArray(v)) return v.map((x) => maskDeep(x)) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskDeep(x);
    return out as T;
  }
  return v;
}

export async function runTool(def: ToolDef, rawArgs: unknown, ctx: Omit<ToolContext, 'budgetTokens'> & { budgetTokens?: number }): Promise<ToolResult> {
  const parsed = servedInputSchema(def).safeParse(rawArgs ?? {});
  if (!parsed.success) {
    return { isError: true, text: `Invalid arguments for ${def.name}: ${formatZodError(parsed.error)}. See the tool's input schema.` };
  }
  const args = parsed.data as Record<string, unknown>;
  const budgetTokens = typeof args.budget === 'number' ? args.budget : (ctx.budgetTokens ?? DEFAULT_BUDGET_TOKENS);
  try {
    const out = await def.handler(args as never, { ...ctx, budgetTokens });
    const { text, truncated } = fitText(out.text, budgetTokens, out.narrow);
    const structured: Record<string, unknown> = { ...(out.data as Record<string, unknown>) };
    if (truncated) structured.truncated = truncated;
    const problems = [...new Set([...(ctx.sources.problems ?? []), ...((structured.problems as string[] | undefined) ?? [])])];
    if (problems.length) structured.problems = problems;
    const problemText = problems.length ? `\n⚠ data problems: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}` : '';
    return { isError: false, text: maskSecrets(text + problemText), structured: maskDeep(structured) };
  } catch (e) {
    if (ctx.signal.aborted) return { isError: true, text: `${def.name} was cancelled.` };
    if (e instanceof ToolError) return { isError: true, text: `${def.name}: ${e.message}${e.hint ? `\nWhat to do: ${e.hint}` : ''}` };
    const msg = maskSecrets(e instanceof Error ? e.message : String(e));
    // Backend failures name the backend and status; their hint says what to do.
    if (e instanceof BackendError) return { isError: true, text: `${def.name}: ${msg}${e.hint ? `\nWhat to do: ${e.hint}` : ''}` };
    return { isError: true, text: `${def.name} failed: ${msg}` };
  }
}
