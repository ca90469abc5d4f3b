// lookup_source: from a function name (as profiles name it) or a `file:line` from a stack trace or
// span to the repository file, a numbered snippet of the function or around the line, and — when the
// profile has line numbers — the cost of each line.
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { isoRange, resolveScope, scopeFields } from './common.js';
import type { CodeSource, SourceFile, StackProfile } from '../src/sources/types.js';
import { CodeSourceError } from '../src/sources/remote/github.js';
import { BackendError } from '../src/http.js';
import { defaultProfileType, formatValue, parseProfileTypeId, resolveProfileType } from '../src/analysis/profiles/types.js';
import { functionMatches, lineCosts, type LineCost } from '../src/analysis/profiles/lines.js';
import { topFunctions } from '../src/analysis/profiles/top.js';
import { definitionPatterns, enclosingFunction, parseLocation, parseSymbol } from '../src/analysis/profiles/symbols.js';
import { functionExtent, renderSnippet, snippetLines } from '../src/analysis/profiles/snippet.js';
import { commonSuffixSegments } from '../src/sources/bundle/source.js';
import { renderProfileQuery } from '../src/query/pyroscope.js';
import { leftOutOnError } from '../src/sources/remote/answer-notes.js';

export const lookupSource = defineTool({
  name: 'lookup_source',
  title: 'Look up source code',
  description:
    'The code behind a function (as profiles name it) or a file:line / stack frame: repository file, numbered snippet, per-line cost from the service\'s profile.',
  input: z.object({
    service: z.string().optional(),
    function: z.string().optional().describe('As profiles or stack traces name it'),
    location: z.string().optional().describe('file:line or a stack frame'),
    file: z.string().optional().describe('Path or a suffix of it'),
    line: z.number().int().min(1).optional(),
    type: z.string().optional().describe('Profile type for line costs (default cpu)'),
    context: z.number().int().min(0).max(60).optional(),
    ...scopeFields,
  }),
  output: z.object({
    repo: z.string(),
    path: z.string(),
    ref: z.string().optional(),
    url: z.string().optional(),
    function: z.string().optional(),
    start_line: z.number(),
    end_line: z.number(),
    definition_line: z.number().optional(),
    snippet: z.string(),
    line_costs: z.array(z.object({ line: z.number(), self: z.number(), total: z.number(), total_share: z.number() })),
    profile_type: z.string().optional(),
    other_candidates: z.array(z.object({ repo: z.string(), path: z.string(), line: z.number() })),
    query: z.string().optional(),
  }),
  annotations: { title: 'Look up source', readOnlyHint: true, openWorldHint: true },
  async handler(args, ctx) {
    const code = ctx.sources.code;
    let file = args.file;
    let line = args.line;
    let fn = args.function;
    if (args.location) {
      const loc = parseLocation(args.location);
      if (!loc) throw new ToolError(`location "${args.location}" has no file:line in it.`, 'pass e.g. "internal/driver/cache.go:42", or use function=…');
      file ??= loc.file;
      line ??= loc.line;
      fn ??= loc.function;
    }
    if (!fn && !file) throw new ToolError('nothing to look up.', 'pass function=… (as hot_functions names it) or location="path/file.go:42" (or file=…).');
    if (!code) {
      throw new ToolError('no source code is available in this configuration.', 'set GITHUB_TOKEN and GITHUB_REPOS=service=owner/repo (or GITHUB_OWNER/GITHUB_REPO), or open a bundle that has a source/ folder.');
    }
    const service = args.service;

    // Profile facts first: the function's file and line costs, when a profile covers it.
    let profile: StackProfile | undefined;
    let typeId: string | undefined;
    if (ctx.sources.profiles && service) {
      const { window } = resolveScope(args, ctx.sources);
      const types = await ctx.sources.profiles.profileTypes(service, window, ctx.signal).catch(leftOutOnError('profile types (for per-line costs)', []));
      const ids = types.map((t) => t.id);
      if (args.type) {
        typeId = resolveProfileType(args.type, ids);
        if (!typeId && ids.length) throw new ToolError(`unknown profile type "${args.type}" for service "${service}".`, `available: ${ids.join(', ')}`);
      } else typeId = defaultProfileType(ids);
      if (typeId) profile = await ctx.sources.profiles.mergedProfile(service, typeId, window, ctx.signal).catch(leftOutOnError('the merged profile (per-line costs)', undefined));
      if (profile && fn && !file) {
        const top = topFunctions(profile);
        const hit = top.byName.get(fn) ?? top.functions.find((f) => functionMatches(f.name, fn!));
        if (hit) {
          fn = hit.name;
          if (hit.file) file = hit.file;
        }
      }
    }

    // Find the file.
    let src: SourceFile | undefined;
    let defLine: number | undefined;
    const others: Array<{ repo: string; path: string; line: number }> = [];
    try {
      if (file) src = await code.readFile(service, file, ctx.signal);
      if (fn) {
        if (src) defLine = findDefinition(src, fn, line);
        if (!src || (defLine === undefined && line === undefined)) {
          const found = await code.findFunction(service, fn, ctx.signal);
          if (found.length) {
            const pick = src ? found.find((f) => f.file.path === src!.path) ?? found[0]! : found[0]!;
            src = pick.file;
            defLine = pick.line;
            for (const f of found) if (f !== pick) others.push({ repo: f.file.repo, path: f.file.path, line: f.line });
          }
        }
      }
    } catch (e) {
      if (e instanceof CodeSourceError) throw new ToolError(e.message, e.hint);
      if (e instanceof BackendError) throw new ToolError(e.message, e.hint);
      throw e;
    }
    if (!src) {
      const what = [fn && `function ${fn}`, file && `file ${file}`].filter(Boolean).join(' / ');
      throw new ToolError(`${what} not found in ${code.kind === 'bundle' ? "the bundle's source/ tree" : 'the repository'}${service ? ` for service "${service}"` : ''}.`, 'check the service name, or pass a path suffix (file=…) or a shorter function name.');
    }

    // A bare file:line: name the function around it, so the snippet shows the whole function.
    let enclosing: string | undefined;
    if (!fn && line !== undefined) {
      const e = enclosingFunction(src.text, line, src.path);
      if (e && functionExtent(src.text, e.line, src.path, 200) >= line) {
        enclosing = e.name;
        defLine = e.line;
      }
    }

    // Line costs for this file (the profile's path may be a build path: match by suffix).
    let costs: LineCost[] = [];
    if (profile) {
      const all = lineCosts(profile, { fn });
      const inFile = all.filter((c) => commonSuffixSegments(c.file, src!.path) > 0);
      costs = inFile.length ? inFile : fn ? [] : lineCosts(profile, { file: src.path });
    }
    const total = profile ? topFunctions(profile).total : 0;

    // Snippet range: the function body from its definition, else context around the line; widened to the hot lines.
    const context = args.context ?? 8;
    const nLines = src.text.split('\n').length;
    let start: number;
    let end: number;
    if (defLine !== undefined) {
      start = defLine;
      end = functionExtent(src.text, defLine, src.path, 80);
      // A long function around a given line: show the line with its context rather than the whole body.
      if (line !== undefined && (line < start || line > end || (enclosing && end - start > 4 * context + 1))) {
        start = Math.max(1, line - context);
        end = Math.min(nLines, line + context);
      }
    } else if (line !== undefined) {
      start = Math.max(1, line - context);
      end = Math.min(nLines, line + context);
    } else {
      start = 1;
      end = Math.min(nLines, 2 * context + 1);
    }
    const hot = costs.filter((c) => c.cum > 0).map((c) => c.line);
    if (hot.length && defLine !== undefined && !enclosing) {
      start = Math.max(1, Math.min(start, ...hot.filter((l) => l >= defLine! - 2)));
      end = Math.min(nLines, Math.max(end, ...hot.filter((l) => l <= defLine! + 200)));
    }
    const unit = typeId ? parseProfileTypeId(typeId)?.sampleUnit ?? '' : '';
    const costMap = new Map(costs.map((c) => [c.line, { flat: c.flat, cum: c.cum }]));
    const rows = snippetLines(src.text, start, end, costMap);
    const snippet = renderSnippet(rows, costs.length ? (v) => formatValue(v, unit) : undefined, line ?? defLine);
    const url = src.url ? `${src.url}#L${start}-L${end}` : undefined;
    const lineCostsOut = costs
      .filter((c) => c.cum > 0)
      .sort((a, b) => b.cum - a.cum)
      .slice(0, 20)
      .map((c) => ({ line: c.line, self: c.flat, total: c.cum, total_share: total ? Math.round((c.cum / total) * 1e4) / 1e4 : 0 }));
    const query = typeId && service ? renderProfileQuery(typeId, { service }) : undefined;

    const head = `${src.repo}:${src.path}${src.ref ? `@${src.ref}` : ''} lines ${start}–${end}${fn ? ` · ${fn}` : enclosing ? ` · in ${enclosing}()` : ''}${defLine ? ` (defined at line ${defLine})` : ''}${url ? `\n${url}` : ''}`;
    const costNote = costs.length
      ? `per-line cost from ${typeId} (${isoRange(profile!.range).start} → ${isoRange(profile!.range).end}); columns: self total. Hottest lines: ${lineCostsOut
          .slice(0, 5)
          .map((c) => `L${c.line} ${formatValue(c.total, unit)} (${(c.total_share * 100).toFixed(1)}%)`)
          .join(', ')}`
      : profile
        ? 'the profile has no line-level samples for this function.'
        : '';
    const sections = [[head, costNote].filter(Boolean).join('\n'), snippet];
    if (others.length) sections.push(`other candidates: ${others.map((o) => `${o.path}:${o.line}`).join(', ')}`);
    return {
      data: {
        repo: src.repo,
        path: src.path,
        ref: src.ref,
        url,
        function: fn ?? enclosing,
        start_line: start,
        end_line: end,
        definition_line: defLine,
        snippet,
        line_costs: lineCostsOut,
        profile_type: costs.length ? typeId : undefined,
        other_candidates: others,
        query,
      },
      text: sections,
      narrow: 'Lower `context`, or pass `line` to focus.',
    };
  },
});

/** The definition line of `fn` in a file, nearest before `near` when several match. */
function findDefinition(src: SourceFile, fn: string, near?: number): number | undefined {
  const sym = parseSymbol(fn);
  if (!sym.func) return undefined;
  const ext = src.path.slice(src.path.lastIndexOf('.') + 1).toLowerCase();
  const patterns = definitionPatterns(ext, sym);
  const lines = src.text.split('\n');
  let best: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.includes(sym.func) || !patterns.some((re) => re.test(l))) continue;
    if (near === undefined) return i + 1;
    if (i + 1 <= near) best = i + 1;
    else if (best === undefined) best = i + 1;
  }
  return best;
}
