// Helpers shared by the trace tools: getting spans for a scope, links, common fields.
import { z } from 'zod';
import type { Span, SpanQuery, TimeRange, TraceSource } from '../src/sources/types.js';
import type { ToolContext } from './types.js';
import { ToolError } from './types.js';
import { tracesDrilldownLink, traceqlExploreLink } from '../src/links.js';
import { BackendError } from '../src/http.js';

export const serviceField = z.string().min(1).optional();

export function requireTraces(ctx: ToolContext): TraceSource {
  const t = ctx.sources.traces;
  if (!t) throw new ToolError('no trace source is configured', 'set TEMPO_URL (or GRAFANA_URL + GRAFANA_TEMPO_UID), or open a bundle with --bundle DIR that has a traces/ folder');
  return t;
}

export function union(a: TimeRange, b?: TimeRange): TimeRange {
  return b ? { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) } : a;
}

export interface Fetched {
  spans: Span[];
  partial: boolean;
  notes: string[];
}

/**
 * Spans of whole traces for the given ranges. Bundles answer in full; Tempo answers with a bounded
 * sample per range (search then full traces), so window and baseline are sampled separately.
 */
export async function fetchSpans(ctx: ToolContext, ranges: TimeRange[], q: Omit<SpanQuery, 'range'> = {}): Promise<Fetched> {
  const src = requireTraces(ctx);
  try {
    if (src.kind === 'bundle') {
      const whole = ranges.reduce((a, r) => union(a, r));
      return await src.findTraces({ ...q, range: whole }, ctx.signal);
    }
    const sets = await Promise.all(ranges.map((r) => src.findTraces({ ...q, range: r }, ctx.signal)));
    const seen = new Set<string>();
    const spans: Span[] = [];
    for (const set of sets) for (const s of set.spans) {
      const k = s.traceId + s.spanId;
      if (!seen.has(k)) (seen.add(k), spans.push(s));
    }
    return { spans, partial: sets.some((s) => s.partial), notes: sets.flatMap((s) => s.notes) };
  } catch (e) {
    if (e instanceof BackendError) throw new ToolError(e.message, e.hint);
    throw e;
  }
}

/** A Traces Drilldown link when Grafana is configured with a Tempo datasource, else an Explore link. */
export function traceLink(ctx: ToolContext, range: TimeRange, traceql: string, opts: { service?: string; metric?: 'rate' | 'errors' | 'duration'; actionView?: string; traceId?: string } = {}): string | undefined {
  const g = ctx.sources.grafana;
  if (!g) return undefined;
  const filters: Array<[string, string, string]> = opts.service ? [['resource.service.name', '=', opts.service]] : [];
  return tracesDrilldownLink(g, range, { filters, metric: opts.metric, actionView: opts.actionView, traceId: opts.traceId }) ?? traceqlExploreLink(g, range, traceql);
}

export function exploreLink(ctx: ToolContext, range: TimeRange, traceql: string): string | undefined {
  return traceqlExploreLink(ctx.sources.grafana, range, traceql);
}

export function short(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export const r3 = (v: number | undefined): number | undefined => (v === undefined || !Number.isFinite(v) ? undefined : Math.round(v * 1000) / 1000);
