// Input fields and helpers shared by tools: time scope, budget, output notes.
import { z } from 'zod';
import type { Sources, TimeRange } from '../src/sources/types.js';
import { parseTime, precedingRange } from '../src/util/time.js';
import { ToolError } from './types.js';

export const budgetField = z
  .number()
  .int()
  .min(200)
  .max(100_000)
  .optional()
  .describe('Token budget for the text answer (default 2000). Raise it to see more, or narrow the question.');

export const scopeFields = {
  from: z.string().optional().describe('Window start: RFC 3339, epoch seconds, "now-1h", or "10:04" (UTC). Default: the incident window.'),
  to: z.string().optional().describe('Window end (same formats). Default: the incident window end or now.'),
  baseline_from: z.string().optional().describe('Baseline start. Default: the bundle baseline, else the same length just before the window.'),
  baseline_to: z.string().optional().describe('Baseline end.'),
};

/** Fields every tool output carries besides its own; filled by the registry runner. */
export const outputBase = {
  truncated: z.string().optional().describe('What the text answer left out and how to narrow down.'),
  problems: z.array(z.string()).optional().describe('Data problems met (corrupt files, partial backend answers).'),
};

export interface Scope {
  window: TimeRange;
  baseline?: TimeRange;
}

export const rangeSchema = z.object({ start: z.string(), end: z.string() });

export function isoRange(r: TimeRange): { start: string; end: string } {
  return { start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString() };
}

/** Resolve the window and baseline from arguments and the sources' defaults. */
export function resolveScope(
  args: { from?: string; to?: string; baseline_from?: string; baseline_to?: string },
  sources: Sources,
): Scope {
  const d = sources.defaults;
  const anchor = d.incident?.start ?? d.window.start;
  const now = sources.defaults.window.end;
  const parse = (s: string, field: string) => {
    try {
      return parseTime(s, now, anchor);
    } catch (e) {
      throw new ToolError(`${field}: ${(e as Error).message}`);
    }
  };
  const explicit = args.from !== undefined || args.to !== undefined;
  const defWindow = d.incident ?? d.window;
  const window: TimeRange = {
    start: args.from ? parse(args.from, 'from') : defWindow.start,
    end: args.to ? parse(args.to, 'to') : defWindow.end,
  };
  if (!(window.end > window.start)) throw new ToolError(`the window is empty: from must be before to (got ${args.from ?? '?'} → ${args.to ?? '?'})`);
  let baseline: TimeRange | undefined;
  if (args.baseline_from || args.baseline_to) {
    const len = window.end - window.start;
    const start = args.baseline_from ? parse(args.baseline_from, 'baseline_from') : window.start - len;
    const end = args.baseline_to ? parse(args.baseline_to, 'baseline_to') : Math.min(window.start, start + len);
    if (!(end > start)) throw new ToolError('the baseline is empty: baseline_from must be before baseline_to');
    baseline = { start, end };
  } else if (!explicit && d.baseline) {
    baseline = d.baseline;
  } else if (!explicit && d.incident && d.incident.start > d.window.start) {
    baseline = { start: d.window.start, end: d.incident.start };
  } else {
    baseline = precedingRange(window);
  }
  return { window, baseline };
}
