// rank_suspects: which services moved most in the window vs its baseline, across every signal that exists.
import { z } from 'zod';
import { defineTool } from './types.js';
import { isoRange, rangeSchema, resolveScope, scopeFields } from './common.js';
import { rankSuspects } from '../src/analysis/suspects/index.js';
import { table } from './format.js';
import { traceqlExploreLink } from '../src/links.js';

const suspectRow = z.object({
  service: z.string(),
  score: z.number(),
  parts: z.record(z.string(), z.number()).describe('Score parts by feature (robust z-like, weighted), before the causality discount'),
  evidence: z.array(z.string()),
  explained_by: z.array(z.string()).optional().describe('Callees that moved as much: part of this service’s movement is theirs'),
  query: z.string().describe('TraceQL that shows this service’s spans in the window'),
  link: z.string().optional(),
});

export const rankSuspectsTool = defineTool({
  name: 'rank_suspects',
  title: 'Rank suspect services',
  description:
    'Ranks services by how much their traces, logs, metrics and profiles moved vs the baseline, callers discounted when a callee explains them; shows each score\'s parts. Use first to know where to look.',
  input: z.object({
    ...scopeFields,
    limit: z.number().int().min(1).max(50).optional(),
  }),
  output: z.object({
    window: rangeSchema,
    baseline: rangeSchema,
    signals: z.object({ traces: z.boolean(), logs: z.boolean(), metrics: z.boolean(), profiles: z.boolean() }),
    suspects: z.array(suspectRow),
    partial: z.array(z.string()),
    lead: z
      .object({ ratio: z.number(), runner_up: z.string(), close: z.boolean() })
      .optional()
      .describe('First suspect\'s score over the second\'s; close=true: the evidence does not separate them, check both'),
  }),
  annotations: { title: 'Rank suspect services', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const { window, baseline: b } = resolveScope(args, ctx.sources);
    const baseline = b ?? { start: window.start - (window.end - window.start), end: window.start };
    const res = await rankSuspects(ctx.sources, window, baseline, { signal: ctx.signal });
    const limit = args.limit ?? 10;
    const rows = res.suspects.slice(0, limit).map((s) => {
      const query = `{ resource.service.name = "${s.service.replace(/"/g, '\\"')}" }`;
      return {
        service: s.service,
        score: s.score,
        parts: s.parts,
        evidence: s.evidence,
        explained_by: s.explainedBy,
        query,
        link: traceqlExploreLink(ctx.sources.grafana, window, query),
      };
    });
    const used = (Object.keys(res.signals) as Array<keyof typeof res.signals>).filter((k) => res.signals[k]);
    const head = `${res.suspects.length} service(s) moved; window ${isoRange(window).start} → ${isoRange(window).end} vs baseline ${isoRange(baseline).start} → ${isoRange(baseline).end}; signals used: ${used.join(', ') || 'none'}.`;
    const tbl = table(
      ['#', 'service', 'score', 'parts'],
      rows.map((r, i) => [String(i + 1), r.service, r.score.toFixed(2), Object.entries(r.parts).map(([k, v]) => `${k}=${v}`).join(' ') + (r.explained_by ? ` (callee ${r.explained_by.join(',')} explains part)` : '')]),
    );
    const lead = res.lead
      ? res.lead.close
        ? `close call: ${res.suspects[0]!.service} leads ${res.lead.runnerUp} by only ×${res.lead.ratio.toFixed(2)}; check both.`
        : `lead: ${res.suspects[0]!.service} scores ×${Number.isFinite(res.lead.ratio) ? res.lead.ratio.toFixed(2) : '∞'} the runner-up (${res.lead.runnerUp}).`
      : '';
    const sections = [head + (lead ? ' ' + lead : '') + '\n' + tbl];
    for (const r of rows.slice(0, 5)) sections.push(`${r.service}:\n${r.evidence.map((e) => `  - ${e}`).join('\n')}\n  query: ${r.query}`);
    if (res.partial.length) sections.push(`partial: ${res.partial.join('; ')}`);
    return {
      data: {
        window: isoRange(window),
        baseline: isoRange(baseline),
        signals: res.signals,
        suspects: rows,
        partial: res.partial,
        lead: res.lead ? { ratio: Number.isFinite(res.lead.ratio) ? res.lead.ratio : 1e9, runner_up: res.lead.runnerUp, close: res.lead.close } : undefined,
      },
      text: sections,
      narrow: 'Lower `limit`, or narrow the window to the incident start.',
    };
  },
});
