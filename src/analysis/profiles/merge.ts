// Turning decoded pprof files into one StackProfile per service and type, merging many profiles of a
// window: identical stacks are summed so a window of hundreds of 10-second profiles stays small.
import type { Frame, ProfileTypeInfo, StackProfile, TimeRange } from '../../sources/types.js';
import type { ParsedProfile } from './pprof.js';

export class StackMerger {
  private readonly stacks = new Map<Frame[], { frames: Frame[]; value: number }>();
  private readonly byKey = new Map<string, { frames: Frame[]; value: number }>();
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
      // Same frames array (same location list within a file) is the fast path; else a string key.
      let e = this.stacks.get(s.frames);
      if (!e) {
        const key = stackKey(s.frames);
        e = this.byKey.get(key);
        if (!e) this.byKey.set(key, (e = { frames: s.frames, value: 0 }));
        this.stacks.set(s.frames, e);
      }
      e.value += v;
    }
  }

  result(type: ProfileTypeInfo, service: string, range: TimeRange): StackProfile {
    return { type, service, range, durationMs: this.durationMs, stacks: [...this.byKey.values()] };
  }
}

function stackKey(frames: Frame[]): string {
  let k = '';
  for (const f of frames) k += `${f.function}\u0001${f.file ?? ''}\u0001${f.line ?? 0}\u0000`;
  return k;
}
