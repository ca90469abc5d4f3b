// hot_functions: which code burns the CPU (or allocates, or waits on locks) for a service, with
// runtime/stdlib time attributed to the user code that causes it, top call paths, and what got
// hotter vs the baseline per second. With no type, also lists the profile types that exist.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { fmtPct, table } from './format.js';
import type { ProfileSource, TimeRange } from '../src/sources/types.js';
import { analyzeHot } from '../src/analysis/profiles/hot.js';
import { stackCount } from '../src/analysis/profiles/compact-stacks.js';
import { defaultProfileType, formatRate, formatValue, parseProfileTypeId, resolveProfileType } from '../src/analysis/profiles/types.js';
import { causeLabel } from '../src/analysis/profiles/classify.js';
import { shortName } from '../src/analysis/profiles/top.js';
import { renderProfileQuery } from '../src/query/pyroscope.js';
import { profilesDrilldownLink } from '../src/links.js';
import { BackendError } from '../src/http.js';

const fnRow = z.object({
  name: z.string(),
  kind: z.enum(['user', 'library', 'runtime']),
  self: z.number(),
  self_share: z.number(),
  total: z.number(),
  total_share: z.number(),
  file: z.string().optional(),
  line: z.number().optional(),
});

const userRow = fnRow.extend({
  attributed: z.number().describe('Own self cost plus the runtime/library self cost of what it calls'),
  attributed_share: z.number(),
  causes: z.record(z.string(), z.number()).describe('Share of the attributed cost under lock, gc, regexp, json, syscall… frames'),
  via: z.array(z.object({ name: z.string(), share: z.number() })),
  callers: z.array(z.string()),
});

const diffRow = z.object({
  name: z.string(),
  kind: z.enum(['user', 'library', 'runtime']),
  per_s_now: z.number(),
  per_s_before: z.number(),
  delta_per_s: z.number(),
  change: z.number().nullable().describe('Relative change; null when new'),
  share: z.number(),
  baseline_share: z.number(),
  file: z.string().optional(),
  line: z.number().optional(),
});

export const hotFunctions = defineTool({
  name: 'hot_functions',
  title: 'Hot functions from profiles',
  description:
    'Functions burning CPU (or allocating, locking, blocking) in a service, from profiles: self/total cost, user code vs runtime, hot paths, growth vs baseline. No service or type: lists what is profiled. Then lookup_source.',
  input: z.object({
    service: z.string().optional(),
    type: z
      .string()
      .optional()
      .describe('cpu, wall, alloc_space, alloc_objects, inuse_space, mutex, block, goroutine or a full type id'),
    ...scopeFields,
    compare: z.boolean().optional().describe('Diff vs baseline (default true)'),
    limit: z.number().int().min(1).max(50).optional(),
  }),
  output: z.object({
    service: z.string().optional(),
    profile_type: z.string().optional(),
    unit: z.string().optional(),
    window: rangeSchema,
    baseline: rangeSchema.optional(),
    types: z.array(z.object({ id: z.string(), services: z.array(z.string()) })),
    total: z.number().optional(),
    per_second: z.number().optional(),
    baseline_per_second: z.number().optional(),
    user_functions: z.array(userRow),
    functions: z.array(fnRow),
    functions_by_total: z.array(fnRow),
    paths: z.array(z.object({ frames: z.array(z.string()), value: z.number(), share: z.number() })),
    grew: z.array(diffRow),
    shrank: z.array(diffRow),
    query: z.string().optional(),
    link: z.string().optional(),
  }),
  annotations: { title: 'Hot functions', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const profiles = ctx.sources.profiles;
    if (!profiles) throw new ToolError('no profiles are available in this configuration.', 'set PYROSCOPE_URL (or GRAFANA_URL + GRAFANA_PYROSCOPE_UID), or open a bundle with a profiles/ folder (--bundle DIR).');
    const { window, baseline } = resolveScope(args, ctx.sources);
    const limit = args.limit ?? 10;
    const types = await guard(() => profiles.profileTypes(args.service, window, ctx.signal));
    const typesOut = types.map((t) => ({ id: t.id, services: t.services }));
    const empty = { user_functions: [], functions: [], functions_by_total: [], paths: [], grew: [], shrank: [] };
    if (!args.service) {
      if (!types.length) throw new ToolError(`no profiles in the window ${isoRange(window).start} → ${isoRange(window).end}.`, await widerHint(profiles, ctx.signal));
      const services = [...new Set(types.flatMap((t) => t.services))].sort();
      const text = [
        `Profiles exist for ${services.length} service(s) in ${isoRange(window).start} → ${isoRange(window).end}: ${services.join(', ')}. Pass service (and optionally type) to see hot functions.`,
        table(['profile type', 'services'], types.map((t) => [t.id, t.services.join(', ')])),
      ];
      return { data: { window: isoRange(window), baseline: baseline ? isoRange(baseline) : undefined, types: typesOut, ...empty }, text };
    }
    const service = args.service;
    if (!types.length) {
      const known = await guard(() => profiles.services(window, ctx.signal));
      throw new ToolError(
        `no profiles for service "${service}" in the window ${isoRange(window).start} → ${isoRange(window).end}.`,
        known.length ? `services with profiles in this window: ${known.join(', ')}.` : await widerHint(profiles, ctx.signal),
      );
    }
    const ids = types.map((t) => t.id);
    let typeId: string;
    if (args.type) {
      const r = resolveProfileType(args.type, ids);
      if (!r) throw new ToolError(`unknown profile type "${args.type}" for service "${service}".`, `available types: ${ids.join(', ')} (aliases: cpu, wall, alloc_space, alloc_objects, inuse_space, mutex, block, goroutine).`);
      typeId = r;
    } else typeId = defaultProfileType(ids)!;
    const unit = parseProfileTypeId(typeId)?.sampleUnit ?? '';
    const compare = args.compare ?? true;
    const [cur, base] = await Promise.all([
      guard(() => profiles.mergedProfile(service, typeId, window, ctx.signal)),
      compare && baseline ? guard(() => profiles.mergedProfile(service, typeId, baseline, ctx.signal)) : Promise.resolve(undefined),
    ]);
    if (!cur || !stackCount(cur)) {
      throw new ToolError(`the ${typeId} profile of "${service}" is empty in the window ${isoRange(window).start} → ${isoRange(window).end}.`, 'widen the window (from/to) or pick another type.');
    }
    const a = analyzeHot(cur, base, limit);
    const query = renderProfileQuery(typeId, { service });
    const link = profilesDrilldownLink(ctx.sources.grafana, window, service, typeId, !!a.diff);
    const share = (v: number) => (a.total ? v / a.total : 0);
    const round = (v: number) => Math.round(v * 1e4) / 1e4;
    const fmt = (v: number) => formatValue(v, unit);
    const row = (f: { name: string; kind: 'user' | 'library' | 'runtime'; flat: number; cum: number; file?: string; line?: number }) => ({
      name: f.name,
      kind: f.kind,
      self: f.flat,
      self_share: round(share(f.flat)),
      total: f.cum,
      total_share: round(share(f.cum)),
      file: f.file,
      line: f.line,
    });
    const grewChange = a.diff?.byName ?? new Map();
    const diffRowOf = (d: NonNullable<typeof a.diff>['grew'][number]) => {
      const now = d.kind === 'user' ? d.attributedPerSec : d.flatPerSec;
      const before = d.kind === 'user' ? d.basePerSecAttributed : d.basePerSecFlat;
      return { name: d.name, kind: d.kind, per_s_now: now, per_s_before: before, delta_per_s: d.delta, change: Number.isFinite(d.change) ? round(d.change) : null, share: round(d.share), baseline_share: round(d.baseShare), file: d.file, line: d.line };
    };
    const data = {
      service,
      profile_type: typeId,
      unit,
      window: isoRange(window),
      baseline: a.diff && baseline ? isoRange(baseline) : undefined,
      types: typesOut,
      total: a.total,
      per_second: a.total / a.seconds,
      baseline_per_second: a.diff?.basePerSec,
      user_functions: a.user.map((u) => ({
        ...row(u),
        attributed: u.attributed,
        attributed_share: round(share(u.attributed)),
        causes: Object.fromEntries(Object.entries(u.causes).map(([k, v]) => [k, round(u.attributed ? v / u.attributed : 0)])),
        via: u.via.map((v) => ({ name: v.name, share: round(u.attributed ? v.value / u.attributed : 0) })),
        callers: u.callers,
      })),
      functions: a.flat.map(row),
      functions_by_total: a.cum.map(row),
      paths: a.paths.map((p) => ({ frames: p.frames, value: p.value, share: round(share(p.value)) })),
      grew: (a.diff?.grew ?? []).map(diffRowOf),
      shrank: (a.diff?.shrank ?? []).map(diffRowOf),
      query,
      link,
    };

    // ---- text, most important first
    const rate = (v: number) => formatRate(v, unit);
    const head = [
      `${service} · ${typeId} · ${isoRange(window).start} → ${isoRange(window).end}: total ${fmt(a.total)} over ${a.seconds.toFixed(0)}s (${rate(a.total / a.seconds)})` +
        (a.diff ? `; baseline ${rate(a.diff.basePerSec)}${fmtDelta(a.diff.windowPerSec, a.diff.basePerSec)}` : compare && baseline ? '; no baseline profiles to compare' : '') +
        '.',
      `query: ${query}${link ? `\nlink: ${link}` : ''}`,
    ];
    if (!args.type && types.length > 1) head.push(`other profile types: ${ids.filter((i) => i !== typeId).join(', ')} (pass type=…)`);
    const userRows = a.user.map((u) => {
      const g = grewChange.get(u.name);
      const causes = Object.entries(u.causes)
        .filter(([, v]) => v / (u.attributed || 1) >= 0.1)
        .slice(0, 3)
        .map(([k, v]) => `${causeLabel(k)} ${fmtPct(v / u.attributed, 0)}`)
        .join(', ');
      return [
        shortName(u.name) + (u.kind === 'user' ? '' : ` [${u.kind}, no user caller]`),
        fmtPct(share(u.attributed)),
        fmtPct(share(u.flat)),
        fmtPct(share(u.cum)),
        g ? (Number.isFinite(g.change) ? (Math.abs(g.change) < 0.005 ? '=' : `${g.change >= 0 ? '+' : ''}${(g.change * 100).toFixed(0)}%`) : 'new') : a.diff ? '=' : '',
        causes || (u.via[0] ? `via ${shortName(u.via[0].name)}` : ''),
      ];
    });
    const sections: string[] = [];
    sections.push(
      head.join('\n') +
        '\nHottest user code (attributed = own time + runtime/library time it calls):\n' +
        table(['function', 'attributed', 'self', 'total', 'vs base', 'under it'], userRows),
    );
    if (a.diff) {
      const g = a.diff.grew.slice(0, limit).map((d) => {
        const r = diffRowOf(d);
        return [shortName(d.name), d.kind, rate(r.per_s_before), rate(r.per_s_now), `+${rate(d.delta)}`, r.change === null ? 'new' : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(0)}%`];
      });
      sections.push(`Grew vs baseline (per second; user functions by attributed cost, others by self):\n${g.length ? table(['function', 'kind', 'before', 'now', 'delta', 'change'], g) : '(nothing grew)'}`);
    }
    sections.push(
      `Top functions by self (pprof flat), all frames:\n` +
        table(
          ['self', 'self%', 'total', 'total%', 'kind', 'function'],
          a.flat.map((f) => [fmt(f.flat), fmtPct(share(f.flat)), fmt(f.cum), fmtPct(share(f.cum)), f.kind, f.name]),
        ),
    );
    if (a.paths.length) {
      sections.push(`Top call paths (user frames + the hot tail):\n${a.paths.map((p) => `${fmtPct(share(p.value)).padStart(6)}  ${p.frames.map(shortName).join(' → ')}`).join('\n')}`);
    }
    sections.push(
      `Top functions by total (pprof cum):\n` + table(['total', 'total%', 'self', 'kind', 'function'], a.cum.map((f) => [fmt(f.cum), fmtPct(share(f.cum)), fmt(f.flat), f.kind, f.name])),
    );
    if (a.diff?.shrank.length) {
      sections.push(`Shrank vs baseline:\n${a.diff.shrank.slice(0, 5).map((d) => `${shortName(d.name)} ${rate(d.delta)}`).join('\n')}`);
    }
    return { data, text: sections, narrow: 'Raise `budget`, lower `limit`, or pick one type.' };
  },
});

function fmtDelta(now: number, before: number): string {
  if (!before) return now ? ' (new)' : '';
  const r = (now - before) / before;
  return ` (${r >= 0 ? '+' : ''}${(r * 100).toFixed(0)}%)`;
}

/** Backend failures become tool errors that name the backend and say what to do. */
async function guard<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof BackendError) throw new ToolError(e.message, e.hint);
    throw e;
  }
}

async function widerHint(p: ProfileSource, signal: AbortSignal): Promise<string> {
  const all: TimeRange = { start: 0, end: 8.64e15 };
  const svcs = p.kind === 'bundle' ? await p.services(all, signal).catch(() => []) : [];
  return svcs.length ? `profiles exist for ${svcs.join(', ')} outside this window: widen from/to.` : 'widen the window (from/to), or check that profiles are being collected.';
}
