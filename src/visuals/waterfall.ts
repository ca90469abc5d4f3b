// Trace waterfall: one row per span (indented by depth), bars on the request's timeline, the critical
// path marked (an orange band under the bar: the spans the request actually waited for) and errors in
// red. Rows come from the same compact view as get_trace (analysis/traces/view.ts): long traces keep
// the critical path and the errors, and runs of similar siblings are collapsed.
import type { Span } from '../sources/types.js';
import { traceView } from '../analysis/traces/view.js';
import { esc, fit, fmtMs, hueOf, n, svgDoc, text, ticks } from './svg.js';

export interface WaterfallLabels {
  title: string;
  critical: string;
  error: string;
}

export interface WaterfallOptions {
  width?: number;
  maxRows?: number;
  labels?: Partial<WaterfallLabels>;
}

const ROW = 18;

export function waterfallSvg(traceId: string, spans: Span[], o: WaterfallOptions = {}): string {
  const L: WaterfallLabels = { title: `Trace ${traceId}`, critical: 'critical path', error: 'error', ...o.labels };
  const W = o.width ?? 960;
  const v = traceView(traceId, spans, o.maxRows ?? 40);
  const labelW = Math.round(W * 0.36);
  const plotX = labelW + 8;
  const plotW = W - plotX - 70;
  const top = 44;
  // The timeline covers the root and anything that outlives it (async children, clock skew).
  let endOff = v.durationMs;
  let startOff = 0;
  for (const x of v.nodes) {
    endOff = Math.max(endOff, x.startOffsetMs + x.durationMs);
    startOff = Math.min(startOff, x.startOffsetMs);
  }
  const span = Math.max(endOff - startOff, 1e-6);
  const X = (ms: number) => plotX + ((ms - startOff) / span) * plotW;
  const H = top + v.nodes.length * ROW + 10;
  const body: string[] = [text(8, 16, L.title, 'font-size="13" font-weight="600"')];
  // Legend on the right of the title line.
  body.push(`<rect x="${W - 250}" y="7" width="14" height="4" fill="#e8590c"/>${text(W - 232, 14, fit(L.critical, 110, 11))}`);
  body.push(`<rect x="${W - 110}" y="5" width="12" height="10" fill="#e03131"/>${text(W - 94, 14, fit(L.error, 90, 11))}`);
  for (const t of ticks(startOff, endOff, 6)) {
    body.push(`<line x1="${n(X(t))}" x2="${n(X(t))}" y1="${top - 6}" y2="${H - 8}" stroke="#eef0f3"/>`);
    body.push(text(X(t), top - 10, fmtMs(t), 'font-size="10" text-anchor="middle" fill="#52606d"'));
  }
  v.nodes.forEach((x, i) => {
    const y = top + i * ROW;
    if (i % 2 === 0) body.push(`<rect x="0" y="${y}" width="${W}" height="${ROW}" fill="#f7f8fa"/>`);
    const indent = Math.min(x.depth, 14) * 10;
    const label = x.spanId ? `${x.service}: ${x.name}` : x.name;
    const hue = hueOf(x.service);
    body.push(`<rect x="${4 + indent}" y="${y + 4}" width="4" height="${ROW - 8}" fill="hsl(${hue},55%,50%)"/>`);
    body.push(text(12 + indent, y + 13, fit(label, labelW - 14 - indent, 11), x.error ? 'fill="#c92a2a"' : x.spanId ? '' : 'fill="#7b8794" font-style="italic"'));
    if (!x.spanId) return;
    const bx = X(x.startOffsetMs);
    const bw = Math.max(1, X(x.startOffsetMs + x.durationMs) - bx);
    const fill = x.error ? '#e03131' : `hsl(${hue},50%,62%)`;
    const tip = `${x.service}: ${x.name} — ${fmtMs(x.durationMs)} @+${fmtMs(x.startOffsetMs)}, self ${fmtMs(x.selfMs)}${x.criticalMs > 0 ? `, ${L.critical} ${fmtMs(x.criticalMs)}` : ''}${x.error_message ? ` — ${x.error_message}` : ''}`;
    body.push(
      `<g class="span${x.critical ? ' critical' : ''}${x.error ? ' error' : ''}"><title>${esc(tip)}</title>` +
        `<rect x="${n(bx)}" y="${y + 3}" width="${n(bw)}" height="${ROW - 8}" rx="2" fill="${fill}"/>` +
        (x.critical ? `<rect x="${n(bx)}" y="${y + ROW - 5}" width="${n(bw)}" height="3" fill="#e8590c"/>` : '') +
        '</g>',
    );
    body.push(text(Math.min(bx + bw + 4, W - 66), y + 13, fmtMs(x.durationMs), 'font-size="10" fill="#323f4b"'));
  });
  const title = `${L.title} — ${v.rootService}: ${v.rootName}, ${fmtMs(v.durationMs)}, ${v.spans} spans${v.hidden ? ` (${v.hidden} collapsed)` : ''}`;
  return svgDoc({ width: W, height: H, title, body: body.join('') });
}
