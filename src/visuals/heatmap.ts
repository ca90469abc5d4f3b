// Latency heatmap of one operation: time across, duration up (log scale), colour = how many requests
// fell in the cell. A new slow mode shows as a second band that a percentile line would blur.
import type { TimeRange } from '../sources/types.js';
import { clock, esc, fmtMs, n, svgDoc, text, timeTicks } from './svg.js';

export interface HeatSample {
  t: number;
  ms: number;
  /** How many requests this sample stands for (a histogram bucket's count); 1 when absent. */
  n?: number;
}

export interface HeatmapOptions {
  title: string;
  range: TimeRange;
  baseline?: TimeRange;
  change?: number;
  labels?: { baseline?: string; change?: string; requests?: string };
  width?: number;
  height?: number;
  columns?: number;
  rows?: number;
}

/** Sequential colour (pale yellow → orange → dark red for the densest), sqrt-scaled counts. */
function colour(frac: number): string {
  const t = Math.sqrt(frac);
  const h = 52 - 50 * t;
  const s = 85 + 10 * t;
  const l = 80 - 45 * t;
  return `hsl(${n(h)},${n(s)}%,${n(l)}%)`;
}

export function heatmapSvg(samples: HeatSample[], o: HeatmapOptions): string {
  const W = o.width ?? 960;
  const H = o.height ?? 250;
  const C = o.columns ?? 60;
  const R = o.rows ?? 24;
  const left = 58;
  const top = 42;
  const plotW = W - left - 16;
  const plotH = H - top - 26;
  const { start, end } = o.range;
  const span = Math.max(1, end - start);
  const ds = samples.filter((s) => s.t >= start && s.t < end && s.ms > 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of ds) {
    if (s.ms < lo) lo = s.ms;
    if (s.ms > hi) hi = s.ms;
  }
  if (!ds.length) {
    lo = 1;
    hi = 10;
  }
  const l0 = Math.log10(Math.max(lo, 1e-3)) - 0.02;
  const l1 = Math.max(Math.log10(Math.max(hi, 1e-3)) + 0.02, l0 + 1);
  const grid = new Float64Array(C * R);
  let max = 0;
  for (const s of ds) {
    const c = Math.min(C - 1, Math.floor(((s.t - start) / span) * C));
    const r = Math.min(R - 1, Math.max(0, Math.floor(((Math.log10(s.ms) - l0) / (l1 - l0)) * R)));
    const v = (grid[r * C + c]! += s.n ?? 1);
    if (v > max) max = v;
  }
  const cw = plotW / C;
  const ch = plotH / R;
  const body: string[] = [text(8, 17, o.title, 'font-size="13" font-weight="600"')];
  body.push(`<rect x="${left}" y="${top}" width="${n(plotW)}" height="${n(plotH)}" fill="#f4f6f8"/>`);
  const req = o.labels?.requests ?? 'requests';
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const v = grid[r * C + c]!;
      if (!v) continue;
      const msLo = 10 ** (l0 + (r / R) * (l1 - l0));
      const msHi = 10 ** (l0 + ((r + 1) / R) * (l1 - l0));
      const t0 = start + (c / C) * span;
      body.push(
        `<rect class="cell" x="${n(left + c * cw)}" y="${n(top + plotH - (r + 1) * ch)}" width="${n(cw + 0.3)}" height="${n(ch + 0.3)}" fill="${colour(v / max)}"><title>${clock(t0)} · ${fmtMs(msLo)}–${fmtMs(msHi)} · ${v} ${esc(req)}</title></rect>`,
      );
    }
  }
  // Decades (and 2×, 5×) on the log axis.
  for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
    for (const m of [1, 2, 5]) {
      const lv = e + Math.log10(m);
      if (lv < l0 || lv > l1) continue;
      const y = top + plotH - ((lv - l0) / (l1 - l0)) * plotH;
      body.push(`<line x1="${left - 3}" x2="${left}" y1="${n(y)}" y2="${n(y)}" stroke="#9aa5b1"/>`);
      body.push(text(left - 5, y + 3.5, fmtMs(10 ** lv), 'font-size="10" text-anchor="end" fill="#52606d"'));
    }
  }
  const X = (t: number) => left + ((t - start) / span) * plotW;
  for (const t of timeTicks(start, end, 8)) body.push(text(X(t), top + plotH + 14, clock(t), 'font-size="10" text-anchor="middle" fill="#52606d"'));
  if (o.baseline) {
    const a = Math.max(start, o.baseline.start);
    const b = Math.min(end, o.baseline.end);
    if (b > a) {
      body.push(`<rect x="${n(X(a))}" y="${top - 6}" width="${n(X(b) - X(a))}" height="4" fill="#8fa3b8"/>`);
      body.push(text(X(a) + 2, top - 9, o.labels?.baseline ?? 'baseline', 'font-size="10" fill="#52606d"'));
    }
  }
  if (o.change !== undefined && o.change > start && o.change < end) {
    const x = X(o.change);
    body.push(`<line class="change" x1="${n(x)}" x2="${n(x)}" y1="${top - 6}" y2="${n(top + plotH)}" stroke="#c92a2a" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    body.push(text(x + 3, top - 9, o.labels?.change ?? 'change', 'font-size="10" fill="#c92a2a"'));
  }
  return svgDoc({ width: W, height: H, title: o.title, body: body.join('') });
}
