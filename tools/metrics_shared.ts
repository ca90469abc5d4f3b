// Helpers shared by the metric tools: source checks, label filters, the family catalogue, error mapping.
import type { MetricSource, Sources, TimeRange } from '../src/sources/types.js';
import { buildFamilies, resolveFamily, suggestNames, type MetricFamily } from '../src/analysis/metrics/catalog.js';
import { parsePromQL, PromQLParseError, type Matcher } from '../src/query/promql.js';
import { EvalError } from '../src/analysis/metrics/eval.js';
import { ToolError } from './types.js';
import { resolveScope } from './common.js';
import { chooseStep } from '../src/analysis/metrics/summarize.js';
import { parseDuration } from '../src/util/time.js';
import { leftOutOnError } from '../src/sources/remote/answer-notes.js';

export function requireMetrics(sources: Sources): MetricSource {
  if (!sources.metrics) throw new ToolError('no metrics source is configured', 'set PROMETHEUS_URL (or GRAFANA_URL + GRAFANA_PROMETHEUS_UID), or open a bundle with a metrics/ folder');
  return sources.metrics;
}

/** Parses `service="checkout", route=~"/api/.*"` (with or without braces) into matchers. */
export function parseLabelFilter(text: string | undefined): Matcher[] {
  if (!text || !text.trim()) return [];
  let t = text.trim();
  if (!t.startsWith('{')) t = `{${t}}`;
  try {
    const e = parsePromQL(t);
    if (e.type !== 'selector' || e.name !== undefined) throw new Error('not a label filter');
    return e.matchers;
  } catch (e) {
    const detail = e instanceof PromQLParseError ? e.message.split('\n')[0] : (e as Error).message;
    throw new ToolError(`invalid label filter ${JSON.stringify(text)}: ${detail}`, 'write it like service="checkout" or route=~"/api/.*", comma-separated');
  }
}

export async function loadFamilies(src: MetricSource, range: TimeRange, signal: AbortSignal): Promise<MetricFamily[]> {
  const [names, meta] = await Promise.all([
    src.metricNames ? src.metricNames(range, signal) : src.labelValues('__name__', range, signal),
    src.metadata(signal).catch(leftOutOnError('metric metadata (types and help)', [])),
  ]);
  return buildFamilies(names, meta);
}

export function findFamilyOrThrow(families: MetricFamily[], name: string): MetricFamily {
  const f = resolveFamily(families, name.trim());
  if (f) return f;
  const close = suggestNames(families, name.trim());
  throw new ToolError(`unknown metric "${name}" in this time range${close.length ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : ''}`, 'use find_metrics to search names (typos are tolerated), or widen the time range');
}

/** Maps evaluation/parse errors to ToolErrors (what was wrong, what to do); backend errors pass through. */
export function mapQueryError(e: unknown): never {
  if (e instanceof PromQLParseError) throw new ToolError(e.message, 'fix the PromQL syntax; nothing was sent to the backend');
  if (e instanceof EvalError) throw new ToolError(e.message);
  throw e;
}

export function unitSuffix(unit?: string): string {
  return unit ? ` (${unit})` : '';
}

/**
 * Bundles hold no samples before their window: a rate() over the first `rateWindow` of it sees a partial
 * range and reads low, which would fake a rise vs baseline. Skip that warm-up part of the baseline.
 */
export function warmedBaseline(src: MetricSource, baseline: TimeRange | undefined, rateWindowMs: number, usesRate: boolean): TimeRange | undefined {
  if (!baseline || !usesRate || src.kind !== 'bundle') return baseline;
  const start = Math.min(baseline.start + rateWindowMs, baseline.end - (baseline.end - baseline.start) / 2);
  return { start, end: baseline.end };
}

/** The scope every metric tool starts from: source, window/baseline, label filter, rate window and step. */
export function metricQueryScope(
  args: { from?: string; to?: string; baseline_from?: string; baseline_to?: string; labels?: string; rate_window?: string; step?: string },
  sources: Sources,
): { src: MetricSource; window: TimeRange; baseline?: TimeRange; full: TimeRange; matchers: Matcher[]; rateWindowMs: number; stepMs: number } {
  const src = requireMetrics(sources);
  const { window, baseline } = resolveScope(args, sources);
  const full = { start: baseline ? Math.min(baseline.start, window.start) : window.start, end: window.end };
  const matchers = parseLabelFilter(args.labels);
  let rateWindowMs = 300_000;
  let stepMs = chooseStep(full);
  try {
    if (args.rate_window) rateWindowMs = parseDuration(args.rate_window);
    if (args.step) stepMs = parseDuration(args.step);
  } catch (e) {
    throw new ToolError((e as Error).message);
  }
  return { src, window, baseline, full, matchers, rateWindowMs, stepMs };
}
