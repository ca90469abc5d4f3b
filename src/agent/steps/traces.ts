// Playbook step for traces: for the suspect services, the prevalent error structures (kind `error`) and
// the spans that own the latency on the critical path (kind `latency`), each with the attribute that
// separates the bad requests from the others, the TraceQL that reproduces it, and example trace ids.
import { codeLocationOf } from '../../analysis/traces/code-location.js';
import type { Finding, FindingStep, StepContext, StepResult } from '../findings.js';
import type { Span, TimeRange } from '../../sources/types.js';
import { findPrevalentErrors, type ErrorGroup } from '../../analysis/traces/errors.js';
import { findSlowSpans, type SlowGroup } from '../../analysis/traces/slow.js';
import { compareAttributes, type Selection } from '../../analysis/traces/compare.js';
import { and, renderTraceQL, serviceIs } from '../../query/traceql.js';
import { errorGroupTraceQL, slowGroupTraceQL } from '../../analysis/traces/queries.js';
import { tracesDrilldownLink, traceqlExploreLink } from '../../links.js';
import type { GrafanaLinkConfig } from '../../sources/types.js';

const MAX_ERRORS = 3;
const MAX_LATENCY = 3;
/** Slow-span groups below this share of slow-request latency are not findings. */
const MIN_SHARE = 0.1;
/** Minimum share difference for an attribute to be reported as separating. */
const MIN_SEPARATION = 0.3;

const round = (v: number, d = 3) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : 0);

function link(g: GrafanaLinkConfig | undefined, range: TimeRange, query: string, service: string, metric: 'errors' | 'duration'): string | undefined {
  return tracesDrilldownLink(g, range, { filters: [['resource.service.name', '=', service]], metric, actionView: metric === 'errors' ? 'structure' : 'breakdown' }) ?? traceqlExploreLink(g, range, query);
}

/** An attribute value found on most selected requests and few others: `attribute` is `key=value`
 * (telemetry, shown verbatim), the shares are numbers the report writes in the reader's language. */
interface Separating {
  attribute: string;
  selected: number;
  others: number;
}

/** Answers of `separating` within one step run, by service and selection: several latency findings of
 * one service ask the same question of the same spans. */
type SeparatingMemo = Map<string, Separating | undefined>;

/** The attribute whose value best separates the selected requests into a service from the others. */
function separating(spans: Span[], window: TimeRange, service: string, selection: Selection, memo: SeparatingMemo): Separating | undefined {
  const key = JSON.stringify([service, selection]);
  if (memo.has(key)) return memo.get(key);
  const answer = separatingOnce(spans, window, service, selection);
  memo.set(key, answer);
  return answer;
}

function separatingOnce(spans: Span[], window: TimeRange, service: string, selection: Selection): Separating | undefined {
  const res = compareAttributes(spans, { window, selection, against: 'rest', service, topValues: 2 });
  if (res.selectionRequests === 0 || res.baselineRequests === 0) return undefined;
  for (const a of res.attributes) {
    if (a.attribute === 'name' || a.attribute === 'kind') continue;
    const v = a.values.find((x) => x.diff > 0);
    if (!v || v.diff < MIN_SEPARATION) continue;
    const key = a.attribute.replace(/^(span|resource)\./, '');
    return { attribute: `${key}=${v.value}`, selected: round(v.selection), others: round(v.baseline) };
  }
  return undefined;
}

/** The separating attribute's shares among the selected and the other requests. */
function addSeparating(numbers: Record<string, number | string>, sep: Separating | undefined): void {
  if (!sep) return;
  numbers.separating_share_selected = sep.selected;
  numbers.separating_share_others = sep.others;
}

function errorFinding(g: ErrorGroup, spans: Span[], ctx: StepContext, memo: SeparatingMemo): Finding {
  const query = errorGroupTraceQL(g);
  const details: Record<string, string> = { ...g.details, path: g.path.map((p) => `${p.service}: ${p.name}`).join(' → ') };
  // Requests into the erroring service that hit this very error, vs its other requests.
  const sep = separating(spans, ctx.window, g.service, { kind: 'filter', query: { service: g.service, spanName: g.spanName, errorsOnly: true } }, memo);
  if (sep) details.separating_attribute = sep.attribute;
  for (const [k, v] of Object.entries(g.common).slice(0, 5)) if (!(k in details)) details[k] = v;
  // The code that raised the error, from an example span (code.* attributes or the exception stack).
  const example = spans.find((s) => s.status === 'error' && s.service === g.service && s.name === g.spanName && g.examples.includes(s.traceId));
  const loc = example ? codeLocationOf(example) : undefined;
  if (loc?.function) details.function = loc.function;
  if (loc?.file) details['code.file'] = loc.file;
  if (loc?.line) details['code.line'] = String(loc.line);
  const numbers: Record<string, number | string> = {
    error_requests: g.traces,
    error_spans: g.spans,
    share_of_failing_requests: round(g.shareOfErrors),
    share_of_requests: round(g.shareOfRequests),
    root_failures: g.rootFailures,
    rate_per_s: round(g.ratePerSec),
    first_seen: new Date(g.firstSeenMs).toISOString(),
    last_seen: new Date(g.lastSeenMs).toISOString(),
  };
  if (g.baselineTraces !== undefined) numbers.baseline_requests = g.baselineTraces;
  if (g.baselineRatePerSec !== undefined) numbers.baseline_rate_per_s = round(g.baselineRatePerSec);
  if (g.isNew !== undefined) numbers.new = g.isNew ? 'yes' : 'no';
  addSeparating(numbers, sep);
  const growth = g.isNew ? 1 : g.baselineRatePerSec ? Math.min(1, Math.max(0, Math.log2(g.ratePerSec / g.baselineRatePerSec) / 3)) : 0.5;
  return {
    kind: 'error',
    service: g.service,
    title: `${g.spanName}: ${g.message}`,
    numbers,
    evidence: { traceIds: g.examples, query: { language: 'traceql', text: query }, link: link(ctx.sources.grafana, ctx.window, query, g.service, 'errors') },
    score: round(Math.min(1, 0.3 + 0.4 * Math.min(1, g.shareOfRequests * 10) + 0.3 * growth) * (g.rootFailures > 0 ? 1 : 0.7)),
    details,
  };
}

function latencyFinding(g: SlowGroup, spans: Span[], ctx: StepContext, threshold: number | undefined, memo: SeparatingMemo): Finding {
  const query = slowGroupTraceQL(g);
  const details: Record<string, string> = { 'span.name': g.name };
  if (g.detailKind === 'db.statement' && g.detail) details['db.statement'] = g.detail;
  if (g.detailKind === 'http.route' && g.detail) details['http.route'] = g.detail;
  if (g.detailKind === 'wait' && g.detail) details.wait = g.detail;
  if (g.dbSystem) details['db.system'] = g.dbSystem;
  const sep = separating(spans, ctx.window, g.service, { kind: 'slow' }, memo);
  if (sep) details.separating_attribute = sep.attribute;
  const numbers: Record<string, number | string> = {
    share_of_slow_latency: round(g.share),
    critical_ms_per_request: round(g.perRequestMs, 1),
    critical_ms_per_span: round(g.perOccurrenceMs, 1),
    p90_ms_per_span: round(g.p90OccurrenceMs, 1),
    spans: g.spans,
    requests: g.traces,
  };
  if (threshold !== undefined) numbers.slow_threshold_ms = round(threshold, 1);
  if (g.baselinePerOccurrenceMs !== undefined) numbers.baseline_ms_per_span = round(g.baselinePerOccurrenceMs, 1);
  if (g.baselinePerRequestMs !== undefined) numbers.baseline_ms_per_request = round(g.baselinePerRequestMs, 1);
  if (g.addedMsPerRequest !== undefined) numbers.added_ms_per_request = round(g.addedMsPerRequest, 1);
  addSeparating(numbers, sep);
  const spanLabel = `${g.name}${g.detailKind === 'db.statement' && g.detail ? ` (${g.detail.slice(0, 100)})` : ''}`;
  const growth = g.baselinePerOccurrenceMs === undefined ? 0.5 : Math.min(1, Math.max(0, Math.log2((g.perOccurrenceMs + 1) / (g.baselinePerOccurrenceMs + 1)) / 4));
  return {
    kind: 'latency',
    service: g.service,
    // Without a baseline for this span the share is absolute: say so, the reader cannot assume it grew.
    title: `${spanLabel}: ${Math.round(g.share * 100)}% of slow-request time on the critical path${g.baselinePerOccurrenceMs === undefined ? ' (no baseline to compare with)' : ''}`,
    message: [{ key: g.baselinePerOccurrenceMs === undefined ? 'msg_slow_span_nobase' : 'msg_slow_span', args: { span: spanLabel, pct: Math.round(g.share * 100) } }],
    numbers,
    evidence: { traceIds: g.examples, query: { language: 'traceql', text: query }, link: link(ctx.sources.grafana, ctx.window, query, g.service, 'duration') },
    score: round(Math.min(1, g.share) * (0.4 + 0.6 * growth)),
    details,
  };
}

export const tracesStep: FindingStep = async (ctx: StepContext): Promise<StepResult> => {
  const out: StepResult = { findings: [], partial: [], toolCalls: 0 };
  const traces = ctx.sources.traces;
  if (!traces) {
    out.partial.push('traces: no trace source (set TEMPO_URL or open a bundle with traces/)');
    return out;
  }
  const ranges = ctx.baseline ? [ctx.window, ctx.baseline] : [ctx.window];
  let spans: Span[] = [];
  try {
    if (traces.kind === 'bundle') {
      const whole = ranges.reduce((a, r) => ({ start: Math.min(a.start, r.start), end: Math.max(a.end, r.end) }));
      spans = (await traces.findTraces({ range: whole }, ctx.signal)).spans;
      out.toolCalls++;
    } else {
      // Remote: a bounded sample of errors and of all requests, per range.
      const sets = await Promise.all(ranges.flatMap((r) => [traces.findTraces({ range: r, errorsOnly: true }, ctx.signal), traces.findTraces({ range: r }, ctx.signal)]));
      out.toolCalls += sets.length;
      const seen = new Set<string>();
      for (const set of sets) for (const s of set.spans) if (!seen.has(s.traceId + s.spanId)) (seen.add(s.traceId + s.spanId), spans.push(s));
      if (sets.some((s) => s.partial)) out.partial.push('traces: sampled traces from Tempo; counts are over the sample');
    }
  } catch (e) {
    out.partial.push(`traces: ${(e as Error).message}`);
    return out;
  }
  if (spans.length === 0) {
    out.partial.push('traces: no spans in the window');
    return out;
  }
  const focus = new Set(ctx.services);
  const inFocus = (svc: string, path?: string[]) => focus.size === 0 || focus.has(svc) || (path ?? []).some((p) => focus.has(p));

  // Errors: the prevalent structures touching the suspects, most impactful first.
  const errs = findPrevalentErrors(spans, { window: ctx.window, baseline: ctx.baseline });
  if (errs.noErrorInfo) out.partial.push(`traces: ${errs.noErrorInfo}`);
  const errGroups = errs.groups.filter((g) => inFocus(g.service, g.path.map((p) => p.service)) && (g.isNew !== false || (g.baselineRatePerSec ?? 0) < g.ratePerSec * 0.8));
  const memo: SeparatingMemo = new Map();
  for (const g of errGroups.slice(0, MAX_ERRORS)) out.findings.push(errorFinding(g, spans, ctx, memo));

  // Latency: spans owning the slow requests' critical path, when they grew vs the baseline.
  try {
    const slow = findSlowSpans(spans, { window: ctx.window, baseline: ctx.baseline, mode: 'slow' });
    const grew = (g: SlowGroup) => g.baselinePerOccurrenceMs === undefined || g.perOccurrenceMs > 1.5 * g.baselinePerOccurrenceMs + 1;
    const picked = slow.groups.filter((g) => g.share >= MIN_SHARE && grew(g) && inFocus(g.service)).slice(0, MAX_LATENCY);
    for (const g of picked) out.findings.push(latencyFinding(g, spans, ctx, slow.thresholdMs, memo));
    // Services whose own work per call slowed most (e.g. CPU starvation): one finding for the top one.
    if (ctx.baseline) {
      const cmp = findSlowSpans(spans, { window: ctx.window, baseline: ctx.baseline, mode: 'baseline', examples: 3 });
      const top = cmp.services.find((s) => s.slowdown !== undefined && inFocus(s.service));
      if (top && top.slowdown! >= Math.log2(1.5) && !picked.some((g) => g.service === top.service)) {
        const g = cmp.groups.find((x) => x.service === top.service);
        const factor = 2 ** top.slowdown!;
        const query = renderTraceQL({ spansets: [and(serviceIs(top.service))] });
        out.findings.push({
          kind: 'latency',
          service: top.service,
          title: `own work per call ${factor.toFixed(1)}× slower than the baseline (${round(top.baselineOwnMsPerCall ?? 0, 1)} → ${round(top.ownMsPerCall ?? 0, 1)} ms/call)`,
          message: [{ key: 'msg_own_work', args: { factor: round(factor, 1), before: round(top.baselineOwnMsPerCall ?? 0, 1), after: round(top.ownMsPerCall ?? 0, 1) } }],
          numbers: {
            slowdown_factor: round(factor, 2),
            own_ms_per_call: round(top.ownMsPerCall ?? 0, 1),
            baseline_own_ms_per_call: round(top.baselineOwnMsPerCall ?? 0, 1),
            calls: top.calls,
            baseline_calls: top.baselineCalls,
            added_ms_per_request: round(top.addedMsPerRequest ?? 0, 1),
          },
          evidence: { traceIds: g?.examples ?? [], query: { language: 'traceql', text: query }, link: link(ctx.sources.grafana, ctx.window, query, top.service, 'duration') },
          score: round(Math.min(1, top.slowdown! / 4)),
          details: { 'span.name': g?.name ?? '', measure: 'self time of the service spans per entry call, window vs baseline' },
        });
      }
    }
  } catch (e) {
    out.partial.push(`traces latency: ${(e as Error).message}`);
  }
  return out;
};
