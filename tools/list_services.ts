// list_services: every service seen in any signal, with RED numbers from traces, window vs baseline.
import { z } from 'zod';
import { defineTool } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { redBy, type RedStats } from '../src/analysis/traces/red.js';
import { fmtChange, fmtMs, fmtPct, fmtRate, table } from './format.js';
import type { TimeRange } from '../src/sources/types.js';
import { MAX_ERROR_TEXT_CHARS } from '../src/limits.js';

function boundedMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > MAX_ERROR_TEXT_CHARS ? `${m.slice(0, MAX_ERROR_TEXT_CHARS)}… [+${m.length - MAX_ERROR_TEXT_CHARS} chars]` : m;
}

const red = z.object({
  requests: z.number(),
  errors: z.number(),
  rate_per_s: z.number(),
  error_rate: z.number(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
});

const serviceRow = z.object({
  service: z.string(),
  signals: z.object({ traces: z.boolean(), logs: z.boolean(), metrics: z.boolean(), profiles: z.boolean() }),
  window: red.optional(),
  baseline: red.optional(),
});

function toRed(r: RedStats | undefined): z.infer<typeof red> | undefined {
  if (!r) return undefined;
  const n = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);
  return { requests: r.requests, errors: r.errors, rate_per_s: n(r.ratePerSec) ?? 0, error_rate: n(r.errorRate) ?? 0, p50_ms: n(r.p50Ms), p95_ms: n(r.p95Ms) };
}

export const listServices = defineTool({
  name: 'list_services',
  title: 'List services',
  description:
    'Every service seen in any signal, with request rate, error rate and p50/p95 latency, window vs baseline. Start here.',
  input: z.object({ ...scopeFields }),
  output: z.object({
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    services: z.array(serviceRow),
  }),
  annotations: { title: 'List services', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { window, baseline } = resolveScope(args, ctx.sources);
    const s = ctx.sources;
    const whole: TimeRange = baseline ? { start: Math.min(window.start, baseline.start), end: Math.max(window.end, baseline.end) } : window;
    // One failing backend costs only its own column: the others still answer, and the failure is
    // reported (naming the backend) in `problems` and in the text.
    const failed: string[] = [];
    const partial = async <T>(what: string, p: Promise<T> | undefined, fallback: T): Promise<T> => {
      if (!p) return fallback;
      try {
        return await p;
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        failed.push(`${what}: ${boundedMessage(e)}`);
        return fallback;
      }
    };
    const [traceSvcs, logSvcs, metricSvcs, profileSvcs] = await Promise.all([
      partial('traces', s.traces?.services(whole, ctx.signal), [] as string[]),
      partial('logs', s.logs?.services(whole, ctx.signal), [] as string[]),
      partial('metrics', s.metrics ? Promise.all([s.metrics.labelValues('service', whole, ctx.signal), s.metrics.labelValues('job', whole, ctx.signal)]).then((a) => a.flat()) : undefined, [] as string[]),
      partial('profiles', s.profiles?.services(whole, ctx.signal), [] as string[]),
    ]);
    let redWindow = new Map<string, RedStats>();
    let redBase = new Map<string, RedStats>();
    if (s.traces && traceSvcs.length) {
      const set = await partial('traces (request rates)', s.traces.findTraces({ range: whole }, ctx.signal), undefined);
      if (set) {
        redWindow = redBy(set.spans, window, (sp) => sp.service);
        if (baseline) redBase = redBy(set.spans, baseline, (sp) => sp.service);
      }
    }
    // Sets, not arrays: a backend may list 100k+ services (no spread into push, no includes() scans).
    const has = { traces: new Set(traceSvcs), logs: new Set(logSvcs), metrics: new Set(metricSvcs), profiles: new Set(profileSvcs) };
    const all = new Set<string>();
    for (const set of Object.values(has)) for (const n of set) all.add(n);
    const names = [...all].sort();
    const services = names.map((name) => ({
      service: name,
      signals: { traces: has.traces.has(name), logs: has.logs.has(name), metrics: has.metrics.has(name), profiles: has.profiles.has(name) },
      window: toRed(redWindow.get(name)),
      baseline: toRed(redBase.get(name)),
    }));
    // Busiest and most erroring first in the text; structured output keeps alphabetical order.
    const ranked = [...services].sort((a, b) => (b.window?.errors ?? 0) - (a.window?.errors ?? 0) || (b.window?.requests ?? 0) - (a.window?.requests ?? 0));
    const rows = ranked.map((r) => {
      const w = redWindow.get(r.service);
      const b = redBase.get(r.service);
      const sig = (['traces', 'logs', 'metrics', 'profiles'] as const).filter((k) => r.signals[k]).map((k) => k[0]).join('');
      return [
        r.service,
        sig,
        w ? fmtRate(w.ratePerSec) + fmtChange(w.ratePerSec, b?.ratePerSec) : '–',
        w ? fmtPct(w.errorRate) + (b ? ` (was ${fmtPct(b.errorRate)})` : '') : '–',
        w ? fmtMs(w.p50Ms) : '–',
        w ? fmtMs(w.p95Ms) + fmtChange(w.p95Ms, b?.p95Ms) : '–',
      ];
    });
    const failedText = failed.length ? `\n⚠ partial answer: ${failed.length} source(s) failed (see the data problems below).` : '';
    const head = `${services.length} service(s) in ${s.describe}; window ${isoRange(window).start} → ${isoRange(window).end}${baseline ? `, baseline ${isoRange(baseline).start} → ${isoRange(baseline).end}` : ''}. Signals: t=traces l=logs m=metrics p=profiles.${failedText}`;
    const tbl = table(['service', 'sig', 'req rate', 'errors', 'p50', 'p95'], rows).split('\n');
    // One section per 10 rows so the budget cuts whole groups of services.
    const sections = [head + '\n' + tbl.slice(0, 11).join('\n')];
    for (let i = 11; i < tbl.length; i += 10) sections.push(tbl.slice(i, i + 10).join('\n'));
    return {
      data: { window: isoRange(window), baseline: baseline ? isoRange(baseline) : undefined, services, ...(failed.length ? { problems: failed } : {}) },
      text: sections,
      narrow: 'Services are sorted by errors then traffic; pass a smaller window, or use service_red for one service.',
    };
  },
});
