// Small-multiple line charts over time (rate / errors / duration of a service, or one metric query):
// the baseline is shaded and the change point (incident start) drawn as a dashed line, so the eye
// finds "before" and "after" at once, as in Grafana's RED panels.
import type { TimeRange } from '../sources/types.js';
import { clock, esc, fit, n, svgDoc, text, ticks, timeTicks } from './svg.js';

export interface Series {
  name: string;
  /** [epoch ms, value]; NaN or missing buckets break the line. */
  points: Array<[number, number]>;
  colour?: string;
}

export interface Panel {
  title: string;
  series: Series[];
  /** Tick and tooltip formatting (units). */
  format?: (v: number) => string;
  /** Lower bound of the y axis (default 0: rates, shares and durations start at zero). */
  min?: number;
}

export interface ChartOptions {
  title: string;
  range: TimeRange;
  baseline?: TimeRange;
  /** Epoch ms where the change starts (the incident window's start). */
  change?: number;
  labels?: { baseline?: string; change?: string };
  width?: number;
  panelHeight?: number;
}

const PALETTE = ['#1f6fd1', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#5c940d'];

export function timeSeriesSvg(panels: Panel[], o: ChartOptions): string {
  const W = o.width ?? 960;
  const cols = Math.max(1, Math.min(3, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const PH = o.panelHeight ?? 170;
  const gap = 14;
  const pw = (W - gap * (cols + 1)) / cols;
  const head = 26;
  const H = head + rows * (PH + gap) + 4;
  const body: string[] = [text(gap, 17, o.title, 'font-size="13" font-weight="600"')];
  const { start, end } = o.range;
  const span = Math.max(1, end - start);
  panels.forEach((p, i) => {
    const px = gap + (i % cols) * (pw + gap);
    const py = head + Math.floor(i / cols) * (PH + gap);
    const left = 44;
    const plotX = px + left;
    const plotW = pw - left - 6;
    const plotY = py + 22;
    const plotH = PH - 22 - 34;
    const fmt = p.format ?? ((v: number) => String(Math.round(v * 100) / 100));
    let hi = -Infinity;
    for (const s of p.series) for (const [, v] of s.points) if (Number.isFinite(v) && v > hi) hi = v;
    const lo = p.min ?? 0;
    if (!(hi > lo)) hi = lo + 1;
    const yt = ticks(lo, hi * 1.05, 3);
    const top = Math.max(hi * 1.05, yt[yt.length - 1] ?? hi);
    const X = (t: number) => plotX + ((t - start) / span) * plotW;
    const Y = (v: number) => plotY + plotH - ((v - lo) / (top - lo)) * plotH;
    body.push(`<g class="panel"><rect x="${n(px)}" y="${n(py)}" width="${n(pw)}" height="${PH}" rx="4" fill="#fafbfc" stroke="#dde1e6"/>`);
    body.push(text(px + 8, py + 15, fit(p.title, pw - 16, 12), 'font-size="12" font-weight="600"'));
    if (o.baseline) {
      const a = Math.max(start, o.baseline.start);
      const b = Math.min(end, o.baseline.end);
      if (b > a) {
        body.push(`<rect x="${n(X(a))}" y="${n(plotY)}" width="${n(X(b) - X(a))}" height="${n(plotH)}" fill="#8fa3b8" fill-opacity="0.18"/>`);
        body.push(text(X(a) + 3, plotY + plotH - 4, fit(o.labels?.baseline ?? 'baseline', X(b) - X(a) - 4, 10), 'font-size="10" fill="#52606d"'));
      }
    }
    for (const v of yt) {
      if (v > top) continue;
      body.push(`<line x1="${n(plotX)}" x2="${n(plotX + plotW)}" y1="${n(Y(v))}" y2="${n(Y(v))}" stroke="#e3e7eb"/>`);
      body.push(text(plotX - 4, Y(v) + 3.5, fmt(v), 'font-size="10" text-anchor="end" fill="#52606d"'));
    }
    for (const t of timeTicks(start, end, 4)) body.push(text(X(t), plotY + plotH + 13, clock(t), 'font-size="10" text-anchor="middle" fill="#52606d"'));
    body.push(`<line x1="${n(plotX)}" x2="${n(plotX + plotW)}" y1="${n(plotY + plotH)}" y2="${n(plotY + plotH)}" stroke="#9aa5b1"/>`);
    p.series.forEach((s, k) => {
      const colour = s.colour ?? PALETTE[k % PALETTE.length]!;
      // Gaps (NaN) split the path: no line is drawn through buckets without data. A point with a gap on
      // both sides (one request in a sparse recording) gets a dot, since a path of one point draws nothing.
      let d = '';
      let pen = false;
      const dots: Array<[number, number]> = [];
      let run: Array<[number, number]> = [];
      const endRun = () => {
        if (run.length === 1) dots.push(run[0]!);
        run = [];
      };
      for (const [t, v] of s.points) {
        if (!Number.isFinite(v) || t < start || t > end) {
          pen = false;
          endRun();
          continue;
        }
        const xy: [number, number] = [X(t), Y(Math.min(v, top))];
        d += `${pen ? 'L' : 'M'}${n(xy[0])},${n(xy[1])}`;
        run.push(xy);
        pen = true;
      }
      endRun();
      const last = [...s.points].reverse().find(([, v]) => Number.isFinite(v));
      if (d) body.push(`<path class="series" d="${d}" fill="none" stroke="${colour}" stroke-width="1.8" stroke-linejoin="round"><title>${esc(`${s.name}${last ? ` — ${fmt(last[1])} at ${clock(last[0])}` : ''}`)}</title></path>`);
      for (const [x, y] of dots) body.push(`<circle class="series-dot" cx="${n(x)}" cy="${n(y)}" r="2.5" fill="${colour}"/>`);
      if (p.series.length > 1 || s.name) {
        const slot = Math.min(p.series.length > 1 ? 140 : 400, plotW / Math.max(1, p.series.length));
        const lx = plotX + k * slot;
        body.push(`<rect x="${n(lx)}" y="${n(plotY + plotH + 20)}" width="10" height="3" fill="${colour}"/>`);
        body.push(text(lx + 13, plotY + plotH + 25, fit(s.name, slot - 16, 10), 'font-size="10" fill="#323f4b"'));
      }
    });
    if (o.change !== undefined && o.change > start && o.change < end) {
      const x = X(o.change);
      body.push(`<line class="change" x1="${n(x)}" x2="${n(x)}" y1="${n(plotY - 2)}" y2="${n(plotY + plotH)}" stroke="#c92a2a" stroke-width="1.5" stroke-dasharray="4 3"/>`);
      body.push(text(x + 3, plotY + 20, fit(o.labels?.change ?? 'change', plotX + plotW - x - 4, 10), 'font-size="10" fill="#c92a2a"'));
    }
    body.push('</g>');
  });
  return svgDoc({ width: W, height: H, title: o.title, body: body.join('') });
}
