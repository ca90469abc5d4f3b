// Flame graphs saved as data rather than as profiles: Pyroscope's JSON export (the "flamebearer": a
// name table and, per depth, nodes of [offset, total, self, name] with offsets delta-encoded along the
// level) and Grafana's flame graph frames (the Pyroscope data source's answer in the query inspector:
// rows in depth-first order with `level`, `value`, `self` and `label`). Both are trees whose nodes carry
// their own samples; each node with self samples becomes one stack, root first. A diff flame graph
// ("double" format) holds two profiles in one tree and is not read as one.
import type { Frame } from '../../types.js';
import type { ParsedProfile, ParsedSample, ValueTypeName } from '../../../analysis/profiles/pprof.js';
import { functionId } from '../../../analysis/profiles/intern.js';
import { flameFields, frameKind, leftOut, type Frame as DataFrame } from './grafana-frames.js';
import { isObject } from '../../../util/objects.js';


/** A Pyroscope JSON export (or `/render?format=json` answer). */
export function looksLikeFlamebearer(doc: unknown): boolean {
  return isObject(doc) && isObject(doc.flamebearer) && Array.isArray(doc.flamebearer.names) && Array.isArray(doc.flamebearer.levels);
}

function frameCache(): (name: string) => Frame {
  const cache = new Map<string, Frame>();
  return (name) => {
    let f = cache.get(name);
    if (!f) cache.set(name, (f = { function: name, fid: functionId(name) }));
    return f;
  };
}

/** What the export's units are, and how many of that unit one sample is. */
function unitsOf(meta: Record<string, unknown>): { type: ValueTypeName; periodType?: ValueTypeName; scale: number } {
  const units = typeof meta.units === 'string' ? meta.units : 'samples';
  const rate = typeof meta.sampleRate === 'number' && meta.sampleRate > 0 ? meta.sampleRate : 0;
  if (units === 'samples' && rate) return { type: { type: 'cpu', unit: 'nanoseconds' }, periodType: { type: 'cpu', unit: 'nanoseconds' }, scale: 1e9 / rate };
  if (units === 'bytes') return { type: { type: 'alloc_space', unit: 'bytes' }, scale: 1 };
  if (units === 'objects') return { type: { type: 'alloc_objects', unit: 'count' }, scale: 1 };
  if (units === 'lock_nanoseconds') return { type: { type: 'delay', unit: 'nanoseconds' }, periodType: { type: 'contentions', unit: 'count' }, scale: 1 };
  if (units === 'lock_samples') return { type: { type: 'contentions', unit: 'count' }, periodType: { type: 'contentions', unit: 'count' }, scale: 1 };
  if (units === 'goroutines') return { type: { type: 'goroutine', unit: 'count' }, scale: 1 };
  return { type: { type: 'samples', unit: 'count' }, scale: 1 };
}

/** The application an export names: `service_name="…"` of a Grafana Pyroscope selector, or the app of an
 * older Pyroscope name (`checkout.cpu{…}` → checkout). */
function appOf(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const labelled = /service_name="([^"]+)"/.exec(name)?.[1];
  if (labelled) return labelled;
  const app = name.replace(/\{.*$/, '').replace(/\.(cpu|itimer|wall|alloc_objects|alloc_space|inuse_objects|inuse_space|goroutines|mutex_count|mutex_duration|block_count|block_duration)$/, '');
  return /[:{}]/.test(app) || app === '' ? undefined : app;
}

export function parseFlamebearer(doc: unknown, file: string): { profile: ParsedProfile; problems: string[] } {
  const d = doc as { flamebearer: { names: unknown[]; levels: unknown[] }; metadata?: unknown; timeline?: unknown };
  const meta = isObject(d.metadata) ? d.metadata : {};
  if (meta.format === 'double') throw new Error(`${file}: a diff flame graph (two profiles in one tree); export each side on its own, or as pprof`);
  const names = d.flamebearer.names.map((n) => (typeof n === 'string' ? n : String(n)));
  const app = appOf(meta.name);
  const frame = frameCache();
  const { type, periodType, scale } = unitsOf(meta);
  // Absolute [start, end) of each node per level, to find each node's parent by containment.
  const spans: Array<Array<{ start: number; end: number; name: number; parent: number }>> = [];
  const samples: ParsedSample[] = [];
  let bad = 0;
  d.flamebearer.levels.forEach((raw, depth) => {
    const level = Array.isArray(raw) ? (raw as unknown[]) : [];
    const nodes: Array<{ start: number; end: number; name: number; parent: number }> = [];
    let x = 0;
    for (let i = 0; i + 3 < level.length; i += 4) {
      const [off, total, self, name] = [level[i], level[i + 1], level[i + 2], level[i + 3]].map(Number) as [number, number, number, number];
      if (![off, total, self, name].every(Number.isFinite) || total < 0 || self < 0 || names[name] === undefined) {
        bad++;
        continue;
      }
      const start = x + off;
      x = start + total;
      let parent = -1;
      if (depth > 0) {
        const above = spans[depth - 1] ?? [];
        parent = above.findIndex((p) => start >= p.start && start < p.end);
        if (parent < 0) {
          bad++;
          continue;
        }
      }
      nodes.push({ start, end: start + total, name, parent });
      // The root ("total") holds no code of its own.
      if (self > 0 && depth > 0) {
        const stack: Frame[] = [];
        let at = nodes.length - 1;
        for (let dd = depth; dd > 0 && at >= 0; dd--) {
          const n: { start: number; end: number; name: number; parent: number } = dd === depth ? nodes[at]! : spans[dd]![at]!;
          stack.push(frame(names[n.name]!));
          at = n.parent;
        }
        samples.push({ frames: stack.reverse(), values: [self * scale], ...(app && { labels: { service_name: app } }) });
      }
    }
    spans.push(nodes);
  });
  const problems = bad ? [`${file}: ${bad} flame graph node(s) unreadable or outside their parent; left out`] : [];
  if (!samples.length) throw new Error(`${file}: a flame graph export with no samples`);
  const timeline = isObject(d.timeline) ? d.timeline : undefined;
  const startS = typeof timeline?.startTime === 'number' && Number.isFinite(timeline.startTime) ? timeline.startTime : undefined;
  const points = Array.isArray(timeline?.samples) ? timeline.samples.length : 0;
  const step = typeof timeline?.durationDelta === 'number' && Number.isFinite(timeline.durationDelta) && timeline.durationDelta > 0 ? timeline.durationDelta : 0;
  return {
    profile: {
      sampleTypes: [type],
      ...(periodType && { periodType }),
      period: scale > 1 ? scale : 0,
      samples,
      comments: [],
      ...(startS !== undefined && { timeMs: startS * 1000, ...(points && step ? { durationMs: points * step * 1000 } : {}) }),
    },
    problems,
  };
}

/** Grafana's flame graph frame: `level`, `value`, `self`, `label` columns in depth-first order. */
export function nestedSetSamples(levels: unknown[], selfs: unknown[], labels: unknown[]): { samples: ParsedSample[]; bad: number } {
  const frame = frameCache();
  const path: Frame[] = [];
  const samples: ParsedSample[] = [];
  let bad = 0;
  for (let i = 0; i < levels.length; i++) {
    const level = Number(levels[i]);
    const label = labels[i];
    if (!Number.isInteger(level) || level < 0 || level > path.length || typeof label !== 'string') {
      bad++;
      continue;
    }
    path.length = level;
    path.push(frame(label));
    const self = Number(selfs[i]);
    // Level 0 is the root ("total").
    if (level > 0 && self > 0) samples.push({ frames: path.slice(1), values: [self] });
  }
  return { samples, bad };
}

/** Grafana flame graph frames as one profile (its unit from the value field: `ns` → CPU time, `bytes` → allocations, else samples). */
export function parseFlameFrames(frames: DataFrame[], file: string): { profile: ParsedProfile; problems: string[] } {
  const samples: ParsedSample[] = [];
  let bad = 0;
  let unit: string | undefined;
  for (const f of frames) {
    const c = frameKind(f) === 'profiles' ? flameFields(f) : undefined;
    if (!c) continue;
    unit ??= c.value.unit;
    const r = nestedSetSamples(c.level.values, c.self.values, c.label.values);
    samples.push(...r.samples);
    bad += r.bad;
  }
  const problems = leftOut(file, frames, 'profiles');
  if (bad) problems.push(`${file}: ${bad} flame graph row(s) without a level or a label in order; left out`);
  if (!samples.length) throw new Error(`${file}: a flame graph with no samples`);
  const type: ValueTypeName = unit === 'ns' ? { type: 'cpu', unit: 'nanoseconds' } : unit === 'bytes' ? { type: 'alloc_space', unit: 'bytes' } : { type: 'samples', unit: 'count' };
  return { profile: { sampleTypes: [type], ...(unit === 'ns' && { periodType: type }), period: 0, samples, comments: [] }, problems };
}
