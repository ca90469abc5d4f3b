// Shared SVG helpers for the pictures. Every string that reaches the markup goes through esc():
// span names, function names, services and labels all come from telemetry, which is untrusted input.

/** Escape text for SVG/HTML text nodes and attribute values (both quote kinds). */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    // Control characters are not allowed in XML 1.0: a raw NUL or ESC from a log line would make the
    // whole picture unparsable.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
}

/** A number for coordinates: two decimals at most keeps the markup small. */
export function n(v: number): string {
  if (!Number.isFinite(v)) return '0';
  return String(Math.round(v * 100) / 100);
}

/** Cut a label to what fits in `px` at `fontPx` (average glyph ≈ 0.6 em; CJK counted double). */
export function fit(text: string, px: number, fontPx = 11): string {
  const unit = fontPx * 0.6;
  let width = 0;
  let out = '';
  for (const ch of text) {
    const w = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/.test(ch) ? unit * 2 : unit;
    if (width + w > px) return out.length > 1 ? out.slice(0, -1) + '…' : '';
    width += w;
    out += ch;
  }
  return out;
}

export interface SvgDoc {
  width: number;
  height: number;
  /** Accessible name of the picture (also shown as a tooltip). */
  title: string;
  body: string;
}

/** A standalone SVG document (xmlns set, so it opens as a .svg file and inlines in HTML alike). */
export function svgDoc(d: SvgDoc): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(d.width)}" height="${n(d.height)}" viewBox="0 0 ${n(d.width)} ${n(d.height)}" role="img" aria-label="${esc(d.title)}" font-family="system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK JP', sans-serif" font-size="11">` +
    `<title>${esc(d.title)}</title><rect width="100%" height="100%" fill="#ffffff"/>${d.body}</svg>`
  );
}

/** Text element with escaped content. */
export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ' ' + attrs : ''}>${esc(content)}</text>`;
}

/** Short human duration for axis ticks and tooltips. */
export function fmtMs(ms: number): string {
  const a = Math.abs(ms);
  if (a >= 60_000) return `${(ms / 60_000).toFixed(a >= 600_000 ? 0 : 1)}min`;
  if (a >= 1000) return `${(ms / 1000).toFixed(a >= 10_000 ? 0 : 2)}s`;
  if (a >= 10) return `${ms.toFixed(0)}ms`;
  if (a >= 1) return `${ms.toFixed(1)}ms`;
  if (a === 0) return '0';
  return `${(ms * 1000).toFixed(0)}µs`;
}

/** Compact number for axis ticks (1.2k, 3.4M). */
export function fmtNum(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 10 || a === 0) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return v.toPrecision(2);
}

/** UTC clock time of an epoch ms (axis labels: the reports state times in UTC). */
export function clock(t: number): string {
  return new Date(t).toISOString().slice(11, 16);
}

/** "Nice" tick values covering [lo, hi] (about `count` of them). */
export function ticks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** Time ticks on round minutes (1, 2, 5, 10, 15, 30, 60…) for a range in epoch ms. */
export function timeTicks(start: number, end: number, count = 6): number[] {
  const span = end - start;
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * 60_000);
  const step = steps.find((s) => span / s <= count) ?? steps[steps.length - 1]!;
  const out: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

/** Stable hue per name (services in waterfalls): FNV-1a over the characters. */
export function hueOf(name: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 360;
}
