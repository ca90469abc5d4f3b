// Pictures of tool answers, for `queryless call TOOL --format svg|png` and the MCP Apps view. The
// tool runs as usual (validation, budget, masking); its structured answer says what to draw, and the
// picture makers (agent/pictures.ts → src/visuals) fetch what the picture needs. PNG by resvg
// (@resvg/resvg-js: a maintained Rust SVG renderer shipped as prebuilt binaries, no browser).
import type { Sources } from '../sources/types.js';
import { flameGraph, metricChart, redChart, scopeOf, SpanCache, traceWaterfall } from './pictures.js';

export { PICTURE_TOOLS } from './picture-tools.js';

type Range = { start: string; end: string } | undefined;
const range = (r: Range) => (r ? { start: Date.parse(r.start), end: Date.parse(r.end) } : undefined);

/** SVG of a tool's answer; undefined when the answer has nothing to draw. */
export async function toolPicture(tool: string, args: Record<string, unknown>, data: Record<string, unknown>, sources: Sources, lang = 'en', signal?: AbortSignal): Promise<string | undefined> {
  const window = range(data.window as Range);
  const baseline = range(data.baseline as Range);
  switch (tool) {
    case 'get_trace':
      return typeof data.trace_id === 'string' ? traceWaterfall(sources, data.trace_id, lang, signal) : undefined;
    case 'hot_functions': {
      if (!window || typeof data.service !== 'string') return undefined;
      const top = (data.user_functions as Array<{ name: string; kind: string }> | undefined)?.find((u) => u.kind === 'user');
      return flameGraph(sources, data.service, window, scopeOf(window, baseline, lang), { highlight: top?.name, type: data.profile_type as string | undefined, signal });
    }
    case 'service_red': {
      if (!window) return undefined;
      const rows = data.rows as Array<{ key: string }> | undefined;
      const service = typeof args.service === 'string' ? args.service : rows?.[0]?.key;
      if (!service) return undefined;
      const scope = scopeOf(window, baseline, lang);
      return redChart(await new SpanCache(sources, scope.range, signal).red(service), service, scope);
    }
    case 'explore_metric': {
      if (!window || typeof data.query !== 'string') return undefined;
      return metricChart(sources, data.query, String(data.metric ?? data.query), scopeOf(window, baseline, lang), signal);
    }
    default:
      return undefined;
  }
}

/** PNG bytes of an SVG (system fonts; 1 SVG px = 1 PNG px, doubled for legibility). */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
