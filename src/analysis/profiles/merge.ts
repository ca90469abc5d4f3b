// Turning decoded pprof files into one StackProfile per service and type, merging many profiles of a
// window: identical stacks are summed so a window of hundreds of 10-second profiles stays small.
// The merged stacks are kept as integers (compact-stacks.ts): each distinct frame (function, file,
// line) gets an index, and a stack is the list of its frames' indices. A binary pprof is read by
// location id (its samples' frame arrays are never made); other profiles by their frames.
import type { Frame, ProfileTypeInfo, StackProfile, TimeRange } from '../../sources/types.js';
import type { LocationStacks, ParsedProfile } from './pprof.js';
import { withCompactStacks } from './compact-stacks.js';
import { doubles, ints } from './growable.js';
import { SequenceTable } from './sequences.js';
import { functionId, internedCount } from './intern.js';

type Keep = (labels: Record<string, string> | undefined) => boolean;

export class StackMerger {
  /** Distinct frames by content: what identified a stack across files was the same function, file and
   * line at every depth (a missing file counts as "", a missing line as 0). */
  private readonly frames: Frame[] = [];
  /** Frames of one function id chained: the first at headByFid[id] (-1: none), the next at nextFrame[i]. */
  private headByFid = new Int32Array(0);
  private readonly nextFrame = ints(1024);
  private readonly frameByObject = new Map<Frame, number>();
  /** Distinct stacks as sequences of frame indices, root first, in order of first appearance; stack k's
   * value is values[k]. */
  private readonly stacks = new SequenceTable();
  private readonly values = doubles(1024);
  /** A sample's frames array seen before (the same location list within a file) is the same stack. */
  private readonly byFramesArray = new Map<Frame[], number>();
  durationMs = 0;
  count = 0;

  /** Adds one sample index of a parsed profile, optionally only samples passing `keep`. */
  add(p: ParsedProfile, sampleIndex: number, keep?: Keep): void {
    this.count++;
    this.durationMs += p.durationMs ?? 0;
    const ls = p.locationStacks;
    if (ls && ls.samples === p.samples) {
      this.addByLocation(ls, sampleIndex, keep);
      return;
    }
    for (const s of p.samples) {
      const v = s.values[sampleIndex]!;
      if (!v) continue;
      if (keep && !keep(s.labels)) continue;
      let k = this.byFramesArray.get(s.frames);
      if (k === undefined) {
        const frames = s.frames;
        const pool = this.stacks.room(frames.length);
        const at = this.stacks.items.n;
        let h = 0;
        for (let i = 0; i < frames.length; i++) {
          const f = frames[i]!;
          let fi = this.frameByObject.get(f);
          if (fi === undefined) this.frameByObject.set(f, (fi = this.frameIndex(f)));
          pool[at + i] = fi;
          h = (Math.imul(h, 31) + fi) | 0;
        }
        k = this.stackAt(frames.length, h);
        this.byFramesArray.set(frames, k);
      }
      this.values.a[k] += v;
    }
  }

  /**
   * The samples of a binary pprof, by location id. A location's frame indices are looked up once; a
   * sample's are written straight past the end of the pool of merged stacks, hashed as they are
   * written, and kept there only when the stack is new (one pass over the location ids).
   */
  private addByLocation(ls: LocationStacks, sampleIndex: number, keep?: Keep): void {
    const { samples, idFrom, ids } = ls;
    // Location id → the index of its one frame (-2: not looked up yet, -1: several frames, in `several`),
    // over the ids pprof writers use (1..N); ids past that range (sparse numbering) are all in `several`.
    const dense = Math.min(ls.maxLocationId + 1, 4 * ls.ids.length + 1024);
    const one = new Int32Array(dense).fill(-2);
    const several = new Map<number, Int32Array>();
    const lookUp = (id: number): number => {
      const frames = ls.location(id)!;
      if (frames.length === 1 && id < dense) return (one[id] = this.frameIndex(frames[0]!));
      const out = new Int32Array(frames.length);
      for (let j = 0; j < frames.length; j++) out[j] = this.frameIndex(frames[j]!);
      several.set(id, out);
      if (id < dense) one[id] = -1;
      return -1;
    };
    for (let k = 0; k < samples.length; k++) {
      const s = samples[k]!;
      const v = s.values[sampleIndex]!;
      if (!v) continue;
      if (keep && !keep(s.labels)) continue;
      const start = idFrom[k]!;
      let pool = this.stacks.room(idFrom[k + 1]! - start);
      const at = this.stacks.items.n;
      let n = 0;
      let h = 0;
      // Leaf first in pprof, root first here; a location's inlined frames are already root first.
      for (let i = idFrom[k + 1]! - 1; i >= start; i--) {
        const id = ids[i]!;
        let r = id < dense ? one[id]! : -2;
        if (r === -2) r = several.has(id) ? -1 : lookUp(id);
        if (r >= 0) {
          pool[at + n++] = r;
          h = (Math.imul(h, 31) + r) | 0;
          continue;
        }
        const lf = several.get(id)!;
        pool = this.stacks.room(n + lf.length + (i - start));
        for (let j = 0; j < lf.length; j++) {
          pool[at + n++] = lf[j]!;
          h = (Math.imul(h, 31) + lf[j]!) | 0;
        }
      }
      const stack = this.stackAt(n, h); // before reading values.a: a new stack can move it
      this.values.a[stack] += v;
    }
  }

  /** The index of the frame with f's function, line and file, added when new. */
  private frameIndex(f: Frame): number {
    const id = f.fid ?? (f.fid = functionId(f.function));
    const line = f.line ?? 0;
    const file = f.file ?? '';
    if (id >= this.headByFid.length) {
      const b = new Int32Array(Math.max(id + 1, internedCount() + 64, 2 * this.headByFid.length)).fill(-1);
      b.set(this.headByFid);
      this.headByFid = b;
    }
    const next = this.nextFrame.a;
    for (let i = this.headByFid[id]!; i >= 0; i = next[i]!) {
      const g = this.frames[i]!;
      if ((g.line ?? 0) === line && (g.file ?? '') === file) return i;
    }
    const i = this.frames.length;
    this.frames.push(f);
    this.nextFrame.push(this.headByFid[id]!);
    this.headByFid[id] = i;
    return i;
  }

  /** The stack whose n frame indices were just written past the end of the pool (`h`: their hash),
   * with value 0 when new. */
  private stackAt(n: number, h: number): number {
    const k = this.stacks.intern(n, h);
    if (k === this.values.n) this.values.push(0);
    return k;
  }

  result(type: ProfileTypeInfo, service: string, range: TimeRange): StackProfile {
    const compact = { frames: [...this.frames], count: this.values.n, from: this.stacks.from.done().slice(), ids: this.stacks.items.done().slice(), values: this.values.done().slice() };
    return withCompactStacks({ type, service, range, durationMs: this.durationMs }, compact);
  }
}
