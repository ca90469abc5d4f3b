// Flame graph (icicle: the root on top, callees below) of a merged profile. Widths are the window's
// cost; with a baseline, each frame is coloured by how its cost per second changed (red grew, blue
// shrank, as Pyroscope's diff view does), so "what got hotter" is visible without reading numbers.
// The finding's hot function is outlined wherever it appears in the tree.
import type { StackProfile } from '../sources/types.js';
import { coveredSeconds } from '../analysis/profiles/diff.js';
import { esc, fit, n, svgDoc, text } from './svg.js';

export interface FlameLabels {
  title: string;
  /** Legend words; the caller passes them in the reader's language. */
  grew: string;
  shrank: string;
  highlight: string;
  total: string;
}

export const FLAME_LABELS_EN: FlameLabels = { title: 'Flame graph', grew: 'grew vs baseline (per second)', shrank: 'shrank', highlight: 'hot function', total: 'all' };

export interface FlameOptions {
  baseline?: StackProfile;
  /** Function to outline (full name as in the profile). */
  highlight?: string;
  width?: number;
  /** Deepest level drawn (deep stacks are cut; the tooltip of the last level says so). */
  maxDepth?: number;
  labels?: Partial<FlameLabels>;
  /** Formats a value of the profile's unit (e.g. nanoseconds → "1.2s"); plain numbers otherwise. */
  formatValue?: (v: number) => string;
}

interface Node {
  name: string;
  value: number;
  base: number;
  children: Map<string, Node>;
}

const ROW = 17;
const TOP = 34;
const MIN_PX = 0.7;

function tree(p: StackProfile, into: Node, field: 'value' | 'base'): void {
  for (const s of p.stacks) {
    into[field] += s.value;
    let cur = into;
    for (const f of s.frames) {
      let c = cur.children.get(f.function);
      if (!c) cur.children.set(f.function, (c = { name: f.function, value: 0, base: 0, children: new Map() }));
      c[field] += s.value;
      cur = c;
    }
  }
}

/** Diff colour: log2 of the per-second ratio, ±3 (8×) saturating; grey when unchanged. */
function diffColour(now: number, before: number): string {
  if (now <= 0 && before <= 0) return 'hsl(0,0%,85%)';
  const r = before <= 0 ? 3 : now <= 0 ? -3 : Math.max(-3, Math.min(3, Math.log2(now / before)));
  const t = Math.abs(r) / 3;
  if (t < 0.07) return 'hsl(40,12%,84%)';
  const light = 84 - 34 * t;
  return r > 0 ? `hsl(4,${n(55 + 30 * t)}%,${n(light)}%)` : `hsl(212,${n(45 + 30 * t)}%,${n(light)}%)`;
}

/** Classic warm palette without a baseline: hue from the name, so a function keeps its colour. */
function warmColour(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `hsl(${20 + (h % 35)},${70 + (h % 20)}%,${62 + ((h >> 5) % 14)}%)`;
}

function short(name: string): string {
  // Package paths make frames unreadable at small widths; the tooltip keeps the full name.
  const slash = name.lastIndexOf('/');
  return slash >= 0 && slash < name.length - 1 ? name.slice(slash + 1) : name;
}

export function flameGraphSvg(profile: StackProfile, opts: FlameOptions = {}): string {
  const L = { ...FLAME_LABELS_EN, ...opts.labels };
  const W = opts.width ?? 960;
  const maxDepth = opts.maxDepth ?? 40;
  const fmt = opts.formatValue ?? ((v: number) => String(Math.round(v)));
  const root: Node = { name: L.total, value: 0, base: 0, children: new Map() };
  tree(profile, root, 'value');
  const hasBase = !!opts.baseline?.stacks.length;
  if (hasBase) tree(opts.baseline!, root, 'base');
  const ws = coveredSeconds(profile);
  const bs = hasBase ? coveredSeconds(opts.baseline!) : 1;
  const total = root.value || 1;
  const scale = (W - 2) / total;

  const rects: string[] = [];
  let deepest = 0;
  // Iterative walk (deep stacks must not overflow the call stack): [node, x, depth].
  const stack: Array<[Node, number, number]> = [[root, 1, 0]];
  while (stack.length) {
    const [node, x, depth] = stack.pop()!;
    const w = node.value * scale;
    if (w < MIN_PX) continue;
    deepest = Math.max(deepest, depth);
    const y = TOP + depth * ROW;
    const hot = opts.highlight !== undefined && node.name === opts.highlight;
    const fill = depth === 0 ? 'hsl(0,0%,78%)' : hasBase ? diffColour(node.value / ws, node.base / bs) : warmColour(node.name);
    const share = (100 * node.value) / total;
    let tip = `${node.name} — ${fmt(node.value)} (${share.toFixed(1)}%)`;
    if (hasBase) {
      const now = node.value / ws;
      const before = node.base / bs;
      tip += before > 0 ? `, ${now >= before ? '+' : '−'}${Math.abs((100 * (now - before)) / before).toFixed(0)}%/s` : node.value > 0 ? ', new' : '';
    }
    const label = w > 24 ? fit(short(node.name), w - 6, 11) : '';
    rects.push(
      `<g class="fr${hot ? ' hot' : ''}"><title>${esc(tip)}</title>` +
        `<rect x="${n(x)}" y="${n(y)}" width="${n(Math.max(w - 0.5, 0.5))}" height="${ROW - 1}" rx="1.5" fill="${fill}"${hot ? ' stroke="#111" stroke-width="2"' : ''}/>` +
        (label ? text(x + 3, y + 12, label, hot ? 'font-weight="700" fill="#000"' : 'fill="#222"') : '') +
        `</g>`,
    );
    if (depth >= maxDepth) continue;
    // Children sorted by name, as flame graphs do (position carries no meaning, alphabetical is stable).
    const kids = [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let cx = x;
    const placed: Array<[Node, number, number]> = [];
    for (const k of kids) {
      placed.push([k, cx, depth + 1]);
      cx += k.value * scale;
    }
    for (let i = placed.length - 1; i >= 0; i--) stack.push(placed[i]!);
  }

  const H = TOP + (deepest + 1) * ROW + 8;
  const legend: string[] = [text(4, 14, L.title, 'font-size="13" font-weight="600"')];
  let lx = W - 4;
  const item = (swatch: string, label: string) => {
    const w = Math.min(240, label.length * 6.6 + 20);
    lx -= w;
    legend.push(`${swatch.replace(/\{x\}/g, n(lx))}${text(lx + 16, 14, fit(label, w - 20))}`);
  };
  if (opts.highlight) item(`<rect x="{x}" y="5" width="12" height="11" fill="none" stroke="#111" stroke-width="2"/>`, `${L.highlight}: ${short(opts.highlight)}`);
  if (hasBase) {
    item(`<rect x="{x}" y="5" width="12" height="11" fill="hsl(212,75%,50%)"/>`, L.shrank);
    item(`<rect x="{x}" y="5" width="12" height="11" fill="hsl(4,85%,50%)"/>`, L.grew);
  }
  return svgDoc({ width: W, height: H, title: L.title, body: legend.join('') + rects.join('') });
}
