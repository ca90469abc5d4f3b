// Turning decoded pprof files into one StackProfile per service and type, merging many profiles of a
// window: identical stacks are summed so a window of hundreds of 10-second profiles stays small.
import type { Frame, ProfileTypeInfo, StackProfile, TimeRange } from '../../sources/types.js';
import type { ParsedProfile } from './pprof.js';
import { functionId } from './intern.js';

type Merged = { frames: Frame[]; value: number };

export class StackMerger {
  private readonly stacks = new Map<Frame[], Merged>();
  /** Distinct stacks by a numeric hash of (function id, line) per frame, verified frame by frame:
   * no per-stack string key (on a 20k-stack profile those keys were ~30 MB of garbage). */
  private readonly byHash = new Map<number, Merged[]>();
  /** In order of first appearance. */
  private readonly merged: Merged[] = [];
  durationMs = 0;
  count = 0;

  /** Adds one sample index of a parsed profile, optionally only samples passing `keep`. */
  add(p: ParsedProfile, sampleIndex: number, keep?: (labels: Record<string, string> | undefined) => boolean): void {
    this.count++;
    this.durationMs += p.durationMs ?? 0;
    for (const s of p.samples) {
      const v = s.values[sampleIndex]!;
      if (!v) continue;
      if (keep && !keep(s.labels)) continue;
      // Same frames array (same location list within a file) is the fast path; else hash and compare.
      let e = this.stacks.get(s.frames);
      if (!e) {
        const h = stackHash(s.frames);
        let bucket = this.byHash.get(h);
        if (!bucket) this.byHash.set(h, (bucket = []));
        for (const m of bucket) if (sameStack(m.frames, s.frames)) { e = m; break; }
        if (!e) {
          e = { frames: s.frames, value: 0 };
          bucket.push(e);
          this.merged.push(e);
        }
        this.stacks.set(s.frames, e);
      }
      e.value += v;
    }
  }

  result(type: ProfileTypeInfo, service: string, range: TimeRange): StackProfile {
    return { type, service, range, durationMs: this.durationMs, stacks: [...this.merged] };
  }
}

function stackHash(frames: Frame[]): number {
  let h = frames.length;
  for (const f of frames) {
    const id = f.fid ?? (f.fid = functionId(f.function));
    h = (Math.imul(h, 31) + id) | 0;
    h = (Math.imul(h, 31) + (f.line ?? 0)) | 0;
  }
  return h;
}

/** Same function, file and line at every depth (what identifies a stack across files). */
function sameStack(a: Frame[], b: Frame[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x.function !== y.function || (x.file ?? '') !== (y.file ?? '') || (x.line ?? 0) !== (y.line ?? 0))) return false;
  }
  return true;
}
