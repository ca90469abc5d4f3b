// Runs a tool: validates arguments, calls the handler, fits the text into the budget, never throws.
import { z } from 'zod';
import type { ToolContext, ToolDef } from './types.js';
import { ToolError } from './types.js';
import { budgetField, outputBase } from './common.js';
import { maskDeep, maskSecrets } from '../src/mask.js';
import { BackendError } from '../src/http.js';
import { ArgumentLimitError, checkArguments } from '../src/limits.js';
import { PatternError } from '../src/util/regex.js';
import { argumentsKey, type AnswerCache } from './cache.js';
import { collectLeftOut } from '../src/sources/remote/answer-notes.js';

export const DEFAULT_BUDGET_TOKENS = 2000;
/** Default per-call deadline (QUERYLESS_CALL_DEADLINE_MS): past it the call answers with an error and its work is aborted. */
export const DEFAULT_CALL_DEADLINE_MS = 120_000;

class DeadlineError extends Error {}

/** Longest error text a call answers with. */
const MAX_ERROR_RESULT_CHARS = 2000;
const CHARS_PER_TOKEN = 4;

export interface ToolResult {
  isError: boolean;
  text: string;
  structured?: Record<string, unknown>;
}

// Served schemas are built once per tool: `extend` makes a new schema, and zod compiles each new
// schema's parser on its first use, which cost every call ~1 ms when it was rebuilt per call.
const servedOutputs = new WeakMap<ToolDef, z.ZodObject>();
const servedInputs = new WeakMap<ToolDef, z.ZodObject>();

/** The output schema as served: the tool's own fields plus the common ones. */
export function servedOutputSchema(def: ToolDef): z.ZodObject {
  let s = servedOutputs.get(def);
  if (!s) servedOutputs.set(def, (s = def.output.extend(outputBase)));
  return s;
}

/** The input schema as served: the tool's own fields plus `budget` when the tool does not declare it. */
export function servedInputSchema(def: ToolDef): z.ZodObject {
  let s = servedInputs.get(def);
  if (!s) servedInputs.set(def, (s = 'budget' in def.input.shape ? def.input : def.input.extend({ budget: budgetField })));
  return s;
}

/** The first few issues, each cut short: a 500-item array of bad values must not make a 50 KB error. */
export function formatZodError(err: z.ZodError, maxIssues = 5): string {
  const shown = err.issues.slice(0, maxIssues).map((i) => {
    const where = i.path.length ? i.path.join('.') : '(arguments)';
    const msg = i.message.length > 200 ? `${i.message.slice(0, 200)}…` : i.message;
    return `${where.length > 80 ? `${where.slice(0, 80)}…` : where}: ${msg}`;
  });
  const more = err.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more problem(s)` : '');
}

/**
 * Checks a call's arguments (shape and size caps, then the tool's schema); returns the parsed
 * arguments or the readable error text. The MCP server runs it before the SDK's own validation,
 * whose message lists every issue and can run to tens of kilobytes.
 */
export function validateArguments(def: ToolDef, rawArgs: unknown): { args: Record<string, unknown> } | { error: string } {
  let checked: Record<string, unknown>;
  try {
    checked = checkArguments(rawArgs);
  } catch (e) {
    if (e instanceof ArgumentLimitError) return { error: `Invalid arguments for ${def.name}: ${e.message}. See the tool's input schema.` };
    throw e;
  }
  const parsed = servedInputSchema(def).safeParse(checked);
  if (!parsed.success) return { error: `Invalid arguments for ${def.name}: ${formatZodError(parsed.error)}. See the tool's input schema.` };
  return { args: parsed.data as Record<string, unknown> };
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

/** Telemetry may carry credentials (a token in a log line, a password in a URL): every string of an answer is masked. */
export { maskDeep };

export type RunContext = Omit<ToolContext, 'budgetTokens'> & {
  budgetTokens?: number;
  deadlineMs?: number;
  /** Answers kept between calls (the MCP server's; see cache.ts). */
  cache?: AnswerCache;
};

/** Runs a tool and masks secrets in whatever comes out, answer or error: the one pass every output path shares. */
export async function runTool(def: ToolDef, rawArgs: unknown, ctx: RunContext): Promise<ToolResult> {
  const v = validateArguments(def, rawArgs);
  if ('error' in v) return masked({ isError: true, text: v.error });
  const args = v.args;
  const budgetTokens = typeof args.budget === 'number' ? args.budget : (ctx.budgetTokens ?? DEFAULT_BUDGET_TOKENS);
  const cache = ctx.cache;
  const key = cache ? argumentsKey(def.name, args) : '';
  // A kept answer rendered for the same budget and the same list of source problems is the same
  // text: served as is (masking a long answer costs more than the rest of a warm call).
  const variant = `${budgetTokens}\u0000${ctx.sources.problems.length}`;
  const kept = cache?.rendered(key, variant);
  if (kept) return kept;
  const res = masked(await runUnmasked(def, args, budgetTokens, key, ctx));
  if (cache && !res.isError) cache.keepRendered(key, variant, res);
  return res;
}

function masked(res: ToolResult): ToolResult {
  // Error texts are bounded whatever threw them (a quoted file or answer must not make a huge error).
  const text = res.isError && res.text.length > MAX_ERROR_RESULT_CHARS ? `${res.text.slice(0, MAX_ERROR_RESULT_CHARS)}… [+${res.text.length - MAX_ERROR_RESULT_CHARS} chars]` : res.text;
  return { isError: res.isError, text: maskSecrets(text), ...(res.structured ? { structured: maskDeep(res.structured) } : {}) };
}

async function runUnmasked(def: ToolDef, args: Record<string, unknown>, budgetTokens: number, key: string, ctx: RunContext): Promise<ToolResult> {
  // The deadline is enforced, not advisory: the answer goes out when it passes, and the handler's
  // signal aborts so its loops (which yield, see util/yield.ts) and backend requests stop.
  const deadlineMs = ctx.deadlineMs ?? DEFAULT_CALL_DEADLINE_MS;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DeadlineError(`${def.name} did not finish within its ${deadlineMs} ms deadline`)), deadlineMs);
  timer.unref?.();
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);
  const expired = new Promise<never>((_, reject) => deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true }));
  try {
    let out = ctx.cache?.get(key);
    if (!out) {
      const work = collectLeftOut(() => def.handler(args as never, { ...ctx, signal, budgetTokens }));
      work.catch(() => undefined); // a late failure after the deadline answered is not an unhandled rejection
      const { result, leftOut } = await Promise.race([work, expired]);
      // What the backend readers could not read makes the answer partial: said in its problems.
      out = leftOut.length ? { ...result, data: { ...(result.data as object), problems: [...(((result.data as { problems?: string[] }).problems) ?? []), ...leftOut] } } : result;
      ctx.cache?.set(key, args, out);
    }
    const { text, truncated } = fitText(out.text, budgetTokens, out.narrow);
    const structured: Record<string, unknown> = { ...(out.data as Record<string, unknown>) };
    if (truncated) structured.truncated = truncated;
    const problems = [...new Set([...(ctx.sources.problems ?? []), ...((structured.problems as string[] | undefined) ?? [])])];
    if (problems.length) structured.problems = problems;
    const problemText = problems.length ? `\n⚠ data problems: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}` : '';
    return { isError: false, text: text + problemText, structured };
  } catch (e) {
    if (ctx.signal.aborted) return { isError: true, text: `${def.name} was cancelled.` };
    if (deadline.signal.aborted) {
      return { isError: true, text: `${def.name} did not finish within its ${Math.round(deadlineMs / 1000)} s deadline and was stopped.\nWhat to do: narrow the window, the service or the filters, or raise QUERYLESS_CALL_DEADLINE_MS.` };
    }
    if (e instanceof PatternError) return { isError: true, text: `${def.name}: ${e.message}\nWhat to do: fix the pattern (RE2 has no look-arounds or back-references), or use \`contains\` for plain text.` };
    if (e instanceof ToolError) return { isError: true, text: `${def.name}: ${e.message}${e.hint ? `\nWhat to do: ${e.hint}` : ''}` };
    const msg = e instanceof Error ? e.message : String(e);
    // Backend failures name the backend and status; their hint says what to do.
    if (e instanceof BackendError) return { isError: true, text: `${def.name}: ${msg}${e.hint ? `\nWhat to do: ${e.hint}` : ''}` };
    return { isError: true, text: `${def.name} failed: ${msg}` };
  } finally {
    clearTimeout(timer);
  }
}
