// Playbook step for metrics: for each suspect service, look for p99 latency jumps in duration histograms,
// error-status series rising, and resource metrics (CPU, memory, pools, goroutines) moving vs baseline.
// Each finding carries the PromQL that reproduces it and an Explore link.
import type { Finding, FindingStep, StepContext } from '../findings.js';
import type { MetricSource, SeriesPoints, TimeRange } from '../../sources/types.js';
import { buildFamilies, type MetricFamily } from '../../analysis/metrics/catalog.js';
import { agg, eq, histogramQuantile, rate, re, render, selector, type Expr, type Matcher } from '../../query/promql.js';
import { chooseStep, fmtValue, rankGroups } from '../../analysis/metrics/summarize.js';
import { promqlExploreLink } from '../../links.js';
import { leftOutOnError } from '../../sources/remote/answer-notes.js';

const RATE_WINDOW = 300_000;
/**
 * Metric families whose series are listed (one request each) and queries run per service: a backend
 * with thousands of counters must not cost thousands of requests; past these the step says it stopped.
 * Histograms come first in the family list, so the latency and error metrics are among those looked at.
 */
export const MAX_FAMILIES_LISTED = 60;
export const MAX_PROBES_PER_SERVICE = 40;
const STATUS_LABELS = ['http_response_status_code', 'http_status_code', 'status_code', 'status', 'code', 'grpc_code', 'rpc_grpc_status_code'];
const RESOURCE_RE = /(cpu|memory|mem_|heap|rss|pool|connections|goroutines|threads|gc_|fds|open_fds|usage)/i;
const LATENCY_RE = /(duration|latency|response_time)/i;
/** Status values meaning a server-side failure: HTTP 5xx or "error"; for gRPC codes, the server-fault codes. */
const HTTP_ERROR_RE = '5..|error|ERROR|Error';
const GRPC_ERROR_RE = 'UNKNOWN|DEADLINE_EXCEEDED|INTERNAL|UNAVAILABLE|DATA_LOSS|2|4|13|14|15';

interface Probe {
  kind: 'latency' | 'errors' | 'resource';
  family: MetricFamily;
  expr: Expr;
  unit?: string;
  title: (from: string, to: string) => string;
  /** The title as a translatable message key and its values (besides from/to). */
  message: { key: string; args: Record<string, string> };
}

function serviceLabel(labelsSeen: Set<string>): string | undefined {
  for (const l of ['service', 'service_name', 'job', 'app']) if (labelsSeen.has(l)) return l;
  return undefined;
}

async function evalProbe(src: MetricSource, p: Probe, full: TimeRange, step: number, signal: AbortSignal): Promise<SeriesPoints[]> {
  return src.range(render(p.expr), full, step, signal);
}

export const metricsStep: FindingStep = async (ctx: StepContext) => {
  const src = ctx.sources.metrics;
  const out = { findings: [] as Finding[], partial: [] as string[], toolCalls: 0 };
  if (!src) {
    out.partial.push('metrics: no metrics source');
    return out;
  }
  const baseline = ctx.baseline;
  const window = ctx.window;
  const full = { start: baseline ? Math.min(baseline.start, window.start) : window.start, end: window.end };
  const step = chooseStep(full, 120);
  // Bundles have no samples before their window: skip the rate warm-up in the baseline.
  const base = baseline && src.kind === 'bundle' ? { start: Math.min(baseline.start + RATE_WINDOW, baseline.end - (baseline.end - baseline.start) / 2), end: baseline.end } : baseline;
  let families: MetricFamily[];
  let seriesLabels: Array<Record<string, string>>;
  try {
    const [names, meta] = await Promise.all([src.metricNames ? src.metricNames(full, ctx.signal) : src.labelValues('__name__', full, ctx.signal), src.metadata(ctx.signal).catch(leftOutOnError('metric metadata (types and help)', []))]);
    families = buildFamilies(names, meta);
    out.toolCalls += 2;
  } catch (e) {
    out.partial.push(`metrics: could not list metrics (${(e as Error).message})`);
    return out;
  }
  let services = ctx.services;
  const svcLabelCache = new Map<string, string | undefined>();
  let listed = 0;
  let unlisted = 0;
  const labelFor = async (f: MetricFamily): Promise<string | undefined> => {
    if (svcLabelCache.has(f.name)) return svcLabelCache.get(f.name);
    if (listed >= MAX_FAMILIES_LISTED) {
      unlisted++;
      return undefined;
    }
    listed++;
    seriesLabels = await src.series(render(selector(undefined, [re('__name__', f.sampleNames.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'))])), full, ctx.signal);
    out.toolCalls++;
    const seen = new Set(seriesLabels.flatMap((s) => Object.keys(s)));
    const l = serviceLabel(seen);
    svcLabelCache.set(f.name, l);
    if (l) svcLabelCache.set(`${f.name}#status`, STATUS_LABELS.find((s) => seen.has(s)));
    return l;
  };
  if (!services.length) {
    try {
      services = [...new Set(await src.labelValues('service', full, ctx.signal))].slice(0, 10);
      out.toolCalls++;
    } catch {
      services = [];
    }
  }
  let probesLeftOut = 0;
  for (const svc of [...new Set(services)].slice(0, 5)) {
    if (ctx.signal.aborted) break;
    const probes: Probe[] = [];
    for (const f of families) {
      const interesting = f.kind === 'histogram' || f.kind === 'counter' || RESOURCE_RE.test(f.name);
      if (!interesting) continue;
      let l: string | undefined;
      try {
        l = await labelFor(f);
      } catch (e) {
        out.partial.push(`metrics: series of ${f.name}: ${(e as Error).message}`);
        continue;
      }
      if (!l) continue;
      const m: Matcher[] = [eq(l, svc)];
      const statusLabel = svcLabelCache.get(`${f.name}#status`);
      if (f.kind === 'histogram' && LATENCY_RE.test(f.name)) {
        probes.push({
          kind: 'latency',
          family: f,
          unit: 'seconds',
          expr: histogramQuantile(0.99, agg('sum', rate(selector(`${f.name}_bucket`, m), RATE_WINDOW), { by: ['le'] })),
          title: (a, b) => `p99 of ${f.name} for ${svc} went from ${a} to ${b}`,
          message: { key: 'msg_metric_p99', args: { metric: f.name, service: svc } },
        });
      }
      if (statusLabel && (f.kind === 'counter' || f.kind === 'histogram')) {
        const name = f.kind === 'histogram' ? `${f.name}_count` : f.name;
        probes.push({
          kind: 'errors',
          family: f,
          unit: 'per-second',
          expr: agg('sum', rate(selector(name, [...m, re(statusLabel, /grpc/.test(statusLabel) ? GRPC_ERROR_RE : HTTP_ERROR_RE)]), RATE_WINDOW), { by: [statusLabel] }),
          title: (a, b) => `failed requests (${name}, ${statusLabel} 5xx/error) for ${svc} went from ${a} to ${b}`,
          message: { key: 'msg_metric_errors', args: { metric: name, label: statusLabel, service: svc } },
        });
      }
      if (RESOURCE_RE.test(f.name) && (f.kind === 'gauge' || f.kind === 'counter')) {
        const e = f.kind === 'counter' ? agg('sum', rate(selector(f.name, m), RATE_WINDOW)) : agg('avg', selector(f.name, m));
        probes.push({ kind: 'resource', family: f, expr: e, unit: /seconds/.test(f.name) && f.kind === 'counter' ? undefined : f.unit, title: (a, b) => `${f.name} for ${svc} moved from ${a} to ${b}`, message: { key: 'msg_metric_moved', args: { metric: f.name, service: svc } } });
      }
    }
    probesLeftOut += Math.max(0, probes.length - MAX_PROBES_PER_SERVICE);
    for (const p of probes.slice(0, MAX_PROBES_PER_SERVICE)) {
      if (ctx.signal.aborted) break;
      let res: SeriesPoints[];
      try {
        res = await evalProbe(src, p, full, step, ctx.signal);
        out.toolCalls++;
      } catch (e) {
        out.partial.push(`metrics: ${render(p.expr)}: ${(e as Error).message}`);
        continue;
      }
      if (!res.length) continue;
      const fmt = (v: number) => fmtValue(v, p.unit);
      const ranked = rankGroups(res, window, base, fmt);
      for (const g of ranked.slice(0, p.kind === 'errors' ? 3 : 1)) {
        const before = g.baseline ?? 0;
        const after = g.window;
        if (!Number.isFinite(after)) continue;
        const rising = after > before;
        // Significance: clearly outside the baseline noise and a material relative change.
        const rel = before === 0 ? (after > 0 ? Infinity : 0) : (after - before) / Math.abs(before);
        const significant = Math.abs(g.zSelf) >= 3 && Math.abs(rel) >= (p.kind === 'resource' ? 0.2 : 0.3);
        if (!significant || (p.kind !== 'resource' && !rising)) continue;
        if (p.kind === 'errors' && after <= 0) continue;
        const promql = render(p.expr);
        const groupTxt = Object.entries(g.group).map(([k, v]) => `${k}=${v}`).join(',');
        out.findings.push({
          kind: 'metric-anomaly',
          service: svc,
          title: p.title(fmt(before), fmt(after)) + (groupTxt ? ` (${groupTxt})` : ''),
          message: [
            { key: p.message.key, args: { ...p.message.args, from: before, to: after }, units: { from: p.unit ?? '', to: p.unit ?? '' } },
            ...(groupTxt ? [{ key: 'msg_group', args: { group: groupTxt } }] : []),
          ],
          numbers: {
            baseline: before,
            window: after,
            change: Number.isFinite(rel) ? Math.round(rel * 1000) / 1000 : 'new',
            z_self: Math.round(g.zSelf * 100) / 100,
          },
          evidence: { query: { language: 'promql', text: promql }, link: promqlExploreLink(ctx.sources.grafana, full, promql) },
          score: Math.min(1, Math.abs(g.zSelf) / 20) * (p.kind === 'errors' ? 0.9 : p.kind === 'latency' ? 0.8 : 0.6),
          details: { metric: p.family.name, signal: p.kind, ...(groupTxt ? { group: groupTxt } : {}) },
        });
      }
    }
  }
  if (unlisted) out.partial.push(`metrics: only the first ${MAX_FAMILIES_LISTED} of the candidate metric families were looked at for a service label (${unlisted} look-up(s) skipped)`);
  if (probesLeftOut) out.partial.push(`metrics: ${probesLeftOut} metric quer(ies) beyond ${MAX_PROBES_PER_SERVICE} per service were not run`);
  // The same failures often show in a counter and in a histogram's _count: keep one finding per group.
  const seen = new Set<string>();
  out.findings = out.findings
    .sort((a, b) => b.score - a.score)
    .filter((f) => {
      const key = `${f.service}|${f.details?.signal}|${f.details?.group ?? ''}|${f.details?.signal === 'errors' ? Number(f.numbers.window).toPrecision(3) : f.details?.metric}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return out;
};
