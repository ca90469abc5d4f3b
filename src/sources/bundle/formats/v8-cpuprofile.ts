// V8 CPU profiles (`.cpuprofile`): what `node --cpu-prof`, the inspector's Profiler.stop and Chrome
// DevTools' JavaScript profiler write. A call tree of nodes (callFrame: function, script url,
// 0-based line) with the sampled node of each tick and the microseconds between ticks; the older
// layout nests the tree under `head`. Read into the pprof model as a CPU time profile: each tick
// weighs the time until the next one (the last, the mean interval), or, without ticks, each node's
// hit count × the mean interval. The idle node (the thread was waiting) is not CPU and is left out;
// (program) and (garbage collector) are CPU and stay. Times are the process's monotonic clock, not
// dates: the profile has no time of its own (profiles/index.yaml or the file's age give it one).
import type { Frame } from '../../types.js';
import type { ParsedProfile, ParsedSample } from '../../../analysis/profiles/pprof.js';
import { functionId } from '../../../analysis/profiles/intern.js';

interface CallFrame {
  functionName?: unknown;
  url?: unknown;
  lineNumber?: unknown;
}
interface FlatNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: unknown;
  children?: unknown;
}
interface TreeNode extends CallFrame {
  hitCount?: unknown;
  children?: unknown;
}

const IDLE = '(idle)';
const ROOT = '(root)';

/** The document is a V8 CPU profile (flat nodes with call frames, or the older `head` tree). */
export function looksLikeV8CpuProfile(doc: unknown): boolean {
  const d = doc as { nodes?: unknown; head?: unknown } | null;
  if (!d || typeof d !== 'object') return false;
  if (Array.isArray(d.nodes)) return d.nodes.length > 0 && typeof (d.nodes[0] as FlatNode)?.callFrame === 'object';
  const h = d.head as TreeNode | undefined;
  return !!h && typeof h === 'object' && typeof h.functionName === 'string' && Array.isArray(h.children);
}

function frameOf(cf: CallFrame, cache: Map<string, Frame>): Frame {
  const name = typeof cf.functionName === 'string' && cf.functionName !== '' ? cf.functionName : '(anonymous)';
  const url = typeof cf.url === 'string' ? cf.url : '';
  const line = typeof cf.lineNumber === 'number' && cf.lineNumber >= 0 ? cf.lineNumber + 1 : undefined;
  const key = `${name}\0${url}\0${line ?? ''}`;
  let f = cache.get(key);
  if (f) return f;
  const file = url ? fileOf(url) : undefined;
  // Anonymous functions are told apart by where they are, as a reader of the profile would.
  const fn = name === '(anonymous)' && file ? `(anonymous ${file.split('/').pop()}:${line ?? '?'})` : name;
  f = { function: fn, ...(file && { file }), ...(file && line !== undefined && { line }), fid: functionId(fn) };
  cache.set(key, f);
  return f;
}

function fileOf(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url.slice('file://'.length);
  }
}

/** The older layout's tree as flat nodes (ids in depth-first order). */
function flatten(head: TreeNode): FlatNode[] {
  const out: FlatNode[] = [];
  const visit = (n: TreeNode): number => {
    const node: FlatNode = { id: out.length + 1, callFrame: n, hitCount: n.hitCount, children: [] };
    out.push(node);
    const kids = Array.isArray(n.children) ? (n.children as TreeNode[]) : [];
    node.children = kids.filter((k) => k && typeof k === 'object').map(visit);
    return node.id;
  };
  visit(head);
  return out;
}

interface V8Doc {
  nodes?: FlatNode[];
  head?: TreeNode;
  samples?: unknown;
  timeDeltas?: unknown;
  timestamps?: unknown;
  startTime?: unknown;
  endTime?: unknown;
}

/** Microseconds from each tick to the one before (the first: from the start): given, or from absolute tick times. */
function tickDeltas(d: V8Doc): number[] {
  if (Array.isArray(d.timeDeltas)) return d.timeDeltas.map((v) => num(v) ?? 0);
  if (!Array.isArray(d.timestamps)) return [];
  const ts = d.timestamps.map((v) => num(v) ?? NaN);
  return ts.map((t, i) => (i === 0 ? 0 : t - ts[i - 1]!)).map((v) => (Number.isFinite(v) ? v : 0));
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function parseV8CpuProfile(doc: unknown, file: string): { profile: ParsedProfile; problems: string[] } {
  const d = doc as V8Doc;
  const nodes = Array.isArray(d.nodes) ? d.nodes : d.head ? flatten(d.head) : [];
  const problems: string[] = [];
  const byId = new Map<number, FlatNode>();
  const parent = new Map<number, number>();
  for (const n of nodes) if (n && typeof n.id === 'number' && n.callFrame && typeof n.callFrame === 'object') byId.set(n.id, n);
  for (const n of byId.values()) for (const c of Array.isArray(n.children) ? n.children : []) if (typeof c === 'number') parent.set(c, n.id);
  if (byId.size === 0) throw new Error(`${file}: a V8 CPU profile without nodes`);

  // Weight per node: ticks × the time each tick stands for, in nanoseconds. The flat layout gives
  // microseconds (start, end, deltas between ticks); the older one seconds and absolute tick times.
  const weight = new Map<number, number>();
  const samples = Array.isArray(d.samples) ? (d.samples as unknown[]) : [];
  const deltas = tickDeltas(d);
  const start = num(d.startTime);
  const end = num(d.endTime);
  const spanUs = start !== undefined && end !== undefined && end > start ? (d.head ? (end - start) * 1e6 : end - start) : undefined;
  let unknownTicks = 0;
  if (samples.length > 0) {
    const timed = deltas.length === samples.length;
    const meanUs = spanUs !== undefined ? spanUs / samples.length : timed ? deltas.reduce((a, v) => a + Math.max(0, v), 0) / samples.length : 1000;
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i];
      if (typeof id !== 'number' || !byId.has(id)) {
        unknownTicks++;
        continue;
      }
      // A tick stands for the time until the next one (V8 can write a small negative delta: none).
      const us = timed && i + 1 < samples.length ? Math.max(0, deltas[i + 1]!) : meanUs;
      weight.set(id, (weight.get(id) ?? 0) + us * 1000);
    }
  } else {
    let hits = 0;
    for (const n of byId.values()) hits += Math.max(0, num(n.hitCount) ?? 0);
    // Without the span, a tick is V8's default sampling interval, 1 ms.
    const meanUs = spanUs !== undefined && hits > 0 ? spanUs / hits : 1000;
    for (const n of byId.values()) {
      const h = Math.max(0, num(n.hitCount) ?? 0);
      if (h > 0) weight.set(n.id, h * meanUs * 1000);
    }
  }
  if (unknownTicks) problems.push(`${file}: ${unknownTicks} tick(s) name no node of the profile; left out`);

  const cache = new Map<string, Frame>();
  const out: ParsedSample[] = [];
  let idleNs = 0;
  let total = 0;
  for (const [id, ns] of weight) {
    if (!(ns > 0)) continue;
    const frames: Frame[] = [];
    let idle = false;
    // Leaf to root, bounded by the node count (a cycle in a damaged file must not loop).
    for (let at: number | undefined = id, steps = 0; at !== undefined && steps <= byId.size; at = parent.get(at), steps++) {
      const cf = byId.get(at)!.callFrame;
      if (cf.functionName === IDLE) idle = true;
      if (cf.functionName === ROOT) continue;
      frames.push(frameOf(cf, cache));
    }
    if (idle) {
      idleNs += ns;
      continue;
    }
    if (!frames.length) continue;
    frames.reverse();
    out.push({ frames, values: [Math.round(ns)] });
    total += ns;
  }
  if (!out.length) throw new Error(`${file}: a V8 CPU profile with no CPU ticks${idleNs > 0 ? ' (only idle time)' : ''}`);
  const spanMs = spanUs !== undefined ? spanUs / 1000 : undefined;
  const period = samples.length > 0 ? Math.round((total + idleNs) / Math.max(1, samples.length - unknownTicks)) : 1_000_000;
  return {
    profile: { sampleTypes: [{ type: 'cpu', unit: 'nanoseconds' }], periodType: { type: 'cpu', unit: 'nanoseconds' }, period, samples: out, comments: [], ...(spanMs !== undefined && { durationMs: spanMs }) },
    problems,
  };
}
